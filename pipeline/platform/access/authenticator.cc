#include "pipeline/platform/access/authenticator.h"

#include <grpc/grpc_security_constants.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace sbrgate::access {
namespace {

constexpr char kLoopback[] = "loopback";

}  // namespace

bool Caller::MayActForPayer(const std::string& payer) const {
  switch (grant_->role) {
    case Role::kOperator:
      return true;
    case Role::kPayroll:
      return grant_->every_payer || (!payer.empty() && grant_->payers.count(payer) > 0);
    case Role::kPractice:
      return false;
  }
  return false;
}

std::optional<std::set<std::string>> Caller::PayerScope() const {
  if (grant_->role == Role::kOperator) return std::nullopt;
  if (grant_->role == Role::kPayroll && grant_->every_payer) return std::nullopt;
  if (grant_->role == Role::kPayroll) return grant_->payers;
  return std::set<std::string>();
}

bool Caller::MayActForPractice(const std::string& agent_abn) const {
  if (grant_->role == Role::kOperator) return true;
  return grant_->role == Role::kPractice && grant_->agent_abn == agent_abn;
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::WithAccessFile(std::string path) {
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Load(path);
  if (!policy.ok()) return policy.status();
  return std::unique_ptr<Authenticator>(new Authenticator(
      std::move(path), std::make_shared<const AccessPolicy>(*std::move(policy))));
}

std::unique_ptr<Authenticator> Authenticator::LoopbackOperator() {
  absl::StatusOr<AccessPolicy> policy =
      AccessPolicy::Parse(absl::StrCat(kLoopback, ",operator,*"), "loopback");
  return std::unique_ptr<Authenticator>(
      new Authenticator("", std::make_shared<const AccessPolicy>(*std::move(policy))));
}

absl::Status Authenticator::Reload() {
  if (path_.empty()) return absl::OkStatus();
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Load(path_);
  if (!policy.ok()) return policy.status();
  absl::MutexLock lock(&mu_);
  policy_ = std::make_shared<const AccessPolicy>(*std::move(policy));
  return absl::OkStatus();
}

absl::StatusOr<Caller> Authenticator::Authenticate(const grpc::ServerContext& context) const {
  std::shared_ptr<const AccessPolicy> policy;
  {
    absl::MutexLock lock(&mu_);
    policy = policy_;
  }
  const std::string identity = path_.empty() ? kLoopback : PeerIdentity(context);
  if (identity.empty()) {
    return absl::UnauthenticatedError(
        "a client certificate is required (mutual TLS): the caller presented none");
  }
  const Grant* grant = policy->Find(identity);
  if (grant == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("identity '", identity, "' is not granted anything in ", path_));
  }
  return Caller(std::move(policy), grant);
}

std::string PeerIdentity(const grpc::ServerContext& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return "";
  for (const char* property : {GRPC_PEER_URI_PROPERTY_NAME, GRPC_X509_CN_PROPERTY_NAME}) {
    std::vector<grpc::string_ref> values = auth->FindPropertyValues(property);
    if (!values.empty()) return std::string(values.front().data(), values.front().size());
  }
  return "";
}

}  // namespace sbrgate::access
