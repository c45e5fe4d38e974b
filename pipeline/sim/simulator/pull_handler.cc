#include "pipeline/sim/simulator/pull_handler.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/stp/poll_schedule/schedule.h"

namespace sbrgate::sim {

PullHandler::PullHandler(const Clock* clock, EbmsHttp* http, AgencyState* state,
                         wssec::Credential agency)
    : clock_(clock), http_(http), state_(state), agency_(std::move(agency)) {}

void PullHandler::Handle(const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader& reader) {
  if (http_->ApplyTransportFaults(res)) return;
  std::optional<ebms_package::InboundMessage> in = http_->ReceiveOrRefuse(req, reader, res);
  if (!in) return;
  ebms_package::RemoveSpooledAttachments(*in);
  const auto& pulls = in->envelope.messaging.pull_requests;
  if (pulls.size() != 1 || pulls.front().ref_to_message_id.empty()) {
    http_->SendError(res, ebms::kErrorInvalidHeader, "",
                     "a pull must carry one eb:PullRequest naming the pushed message "
                     "(eb:MessageInfo/eb:RefToMessageId)");
    return;
  }
  const ebms::PullRequest& pull = pulls.front();
  const absl::Time now = clock_->Now();
  std::optional<StoredBytes> response;
  StoredMessage* stored = nullptr;
  SimStateStore::Ticket saving;
  {
    absl::MutexLock lock(&state_->mu);
    ++state_->counters.pulls;
    StoredMessage* found = state_->FindReceived(pull.ref_to_message_id);
    if (found == nullptr || found->signer_fingerprint != in->signature->sha256_fingerprint) {
      saving = state_->Persist();
    } else {
      stored = found;
      MessageReport& r = stored->report;
      const int64_t employees = r.processed ? r.employees : stored->employees_seen.load();
      const poll::PollPlan plan = poll::PollPlan::ForEmployees(employees);
      std::optional<absl::Time> last;
      if (!r.pulls.empty()) last = r.pulls.back().at;
      // The polling table is STP's (seed 002); the ATO publishes none for
      // CLNTCOMM bulk responses, so only pay event pulls can be early.
      const bool stp = r.service == ebms::kServicePayevnt;
      PullRecord record{now, "", stp && plan.IsEarly(r.received_at, r.pulls.size(), last, now)};
      if (record.early) ++state_->counters.early_pulls;
      if (r.processed && now >= r.ready_at) {
        record.result = "response";
        response = stored->response;
      } else {
        record.result = "nothing-yet";
      }
      r.pulls.push_back(record);
      saving = state_->Persist(*stored);
    }
  }
  if (absl::Status saved = state_->Saved(saving); !saved.ok()) {
    http_->SendNotRecorded(res, saved);
    return;
  }
  if (stored == nullptr) {
    // Nothing of this sender's under that reference: the channel is empty.
    http_->SendError(res, ebms::kErrorEmptyMessagePartitionChannel, pull.message_id,
                     absl::StrCat("no message ", pull.ref_to_message_id, " from this sender"));
    return;
  }
  if (!response.has_value()) {
    http_->SendError(res, ebms::kErrorEmptyMessagePartitionChannel, pull.message_id,
                     "the response is not available yet");
    return;
  }
  SendResponse(res, *stored, *response);
}

void PullHandler::SendResponse(httplib::Response& res, const StoredMessage& stored,
                               const StoredBytes& response_gzip) {
  ebms::Envelope envelope;
  ebms::UserMessage& um = envelope.messaging.user_messages.emplace_back();
  um.message_id = ebms::NewMessageId("sbr-sim.ato.gov.au");
  um.timestamp = clock_->Now();
  um.ref_to_message_id = stored.report.message_id;
  um.from = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
  um.to = stored.from;
  um.service = stored.report.service;
  um.action = stored.report.action;
  um.conversation_id = stored.conversation_id;
  const std::string cid = absl::StrCat("response-", stored.report.message_id);
  um.parts.push_back({absl::StrCat("cid:", cid),
                      {{ebms::kPartPropertyCompressionType, "application/gzip"},
                       {ebms::kPartPropertyMimeType, "text/xml"},
                       {ebms::kPartPropertyDocumentName, stored.response_document_name},
                       {ebms::kPartPropertyDocumentType, stored.response_document_type}}});
  absl::StatusOr<ebms_package::OutboundMessage> out =
      ebms_package::PackageMessage(envelope, &agency_, {{cid, "application/gzip", response_gzip}});
  http_->SendPackaged(res, out, stored.report.message_id);
}

}  // namespace sbrgate::sim
