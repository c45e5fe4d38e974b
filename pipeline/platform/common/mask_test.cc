#include "pipeline/platform/common/mask.h"

#include "gtest/gtest.h"

namespace sbrgate {
namespace {

TEST(MaskIdentifier, KeepsTheLastThree) {
  EXPECT_EQ(MaskIdentifier("123456782"), "******782");
  EXPECT_EQ(MaskIdentifier("12"), "**");
}

}  // namespace
}  // namespace sbrgate
