// Authenticator: who a gRPC caller is and what it may do. On mutual TLS the
// identity is the client certificate's (its SAN URI when it has one, else
// its subject CN), never a field of the request, and the access file
// (access_policy.h) grants it a role and a scope; a caller the file does not
// name may do nothing. Plain text is for development on loopback only, and
// there every caller is the operator "loopback".
//
// One caller inside the process may speak for others: the operator console
// authenticates a person's client certificate on its own HTTPS port, then
// makes that person's gRPC calls over an in-process channel carrying
// DelegatedMetadata(identity). The metadata hold a token drawn at random
// for this Authenticator, which never leaves the process, so a remote caller
// cannot forge them; and they count only on a call with no TLS peer.
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
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

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
  // Metadata making an in-process call `identity`'s (see above).
  std::vector<std::pair<std::string, std::string>> DelegatedMetadata(
      const std::string& identity) const;

 private:
  Authenticator(std::string path, std::shared_ptr<const AccessPolicy> policy);
  // The delegated identity when `context` carries this Authenticator's
  // token and no TLS peer; empty otherwise.
  std::string DelegatedIdentity(const grpc::ServerContext& context) const;

  const std::string path_;  // empty: loopback
  const std::string delegation_token_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const AccessPolicy> policy_ ABSL_GUARDED_BY(mu_);
};

// The identity in `context`'s client certificate: its SAN URI, else its
// subject CN; empty without one.
std::string PeerIdentity(const grpc::ServerContext& context);
// The same for a certificate taken from a TLS connection of our own (the
// console's HTTPS port); empty for null.
std::string CertificateIdentity(const X509* cert);

}  // namespace sbrgate::access

#endif  // SBRGATE_PIPELINE_PLATFORM_ACCESS_AUTHENTICATOR_H_
