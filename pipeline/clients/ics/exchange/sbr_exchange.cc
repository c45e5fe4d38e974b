#include "pipeline/clients/ics/exchange/sbr_exchange.h"

#include "absl/strings/str_cat.h"
#include "pipeline/clients/ics/rules/registration_rules.h"
#include "pipeline/clients/ics/wire/wire.h"
#include "pipeline/sbr/client/agent_party.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::ics {

absl::StatusOr<v1::RegisterClientResponse> SbrIcsExchange::Register(
    const v1::RegisterClientRequest& request) const {
  sbr_client::SingleRequest single;
  single.message_id = ebms::NewMessageId(message_id_domain_);
  single.from =
      sbr_client::RegisteredAgentParty(request.agent().ran(), request.agent().agent_abn());
  single.service = kIcsService;
  single.action = kIcsActionRegister;
  single.body_xml = WriteRequest(request);
  absl::StatusOr<sbr_client::SingleOutcome> outcome = single_->Exchange(single);
  if (!outcome.ok()) return outcome.status();
  if (!outcome->errors.empty()) return sbr_client::EbmsErrorsToStatus(outcome->errors);
  absl::StatusOr<v1::RegisterClientResponse> answer = ReadResponse(outcome->body_xml);
  if (!answer.ok()) {
    return absl::DataLossError(
        absl::StrCat("SBR's answer to registration ", single.message_id,
                     " is not a CLREG response: ", answer.status().message()));
  }
  for (const v1::RegistrationError& e : answer->errors()) {
    if (e.code() == kCodeSystemError) {
      return absl::UnavailableError(absl::StrCat("SBR could not process registration ",
                                                 single.message_id, " (", e.code(), ": ",
                                                 e.message(), "); send it again later"));
    }
  }
  answer->set_message_id(single.message_id);
  return answer;
}

}  // namespace sbrgate::ics
