#include "services/common/process_tuning.h"

#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace sbrgate {
namespace {

constexpr int kHeapArenas = 4;
constexpr int kKeptFreedBytesPerArena = 32 << 20;
constexpr char kTunables[] = "GLIBC_TUNABLES";
constexpr char kThreadCacheTunable[] = "glibc.malloc.tcache_count";

}  // namespace

void TuneProcess() {
  ::mallopt(M_ARENA_MAX, kHeapArenas);
  ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
  ::mallopt(M_TRIM_THRESHOLD, kKeptFreedBytesPerArena);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

void TuneDaemonProcess(char** argv) {
  const char* tunables = ::getenv(kTunables);
  const std::string current = tunables == nullptr ? "" : tunables;
  if (!absl::StrContains(current, kThreadCacheTunable)) {
    std::string wanted = absl::StrCat(kThreadCacheTunable, "=", kThreadCachedBlocks);
    if (!current.empty()) wanted = absl::StrCat(current, ":", wanted);
    // The program's own path rather than /proc/self/exe, whose name the
    // process would then go by (ps, top, pkill).
    char path[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (length > 0 && ::setenv(kTunables, wanted.c_str(), 1) == 0) {
      path[length] = '\0';
      ::execv(path, argv);
      // Still here: the settings below are still worth having.
      if (tunables == nullptr) {
        ::unsetenv(kTunables);
      } else {
        ::setenv(kTunables, current.c_str(), 1);
      }
    }
  }
  TuneProcess();
}

}  // namespace sbrgate
