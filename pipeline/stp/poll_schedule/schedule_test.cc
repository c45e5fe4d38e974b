#include "pipeline/stp/poll_schedule/schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sbrgate::poll {
namespace {

using ::testing::ElementsAre;

struct BandCase {
  int64_t employees;
  int first_min, second_min, repeat_min;
};

class BandEdgeTest : public ::testing::TestWithParam<BandCase> {};

TEST_P(BandEdgeTest, MatchesTheTable) {
  const BandCase c = GetParam();
  const PollPlan plan = PollPlan::ForEmployees(c.employees);
  EXPECT_EQ(plan.Offsets(4),
            std::vector<absl::Duration>({absl::Minutes(c.first_min),
                                         absl::Minutes(c.first_min + c.second_min),
                                         absl::Minutes(c.first_min + c.second_min + c.repeat_min),
                                         absl::Minutes(c.first_min + c.second_min +
                                                       2 * c.repeat_min)}))
      << c.employees << " employees";
}

INSTANTIATE_TEST_SUITE_P(EveryBandEdge, BandEdgeTest,
                         ::testing::Values(BandCase{1, 1, 1, 5}, BandCase{100, 1, 1, 5},
                                           BandCase{101, 2, 2, 10}, BandCase{200, 2, 2, 10},
                                           BandCase{201, 10, 10, 20}, BandCase{1000, 10, 10, 20},
                                           BandCase{1001, 60, 30, 60},
                                           BandCase{200000, 60, 30, 60}));

TEST(PollPlanTest, StopsAtSeventyTwoHours) {
  const PollPlan plan = PollPlan::ForEmployees(5000);
  const std::vector<absl::Duration> all = plan.Offsets(1000);
  // 1 h, 1.5 h, then hourly: 2.5 h ... 71.5 h is the last within 72 h.
  ASSERT_EQ(all.size(), 72u);
  EXPECT_EQ(all.back(), absl::Minutes(71 * 60 + 30));
  for (absl::Duration d : all) EXPECT_LE(d, kGiveUpAfter);

  const absl::Time receipt = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_FALSE(plan.NextPoll(receipt, 72, receipt + all.back()).has_value());
}

TEST(PollPlanTest, LatePollPushesTheNextOneBack) {
  const PollPlan plan = PollPlan::ForEmployees(10);
  const absl::Time receipt = absl::FromUnixSeconds(1'700'000'000);
  // First poll happened 10 minutes late; the second may not come 1 min after
  // the receipt-relative slot, only 1 min after the actual first poll.
  const absl::Time late_first = receipt + absl::Minutes(11);
  EXPECT_EQ(*plan.NextPoll(receipt, 1, late_first), late_first + absl::Minutes(1));
  EXPECT_EQ(*plan.NextPoll(receipt, 0, std::nullopt), receipt + absl::Minutes(1));
}

TEST(PollPlanTest, EarlyPullsAreDetected) {
  const PollPlan plan = PollPlan::ForEmployees(50);
  const absl::Time receipt = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_TRUE(plan.IsEarly(receipt, 0, std::nullopt, receipt + absl::Seconds(59)));
  EXPECT_FALSE(plan.IsEarly(receipt, 0, std::nullopt, receipt + absl::Seconds(60)));
  const absl::Time first = receipt + absl::Seconds(60);
  EXPECT_TRUE(plan.IsEarly(receipt, 1, first, first + absl::Seconds(30)));
  EXPECT_FALSE(plan.IsEarly(receipt, 1, first, first + absl::Minutes(1)));
  const absl::Time second = first + absl::Minutes(1);
  EXPECT_TRUE(plan.IsEarly(receipt, 2, second, second + absl::Minutes(4)));
  EXPECT_FALSE(plan.IsEarly(receipt, 2, second, second + absl::Minutes(5)));
}

}  // namespace
}  // namespace sbrgate::poll
