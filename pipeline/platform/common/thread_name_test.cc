#include "pipeline/platform/common/thread_name.h"

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace sbrgate {
namespace {

TEST(NameThisThread, NamesTheCallingThreadCutToFifteenBytes) {
  std::string short_name, long_name;
  std::thread([&] {
    NameThisThread("submit");
    short_name = ThisThreadName();
    NameThisThread("status-view-gateway-1");
    long_name = ThisThreadName();
  }).join();
  EXPECT_EQ(short_name, "submit");
  EXPECT_EQ(long_name, "status-view-gat");
}

}  // namespace
}  // namespace sbrgate
