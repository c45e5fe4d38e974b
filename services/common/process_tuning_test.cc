#include "services/common/process_tuning.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/testing/run_program.h"

namespace sbrgate {
namespace {

using testing::ProgramResult;
using testing::RunProgram;

const std::string kProbe =
    absl::StrCat(std::getenv("TEST_SRCDIR"), "/sbrgate/services/common/process_tuning_probe");

// An executable that links this library allocates through jemalloc, not
// glibc's malloc, whatever else it links.
TEST(TuneProcess, TheProcessAllocatesThroughJemalloc) {
  ProgramResult r = RunProgram(kProbe, {});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, ::testing::MatchesRegex("malloc: .*/libjemalloc\\.so\\.2\n"));
}

}  // namespace
}  // namespace sbrgate
