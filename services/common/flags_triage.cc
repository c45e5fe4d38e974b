#include "services/common/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(int, max_attempts, 3, "pushes of a lodgment answered SystemError before giving up");
ABSL_FLAG(absl::Duration, system_error_backoff, absl::Minutes(15),
          "wait before resubmitting after a SystemError (doubles per attempt)");

namespace sbrgate::flags {

int MaxAttempts() { return absl::GetFlag(FLAGS_max_attempts); }

absl::Duration SystemErrorBackoff() { return absl::GetFlag(FLAGS_system_error_backoff); }

}  // namespace sbrgate::flags
