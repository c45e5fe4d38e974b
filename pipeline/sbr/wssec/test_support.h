// Test helpers for pipeline/sbr/wssec: a throw-away PKI made with OpenSSL's C
// API in $TEST_TMPDIR (tools/dev-pki does the same for people, but running
// a script inside the Bazel sandbox is awkward), a realistic ebMS3 envelope
// and large attachment files.
//
//   auto ca = testing::MakeCa(dir, "ca", now - absl::Hours(1), now + absl::Hours(24));
//   auto dsp = testing::Issue(*ca, dir, "dsp", "sbrgate DSP test", ...);
//   auto cred = Credential::Load(dsp->cert_path, dsp->key_path);
#ifndef SBRGATE_PIPELINE_WSSEC_TEST_SUPPORT_H_
#define SBRGATE_PIPELINE_WSSEC_TEST_SUPPORT_H_

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sbr/wssec/reference.h"

namespace sbrgate::wssec::testing {

struct Issued {
  std::string cert_path;  // <dir>/<name>.pem
  std::string key_path;   // <dir>/<name>.key
  std::shared_ptr<X509> cert;
  std::shared_ptr<EVP_PKEY> key;
};

// A self-signed RSA-2048 CA certificate valid from not_before to not_after.
absl::StatusOr<Issued> MakeCa(const std::string& dir, const std::string& name,
                              absl::Time not_before, absl::Time not_after);
// An RSA-2048 end-entity certificate for CN=`common_name` signed by `ca`.
absl::StatusOr<Issued> Issue(const Issued& ca, const std::string& dir, const std::string& name,
                             const std::string& common_name, absl::Time not_before,
                             absl::Time not_after);

// What the signer and verifier tests sign with and trust, all in one dir.
struct TestPki {
  Issued ca;           // the CA the verifier trusts
  Issued dsp;          // CN=sbrgate DSP test, issued by ca, valid for 30 days
  Issued expired_dsp;  // issued by ca, expired an hour ago
  Issued rogue_ca;     // a CA nobody trusts
  Issued rogue_dsp;    // CN=sbrgate DSP test again, issued by rogue_ca
};
absl::StatusOr<TestPki> MakeTestPki(const std::string& dir);

// $TEST_TMPDIR (or /tmp).
std::string TempDir();

// A SOAP 1.2 ebMS3 push of one PAYEVNT attachment "payload-1@sbrgate.test"
// with an empty Body; eb:Messaging and Body carry wsu:Id "messaging"/"body"
// unless `with_ids` is false.
std::string EnvelopeXml(bool with_ids = true);

// Writes `size` pseudo-random bytes (fixed seed) to `path`.
absl::Status WriteRandomFile(const std::string& path, uint64_t size);

// What a CountingSource saw: how often and how much it was asked for.
struct ReadStats {
  uint64_t calls = 0;
  uint64_t bytes = 0;
  size_t largest_request = 0;
};

// Passes reads through to `inner`, recording them in `stats`.
class CountingSource : public ByteSource {
 public:
  CountingSource(std::unique_ptr<ByteSource> inner, std::shared_ptr<ReadStats> stats)
      : inner_(std::move(inner)), stats_(std::move(stats)) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override;

 private:
  std::unique_ptr<ByteSource> inner_;
  std::shared_ptr<ReadStats> stats_;
};

// An attachment read from `path`; counted in `stats` if given.
AttachmentRef FileAttachment(const std::string& content_id, const std::string& path,
                             std::shared_ptr<ReadStats> stats = nullptr);

// The document as bytes (xmlDocDumpMemory: no reformatting).
std::string Serialize(xmlDoc* doc);

}  // namespace sbrgate::wssec::testing

#endif  // SBRGATE_PIPELINE_WSSEC_TEST_SUPPORT_H_
