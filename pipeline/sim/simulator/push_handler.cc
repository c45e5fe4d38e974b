#include "pipeline/sim/simulator/push_handler.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/sbr/ebms/envelope_writer.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/package/package.h"

namespace sbrgate::sim {
namespace {

// The SBR checks on a pushed user message. The error's code comes first in
// the message, before the first ':'.
absl::Status CheckPushedMessage(const ebms::UserMessage& um,
                                const ebms_package::InboundMessage& in) {
  const bool payevnt =
      um.service == ebms::kServicePayevnt &&
      (um.action == ebms::kActionPayevntSubmit || um.action == ebms::kActionPayevntUpdate);
  const bool clntcomm =
      um.service == ebms::kServiceClntcomm &&
      (um.action == ebms::kActionClntcommList || um.action == ebms::kActionClntcommGet);
  if (!payevnt && !clntcomm) {
    return absl::InvalidArgumentError(absl::StrCat(ebms::kErrorProcessingModeMismatch, ": service ",
                                                   um.service, " action ", um.action,
                                                   " is not offered on BulkBatch-async-push"));
  }
  if (in.attachments.size() != 1 || um.parts.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CMN.ATO.GEN.UNEXPECTEDNUMPAYLOADS: a bulk push carries exactly one attachment, got ",
        in.attachments.size()));
  }
  bool has_document_type = false;
  for (const ebms::Property& p : um.parts.front().properties) {
    if (p.name == ebms::kPartPropertyDocumentType && !p.value.empty()) has_document_type = true;
  }
  if (!has_document_type) {
    return absl::InvalidArgumentError("CMN.ATO.EBMS.001: PartProperties must include DocumentType");
  }
  if (um.parts.front().href != absl::StrCat("cid:", in.attachments.front().content_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat(ebms::kErrorMimeInconsistency, ": PartInfo href ", um.parts.front().href,
                     " does not name the attachment cid:", in.attachments.front().content_id));
  }
  return absl::OkStatus();
}

}  // namespace

PushHandler::PushHandler(const SimulatorConfig& config, const Clock* clock, EbmsHttp* http,
                         AgencyState* state)
    : config_(config), clock_(clock), http_(http), state_(state) {}

