// Fuzzes the simulator's request parsing: what EbmsHttp::Receive does with
// every push, pull and Single-sync request body, ebms_package::
// ReadPackagedMessage with the agency's verifier and a signature required
// (multipart split, attachments spooled to files, the envelope parsed, its
// WS-Security signature checked against the trusted CA, then read as ebMS3).
// Input: Content-Type header and body, split as http_input.h says.
//
// The trusted CA is the development PKI in $SBRGATE_FUZZ_PKI_DIR (made there
// if missing), so that seeds signed with its client credential (seed_corpus
// writes them with the same directory) verify and the fuzzer starts from
// messages the simulator accepts; without it, a throw-away PKI.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fuzz/http_input.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/sbr/wssec/verifier.h"
#include "pipeline/sim/dev_pki/dev_pki.h"

namespace {

std::string* work_dir = nullptr;  // removed at exit: the spool and a throw-away PKI
std::string* spool_dir = nullptr;
sbrgate::wssec::Verifier* verifier = nullptr;

void RemoveWorkDir() { std::filesystem::remove_all(*work_dir); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string dir_template =
      (std::filesystem::temp_directory_path() / "sbrgate-sim-fuzz-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) std::abort();
  work_dir = new std::string(dir_template);
  std::atexit(RemoveWorkDir);
  spool_dir = new std::string(*work_dir + "/spool");
  std::filesystem::create_directory(*spool_dir);

  const char* pki_dir = std::getenv("SBRGATE_FUZZ_PKI_DIR");
  absl::StatusOr<sbrgate::pki::DevPki> pki = sbrgate::pki::OpenOrMakeDevPki(
      pki_dir != nullptr && *pki_dir != '\0' ? pki_dir : *work_dir + "/pki");
  if (!pki.ok()) std::abort();
  absl::StatusOr<sbrgate::wssec::Verifier> made = sbrgate::wssec::Verifier::Create(pki->ca_cert);
  if (!made.ok()) std::abort();
  verifier = new sbrgate::wssec::Verifier(*std::move(made));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sbrgate::fuzz::HttpInput input = sbrgate::fuzz::SplitHttpInput(data, size);
  sbrgate::StringSource body(std::move(input.body));
  absl::StatusOr<sbrgate::ebms_package::InboundMessage> in =
      sbrgate::ebms_package::ReadPackagedMessage(input.content_type, body, *spool_dir, verifier,
                                                 sbrgate::ebms_package::RequireSignature::kYes);
  if (in.ok()) sbrgate::ebms_package::RemoveSpooledAttachments(*in);
  return 0;
}
