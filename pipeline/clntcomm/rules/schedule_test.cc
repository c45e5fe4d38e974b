#include "pipeline/clntcomm/rules/schedule.h"

#include <vector>

#include "gtest/gtest.h"
#include "pipeline/clntcomm/rules/sydney.h"

namespace sbrgate::clntcomm {
namespace {

constexpr char kAbn[] = "51824753556";

// Sydney wall-clock time. Every time used is unambiguous (not in a DST gap
// or overlap) unless the test says so.
absl::Time Syd(int y, int m, int d, int hh, int mm = 0) {
  return SydneyTimeZone().At(absl::CivilSecond(y, m, d, hh, mm, 0)).pre;
}

absl::Time Utc(int y, int m, int d, int hh, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

const std::vector<v1::Channel> kAll = {v1::PAPER, v1::MYGOV,         v1::SMS,
                                       v1::EMAIL, v1::AGENT_DIGITAL, v1::ATO_ONLINE};
const std::vector<v1::Channel> kSms = {v1::SMS};

absl::Time Bulk(absl::Time t, const std::vector<v1::Channel>& ch = kAll) {
  return EarliestStart(JobKind::kBulk, ch, t);
}

TEST(EarliestStart, SingleRunsAnyTime) {
  for (int h : {0, 3, 7, 10, 14, 19, 23}) {
    const absl::Time t = Syd(2024, 7, 10, h);
    EXPECT_EQ(EarliestStart(JobKind::kSingle, kAll, t), t) << h;
  }
}

TEST(EarliestStart, BulkRunsBetweenEightPmAndSixAm) {
  // Wednesday 10 July 2024 (AEST).
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 14)), Syd(2024, 7, 10, 20));
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 7)), Syd(2024, 7, 10, 20));
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 6)), Syd(2024, 7, 10, 20));
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 19, 59)), Syd(2024, 7, 10, 20));
  for (absl::Time now : {Syd(2024, 7, 10, 23), Syd(2024, 7, 10, 3), Syd(2024, 7, 10, 20),
                         Syd(2024, 7, 10, 5, 59), Syd(2024, 7, 10, 0)}) {
    EXPECT_EQ(Bulk(now), now);
  }
  // No channel named means every channel.
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 14), {}), Syd(2024, 7, 10, 20));
}

TEST(EarliestStart, SmsAndEmailBulkMayUseTheWeekdaySmsWindow) {
  // Wednesday.
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 14), kSms), Syd(2024, 7, 10, 14));
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 14), {v1::SMS, v1::EMAIL}), Syd(2024, 7, 10, 14));
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 14), {v1::EMAIL}), Syd(2024, 7, 10, 14));
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 10), kSms), Syd(2024, 7, 10, 10));
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 7), kSms), Syd(2024, 7, 10, 10));
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 18), kSms), Syd(2024, 7, 10, 20));
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 23), kSms), Syd(2024, 7, 10, 23));
  // Any other channel needs the night window.
  EXPECT_EQ(Bulk(Syd(2024, 7, 10, 14), {v1::SMS, v1::PAPER}), Syd(2024, 7, 10, 20));
  // Saturday 13 July: no business hours.
  EXPECT_EQ(Bulk(Syd(2024, 7, 13, 14), kSms), Syd(2024, 7, 13, 20));
}

// Sydney leaves daylight saving at 3:00 am AEDT on Sunday 7 April 2024
// (clocks go back to 2:00 am AEST) and enters it at 2:00 am AEST on Sunday
// 6 October 2024 (clocks go forward to 3:00 am AEDT).
TEST(EarliestStart, AroundTheAprilChange) {
  // Saturday 6 April, still AEDT (UTC+11): 8 pm is 09:00 UTC.
  EXPECT_EQ(Bulk(Syd(2024, 4, 6, 14)), Utc(2024, 4, 6, 9));
  EXPECT_EQ(Bulk(Syd(2024, 4, 6, 14), kSms), Utc(2024, 4, 6, 9));  // weekend
  // Monday 8 April, AEST (UTC+10): 8 pm is 10:00 UTC.
  EXPECT_EQ(Bulk(Syd(2024, 4, 8, 14)), Utc(2024, 4, 8, 10));
  EXPECT_EQ(Bulk(Syd(2024, 4, 8, 14), kSms), Utc(2024, 4, 8, 4));  // at once
  EXPECT_EQ(Bulk(Syd(2024, 4, 8, 8), kSms), Utc(2024, 4, 8, 0));   // 10 am AEST
  // The repeated hour of the change night is inside the bulk window, both
  // times round.
  const absl::TimeZone::TimeInfo repeated =
      SydneyTimeZone().At(absl::CivilSecond(2024, 4, 7, 2, 30, 0));
  ASSERT_EQ(repeated.kind, absl::TimeZone::TimeInfo::REPEATED);
  EXPECT_EQ(Bulk(repeated.pre), repeated.pre);
  EXPECT_EQ(Bulk(repeated.post), repeated.post);
  // The Sunday itself: 7 am AEST waits 13 hours for 8 pm AEST.
  EXPECT_EQ(Bulk(Syd(2024, 4, 7, 7)) - Syd(2024, 4, 7, 7), absl::Hours(13));
}

