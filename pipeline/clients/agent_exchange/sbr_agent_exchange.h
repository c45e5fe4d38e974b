// SbrAgentExchange: the AgentExchange (agent_exchange.h) over sbrgate's SBR
// client: each request one signed Single-sync exchange, From the practice as
// a registered agent (sbr_client::RegisteredAgentParty).
//
//   SbrAgentExchange sbr(&client, "sbrgate.example.com");
#ifndef SBRGATE_PIPELINE_CLIENTS_AGENT_EXCHANGE_SBR_AGENT_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLIENTS_AGENT_EXCHANGE_SBR_AGENT_EXCHANGE_H_

#include <string>

#include "pipeline/clients/agent_exchange/agent_exchange.h"
#include "pipeline/sbr/client/sbr_client.h"

namespace sbrgate::clients {

class SbrAgentExchange : public AgentExchange {
 public:
  // `single` must outlive this.
  SbrAgentExchange(const sbr_client::SingleSyncApi* single, std::string message_id_domain)
      : single_(single), message_id_domain_(std::move(message_id_domain)) {}

  absl::StatusOr<std::string> Exchange(const v1::AgentContext& agent,
                                       absl::string_view ebms_service, absl::string_view action,
                                       std::string body_xml) const override;

 private:
  const sbr_client::SingleSyncApi* single_;
  std::string message_id_domain_;
};

}  // namespace sbrgate::clients

#endif  // SBRGATE_PIPELINE_CLIENTS_AGENT_EXCHANGE_SBR_AGENT_EXCHANGE_H_
