#include "services/common/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(int64_t, max_upload_bytes, int64_t{1} << 30, "largest upload a lodge may send, in bytes");
ABSL_FLAG(int64_t, max_employees, 200000, "most employee records in one lodgment");
ABSL_FLAG(int, max_uploads_per_caller, 8, "uploads one caller may have open at once");
ABSL_FLAG(int, max_watches_per_caller, 32, "watch streams one caller may have open at once");

namespace sbrgate::flags {

GatewayLimits Limits() {
  return {absl::GetFlag(FLAGS_max_upload_bytes), absl::GetFlag(FLAGS_max_employees),
          absl::GetFlag(FLAGS_max_uploads_per_caller), absl::GetFlag(FLAGS_max_watches_per_caller)};
}

}  // namespace sbrgate::flags
