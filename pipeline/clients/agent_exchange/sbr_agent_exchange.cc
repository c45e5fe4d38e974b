#include "pipeline/clients/agent_exchange/sbr_agent_exchange.h"

#include "pipeline/sbr/client/agent_party.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::clients {

absl::StatusOr<std::string> SbrAgentExchange::Exchange(const v1::AgentContext& agent,
                                                       absl::string_view ebms_service,
                                                       absl::string_view action,
                                                       std::string body_xml) const {
  sbr_client::SingleRequest single;
  single.message_id = ebms::NewMessageId(message_id_domain_);
  single.from = sbr_client::RegisteredAgentParty(agent.ran(), agent.agent_abn());
  single.service = std::string(ebms_service);
  single.action = std::string(action);
  single.body_xml = std::move(body_xml);
  absl::StatusOr<sbr_client::SingleOutcome> outcome = single_->Exchange(single);
  if (!outcome.ok()) return outcome.status();
  if (!outcome->errors.empty()) return sbr_client::EbmsErrorsToStatus(outcome->errors);
  return std::move(outcome->body_xml);
}

}  // namespace sbrgate::clients
