// AuditLog: every decision that changes something (a lodge, a replay, a
// redrive, a CLNTCOMM request), allowed or denied, as one JSON object a line
// in an append-only file (mode 0600), synced before the change goes ahead:
//
//   {"time":"2026-12-06T09:00:00.000Z","identity":"payroll-a","action":"lodge",
//    "tenant":"51824753556","allowed":true,"detail":"lodgment 3f2a..."}
//
//   absl::StatusOr<std::unique_ptr<AuditLog>> audit = AuditLog::Open(path, &clock);
//   if (absl::Status s = (*audit)->Record({caller.identity(), "replay", abn, true, id}); !s.ok())
//     ...refuse the change: what cannot be audited is not done...
//
// Thread-safe. Concurrent Records share one write and one fdatasync
// (GroupCommit); each caller still returns only when its own line is synced,
// or with the error that stopped its group.
#ifndef SBRGATE_PIPELINE_PLATFORM_ACCESS_AUDIT_LOG_H_
#define SBRGATE_PIPELINE_PLATFORM_ACCESS_AUDIT_LOG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/group_commit.h"

namespace sbrgate::access {

struct AuditEvent {
  std::string identity;
  std::string action;
  std::string tenant;  // the payer or agent practice it concerns ("*": several)
  bool allowed = false;
  std::string detail;
};

class AuditLog {
 public:
  // Opens (creating, 0600) `path` for appending; `clock` stamps the events
  // and must outlive the log.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path,
                                                        const Clock* clock);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends and syncs the event; Unavailable when it could not.
  absl::Status Record(const AuditEvent& event);

 private:
  AuditLog(std::string path, int fd, const Clock* clock);

  // Appends the lines of `group` and syncs them.
  absl::Status WriteAndSync(const std::vector<std::string>& group) const;

  const std::string path_;
  const Clock* const clock_;
  const int fd_;
  GroupCommit<std::string> lines_;
};

}  // namespace sbrgate::access

#endif  // SBRGATE_PIPELINE_PLATFORM_ACCESS_AUDIT_LOG_H_
