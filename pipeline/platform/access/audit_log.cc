#include "pipeline/platform/access/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace sbrgate::access {

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path,
                                                         const Clock* clock) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("audit log ", path, ": opening"));
  return std::unique_ptr<AuditLog>(new AuditLog(path, fd, clock));
}

AuditLog::AuditLog(std::string path, int fd, const Clock* clock)
    : path_(std::move(path)),
      clock_(clock),
      fd_(fd),
      lines_([this](std::vector<std::string>& group) { return WriteAndSync(group); }) {}

AuditLog::~AuditLog() { ::close(fd_); }

absl::Status AuditLog::Record(const AuditEvent& event) {
  const nlohmann::json line = {
      {"time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_->Now(), absl::UTCTimeZone())},
      {"identity", event.identity},
      {"action", event.action},
      {"tenant", event.tenant},
      {"allowed", event.allowed},
      {"detail", event.detail}};
  // Invalid UTF-8 in a request field is replaced, never a reason to lose the line.
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const absl::Status synced = lines_.Commit(text);
  if (synced.ok()) return synced;
  return absl::UnavailableError(absl::StrCat("audit log ", path_, ": cannot record ", event.action,
                                             " by ", event.identity, ": ", synced.message()));
}

absl::Status AuditLog::WriteAndSync(const std::vector<std::string>& group) const {
  const std::string text = absl::StrJoin(group, "");
  const ssize_t written = ::write(fd_, text.data(), text.size());
  if (written < 0) return absl::ErrnoToStatus(errno, "writing");
  if (written != static_cast<ssize_t>(text.size())) return absl::DataLossError("a short write");
  if (::fdatasync(fd_) != 0) return absl::ErrnoToStatus(errno, "syncing");
  return absl::OkStatus();
}

}  // namespace sbrgate::access
