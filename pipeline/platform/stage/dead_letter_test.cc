#include "pipeline/platform/stage/dead_letter.h"

#include <map>
#include <string>

#include "gtest/gtest.h"

namespace sbrgate::stage {
namespace {

TEST(DeadLetterTest, CarriesTheOriginAsValueAndHeaders) {
  kafka::Record r{"sbrgate.lodgments.received", 3, 1042, "L-1", "payload",
                  absl::FromUnixMillis(1765000000123)};
  kafka::Output out = DeadLetterRecord("sbrgate.deadletter", "submit", r,
                                       absl::InvalidArgumentError("bad"), 2,
                                       absl::FromUnixSeconds(1765000001));
  EXPECT_EQ(out.topic, "sbrgate.deadletter");
  EXPECT_EQ(out.key, "L-1");
  std::map<std::string, std::string> h(out.headers.begin(), out.headers.end());
  EXPECT_EQ(h[kDltOriginalTopic], "sbrgate.lodgments.received");
  EXPECT_EQ(h[kDltOriginalPartition], "3");
  EXPECT_EQ(h[kDltOriginalOffset], "1042");
  EXPECT_EQ(h[kDltOriginalTimestamp], "1765000000123");
  EXPECT_EQ(h[kDltExceptionFqcn], "INVALID_ARGUMENT");
  EXPECT_EQ(h[kDltExceptionMessage], "bad");
  EXPECT_EQ(h[kDltStage], "submit");
  EXPECT_EQ(h[kDltAttempts], "2");
  absl::StatusOr<events::DeadLetter> dl = ParseDeadLetter(out.value);
  ASSERT_TRUE(dl.ok());
  EXPECT_EQ(dl->value(), "payload");
  EXPECT_EQ(dl->attempts(), 2);
  EXPECT_EQ(dl->error_code(), "INVALID_ARGUMENT");
  EXPECT_TRUE(absl::IsDataLoss(ParseDeadLetter("not a proto").status()));
}

TEST(DeadLetterTest, LeavesOutAValueTooLargeForAMessage) {
  kafka::Record r{"t", 0, 7, "k", std::string(70 * 1024, 'x')};
  kafka::Output out = DeadLetterRecord("dl", "s", r, absl::InternalError("e"), 1, absl::Now());
  absl::StatusOr<events::DeadLetter> dl = ParseDeadLetter(out.value);
  ASSERT_TRUE(dl.ok());
  EXPECT_TRUE(dl->value().empty());
  EXPECT_NE(dl->error().find("read it at its offset"), std::string::npos);
}

}  // namespace
}  // namespace sbrgate::stage
