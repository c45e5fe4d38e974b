// sbrgate's own record of which practice users may do what, so a request is
// refused locally before it reaches the ATO (seed 000, Table 4: CLNTCOMM LIST
// and GET need the Access Manager permission Client.Corro.View). The ATO
// checks again; this keeps a user without the permission from spending the
// practice's reasonable-use allowance.
//
//   absl::StatusOr<PermissionStore> store = PermissionStore::LoadFile(path);
//   store->Grant("51824753556", "alice", kClientCorroView);
//   if (absl::Status s = CheckCorroView(*store, request.agent()); !s.ok())
//     return s;  // PERMISSION_DENIED
//
// File format, one grant a line: agent_abn,user_id,permission. Blank lines
// and lines starting with '#' are skipped; spaces around fields are trimmed.
// Permissions are exact, case-sensitive names. The store is thread-safe.
#ifndef SBRGATE_PIPELINE_CLNTCOMM_PERMISSIONS_H_
#define SBRGATE_PIPELINE_CLNTCOMM_PERMISSIONS_H_

#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "proto/communications.pb.h"

namespace sbrgate::clntcomm {

inline constexpr absl::string_view kClientCorroView = "Client.Corro.View";

class PermissionStore {
 public:
  PermissionStore() = default;
  // Movable so LoadFile can return one; moving from a store another thread
  // is using is the caller's error.
  PermissionStore(PermissionStore&& other);
  PermissionStore& operator=(PermissionStore&& other);

  // Errors name path:line (bad field count, empty field, invalid ABN).
  static absl::StatusOr<PermissionStore> LoadFile(const std::string& path);

  void Grant(absl::string_view agent_abn, absl::string_view user_id,
             absl::string_view permission);
  void Revoke(absl::string_view agent_abn, absl::string_view user_id,
              absl::string_view permission);
  bool Has(absl::string_view agent_abn, absl::string_view user_id,
           absl::string_view permission) const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;
  mutable absl::Mutex mu_;
  std::set<Key> grants_ ABSL_GUARDED_BY(mu_);
};

// OK when agent.user_id of practice agent.agent_abn holds Client.Corro.View;
// otherwise PERMISSION_DENIED "user X of practice ABN Y lacks
// Client.Corro.View".
absl::Status CheckCorroView(const PermissionStore& store, const v1::AgentContext& agent);

}  // namespace sbrgate::clntcomm

#endif  // SBRGATE_PIPELINE_CLNTCOMM_PERMISSIONS_H_
