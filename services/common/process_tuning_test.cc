#include "services/common/process_tuning.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/testing/run_program.h"

namespace sbrgate {
namespace {

using ::testing::ElementsAre;
using testing::ProgramResult;
using testing::RunProgram;

const std::string kProbe =
    absl::StrCat(std::getenv("TEST_SRCDIR"), "/sbrgate/services/common/process_tuning_probe");
const std::string kThreadCache = absl::StrCat("glibc.malloc.tcache_count=", kThreadCachedBlocks);

std::vector<std::string> Lines(const ProgramResult& r) {
  return absl::StrSplit(r.out, '\n', absl::SkipEmpty());
}

// The same process (pid) under the same name (comm, 15 characters).
TEST(TuneDaemonProcess, StartsAgainInTheSameProcessWithTheThreadCacheSet) {
  ProgramResult r = RunProgram(kProbe, {"--flag=a b", "two"}, "env -u GLIBC_TUNABLES");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  const std::string pid = std::vector<std::string>(absl::StrSplit(lines[0], ' '))[1];
  EXPECT_THAT(lines, ElementsAre(absl::StrCat("start ", pid), absl::StrCat("start ", pid),
                                 absl::StrCat("tuned ", pid, " process_tuning_ ", kThreadCache,
                                              " --flag=a b two")));
}

TEST(TuneDaemonProcess, AddsToTheTunablesGiven) {
  ProgramResult r =
      RunProgram(kProbe, {}, "env GLIBC_TUNABLES=glibc.malloc.trim_threshold=1048576");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_THAT(lines[2], ::testing::EndsWith(
                            absl::StrCat(" glibc.malloc.trim_threshold=1048576:", kThreadCache)));
}

TEST(TuneDaemonProcess, KeepsAThreadCacheGivenAndStartsOnce) {
  ProgramResult r = RunProgram(kProbe, {"x"}, "env GLIBC_TUNABLES=glibc.malloc.tcache_count=3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_THAT(lines[1], ::testing::EndsWith(" glibc.malloc.tcache_count=3 x"));
}

}  // namespace
}  // namespace sbrgate
