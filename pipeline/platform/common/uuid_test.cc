#include "pipeline/platform/common/uuid.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sbrgate {
namespace {

using ::testing::MatchesRegex;

TEST(NewUuidTest, IsRandomVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string uuid = NewUuid();
    ASSERT_THAT(uuid, MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                   "[0-9a-f]{12}"));
    seen.insert(uuid);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(NewUuidTest, ThreadsMakeDifferentIds) {
  // Each thread has a generator of its own: seeded apart, never in step.
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (std::vector<std::string>& ids : made) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 1000; ++i) ids.push_back(NewUuid());
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> seen;
  for (const std::vector<std::string>& ids : made) seen.insert(ids.begin(), ids.end());
  EXPECT_EQ(seen.size(), 4000u);
}

}  // namespace
}  // namespace sbrgate
