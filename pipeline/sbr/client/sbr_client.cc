#include "pipeline/sbr/client/sbr_client.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/spill_buffer.h"
#include "pipeline/platform/common/uuid.h"
#include "pipeline/platform/keys/key_files.h"
#include "pipeline/sbr/client/exchange_probe.h"
#include "pipeline/sbr/package/package.h"

namespace sbrgate::sbr_client {
namespace {

// Response bodies, their attachments and the business documents in them up
// to this size (receipts, most pull responses) are kept in memory; larger
// ones in scratch files.
constexpr size_t kResponseInMemoryBytes = 1 << 20;

// POSTs a packaged message to `url` and reads the ebMS answer.
absl::StatusOr<ebms_package::InboundMessage> PostAndRead(
    const HttpsTransport& transport, ebms_package::OutboundMessage& out, const std::string& url,
    absl::Duration connect_timeout, absl::Duration total_timeout, const std::string& spool_dir,
    const wssec::Verifier* verifier, int* http_status,
    const std::atomic<bool>* given_up = nullptr) {
  HttpRequest request;
  request.url = url;
  request.given_up = given_up;
  request.headers = {{"Content-Type", out.content_type}, {"SOAPAction", "\"\""}};
  request.body = out.body.get();
  request.content_length = out.content_length;
  request.connect_timeout = connect_timeout;
  request.total_timeout = total_timeout;
  // Every file of an exchange is a working file: what sbrgate keeps of a
  // response goes to the blob store (durably) before anything relies on
  // it, and an exchange lost in a crash is repeated.
  SpillBuffer body(SpillBuffer::UniqueFileIn(spool_dir, ".http"), kResponseInMemoryBytes);
  absl::StatusOr<HttpResponse> response = transport.Post(request, body);
  if (!response.ok()) return response.status();
  if (absl::Status s = body.Close(); !s.ok()) return s;
  *http_status = response->status;
  absl::StatusOr<std::unique_ptr<ByteSource>> source = body.Reader();
  if (!source.ok()) return source.status();
  std::string content_type = response->Header("Content-Type");
  if (content_type.empty()) content_type = "application/soap+xml";
  absl::StatusOr<ebms_package::InboundMessage> in = ebms_package::ReadPackagedMessage(
      content_type, **source, spool_dir, verifier, ebms_package::RequireSignature::kNo,
      {FileDurability::kScratch, kResponseInMemoryBytes});
  if (!in.ok()) {
    return absl::Status(in.status().code(),
                        absl::StrCat("HTTP ", response->status, " from ", url,
                                     " is not a readable ebMS message: ", in.status().message()));
  }
  return in;
}

// Decompresses `gz`, refusing output beyond `max_bytes` (ResourceExhausted):
// into memory, or past kResponseInMemoryBytes into a working file at
// `spill_path`.
absl::StatusOr<StoredBytes> Gunzip(const StoredBytes& gz, const std::string& spill_path,
                                   uint64_t max_bytes) {
  auto src = gz.Open();
  if (!src.ok()) return src.status();
  GunzipSource gunzip(*std::move(src), GunzipOptions{max_bytes});
  SpillBuffer plain(spill_path, kResponseInMemoryBytes);
  if (auto n = Pump(gunzip, plain); !n.ok()) return n.status();
  if (absl::Status s = plain.Close(); !s.ok()) return s;
  return plain.Release();
}

std::vector<ebms::Error> AllErrors(const ebms::Messaging& m) {
  std::vector<ebms::Error> out;
  for (const ebms::ErrorSignal& s : m.errors) out.insert(out.end(), s.errors.begin(), s.errors.end());
  return out;
}

}  // namespace

absl::Status CheckReceipt(const ebms::Receipt& receipt, const std::string& message_id,
                          const std::vector<wssec::Digest>& sent) {
  if (receipt.ref_to_message_id != message_id) {
    return absl::DataLossError(absl::StrCat("receipt is for ", receipt.ref_to_message_id,
                                            ", not for ", message_id));
  }
  for (const wssec::Digest& d : sent) {
    bool echoed = false;
    for (const ebms::NonRepudiationReference& r : receipt.references) {
      if (r.uri == d.uri) {
        if (r.digest_value != d.digest_value) {
          return absl::DataLossError(absl::StrCat("receipt digest of ", d.uri, " is ",
                                                  r.digest_value, ", we sent ", d.digest_value));
        }
        echoed = true;
      }
    }
    if (!echoed) {
      return absl::DataLossError(absl::StrCat("receipt does not acknowledge ", d.uri));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SbrClient>> SbrClient::Create(ClientConfig config,
                                                             const Clock* clock) {
  absl::StatusOr<wssec::Credential> credential =
      wssec::Credential::Load(config.credential_cert, config.credential_key);
  if (!credential.ok()) return credential.status();
  // curl reads the TLS key itself, usually the same file as the credential's.
  if (!config.tls.key_file.empty() && config.tls.key_file != config.credential_key) {
    if (absl::Status s = keys::CheckPrivateKeyFile(config.tls.key_file); !s.ok()) return s;
  }
  if (config.agency_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "agency_ca_file is required: pull responses are verified against the agency's CA");
  }
  absl::StatusOr<wssec::Verifier> verifier = wssec::Verifier::Create(config.agency_ca_file, clock);
  if (!verifier.ok()) return verifier.status();
  if (config.spool_dir.empty()) return absl::InvalidArgumentError("spool_dir is required");
  return std::unique_ptr<SbrClient>(
      new SbrClient(std::move(config), clock, *std::move(credential), *std::move(verifier)));
}

absl::StatusOr<ebms_package::OutboundMessage> SbrClient::PackagePush(
    const LodgmentPush& lodgment) const {
  ebms::Envelope envelope;
  ebms::UserMessage& m = envelope.messaging.user_messages.emplace_back();
  m.message_id = lodgment.message_id;
  m.timestamp = lodgment.timestamp == absl::InfinitePast() ? clock_->Now() : lodgment.timestamp;
  m.from = lodgment.from;
  m.to = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
  m.service = lodgment.service;
  m.action = lodgment.action;
  m.conversation_id = lodgment.conversation_id;
  m.message_properties = {{ebms::kPropertyProductId, config_.software.product_id},
                          {ebms::kPropertyBmsVendor, config_.software.vendor},
                          {ebms::kPropertyBmsName, config_.software.name},
                          {ebms::kPropertyBmsVersion, config_.software.version}};
  const std::string content_id = absl::StrCat("payload-", lodgment.message_id);
  m.parts.push_back({absl::StrCat("cid:", content_id),
                     {{ebms::kPartPropertyCompressionType, "application/gzip"},
                      {ebms::kPartPropertyMimeType, "text/xml"},
                      {ebms::kPartPropertyDocumentName, lodgment.document_name},
                      {ebms::kPartPropertyDocumentType, lodgment.document_type}}});
  return ebms_package::PackageMessage(envelope, &credential_,
                                      {{content_id, "application/gzip", lodgment.payload_gzip}});
}

absl::StatusOr<PushOutcome> SbrClient::Push(const LodgmentPush& lodgment) const {
  ExchangeProbe probe("push", lodgment.message_id);
  absl::StatusOr<PushOutcome> pushed = PushOnce(lodgment);
  probe.Done(!pushed.ok()       ? ExchangeProbe::StatusOutcome(pushed.status())
             : pushed->receipt ? "receipt"
                               : "ebms_error",
             pushed.status());
  return pushed;
}

absl::StatusOr<PullOutcome> SbrClient::Pull(const std::string& ref_to_message_id) const {
  ExchangeProbe probe("pull", ref_to_message_id);
  absl::StatusOr<PullOutcome> pulled = PullOnce(ref_to_message_id);
  if (!pulled.ok()) {
    probe.Done(ExchangeProbe::StatusOutcome(pulled.status()), pulled.status());
  } else {
    switch (pulled->kind) {
      case PullOutcome::Kind::kNothingYet:
        probe.Done("nothing_yet");
        break;
      case PullOutcome::Kind::kResponse:
        probe.Done("response");
        break;
      case PullOutcome::Kind::kError:
        probe.Done("ebms_error");
        break;
    }
  }
  return pulled;
}

absl::StatusOr<SingleOutcome> SbrClient::Exchange(const SingleRequest& request) const {
  ExchangeProbe probe(request.action, request.message_id);
  absl::StatusOr<SingleOutcome> answered = ExchangeOnce(request);
  probe.Done(!answered.ok()               ? ExchangeProbe::StatusOutcome(answered.status())
             : answered->errors.empty() ? "answer"
                                        : "ebms_error",
             answered.status());
  return answered;
}

absl::StatusOr<PushOutcome> SbrClient::PushOnce(const LodgmentPush& lodgment) const {
  absl::StatusOr<ebms_package::OutboundMessage> out = PackagePush(lodgment);
  if (!out.ok()) return out.status();

  PushOutcome outcome;
  outcome.sent_digests = out->digests;
  absl::StatusOr<ebms_package::InboundMessage> in =
      PostAndRead(transport_, *out, absl::StrCat(config_.base_url, "/BulkBatch-async-push"),
                  config_.connect_timeout, config_.push_timeout, config_.spool_dir, nullptr,
                  &outcome.http_status, lodgment.given_up);
  if (!in.ok()) return in.status();
  ebms_package::RemoveSpooledAttachments(*in);
  outcome.errors = AllErrors(in->envelope.messaging);
  for (const ebms::Receipt& r : in->envelope.messaging.receipts) {
    if (absl::Status s = CheckReceipt(r, lodgment.message_id, outcome.sent_digests); !s.ok()) {
      return s;
    }
    outcome.receipt = r;
  }
  if (!outcome.receipt && outcome.errors.empty()) {
    return absl::DataLossError(absl::StrCat("HTTP ", outcome.http_status,
                                            ": neither a receipt nor an ebMS error for ",
                                            lodgment.message_id));
  }
  return outcome;
}

absl::StatusOr<PullOutcome> SbrClient::PullOnce(const std::string& ref_to_message_id) const {
  ebms::Envelope envelope;
  envelope.messaging.pull_requests.push_back(
      {ebms::NewMessageId(config_.message_id_domain), clock_->Now(), "", ref_to_message_id});
  absl::StatusOr<ebms_package::OutboundMessage> out =
      ebms_package::PackageMessage(envelope, &credential_, {});
  if (!out.ok()) return out.status();
  PullOutcome outcome;
  absl::StatusOr<ebms_package::InboundMessage> in =
      PostAndRead(transport_, *out, absl::StrCat(config_.base_url, "/BulkBatch-async-pull"),
                  config_.connect_timeout, config_.pull_timeout, config_.spool_dir,
                  &agency_verifier_, &outcome.http_status);
  if (!in.ok()) return in.status();
  // Error signals (nothing yet, refusals) come unsigned; a business response
  // never does.
  if (!in->envelope.messaging.user_messages.empty() && !in->signature) {
    ebms_package::RemoveSpooledAttachments(*in);
    return absl::UnauthenticatedError(
        absl::StrCat("the pull response for ", ref_to_message_id, " is not signed by the agency"));
  }
  outcome.errors = AllErrors(in->envelope.messaging);
  if (in->envelope.messaging.user_messages.empty()) {
    ebms_package::RemoveSpooledAttachments(*in);
    const bool empty_channel =
        !outcome.errors.empty() &&
        std::all_of(outcome.errors.begin(), outcome.errors.end(), [](const ebms::Error& e) {
          return e.error_code == ebms::kErrorEmptyMessagePartitionChannel;
        });
    outcome.kind = empty_channel ? PullOutcome::Kind::kNothingYet : PullOutcome::Kind::kError;
    if (outcome.errors.empty()) {
      return absl::DataLossError(absl::StrCat("HTTP ", outcome.http_status,
                                              ": pull answered with neither a message nor an error"));
    }
    return outcome;
  }
  outcome.response_message = in->envelope.messaging.user_messages.front();
  if (outcome.response_message.ref_to_message_id != ref_to_message_id) {
    ebms_package::RemoveSpooledAttachments(*in);
    return absl::DataLossError(absl::StrCat(
        "pulled for ", ref_to_message_id, " but the response answers ",
        outcome.response_message.ref_to_message_id.empty()
            ? "no message (no RefToMessageId)"
            : outcome.response_message.ref_to_message_id));
  }
  if (in->attachments.size() != 1) {
    ebms_package::RemoveSpooledAttachments(*in);
    return absl::InvalidArgumentError(absl::StrCat("pull response carries ",
                                                   in->attachments.size(),
                                                   " attachments; exactly one expected"));
  }
  // The business response, decompressed next to the spooled attachment.
  absl::StatusOr<StoredBytes> decompressed =
      Gunzip(in->attachments.front().content,
             absl::StrCat(config_.spool_dir, "/", ref_to_message_id, ".event02.xml"),
             config_.max_response_bytes);
  ebms_package::RemoveSpooledAttachments(*in);
  if (!decompressed.ok()) {
    if (absl::IsResourceExhausted(decompressed.status())) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the pull response for ", ref_to_message_id, " decompresses to more than ",
          config_.max_response_bytes, " bytes (max_response_bytes); refused"));
    }
    return absl::Status(decompressed.status().code(),
                        absl::StrCat("the pull response for ", ref_to_message_id, ": ",
                                     decompressed.status().message()));
  }
  outcome.response = *std::move(decompressed);
  outcome.kind = PullOutcome::Kind::kResponse;
  return outcome;
}

