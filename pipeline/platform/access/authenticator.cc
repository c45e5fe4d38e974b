#include "pipeline/platform/access/authenticator.h"

#include <grpc/grpc_security_constants.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace sbrgate::access {
namespace {

constexpr char kLoopback[] = "loopback";
constexpr char kDelegatedIdentityKey[] = "x-sbrgate-delegated-identity";
constexpr char kDelegationTokenKey[] = "x-sbrgate-delegation-token";

std::string RandomToken() {
  unsigned char bytes[32];
  // Without randomness no token: a call can never match an empty one.
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string MetadataValue(const grpc::ServerContext& context, const char* key) {
  auto it = context.client_metadata().find(key);
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

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

Authenticator::Authenticator(std::string path, std::shared_ptr<const AccessPolicy> policy)
    : path_(std::move(path)), delegation_token_(RandomToken()), policy_(std::move(policy)) {}

std::vector<std::pair<std::string, std::string>> Authenticator::DelegatedMetadata(
    const std::string& identity) const {
  return {{kDelegatedIdentityKey, identity}, {kDelegationTokenKey, delegation_token_}};
}

std::string Authenticator::DelegatedIdentity(const grpc::ServerContext& context) const {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) return "";
  const std::string token = MetadataValue(context, kDelegationTokenKey);
  if (delegation_token_.empty() || token.size() != delegation_token_.size() ||
      CRYPTO_memcmp(token.data(), delegation_token_.data(), token.size()) != 0) {
    return "";
  }
  return MetadataValue(context, kDelegatedIdentityKey);
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::WithAccessFile(std::string path) {
  absl::StatusOr<AccessPolicy> policy = AccessPolicy::Load(path);
  if (!policy.ok()) return policy.status();
  return std::unique_ptr<Authenticator>(
      new Authenticator(std::move(path), std::make_shared<const AccessPolicy>(*std::move(policy))));
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
  std::string identity = path_.empty() ? kLoopback : PeerIdentity(context);
  if (identity.empty() && !path_.empty()) identity = DelegatedIdentity(context);
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

std::string CertificateIdentity(const X509* cert) {
  if (cert == nullptr) return "";
  std::string identity;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_STRING* uri = name->d.uniformResourceIdentifier;
    identity.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                    ASN1_STRING_length(uri));
    break;
  }
  GENERAL_NAMES_free(names);
  if (!identity.empty()) return identity;
  const X509_NAME* subject = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0) return "";
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  if (length < 0) return "";
  identity.assign(reinterpret_cast<const char*>(utf8), length);
  OPENSSL_free(utf8);
  return identity;
}

}  // namespace sbrgate::access
