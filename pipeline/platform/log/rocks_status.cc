#include "pipeline/platform/log/rocks_status.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace sbrgate::log {

absl::Status RocksStatus(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsNoSpace() || status.IsIOError() || status.IsBusy() || status.IsTimedOut() ||
      status.IsTryAgain()) {
    return absl::UnavailableError(message);
  }
  if (status.IsCorruption()) return absl::DataLossError(message);
  return absl::InternalError(message);
}

}  // namespace sbrgate::log
