#include "services/common/process_tuning.h"

#include "absl/synchronization/mutex.h"

namespace sbrgate {

void TuneProcess() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace sbrgate
