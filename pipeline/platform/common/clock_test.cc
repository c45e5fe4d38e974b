#include "pipeline/platform/common/clock.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace sbrgate {
namespace {

TEST(ScaledClockTest, RunsFasterThanRealTime) {
  ScaledClock clock(3600);
  const absl::Time start = clock.Now();
  clock.SleepFor(absl::Minutes(1));  // one simulated minute: ~17 ms real
  EXPECT_GE(clock.Now() - start, absl::Minutes(1));
  EXPECT_EQ(clock.ToReal(absl::Hours(1)), absl::Seconds(1));
}

TEST(ManualClockTest, SleepWaitsForAdvance) {
  ManualClock clock(absl::FromUnixSeconds(1000));
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepUntil(absl::FromUnixSeconds(1010));
    woke = true;
  });
  clock.Advance(absl::Seconds(5));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_FALSE(woke);
  clock.Advance(absl::Seconds(5));
  sleeper.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1010));
}

}  // namespace
}  // namespace sbrgate
