// Verifier: checks the WS-Security signature of a received ebMS3 message
// (what the SBR2 simulator does with every push), with xmlsec (OpenSSL).
//
//   absl::StatusOr<wssec::Verifier> verifier = wssec::Verifier::Create("/etc/sim/ca.pem");
//   absl::StatusOr<wssec::VerifiedSignature> v = verifier->Verify(envelope, attachments);
//   if (absl::IsUnauthenticated(v.status())) -> ebMS error EBMS:0101 FailedAuthentication
//   else read eb:Messaging from v->messaging (the element the signature covers)
//
// A message is accepted only when all of these hold; otherwise the error is
// kUnauthenticated with a message starting with one of:
//   "message is not signed: ..."       no wsse:Security header or no ds:Signature in it
//   "certificate not trusted: ..."     the BinarySecurityToken's certificate does not
//                                      chain to the trusted CA, has expired, or is
//                                      not yet valid (judged at the clock's time)
//   "signature does not verify: ..."   e.g. "reference #body digest mismatch",
//                                      "SignatureValue does not match SignedInfo", an
//                                      algorithm other than exc-C14N/RSA-SHA256/SHA-256,
//                                      a reference that is neither "#id" nor "cid:",
//                                      a KeyInfo not pointing at the token
//   "signature does not cover ..."     eb:Messaging, the SOAP Body or an attachment
//                                      present in the message is not referenced
//   "signature is ambiguous: ..."      duplicate IDs, several Security headers or
//                                      Signatures (signature-wrapping defences), or
//                                      two attachments with the same content id
// An envelope that is not SOAP at all gives kInvalidArgument; a failure to
// read an attachment keeps the ByteSource's own error code.
//
// Signature-wrapping defence: "#id" references must resolve to unique IDs;
// the references that count as covering eb:Messaging and the Body are those
// resolving to the eb:Messaging child of the SOAP Header and the Body child
// of the Envelope, the same elements returned in VerifiedSignature, which
// is what callers must read. Nothing is fetched: references other than
// "#id" and "cid:" are refused, and xmlsec has no file or network handlers.
//
// Thread-safe: one Verifier may verify many envelopes concurrently (each
// call uses its own xmlsec context; see xmlsec_support.h for the one-time
// initialisation and the thread-local per-call state).
#ifndef SBRGATE_PIPELINE_WSSEC_VERIFIER_H_
#define SBRGATE_PIPELINE_WSSEC_VERIFIER_H_

#include <libxml/tree.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/sbr/wssec/reference.h"

namespace sbrgate::wssec {

struct VerifiedSignature {
  std::string signer_subject;      // RFC 2253
  std::string signer_issuer;       // RFC 2253
  std::string cert_der;            // the signer's certificate, DER
  std::string sha256_fingerprint;  // lower-case hex of SHA-256(cert_der)
  std::vector<Digest> references;  // every ds:Reference, in SignedInfo order
  xmlNode* messaging = nullptr;    // the verified eb:Messaging (in the envelope)
  xmlNode* body = nullptr;         // the verified SOAP Body (in the envelope)
};

class Verifier {
 public:
  // Trusts the CA certificates in the PEM file `trusted_ca_file`; each one
  // is a trust anchor (a root or an intermediate CA). Time comes
  // from `clock` (which must outlive the Verifier); the real time if null.
  static absl::StatusOr<Verifier> Create(const std::string& trusted_ca_file,
                                         const Clock* clock = nullptr);

  // Verifies `envelope`'s signature. `attachments` are the MIME attachments
  // actually present in the message; each must be covered by the signature.
  // Registers wsu:Id attributes as DOM IDs in `envelope`; changes nothing else.
  absl::StatusOr<VerifiedSignature> Verify(xmlDoc* envelope,
                                           const std::vector<AttachmentRef>& attachments) const;

 private:
  // Signing certificates by their DER bytes, decoded once: every message of
  // a counterpart carries the same one, and OpenSSL 3 decodes a
  // certificate's key through its provider lookups (about 0.7 ms here, half
  // of a verification). The names and fingerprint each VerifiedSignature
  // reports are made once with it (some 13 us a message otherwise). Shared
  // by the copies of a Verifier.
  //
  // Also when each one's chain last verified against the trust anchors, and
  // from when to when every certificate of that chain is valid: within that
  // window the same chain verifies again (the anchors are fixed, and no
  // revocation lists are used), so the chain is built and checked again
  // only outside it (building and checking it was a quarter of a verification).
  class CertificateCache {
   public:
    struct TrustWindow {
      absl::Time from;
      absl::Time until;
    };
    struct Decoded {
      std::shared_ptr<X509> cert;
      std::string subject;             // RFC 2253
      std::string issuer;              // RFC 2253
      std::string sha256_fingerprint;  // lower-case hex of SHA-256 of the DER
    };
    // Null when `der` is not a certificate.
    std::shared_ptr<const Decoded> Decode(const std::string& der);
    bool TrustedAt(const std::string& der, absl::Time t);
    void RememberTrusted(const std::string& der, TrustWindow window);
    // When every certificate of a verified chain is valid; nothing when a
    // validity date cannot be read.
    static std::optional<TrustWindow> ChainValidity(X509_STORE_CTX* verified);

   private:
    struct Entry {
      std::shared_ptr<const Decoded> decoded;
      std::optional<TrustWindow> trusted;
    };
    static constexpr size_t kMaxEntries = 256;  // then it starts again
    absl::Mutex mu_;
    absl::flat_hash_map<std::string, Entry> by_der_ ABSL_GUARDED_BY(mu_);
  };

  Verifier(std::shared_ptr<X509_STORE> store, const Clock* clock)
      : store_(std::move(store)),
        clock_(clock),
        certificates_(std::make_shared<CertificateCache>()) {}
  std::shared_ptr<X509_STORE> store_;
  const Clock* clock_;
  std::shared_ptr<CertificateCache> certificates_;
};

}  // namespace sbrgate::wssec

#endif  // SBRGATE_PIPELINE_WSSEC_VERIFIER_H_
