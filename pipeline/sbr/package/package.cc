#include "pipeline/sbr/package/package.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/spill_buffer.h"
#include "pipeline/platform/common/uuid.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/sbr/ebms/envelope_reader.h"
#include "pipeline/sbr/ebms/envelope_writer.h"
#include "pipeline/sbr/wssec/signer.h"

namespace sbrgate::ebms_package {
namespace {

std::vector<wssec::AttachmentRef> RefsFor(const std::vector<Attachment>& attachments) {
  std::vector<wssec::AttachmentRef> refs;
  for (const Attachment& a : attachments) {
    refs.push_back({a.content_id, [content = a.content] { return content.Open(); }});
  }
  return refs;
}

// One received attachment as it is read: kept by a SpillBuffer, and on
// Close() handed to its place in the message, in memory or as its file.
class AttachmentSink : public ByteSink {
 public:
  AttachmentSink(SpillBuffer::SpillPath path, const AttachmentSpooling& spooling,
                 InboundMessage* in, size_t index, std::vector<std::string>* spooled)
      : buffer_(std::move(path), spooling.in_memory_bytes, spooling.durability),
        in_(in),
        index_(index),
        spooled_(spooled) {}

  absl::Status Write(absl::string_view bytes) override { return buffer_.Write(bytes); }
  absl::Status Close() override {
    if (absl::Status s = buffer_.Close(); !s.ok()) return s;
    absl::StatusOr<StoredBytes> content = buffer_.Release();
    if (!content.ok()) return content.status();
    if (!content->in_memory()) spooled_->push_back(content->path());
    in_->attachments[index_].content = *std::move(content);
    return absl::OkStatus();
  }

 private:
  SpillBuffer buffer_;
  InboundMessage* in_;
  size_t index_;
  std::vector<std::string>* spooled_;  // files to remove should the message fail
};

absl::StatusOr<mime::Attachment> MimePart(const Attachment& a) {
  absl::StatusOr<uint64_t> size = a.content.Size();
  if (!size.ok()) return size.status();
  absl::StatusOr<std::unique_ptr<ByteSource>> body = a.content.Open();
  if (!body.ok()) return body.status();
  return mime::Attachment{a.content_id, a.content_type, *std::move(body), *size};
}

// The Content-ID of the SOAP part, which need only be unique within the
// message: named after the message's own id, or a UUID for an envelope that
// carries none.
std::string RootContentId(const ebms::Messaging& m) {
  const std::string* id = !m.user_messages.empty()   ? &m.user_messages[0].message_id
                          : !m.pull_requests.empty() ? &m.pull_requests[0].message_id
                          : !m.receipts.empty()      ? &m.receipts[0].message_id
                          : !m.errors.empty()        ? &m.errors[0].message_id
                                                     : nullptr;
  if (id == nullptr || id->empty()) return absl::StrCat("soap-", NewUuid(), "@sbrgate");
  return absl::StrCat("soap-", *id);
}

}  // namespace

absl::StatusOr<OutboundMessage> PackageMessage(const ebms::Envelope& envelope,
                                               const wssec::Credential* credential,
                                               const std::vector<Attachment>& attachments) {
  OutboundMessage out;
  absl::StatusOr<xml::Document> doc = ebms::BuildEnvelope(envelope);
  if (!doc.ok()) return doc.status();
  if (credential != nullptr) {
    if (absl::Status s = wssec::SignEnvelope(doc->get(), *credential, RefsFor(attachments));
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::vector<wssec::Digest>> digests = wssec::ReferenceDigests(doc->get());
    if (!digests.ok()) return digests.status();
    out.digests = *std::move(digests);
  }
  out.envelope_xml = ebms::SerializeEnvelope(doc->get());
  std::vector<mime::Attachment> parts;
  for (const Attachment& attachment : attachments) {
    absl::StatusOr<mime::Attachment> a = MimePart(attachment);
    if (!a.ok()) return a.status();
    parts.push_back(*std::move(a));
  }
  out.body = std::make_unique<mime::MultipartSource>(
      mime::SoapPart{RootContentId(envelope.messaging), out.envelope_xml}, std::move(parts));
  out.content_type = out.body->content_type_header();
  out.content_length = out.body->content_length();
  return out;
}

absl::StatusOr<InboundMessage> ReadPackagedMessage(absl::string_view content_type, ByteSource& body,
                                                   const std::string& spool_dir,
                                                   const wssec::Verifier* verifier,
                                                   RequireSignature require,
                                                   AttachmentSpooling spooling) {
  InboundMessage in;
  std::vector<std::string> spooled;
  auto make_sink = [&](const mime::PartHeaders& h) -> absl::StatusOr<std::unique_ptr<ByteSink>> {
    in.attachments.push_back({h.content_id, h.content_type, StoredBytes()});
    return std::make_unique<AttachmentSink>(
        SpillBuffer::UniqueFileIn(spool_dir, ".part"), spooling, &in, in.attachments.size() - 1,
        &spooled);
  };
  auto fail = [&](absl::Status s) {
    for (const std::string& p : spooled) std::remove(p.c_str());
    return s;
  };
  absl::StatusOr<mime::MultipartMessage> parts =
      mime::MultipartReader().Read(content_type, body, make_sink);
  if (!parts.ok()) return fail(parts.status());
  in.envelope_xml = std::move(parts->root);

  absl::StatusOr<xml::Document> doc = xml::ParseDocument(in.envelope_xml, "received envelope");
  if (!doc.ok()) return fail(doc.status());
  const bool signed_message = in.envelope_xml.find(wssec::kWsseNs) != std::string::npos;
  if (verifier != nullptr && (signed_message || require == RequireSignature::kYes)) {
    absl::StatusOr<wssec::VerifiedSignature> sig =
        verifier->Verify(doc->get(), RefsFor(in.attachments));
    if (!sig.ok()) {
      return fail(
          absl::UnauthenticatedError(absl::StrCat("WS-Security: ", sig.status().message())));
    }
    in.signature = *std::move(sig);
  }
  // Read from the document verified above (which registered its IDs and
  // changed nothing else), not parsed again.
  absl::StatusOr<ebms::Envelope> envelope = ebms::ReadEnvelope(doc->get(), "received envelope");
  if (!envelope.ok()) return fail(envelope.status());
  in.envelope = *std::move(envelope);
  return in;
}

void RemoveSpooledAttachments(const InboundMessage& message) {
  for (const Attachment& a : message.attachments) {
    if (!a.content.in_memory()) std::remove(a.content.path().c_str());
  }
}

}  // namespace sbrgate::ebms_package
