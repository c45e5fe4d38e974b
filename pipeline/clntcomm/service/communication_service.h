// CommunicationServiceImpl: the gRPC CommunicationService (proto/
// communications.proto) through which tax and BAS agents' software lists and
// retrieves their clients' ATO correspondence (CLNTCOMM.0001.2020, seed 000).
//
// Every request is checked here before SBR is asked, so a request the ATO
// would refuse costs neither a round trip nor the practice's reasonable use:
//   - the practice user must hold Client.Corro.View (sbrgate's own
//     permission store): PERMISSION_DENIED otherwise;
//   - list and get requests within the ATO's limits (clntcomm/
//     request_rules.h): INVALID_ARGUMENT with a google.rpc.BadRequest whose
//     field violations name each field.
// Single requests (QuickList, GetCommunication) run at once on SBR's single
// request processor. Bulk work (StartBulkList, StartBulkGet, StartDailySync)
// becomes a job on topics::kJobRequests, scheduled for its reasonable-use
// window and run by JobStage; GetJob / ListJobs / WatchJob read the JobView.
// A document retrieved before is served from sbrgate's store unless the
// request says refetch.
//
// Access (pipeline/platform/access): a practice caller acts only for its
// own practice: a request without an agent ABN is for it, one naming another
// practice is PERMISSION_DENIED, another practice's job is NOT_FOUND and
// ListJobs lists only its own. Operators act for any practice; payroll
// callers have no CLNTCOMM access. Every request that asks SBR for
// something, allowed or denied, goes to the audit log first.
//
//   CommunicationServiceImpl service({&sbr, &keeper, &permissions, &publisher, &view, &blobs,
//                                     &clock});
//   rpc::StartServer({&lodgments, &service}, options);
#ifndef SBRGATE_PIPELINE_COMMS_COMMUNICATION_SERVICE_H_
#define SBRGATE_PIPELINE_COMMS_COMMUNICATION_SERVICE_H_

#include <string>

#include "pipeline/platform/access/audit_log.h"
#include "pipeline/platform/access/authenticator.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/rpc/caller_slots.h"
#include "pipeline/clntcomm/rules/permissions.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/clntcomm/documents/document_keeper.h"
#include "pipeline/clntcomm/jobs/job_view.h"
#include "pipeline/clntcomm/exchange/exchange.h"
#include "pipeline/platform/publish/publisher.h"
#include "proto/communications.grpc.pb.h"

namespace sbrgate::comms {

struct CommunicationServiceOptions {
  const ClntcommExchange* sbr = nullptr;
  DocumentKeeper* keeper = nullptr;
  const clntcomm::PermissionStore* permissions = nullptr;
  publish::Publisher* publisher = nullptr;
  JobView* view = nullptr;
  const Clock* clock = nullptr;
  // Who callers are, and where their requests are audited (both required).
  const access::Authenticator* authenticator = nullptr;
  access::AuditLog* audit = nullptr;
  // WatchJob streams one caller may have open (past it RESOURCE_EXHAUSTED).
  int max_watches_per_caller = 32;
};

class CommunicationServiceImpl final : public v1::CommunicationService::Service {
 public:
  // Everything in `options` must outlive the service.
  explicit CommunicationServiceImpl(CommunicationServiceOptions options)
      : options_(std::move(options)),
        watches_(options_.max_watches_per_caller, "--max-watches-per-caller") {}

  grpc::Status QuickList(grpc::ServerContext* context, const v1::ListCommunicationsRequest* request,
                         v1::ListCommunicationsResponse* response) override;
  grpc::Status StartBulkList(grpc::ServerContext* context,
                             const v1::ListCommunicationsRequest* request, v1::Job* job) override;
  grpc::Status GetCommunication(grpc::ServerContext* context,
                                const v1::GetCommunicationRequest* request,
                                v1::Communication* response) override;
  grpc::Status StartBulkGet(grpc::ServerContext* context, const v1::BulkGetRequest* request,
                            v1::Job* job) override;
  grpc::Status StartDailySync(grpc::ServerContext* context, const v1::DailySyncRequest* request,
                              v1::Job* job) override;
  grpc::Status GetJob(grpc::ServerContext* context, const v1::GetJobRequest* request,
                      v1::Job* job) override;
  grpc::Status ListJobs(grpc::ServerContext* context, const v1::ListJobsRequest* request,
                        v1::ListJobsResponse* response) override;
  grpc::Status WatchJob(grpc::ServerContext* context, const v1::GetJobRequest* request,
                        grpc::ServerWriter<v1::Job>* writer) override;
  grpc::Status DownloadDocument(grpc::ServerContext* context,
                                const v1::DownloadDocumentRequest* request,
                                grpc::ServerWriter<v1::DocumentChunk>* writer) override;

 private:
  // Publishes a new job of `kind` for `agent` whose request is `request`,
  // asked for at `now`, not to run before `not_before`.
  // The practice a request acts for, as its caller may: an empty agent ABN
  // is the caller's own practice. Audited as `action` when `audited`.
  absl::StatusOr<v1::AgentContext> ActingFor(const grpc::ServerContext& context,
                                             const v1::AgentContext& agent,
                                             const std::string& action, bool audited) const;
  // The caller, for reads of jobs and documents.
  absl::StatusOr<access::Caller> Reader(const grpc::ServerContext& context) const;
  grpc::Status CreateJob(const std::string& kind, const v1::AgentContext& agent,
                         const google::protobuf::Message& request, absl::Time now,
                         absl::Time not_before, v1::Job* job);
  // The job with a page of its results, loaded from the store.
  grpc::Status WithResults(v1::Job* job, const v1::GetJobRequest& page) const;

  const CommunicationServiceOptions options_;
  rpc::CallerSlots watches_;
};

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_COMMS_COMMUNICATION_SERVICE_H_
