#include "services/common/process_tuning.h"

#include <malloc.h>

#include "absl/synchronization/mutex.h"

namespace sbrgate {
namespace {

constexpr int kHeapArenas = 4;
constexpr int kKeptFreedBytesPerArena = 32 << 20;

}  // namespace

void TuneProcess() {
  ::mallopt(M_ARENA_MAX, kHeapArenas);
  ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
  ::mallopt(M_TRIM_THRESHOLD, kKeptFreedBytesPerArena);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace sbrgate
