// Authenticator: who a gRPC caller is and what it may do. On mutual TLS the
// identity is the client certificate's (its SAN URI when it has one, else
// its subject CN), never a field of the request, and the access file
// (access_policy.h) grants it a role and a scope; a caller the file does not
// name may do nothing. Plain text is for development on loopback only, and
// there every caller is the operator "loopback".
//
//   absl::StatusOr<std::unique_ptr<Authenticator>> auth =
//       Authenticator::WithAccessFile("/etc/sbrgate/access");
//   absl::StatusOr<Caller> caller = (*auth)->Authenticate(*context);
//   if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
//   if (!caller->MayActForPayer(lodgment.abn())) ...NOT_FOUND...
//   (*auth)->Reload();   // on SIGHUP: callers from now on see the new file
//
// Thread-safe.
#ifndef SBRGATE_PIPELINE_PLATFORM_ACCESS_AUTHENTICATOR_H_
#define SBRGATE_PIPELINE_PLATFORM_ACCESS_AUTHENTICATOR_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/access/access_policy.h"

namespace sbrgate::access {

// An authenticated caller and its grant.
class Caller {
 public:
  Caller(std::shared_ptr<const AccessPolicy> policy, const Grant* grant)
      : policy_(std::move(policy)), grant_(grant) {}

  const std::string& identity() const { return grant_->identity; }
  Role role() const { return grant_->role; }
  bool IsOperator() const { return grant_->role == Role::kOperator; }
  // May it lodge, and read the lodgments, of payer `payer` (ABN or WPN)?
  bool MayActForPayer(const std::string& payer) const;
  // The payers whose lodgments it may list: nullopt for every payer.
  std::optional<std::set<std::string>> PayerScope() const;
  // May it act for agent practice `agent_abn` in CLNTCOMM?
  bool MayActForPractice(const std::string& agent_abn) const;
  // The practice it acts for (empty unless a practice).
  const std::string& agent_abn() const { return grant_->agent_abn; }
  const std::string& ran() const { return grant_->ran; }

 private:
  std::shared_ptr<const AccessPolicy> policy_;  // keeps grant_ alive across a reload
  const Grant* grant_;
};

class Authenticator {
 public:
  // Mutual TLS: callers named by their certificates, granted by `path`.
  static absl::StatusOr<std::unique_ptr<Authenticator>> WithAccessFile(std::string path);
  // Plain text on loopback: every caller is the operator "loopback".
  static std::unique_ptr<Authenticator> LoopbackOperator();

  // UNAUTHENTICATED without a client certificate; PERMISSION_DENIED for an
  // identity the access file does not name.
  absl::StatusOr<Caller> Authenticate(const grpc::ServerContext& context) const;
  // Reads the access file again; on an error the previous one stays.
  absl::Status Reload();
  // Where the grants come from, for messages.
  const std::string& source() const { return path_; }

 private:
  Authenticator(std::string path, std::shared_ptr<const AccessPolicy> policy)
      : path_(std::move(path)), policy_(std::move(policy)) {}

  const std::string path_;  // empty: loopback
  mutable absl::Mutex mu_;
  std::shared_ptr<const AccessPolicy> policy_ ABSL_GUARDED_BY(mu_);
};

// The identity in `context`'s client certificate: its SAN URI, else its
// subject CN; empty without one.
std::string PeerIdentity(const grpc::ServerContext& context);

}  // namespace sbrgate::access

#endif  // SBRGATE_PIPELINE_PLATFORM_ACCESS_AUTHENTICATOR_H_
