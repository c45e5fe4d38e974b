// The signed SOAP-with-Attachments packaging of one ebMS3 message, both
// ways. The SBR client and the SBR2 simulator both send and receive through
// it, so the two sides cannot drift apart.
//
// Sending: the envelope is built from the model, signed (WS-Security over
// eb:Messaging, the Body and every attachment) and wrapped with its
// attachments into a multipart/related body that streams from where they
// are (a file, or memory).
//
//   std::vector<Attachment> parts = {
//       {"payload@dsp", "application/gzip", StoredBytes::File(path)}};
//   absl::StatusOr<OutboundMessage> out = PackageMessage(envelope, &credential, parts);
//   transport.Post({.url = ..., .body = out->body.get(), ...}, response_sink);
//   // out->digests: what the signature covers; the receipt must echo them.
//
// Receiving: the multipart (or bare SOAP) body is split, attachments kept in
// memory or spooled to files, the signature verified when a verifier is
// given, and the envelope read into the model.
//
//   absl::StatusOr<InboundMessage> in =
//       ReadPackagedMessage(content_type, body, spool_dir, &verifier, RequireSignature::kYes);
//
// Errors from ReadPackagedMessage say which layer failed, so a receiver can
// answer with the right ebMS error: InvalidArgument for packaging and header
// problems, Unauthenticated for a signature that is missing or does not verify.
#ifndef SBRGATE_PIPELINE_EBMS_PACKAGE_PACKAGE_H_
#define SBRGATE_PIPELINE_EBMS_PACKAGE_PACKAGE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/stored_bytes.h"
#include "pipeline/platform/mime/multipart.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sbr/wssec/reference.h"
#include "pipeline/sbr/wssec/verifier.h"

namespace sbrgate::ebms_package {

struct Attachment {
  std::string content_id;  // without "cid:" or angle brackets
  std::string content_type;
  StoredBytes content;
};

struct OutboundMessage {
  std::string envelope_xml;            // as signed
  std::vector<wssec::Digest> digests;  // empty when unsigned
  std::unique_ptr<mime::MultipartSource> body;
  std::string content_type;  // the HTTP Content-Type header value
  std::optional<uint64_t> content_length;
};

// Writes, signs (when `credential` is not null) and packages `envelope` with
// `attachments`. Attachments are read twice, streaming: once for the
// signature digest and again when the body is sent.
absl::StatusOr<OutboundMessage> PackageMessage(const ebms::Envelope& envelope,
                                               const wssec::Credential* credential,
                                               const std::vector<Attachment>& attachments);

struct InboundMessage {
  ebms::Envelope envelope;
  std::string envelope_xml;
  std::vector<Attachment> attachments;  // in message order
  std::optional<wssec::VerifiedSignature> signature;
};

enum class RequireSignature { kNo, kYes };

// Where the attachments of a received message go.
struct AttachmentSpooling {
  // kDurable where the attachments are kept as received (the agency's
  // record of a push), kScratch where they are copied on (a pull response
  // read by sbrgate).
  FileDurability durability = FileDurability::kDurable;
  // An attachment of at most this many bytes stays in memory and makes no
  // file; 0: every attachment is a file.
  size_t in_memory_bytes = 0;
};

// Reads a message whose HTTP Content-Type is `content_type` from `body`.
// Attachments go to memory or to new files in `spool_dir` (which must
// exist), as `spooling` says; on error no file is left behind. With a
// verifier, a present signature is always verified; with
// RequireSignature::kYes an unsigned message is refused.
absl::StatusOr<InboundMessage> ReadPackagedMessage(absl::string_view content_type, ByteSource& body,
                                                   const std::string& spool_dir,
                                                   const wssec::Verifier* verifier,
                                                   RequireSignature require,
                                                   AttachmentSpooling spooling = {});

// Deletes the spooled attachment files of `message` (those in memory go
// with it).
void RemoveSpooledAttachments(const InboundMessage& message);

}  // namespace sbrgate::ebms_package

#endif  // SBRGATE_PIPELINE_EBMS_PACKAGE_PACKAGE_H_
