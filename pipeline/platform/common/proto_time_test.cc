#include "pipeline/platform/common/proto_time.h"

#include <gtest/gtest.h>

namespace sbrgate {
namespace {

TEST(ProtoTimeTest, RoundTripsToTheNanosecond) {
  const absl::Time t = absl::FromUnixSeconds(1721005323) + absl::Nanoseconds(123456789);
  const google::protobuf::Timestamp p = ToProto(t);
  EXPECT_EQ(p.seconds(), 1721005323);
  EXPECT_EQ(p.nanos(), 123456789);
  EXPECT_EQ(FromProto(p), t);
}

TEST(ProtoTimeTest, TheEmptyTimestampIsTheUnixEpoch) {
  EXPECT_EQ(FromProto(google::protobuf::Timestamp()), absl::UnixEpoch());
}

}  // namespace
}  // namespace sbrgate