absl::StatusOr<SingleOutcome> SbrClient::ExchangeOnce(const SingleRequest& request) const {
  ebms::Envelope envelope;
  ebms::UserMessage& m = envelope.messaging.user_messages.emplace_back();
  m.message_id = request.message_id;
  m.timestamp = clock_->Now();
  m.from = request.from;
  m.to = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
  m.service = request.service;
  m.action = request.action;
  m.conversation_id =
      request.conversation_id.empty() ? NewUuid() : request.conversation_id;
  m.message_properties = {{ebms::kPropertyProductId, config_.software.product_id},
                          {ebms::kPropertyBmsVendor, config_.software.vendor},
                          {ebms::kPropertyBmsName, config_.software.name},
                          {ebms::kPropertyBmsVersion, config_.software.version}};
  envelope.body_xml = request.body_xml;
  absl::StatusOr<ebms_package::OutboundMessage> out =
      ebms_package::PackageMessage(envelope, &credential_, {});
  if (!out.ok()) return out.status();
  SingleOutcome outcome;
  absl::StatusOr<ebms_package::InboundMessage> in =
      PostAndRead(transport_, *out, absl::StrCat(config_.base_url, "/Single-sync"),
                  config_.connect_timeout, config_.single_timeout, config_.spool_dir, nullptr,
                  &outcome.http_status);
  if (!in.ok()) return in.status();
  ebms_package::RemoveSpooledAttachments(*in);
  outcome.errors = AllErrors(in->envelope.messaging);
  if (!outcome.errors.empty()) return outcome;
  const std::vector<ebms::UserMessage>& answers = in->envelope.messaging.user_messages;
  if (answers.size() != 1 || answers.front().ref_to_message_id != request.message_id) {
    return absl::DataLossError(absl::StrCat(
        "HTTP ", outcome.http_status, ": the Single-sync answer to ", request.message_id,
        answers.empty() ? " holds no response"
                        : absl::StrCat(" answers ", answers.front().ref_to_message_id)));
  }
  outcome.response_message = answers.front();
  outcome.body_xml = std::move(in->envelope.body_xml);
  return outcome;
}

}  // namespace sbrgate::sbr_client
