#include "pipeline/platform/access/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace sbrgate::access {

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path,
                                                         const Clock* clock) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("audit log ", path, ": opening"));
  return std::unique_ptr<AuditLog>(new AuditLog(path, fd, clock));
}

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
  std::shared_ptr<Group> mine;
  {
    absl::MutexLock lock(&mu_);
    if (filling_ == nullptr) filling_ = std::make_shared<Group>();
    filling_->text += text;
    mine = filling_;
    auto done_or_idle = [this, &mine]()
                            ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return mine->done || !syncing_; };
    mu_.Await(absl::Condition(&done_or_idle));
    if (mine->done) return Outcome(event, mine->status);
    // No group is being written, so this line's is still the one filling:
    // this caller writes it, with every line added meanwhile.
    syncing_ = true;
    filling_ = nullptr;
  }
  const absl::Status synced = WriteAndSync(mine->text);
  absl::MutexLock lock(&mu_);
  mine->status = synced;
  mine->done = true;
  syncing_ = false;
  return Outcome(event, synced);
}

absl::Status AuditLog::Outcome(const AuditEvent& event, const absl::Status& synced) const {
  if (synced.ok()) return synced;
  return absl::UnavailableError(absl::StrCat("audit log ", path_, ": cannot record ", event.action,
                                             " by ", event.identity, ": ", synced.message()));
}

absl::Status AuditLog::WriteAndSync(const std::string& text) const {
  const ssize_t written = ::write(fd_, text.data(), text.size());
  if (written < 0) return absl::ErrnoToStatus(errno, "writing");
  if (written != static_cast<ssize_t>(text.size())) return absl::DataLossError("a short write");
  if (::fdatasync(fd_) != 0) return absl::ErrnoToStatus(errno, "syncing");
  return absl::OkStatus();
}

}  // namespace sbrgate::access
