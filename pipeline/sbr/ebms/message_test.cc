#include "pipeline/sbr/ebms/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace sbrgate::ebms {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(NewMessageIdTest, IsUuidAtDomain) {
  const std::string id = NewMessageId("sbrgate.example.com.au");
  EXPECT_THAT(id, MatchesRegex("[0-9a-f-]{36}@sbrgate\\.example\\.com\\.au"));
  EXPECT_NE(id, NewMessageId("sbrgate.example.com.au"));
}

TEST(FormatDateTimeTest, UtcWithMilliseconds) {
  EXPECT_EQ(FormatDateTime(absl::FromUnixMillis(1151761357429)), "2006-07-01T13:42:37.429Z");
  EXPECT_EQ(FormatDateTime(absl::FromUnixSeconds(1153829945)), "2006-07-25T12:19:05.000Z");
}

TEST(ParseDateTimeTest, AcceptsTheForms) {
  EXPECT_EQ(ParseDateTime("2006-07-25T12:19:05").value(), absl::FromUnixSeconds(1153829945));
  EXPECT_EQ(ParseDateTime("2006-07-25T12:19:05Z").value(), absl::FromUnixSeconds(1153829945));
  EXPECT_EQ(ParseDateTime("2006-07-01T13:42:37.429Z").value(), absl::FromUnixMillis(1151761357429));
  EXPECT_EQ(ParseDateTime("2006-07-01T13:42:37.4291234567Z").value(),
            absl::FromUnixNanos(1151761357429123456));
  EXPECT_EQ(ParseDateTime("2024-06-30T14:00:00+10:00").value(), absl::FromUnixSeconds(1719720000));
  EXPECT_EQ(ParseDateTime("2024-06-30T02:00:00-02:00").value(), absl::FromUnixSeconds(1719720000));
  EXPECT_EQ(ParseDateTime("2024-02-29T23:00:00Z").value(), absl::FromUnixSeconds(1709247600));
  EXPECT_EQ(ParseDateTime("2024-02-29T24:00:00Z").value(), absl::FromUnixSeconds(1709251200));
}

TEST(ParseDateTimeTest, RoundTripsFormat) {
  const absl::Time t = absl::FromUnixMillis(1719720000123);
  EXPECT_EQ(ParseDateTime(FormatDateTime(t)).value(), t);
}

TEST(ParseDateTimeTest, RejectsImaginaryDates) {
  absl::StatusOr<absl::Time> t = ParseDateTime("2006-30-30T30:99:99");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "'2006-30-30T30:99:99' is not a real date and time: month 30, hour 30, minute 99, "
            "second 99 out of range");
  EXPECT_THAT(ParseDateTime("2023-02-29T00:00:00Z").status().message(),
              HasSubstr("day 29 of month 2 out of range"));
  EXPECT_THAT(ParseDateTime("1900-02-29T00:00:00Z").status().message(), HasSubstr("day 29"));
  EXPECT_TRUE(ParseDateTime("2000-02-29T00:00:00Z").ok());
  EXPECT_THAT(ParseDateTime("2024-04-31T00:00:00Z").status().message(), HasSubstr("day 31"));
  EXPECT_THAT(ParseDateTime("2024-00-10T00:00:00Z").status().message(), HasSubstr("month 0"));
  EXPECT_THAT(ParseDateTime("0000-01-01T00:00:00Z").status().message(), HasSubstr("year 0000"));
  EXPECT_THAT(ParseDateTime("2024-01-01T24:00:01Z").status().message(), HasSubstr("hour 24"));
  EXPECT_THAT(ParseDateTime("2024-01-01T23:59:60Z").status().message(), HasSubstr("second 60"));
  EXPECT_THAT(ParseDateTime("2024-01-01T00:00:00+15:00").status().message(),
              HasSubstr("time zone offset +15:00"));
}

TEST(ParseDateTimeTest, RejectsOtherShapes) {
  for (const char* bad : {"", "2024-01-01", "2024-01-01 10:00:00", "2024-1-01T10:00:00",
                          "2024-01-01T10:00", "2024-01-01T10:00:00.", "2024-01-01T10:00:00ZZ",
                          "2024-01-01T10:00:00+1000", " 2024-01-01T10:00:00Z", "yesterday"}) {
    absl::StatusOr<absl::Time> t = ParseDateTime(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_THAT(t.status().message(), HasSubstr("is not an xsd:dateTime")) << bad;
  }
}

TEST(ErrorTableTest, KnowsTheOasisCodes) {
  const ErrorDefinition* empty = FindErrorDefinition("EBMS:0006");
  ASSERT_NE(empty, nullptr);
  EXPECT_STREQ(empty->short_description, "EmptyMessagePartitionChannel");
  EXPECT_STREQ(empty->severity, "warning");
  EXPECT_STREQ(FindErrorDefinition(kErrorFailedDecryption)->short_description, "FailedDecryption");
  EXPECT_STREQ(FindErrorDefinition(kErrorPolicyNoncompliance)->origin, "security");
  EXPECT_STREQ(FindErrorDefinition("EBMS:0009")->short_description, "InvalidHeader");
  EXPECT_EQ(FindErrorDefinition("EBMS:9999"), nullptr);
  EXPECT_EQ(FindErrorDefinition("0101"), nullptr);
}

TEST(ErrorTableTest, MakeErrorFillsTheRow) {
  const Error e = MakeError(kErrorFailedAuthentication, "m1@x", "bad signature");
  EXPECT_EQ(e.error_code, "EBMS:0101");
  EXPECT_EQ(e.short_description, "FailedAuthentication");
  EXPECT_EQ(e.category, "Processing");
  EXPECT_EQ(e.severity, "failure");
  EXPECT_EQ(e.origin, "security");
  EXPECT_EQ(e.ref_to_message_in_error, "m1@x");
  EXPECT_EQ(e.description, "bad signature");
  const Error unknown = MakeError("CMN.ATO.EBMS.001", "");
  EXPECT_EQ(unknown.severity, "failure");
  EXPECT_EQ(unknown.short_description, "");
}

}  // namespace
}  // namespace sbrgate::ebms
