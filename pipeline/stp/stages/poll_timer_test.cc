#include "pipeline/stp/stages/poll_timer.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace sbrgate::lodgment {
namespace {

TEST(PollTimerTest, HoldsAMillionPendingLodgments) {
  PollTimer timer;
  const absl::Time t0 = absl::FromUnixSeconds(1'790'000'000);
  for (int i = 0; i < 1'000'000; ++i) timer.Schedule(absl::StrCat("L", i), t0 + absl::Seconds(i % 3600));
  EXPECT_EQ(timer.size(), 1'000'000u);
  auto due = timer.TakeDue(t0 + absl::Seconds(1), 10'000);
  // Seconds 0 and 1 of each hour-long cycle: 2 of every 3600 lodgments.
  EXPECT_EQ(due.size(), 2u * (1'000'000 / 3600) + 2);
  for (const std::string& id : due) EXPECT_FALSE(timer.TakeDue(t0, 1).size() > 0 && id.empty());
  EXPECT_EQ(timer.size(), 1'000'000u - due.size());
  EXPECT_EQ(*timer.next(), t0 + absl::Seconds(2));
}

}  // namespace
}  // namespace sbrgate::lodgment
