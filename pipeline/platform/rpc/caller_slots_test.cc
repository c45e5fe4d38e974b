#include "pipeline/platform/rpc/caller_slots.h"

#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::rpc {
namespace {

TEST(CallerSlots, CapsEachCallerApartAndFreesASlotWithIt) {
  CallerSlots slots(2, "--max-uploads-per-caller");
  auto a1 = slots.Take("a");
  auto a2 = slots.Take("a");
  ASSERT_TRUE(a1.ok() && a2.ok());
  absl::StatusOr<CallerSlots::Slot> a3 = slots.Take("a");
  EXPECT_TRUE(absl::IsResourceExhausted(a3.status()));
  EXPECT_THAT(std::string(a3.status().message()),
              ::testing::HasSubstr("identity 'a' has 2 such calls open; "
                                   "--max-uploads-per-caller is 2"));
  EXPECT_TRUE(slots.Take("b").ok());  // another caller's slots are its own
  { CallerSlots::Slot released = *std::move(a1); }
  EXPECT_TRUE(slots.Take("a").ok());
}

}  // namespace
}  // namespace sbrgate::rpc
