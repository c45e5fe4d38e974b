// Client-communication retrieval as a deployable unit: the gRPC
// CommunicationService, the job view it answers from (kept by its own
// JobViewStage), and the JobStage that runs bulk work against SBR. Used by
// services/clntcomm and by the all-in-one sbrgated (which serves it beside the
// LodgmentService on one port).
//
//   absl::StatusOr<std::unique_ptr<Communications>> c =
//       Communications::Create(config, blobs, clock, sbr, {permissions_file});
//   gateway_options.extra_services.push_back((*c)->service());
//   stages.push_back((*c)->view_stage());
//   stages.push_back((*c)->job_stage());
//
// State in the data directory: clntcomm-ledger/ (the retrieve-once ledger,
// a RocksDB; a clntcomm.ledger text file from an older sbrgate is imported
// into it once) and jobs-view/; the documents are blobs.
#ifndef SBRGATE_SERVICES_COMMON_COMMS_H_
#define SBRGATE_SERVICES_COMMON_COMMS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/platform/blob/blob_store.h"
#include "services/common/flags.h"
#include "pipeline/clntcomm/documents/ledger.h"
#include "pipeline/clntcomm/rules/permissions.h"
#include "pipeline/clntcomm/service/communication_service.h"
#include "pipeline/clntcomm/documents/document_keeper.h"
#include "pipeline/clntcomm/jobs/job_stage.h"
#include "pipeline/clntcomm/jobs/job_view.h"
#include "pipeline/clntcomm/exchange/sbr_exchange.h"
#include "pipeline/platform/publish/publisher.h"
#include "services/common/pipeline.h"
#include "services/common/topic_log.h"

namespace sbrgate {

struct CommsOptions {
  // Practice users and their permissions (clntcomm/permissions.h format);
  // empty: nobody may list or get.
  std::string permissions_file;
  // Who callers are and where their requests are audited (grpc_security.h);
  // both must outlive the result.
  const access::Authenticator* authenticator = nullptr;
  access::AuditLog* audit = nullptr;
  // WatchJob streams per caller (--max-watches-per-caller).
  int max_watches_per_caller = flags::Limits().max_watches_per_caller;
};

class Communications {
 public:
  // `topics`, `blobs`, `clock` and `sbr` must outlive the result.
  static absl::StatusOr<std::unique_ptr<Communications>> Create(const PipelineConfig& config,
                                                                TopicLog* topics,
                                                                blob::BlobStore* blobs,
                                                                const Clock* clock,
                                                                const sbr_client::SbrClient* sbr,
                                                                const CommsOptions& options);
  grpc::Service* service() { return service_.get(); }
  stage::Stage* view_stage() { return view_stage_.get(); }
  stage::Stage* job_stage() { return job_stage_.get(); }

 private:
  Communications() = default;
  std::unique_ptr<clntcomm::RetrievalLedger> ledger_;
  clntcomm::PermissionStore permissions_;
  std::unique_ptr<comms::SbrClntcommExchange> sbr_;
  std::unique_ptr<comms::DocumentKeeper> keeper_;
  std::unique_ptr<comms::JobView> view_;
  std::unique_ptr<comms::JobViewStage> view_stage_;
  std::unique_ptr<comms::JobStage> job_stage_;
  std::unique_ptr<publish::Publisher> publisher_;
  std::unique_ptr<comms::CommunicationServiceImpl> service_;
};

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_COMMS_H_
