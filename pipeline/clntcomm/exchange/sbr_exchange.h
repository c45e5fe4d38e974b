// SbrClntcommExchange: the ClntcommExchange (exchange.h) over sbrgate's SBR
// client: the request and response documents are pipeline/clntcomm/wire's,
// each request signed and sent as SBR2 expects it.
//
//   SbrClntcommExchange sbr(&client, &client, spool_dir, "sbrgate.example.com");
//   absl::StatusOr<v1::ListCommunicationsResponse> page = sbr.QuickList(request);
//   absl::StatusOr<BulkPull> pulled = sbr.PullBulk(message_id);
//   if (pulled->ready) ... clntcomm::ResponseReader over pulled->response ...
#ifndef SBRGATE_PIPELINE_CLNTCOMM_EXCHANGE_SBR_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLNTCOMM_EXCHANGE_SBR_EXCHANGE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pipeline/clntcomm/exchange/exchange.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::comms {

class SbrClntcommExchange : public ClntcommExchange {
 public:
  // `bulk`, `single` (usually the same SbrClient) must outlive this.
  SbrClntcommExchange(const sbr_client::SbrApi* bulk, const sbr_client::SingleSyncApi* single,
           std::string spool_dir, std::string message_id_domain)
      : bulk_(bulk),
        single_(single),
        spool_dir_(std::move(spool_dir)),
        message_id_domain_(std::move(message_id_domain)) {}

  absl::StatusOr<v1::ListCommunicationsResponse> QuickList(
      const v1::ListCommunicationsRequest& request) const override;
  absl::StatusOr<clntcomm::ResponseEntry> GetOne(
      const v1::GetCommunicationRequest& request) const override;
  absl::Status PushBulk(const BulkPush& push) const override;
  absl::StatusOr<BulkPull> PullBulk(const std::string& message_id) const override;
  // Through the bulk client, whose transport the single one shares when
  // they are the same SbrClient.
  void CancelExchanges() const override { bulk_->CancelExchanges(); }

 private:
  absl::StatusOr<std::string> Single(const v1::AgentContext& agent, const char* action,
                                     std::string body_xml) const;

  const sbr_client::SbrApi* bulk_;
  const sbr_client::SingleSyncApi* single_;
  std::string spool_dir_;
  std::string message_id_domain_;
};

// The agent as the ebMS From party (sbr_client::RegisteredAgentParty).
ebms::Party AgentParty(const v1::AgentContext& agent);

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_CLNTCOMM_EXCHANGE_SBR_EXCHANGE_H_
