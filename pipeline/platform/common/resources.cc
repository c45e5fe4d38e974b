#include "pipeline/platform/common/resources.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sbrgate {

absl::StatusOr<std::string> ResourcePath(absl::string_view workspace_relative) {
  std::vector<std::string> roots;
  if (const char* r = std::getenv("SBRGATE_RESOURCES")) roots.push_back(r);
  if (const char* r = std::getenv("RUNFILES_DIR")) roots.push_back(absl::StrCat(r, "/sbrgate"));
  if (const char* r = std::getenv("TEST_SRCDIR")) roots.push_back(absl::StrCat(r, "/sbrgate"));
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) roots.push_back(absl::StrCat(absl::string_view(exe, n), ".runfiles/sbrgate"));
  for (const std::string& root : roots) {
    std::string candidate = absl::StrCat(root, "/", workspace_relative);
    if (::access(candidate.c_str(), R_OK) == 0) return candidate;
  }
  return absl::NotFoundError(absl::StrCat("resource ", workspace_relative, " not found under ",
                                          absl::StrJoin(roots, ", "),
                                          " (set SBRGATE_RESOURCES to the install tree)"));
}

}  // namespace sbrgate
