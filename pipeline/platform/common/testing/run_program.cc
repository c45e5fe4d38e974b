#include "pipeline/platform/common/testing/run_program.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace sbrgate::testing {

std::string TestTempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string SbrgateBinary() {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/sbrgate/services/cli/sbrgate");
}

ProgramResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& prefix) {
  const std::string err_path = TestTempDir() + "/stderr.txt";
  std::string command = absl::StrCat(prefix, prefix.empty() ? "" : " ", binary);
  for (const std::string& a : args) {
    absl::StrAppend(&command, " '", absl::StrReplaceAll(a, {{"'", "'\\''"}}), "'");
  }
  absl::StrAppend(&command, " 2>'", err_path, "'");
  ProgramResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFileOrEmpty(err_path);
  return r;
}

}  // namespace sbrgate::testing
