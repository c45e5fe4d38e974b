#include "pipeline/sim/simulator/single_sync_handler.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/package/package.h"

namespace sbrgate::sim {

SingleSyncHandler::SingleSyncHandler(const Clock* clock, EbmsHttp* http, AgencyState* state,
                                     std::vector<SingleSyncService*> services)
    : clock_(clock), http_(http), state_(state), services_(std::move(services)) {}

SingleSyncService* SingleSyncHandler::Find(absl::string_view service,
                                           absl::string_view action) const {
  for (SingleSyncService* s : services_) {
    if (s->service() == service) return s->Offers(action) ? s : nullptr;
  }
  return nullptr;
}

void SingleSyncHandler::Handle(const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
  if (http_->ApplyTransportFaults(res)) return;
  std::optional<ebms_package::InboundMessage> in = http_->ReceiveOrRefuse(req, reader, res);
  if (!in) return;
  ebms_package::RemoveSpooledAttachments(*in);
  const ebms::Messaging& m = in->envelope.messaging;
  if (m.user_messages.size() != 1) {
    http_->SendError(res, ebms::kErrorInvalidHeader, "",
                     "a Single-sync request carries exactly one eb:UserMessage");
    return;
  }
  const ebms::UserMessage& um = m.user_messages.front();
  SingleSyncService* service = Find(um.service, um.action);
  if (service == nullptr) {
    http_->SendError(res, ebms::kErrorProcessingModeMismatch, um.message_id,
                     absl::StrCat("service ", um.service, " action ", um.action,
                                  " is not offered on Single-sync"));
    return;
  }
  if (!in->attachments.empty()) {
    http_->SendError(res, "CMN.ATO.GEN.UNEXPECTEDNUMPAYLOADS", um.message_id,
                     absl::StrCat("a Single-sync request travels in the SOAP Body, without "
                                  "attachments; got ",
                                  in->attachments.size()));
    return;
  }
  const bool system_error = StableFraction(um.message_id) < state_->Faults().system_error_rate;
  absl::StatusOr<SingleSyncAnswer> answered =
      service->Answer(um, in->envelope.body_xml, system_error);
  if (absl::IsUnavailable(answered.status())) {
    http_->SendNotRecorded(res, answered.status());
    return;
  }
  if (!answered.ok()) {
    http_->SendError(res, ebms::kErrorOther, um.message_id,
                     absl::StrCat("the agency could not answer: ", answered.status().message()));
    return;
  }
  ebms::Envelope envelope;
  ebms::UserMessage& answer = envelope.messaging.user_messages.emplace_back();
  answer.message_id = ebms::NewMessageId("sbr-sim.ato.gov.au");
  answer.timestamp = clock_->Now();
  answer.ref_to_message_id = um.message_id;
  answer.from = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
  answer.to = um.from;
  answer.service = um.service;
  answer.action = um.action;
  answer.conversation_id = um.conversation_id;
  answer.parts.push_back({"",
                          {{ebms::kPartPropertyMimeType, "text/xml"},
                           {ebms::kPartPropertyDocumentName, answered->document_name},
                           {ebms::kPartPropertyDocumentType, answered->document_type}}});
  envelope.body_xml = std::move(answered->body_xml);
  absl::StatusOr<ebms_package::OutboundMessage> out =
      ebms_package::PackageMessage(envelope, nullptr, {});
  http_->SendPackaged(res, out, um.message_id);
}

}  // namespace sbrgate::sim
