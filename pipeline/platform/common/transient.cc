#include "pipeline/platform/common/transient.h"

namespace sbrgate {

bool IsTransient(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

}  // namespace sbrgate