void PushHandler::Handle(const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader& reader) {
  if (http_->ApplyTransportFaults(res)) return;
  {
    absl::MutexLock lock(&state_->mu);
    ++state_->counters.pushes;
  }
  std::optional<ebms_package::InboundMessage> in = http_->ReceiveOrRefuse(req, reader, res);
  if (!in) {
    CountRefused(res);
    return;
  }
  const ebms::Messaging& m = in->envelope.messaging;
  if (m.user_messages.size() != 1) {
    ebms_package::RemoveSpooledAttachments(*in);
    http_->SendError(res, ebms::kErrorInvalidHeader, "",
                     "a push must carry exactly one eb:UserMessage");
    CountRefused(res);
    return;
  }
  const ebms::UserMessage& um = m.user_messages.front();
  absl::Status business = CheckPushedMessage(um, *in);
  if (!business.ok()) {
    ebms_package::RemoveSpooledAttachments(*in);
    http_->SendError(res, business.message().substr(0, business.message().find(':')), um.message_id,
                     business.message());
    CountRefused(res);
    return;
  }

  std::string receipt_xml;
  SimStateStore::Ticket saving;
  // Duplicate elimination: the original receipt, no processing.
  auto answer_duplicate = [&](StoredMessage& original) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_->mu) {
    ++state_->counters.duplicate_pushes;
    ++original.report.receipts_sent;
    receipt_xml = original.receipt_xml;
    saving = state_->Persist(original);
  };
  {
    absl::MutexLock lock(&state_->mu);
    if (StoredMessage* original = state_->FindReceived(um.message_id)) answer_duplicate(*original);
  }
  if (!receipt_xml.empty()) {
    ebms_package::RemoveSpooledAttachments(*in);
    SendReceipt(res, receipt_xml, state_->Saved(saving));
    return;
  }

  ebms::Envelope receipt_envelope;
  ebms::Receipt& receipt = receipt_envelope.messaging.receipts.emplace_back();
  receipt.message_id = ebms::NewMessageId("sbr-sim.ato.gov.au");
  receipt.timestamp = clock_->Now();
  receipt.ref_to_message_id = um.message_id;
  for (const wssec::Digest& d : in->signature->references) {
    receipt.references.push_back({d.uri, d.digest_method, d.digest_value});
  }
  absl::StatusOr<std::string> written = ebms::WriteEnvelope(receipt_envelope);
  if (!written.ok()) {
    ebms_package::RemoveSpooledAttachments(*in);
    http_->SendError(
        res, ebms::kErrorOther, um.message_id,
        absl::StrCat("the agency could not write the receipt: ", written.status().message()));
    return;
  }
  receipt_xml = *std::move(written);

  // The agency's record of the payload: a small one goes in the message's
  // record, saved below; a larger one is its durably spooled file, moved in.
  StoredBytes payload = in->attachments.front().content;
  if (!payload.in_memory()) {
    const std::string payload_path = PayloadPath(config_, um.message_id);
    if (std::rename(payload.path().c_str(), payload_path.c_str()) != 0) {
      http_->SendError(res, ebms::kErrorOther, um.message_id,
                       "the agency could not store the payload");
      return;
    }
    payload = StoredBytes::File(payload_path);
  }
  const uint64_t payload_bytes = payload.Size().value_or(0);
  StoredMessage* received = nullptr;  // new, being saved
  {
    absl::MutexLock lock(&state_->mu);
    if (StoredMessage* original = state_->FindReceived(um.message_id)) {
      // A concurrent push of the same MessageId won the race.
      answer_duplicate(*original);
    } else {
      StoredMessage& s = state_->messages[um.message_id];
      s.arrival = state_->next_arrival++;
      s.report.message_id = um.message_id;
      s.report.service = um.service;
      s.report.action = um.action;
      s.report.from_party = um.from.id;
      s.report.from_party_type = um.from.type;
      s.report.received_at = receipt.timestamp;
      s.report.receipts_sent = 1;
      s.receipt_xml = receipt_xml;
      s.conversation_id = um.conversation_id;
      s.from = um.from;
      s.signer_fingerprint = in->signature->sha256_fingerprint;
      s.payload = payload;
      s.saving = true;
      state_->order.push_back(um.message_id);
      saving = state_->Persist(s);
      received = &s;
    }
  }
  const absl::Status saved = state_->Saved(saving);
  bool lose_receipt = false;
  bool hold_receipt = false;
  if (received != nullptr) {
    absl::MutexLock lock(&state_->mu);
    if (!saved.ok()) {
      // Not received after all: a resend of the MessageId is new.
      state_->order.erase(std::find(state_->order.begin(), state_->order.end(), um.message_id));
      state_->messages.erase(um.message_id);
    } else {
      received->saving = false;
      received->received_saved = true;
      state_->queue.push_back(um.message_id);
      if (state_->faults.lose_receipts > 0) {
        --state_->faults.lose_receipts;
        lose_receipt = true;
      } else if (state_->faults.hold_receipts || HeldForSize(payload_bytes)) {
        hold_receipt = true;
      }
    }
  }
  if (lose_receipt) {
    res.status = 502;
    res.set_content("SBR2 simulator: receipt lost (fault mode)", "text/plain");
    return;
  }
  if (hold_receipt) WaitWhileReceiptsHeld(payload_bytes);
  SendReceipt(res, receipt_xml, saved);
}

void PushHandler::CountRefused(httplib::Response& res) {
  if (absl::Status s = state_->CountRefusedPush(); !s.ok()) http_->SendNotRecorded(res, s);
}

void PushHandler::SendReceipt(httplib::Response& res, const std::string& receipt_xml,
                              const absl::Status& saved) {
  if (!saved.ok()) {
    http_->SendNotRecorded(res, saved);
    return;
  }
  res.status = 200;
  res.set_content(receipt_xml, kSoapContentType);
}

bool PushHandler::HeldForSize(uint64_t payload_bytes) const {
  const int64_t over = state_->faults.hold_receipts_over_bytes;
  return over > 0 && payload_bytes > static_cast<uint64_t>(over);
}

void PushHandler::WaitWhileReceiptsHeld(uint64_t payload_bytes) {
  const absl::Time until = absl::Now() + config_.max_hang;
  absl::MutexLock lock(&state_->mu);
  auto released = [this, until, payload_bytes]() ABSL_SHARED_LOCKS_REQUIRED(state_->mu) {
    return state_->stopping || (!state_->faults.hold_receipts && !HeldForSize(payload_bytes)) ||
           absl::Now() > until;
  };
  while (!released()) {
    state_->mu.AwaitWithTimeout(absl::Condition(&released), absl::Milliseconds(50));
  }
}

}  // namespace sbrgate::sim
