// SbrRelationshipExchange: the RelationshipExchange (exchange.h) over
// sbrgate's SBR client: each CUREL request one signed Single-sync exchange
// (Service kServiceCurel, From the practice as a registered agent).
//
//   SbrRelationshipExchange sbr(&client, "sbrgate.example.com");
#ifndef SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_SBR_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_SBR_EXCHANGE_H_

#include <string>

#include "pipeline/clients/relationships/exchange.h"
#include "pipeline/sbr/client/sbr_client.h"

namespace sbrgate::relationships {

class SbrRelationshipExchange : public RelationshipExchange {
 public:
  // `single` must outlive this.
  SbrRelationshipExchange(const sbr_client::SingleSyncApi* single, std::string message_id_domain)
      : single_(single), message_id_domain_(std::move(message_id_domain)) {}

  absl::StatusOr<std::string> Exchange(const v1::AgentContext& agent, const char* action,
                                       std::string body_xml) const override;

 private:
  const sbr_client::SingleSyncApi* single_;
  std::string message_id_domain_;
};

}  // namespace sbrgate::relationships

#endif  // SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_SBR_EXCHANGE_H_
