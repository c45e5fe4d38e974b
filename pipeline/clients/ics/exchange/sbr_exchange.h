// SbrIcsExchange: the IcsExchange (exchange.h) over sbrgate's SBR client:
// each registration one signed Single-sync exchange (Service
// ics::kIcsService, Action ics::kIcsActionRegister, From the practice as a
// registered agent), its request and answer in pipeline/clients/ics/wire's
// vocabulary.
//
//   SbrIcsExchange sbr(&client, "sbrgate.example.com");
//   absl::StatusOr<v1::RegisterClientResponse> answer = sbr.Register(request);
#ifndef SBRGATE_PIPELINE_CLIENTS_ICS_EXCHANGE_SBR_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLIENTS_ICS_EXCHANGE_SBR_EXCHANGE_H_

#include <string>

#include "pipeline/clients/ics/exchange/exchange.h"
#include "pipeline/sbr/client/sbr_client.h"

namespace sbrgate::ics {

class SbrIcsExchange : public IcsExchange {
 public:
  // `single` must outlive this.
  SbrIcsExchange(const sbr_client::SingleSyncApi* single, std::string message_id_domain)
      : single_(single), message_id_domain_(std::move(message_id_domain)) {}

  absl::StatusOr<v1::RegisterClientResponse> Register(
      const v1::RegisterClientRequest& request) const override;

 private:
  const sbr_client::SingleSyncApi* single_;
  std::string message_id_domain_;
};

}  // namespace sbrgate::ics

#endif  // SBRGATE_PIPELINE_CLIENTS_ICS_EXCHANGE_SBR_EXCHANGE_H_
