#include "pipeline/platform/common/dates.h"

#include <gtest/gtest.h>

namespace sbrgate {
namespace {

TEST(ParseDateTest, ReadsRealCalendarDays) {
  EXPECT_EQ(ParseDate("2024-02-29"), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(ParseDate("2008-07-01"), absl::CivilDay(2008, 7, 1));
  EXPECT_EQ(ParseDate("0000-01-01"), absl::CivilDay(0, 1, 1));
}

TEST(ParseDateTest, RefusesDaysThatWouldNormalise) {
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_FALSE(ParseDate("2024-02-30"));
  EXPECT_FALSE(ParseDate("2024-04-31"));
  EXPECT_FALSE(ParseDate("2024-13-01"));
  EXPECT_FALSE(ParseDate("2024-00-10"));
  EXPECT_FALSE(ParseDate("2024-01-00"));
}

TEST(ParseDateTest, RefusesOtherShapes) {
  for (const char* bad :
       {"", "2024-1-05", "2024-01-5", "24-01-05", " 2024-01-05", "2024-01-05 ", "2024/01/05",
        "+024-01-05", "-024-01-05", "2024-01-05Z", "20240105", "2024-0a-05"}) {
    EXPECT_FALSE(ParseDate(bad)) << bad;
  }
}

}  // namespace
}  // namespace sbrgate
