// RunProgram: runs one of sbrgate's executables from a test, as a user would
// from a shell, and captures what it prints and how it exits.
//
//   ProgramResult r = RunProgram(SbrgateBinary(), {"payevnt", "validate", file, "--json"});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
//   nlohmann::json::parse(r.out);
//   RunProgram(SbrgateBinary(), {"status", id}, "env -u SBRGATE_GATEWAY");
#ifndef SBRGATE_PIPELINE_COMMON_TESTING_RUN_PROGRAM_H_
#define SBRGATE_PIPELINE_COMMON_TESTING_RUN_PROGRAM_H_

#include <string>
#include <vector>

namespace sbrgate::testing {

struct ProgramResult {
  int exit_code = -1;  // -1: did not run or did not exit normally
  std::string out;
  std::string err;
};

// `binary` with `args` (each passed as one word), preceded by `prefix` (an
// `env ...` command, or empty). stderr is collected through a file in the
// test's temporary directory.
ProgramResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& prefix = "");

// The sbrgate command line in the test's runfiles (a data dependency on
// //services/cli:sbrgate).
std::string SbrgateBinary();

// $TEST_TMPDIR, or /tmp outside Bazel.
std::string TestTempDir();

// The whole file, or "" when it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace sbrgate::testing

#endif  // SBRGATE_PIPELINE_COMMON_TESTING_RUN_PROGRAM_H_
