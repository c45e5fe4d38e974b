#include "pipeline/sim/simulator/single_sync_handler.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/sim/simulator/clntcomm_serve.h"

namespace sbrgate::sim {

SingleSyncHandler::SingleSyncHandler(const Clock* clock, EbmsHttp* http, AgencyState* state,
                                     const ClntcommCorpus* corpus)
    : clock_(clock), http_(http), state_(state), corpus_(corpus) {}

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
  if (um.service != ebms::kServiceClntcomm ||
      (um.action != ebms::kActionClntcommList && um.action != ebms::kActionClntcommGet)) {
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
  StringSink response;
  absl::StatusOr<ServeOutcome> served =
      ServeClntcomm(*corpus_, um.action, um.from, in->envelope.body_xml, ClntcommMode::kSingle,
                    system_error, response);
  if (!served.ok()) {
    http_->SendError(res, ebms::kErrorOther, um.message_id,
                     absl::StrCat("the agency could not answer: ", served.status().message()));
    return;
  }
  if (absl::Status s = state_->CountClntcomm(um.action, /*bulk=*/false, *served); !s.ok()) {
    http_->SendNotRecorded(res, s);
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
  answer.parts.push_back(
      {"", {{ebms::kPartPropertyMimeType, "text/xml"},
            {ebms::kPartPropertyDocumentName, clntcomm::kClntcommDocumentName},
            {ebms::kPartPropertyDocumentType, um.action == ebms::kActionClntcommList
                                                  ? clntcomm::kClntcommListResponse
                                                  : clntcomm::kClntcommGetResponse}}});
  envelope.body_xml = response.data();
  absl::StatusOr<ebms_package::OutboundMessage> out =
      ebms_package::PackageMessage(envelope, nullptr, {});
  http_->SendPackaged(res, out, um.message_id);
}

}  // namespace sbrgate::sim
