// Credential: an X.509 certificate and its private key, loaded from PEM
// files, with which sbrgate (the DSP) signs its ebMS3 messages and
// authenticates its TLS connections (tools/dev-pki makes development ones).
//
//   absl::StatusOr<wssec::Credential> dsp =
//       wssec::Credential::Load("/etc/sbrgate/dsp.pem", "/etc/sbrgate/dsp.key");
//   if (!dsp.ok()) return dsp.status();  // names the file and what is wrong
//   wssec::SignEnvelope(envelope, *dsp, attachments);
//
// A Credential is immutable after loading and may be shared between threads.
#ifndef SBRGATE_PIPELINE_WSSEC_CREDENTIAL_H_
#define SBRGATE_PIPELINE_WSSEC_CREDENTIAL_H_

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"

namespace sbrgate::wssec {

struct Credential {
  std::string cert_path;
  std::string key_path;
  std::string cert_der;            // the certificate, DER-encoded
  std::string subject;             // RFC 2253, e.g. "CN=sbrgate DSP dev,OU=ABN 51824753556,O=..."
  std::string issuer;              // RFC 2253
  std::string sha256_fingerprint;  // lower-case hex of SHA-256(cert_der)
  absl::Time not_after;
  std::shared_ptr<EVP_PKEY> private_key;  // matches the certificate's public key

  // Loads a PEM certificate (the first in the file) and a PEM private key
  // (PKCS#8 or traditional, unencrypted). Errors name the file and the
  // problem: missing or unreadable (NotFound/PermissionDenied), a key file
  // group or others may read (PermissionDenied, keys::CheckPrivateKeyFile), not PEM, key
  // does not match the certificate, certificate expired or not yet valid
  // (InvalidArgument/FailedPrecondition). Validity is judged at clock.Now();
  // a certificate expiring within 30 days is announced on stderr.
  static absl::StatusOr<Credential> Load(const std::string& cert_path,
                                         const std::string& key_path, const Clock& clock);
  // As above, judged at the real time.
  static absl::StatusOr<Credential> Load(const std::string& cert_path,
                                         const std::string& key_path);
};

}  // namespace sbrgate::wssec

#endif  // SBRGATE_PIPELINE_WSSEC_CREDENTIAL_H_
