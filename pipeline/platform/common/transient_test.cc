#include "pipeline/platform/common/transient.h"

#include <gtest/gtest.h>

namespace sbrgate {
namespace {

TEST(IsTransientTest, OnlyUnavailableAndDeadline) {
  EXPECT_TRUE(IsTransient(absl::UnavailableError("x")));
  EXPECT_TRUE(IsTransient(absl::DeadlineExceededError("x")));
  EXPECT_FALSE(IsTransient(absl::OkStatus()));
  EXPECT_FALSE(IsTransient(absl::FailedPreconditionError("x")));
  EXPECT_FALSE(IsTransient(absl::UnauthenticatedError("x")));
  EXPECT_FALSE(IsTransient(absl::InvalidArgumentError("x")));
  EXPECT_FALSE(IsTransient(absl::DataLossError("x")));
}

}  // namespace
}  // namespace sbrgate
