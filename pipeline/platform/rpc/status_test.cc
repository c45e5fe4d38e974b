#include "pipeline/platform/rpc/status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace sbrgate::rpc {
namespace {

google::rpc::BadRequest BadRequestOf(const grpc::Status& status) {
  google::rpc::Status rich;
  EXPECT_TRUE(rich.ParseFromString(status.error_details()));
  EXPECT_EQ(rich.code(), static_cast<int>(status.error_code()));
  EXPECT_EQ(rich.message(), status.error_message());
  google::rpc::BadRequest bad;
  EXPECT_EQ(rich.details_size(), 1);
  if (rich.details_size() > 0) {
    EXPECT_TRUE(rich.details(0).UnpackTo(&bad));
  }
  return bad;
}

TEST(ToGrpcStatusTest, KeepsCodeAndMessage) {
  const grpc::Status s = ToGrpcStatus(absl::NotFoundError("lodgment x not found"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "lodgment x not found");
  EXPECT_TRUE(s.error_details().empty());
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(ToGrpcStatusTest, CutsLongMessagesAtACharacterBoundary) {
  std::string text(kMaxStatusMessageBytes - 4, 'a');
  for (int i = 0; i < 100; ++i) text += "\xC3\xA9";  // é
  const grpc::Status s = ToGrpcStatus(absl::InternalError(text));
  EXPECT_LE(s.error_message().size(), kMaxStatusMessageBytes);
  EXPECT_EQ(s.error_message(), std::string(kMaxStatusMessageBytes - 4, 'a') + "...");
}

TEST(ToGrpcStatusTest, FieldViolationsBecomeABadRequest) {
  const grpc::Status s = ToGrpcStatus(absl::InvalidArgumentError("to_date: required"),
                                      {{"to_date", "required"}, {"agent.ran", "required"}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "to_date: required");
  const google::rpc::BadRequest bad = BadRequestOf(s);
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "to_date");
  EXPECT_EQ(bad.field_violations(0).description(), "required");
  EXPECT_EQ(bad.field_violations(1).field(), "agent.ran");
}

TEST(ToGrpcStatusTest, ALongListEndsCountingTheRest) {
  std::vector<FieldViolation> violations;
  for (int i = 0; i < 500; ++i) {
    violations.push_back({absl::StrCat("record 1.", i), "VR.ATO.X.000001 the TFN is wrong"});
  }
  const grpc::Status s =
      ToGrpcStatus(absl::InvalidArgumentError("refused"), violations, "the upload");
  EXPECT_LT(s.error_details().size(), kMaxStatusDetailsBytes + 512);
  const google::rpc::BadRequest bad = BadRequestOf(s);
  ASSERT_GT(bad.field_violations_size(), 10);
  ASSERT_LT(bad.field_violations_size(), 500);
  const auto& last = bad.field_violations(bad.field_violations_size() - 1);
  EXPECT_EQ(last.field(), "the upload");
  EXPECT_EQ(last.description(),
            absl::StrCat("and ", 500 - (bad.field_violations_size() - 1), " more problems"));
}

TEST(ToGrpcStatusTest, OneViolationIsKeptHoweverLong) {
  const grpc::Status s =
      ToGrpcStatus(absl::InvalidArgumentError("refused"), {{"line 3", std::string(5000, 'x')}});
  const google::rpc::BadRequest bad = BadRequestOf(s);
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).description().size(), kMaxStatusMessageBytes);
}

}  // namespace
}  // namespace sbrgate::rpc