TEST(EarliestStart, AroundTheOctoberChange) {
  // Saturday 5 October, AEST (UTC+10): 8 pm is 10:00 UTC.
  EXPECT_EQ(Bulk(Syd(2024, 10, 5, 14)), Utc(2024, 10, 5, 10));
  // Monday 7 October, AEDT (UTC+11): 8 pm is 09:00 UTC.
  EXPECT_EQ(Bulk(Syd(2024, 10, 7, 14)), Utc(2024, 10, 7, 9));
  EXPECT_EQ(Bulk(Syd(2024, 10, 7, 14), kSms), Utc(2024, 10, 7, 3));  // at once
  EXPECT_EQ(Bulk(Syd(2024, 10, 7, 8), kSms), Utc(2024, 10, 6, 23));  // 10 am AEDT
  // Change night: 1:30 am AEST and 3:30 am AEDT are both in the window.
  EXPECT_EQ(Bulk(Syd(2024, 10, 6, 1, 30)), Syd(2024, 10, 6, 1, 30));
  EXPECT_EQ(Bulk(Syd(2024, 10, 6, 3, 30)), Syd(2024, 10, 6, 3, 30));
  // Sunday 6 October 7 am AEDT to 8 pm AEDT: 13 hours.
  EXPECT_EQ(Bulk(Syd(2024, 10, 6, 7)), Utc(2024, 10, 6, 9));
}

TEST(DailyWindow, LastTwentyFourHours) {
  const absl::Time now = Syd(2024, 10, 7, 21);
  const TimeWindow w = DailyWindow(now);
  EXPECT_EQ(w.from, now - absl::Hours(24));
  EXPECT_EQ(w.to, now);
  // Across the October change 24 elapsed hours span 25 wall-clock hours.
  EXPECT_EQ(DailyWindow(Syd(2024, 10, 6, 21)).from, Syd(2024, 10, 5, 20));
}

TEST(CheckThrottle, OncePerHourForThePeriodSinceTheLastCheck) {
  CheckThrottle throttle;
  const absl::Time t0 = Syd(2024, 7, 10, 11);
  EXPECT_EQ(throttle.NextAllowedCheck(kAbn), absl::InfinitePast());

  CheckWindow first = throttle.Begin(kAbn, t0);
  ASSERT_TRUE(first.allowed);
  EXPECT_EQ(first.from, t0 - absl::Hours(24));
  EXPECT_EQ(first.to, t0);
  throttle.Record(kAbn, first.to);
  EXPECT_EQ(throttle.NextAllowedCheck(kAbn), t0 + absl::Minutes(60));

  // A second check within the hour waits.
  CheckWindow early = throttle.Begin(kAbn, t0 + absl::Minutes(59));
  EXPECT_FALSE(early.allowed);
  EXPECT_EQ(early.retry_at, t0 + absl::Minutes(60));

  // Another practice is throttled separately.
  EXPECT_TRUE(throttle.Begin("53004085616", t0 + absl::Minutes(1)).allowed);

  CheckWindow second = throttle.Begin(kAbn, t0 + absl::Minutes(60));
  ASSERT_TRUE(second.allowed);
  EXPECT_EQ(second.from, t0);
  EXPECT_EQ(second.to, t0 + absl::Minutes(60));

  // A check that failed is not recorded, so the same period is retried.
  CheckWindow retry = throttle.Begin(kAbn, t0 + absl::Minutes(65));
  EXPECT_EQ(retry.from, t0);

  // Recording an older time does not move the last check back.
  throttle.Record(kAbn, t0 + absl::Minutes(60));
  throttle.Record(kAbn, t0);
  EXPECT_EQ(throttle.NextAllowedCheck(kAbn), t0 + absl::Minutes(120));
}

TEST(CheckThrottle, HourIsElapsedTimeAcrossDaylightSaving) {
  CheckThrottle throttle;
  // 1:30 am AEST, Sunday 6 October 2024; the clocks then jump from 2 to 3.
  const absl::Time t0 = Syd(2024, 10, 6, 1, 30);
  throttle.Record(kAbn, t0);
  // 3:20 am AEDT reads 110 minutes later but only 50 have passed.
  EXPECT_FALSE(throttle.Begin(kAbn, Syd(2024, 10, 6, 3, 20)).allowed);
  EXPECT_TRUE(throttle.Begin(kAbn, Syd(2024, 10, 6, 3, 30)).allowed);
}

}  // namespace
}  // namespace sbrgate::clntcomm
