// LodgmentServiceImpl: sbrgate's public gRPC API (proto/lodgment.proto). It
// translates between the wire and the pipeline: an upload's chunks become
// the content Admission (pipeline/stp/admission) reads, stores and
// publishes, and its refusals become gRPC statuses; reads are served from
// the StatusView, which the status topic keeps current asynchronously;
// replays are published for the stage that acts on them (resubmit, poll);
// dead letters are listed from the view and redriven to their topic.
//
//   LodgmentServiceOptions o;
//   o.view = &view; o.publisher = &publisher; o.blobs = blobs.get();
//   o.clock = &clock; o.message_id_domain = "sbrgate.example.com.au";
//   LodgmentServiceImpl service(std::move(o));
//   absl::StatusOr<rpc::RunningServer> server = rpc::StartServer({&service});
//
// Idempotency and corrections are Admission's (admission.h says how).
//
// Read-your-writes: a lodge returns once the view shows the new lodgment, so
// GetLodgment on the returned id finds it. Until the view has caught up with
// the status topic (LodgmentServiceOptions::view_ready), every RPC answers
// UNAVAILABLE.
//
// Access (pipeline/platform/access): every RPC authenticates its caller. A
// payroll caller lodges and reads only its payers' lodgments: another's
// lodgment is NOT_FOUND (no existence oracle), a list without an ABN lists
// only its payers, an upload for another payer is PERMISSION_DENIED before
// anything is stored. Replays and dead letters are an operator's. Lodges,
// replays and redrives, allowed or denied, go to the audit log first.
//
// Errors: a refused upload is INVALID_ARGUMENT with a google.rpc.BadRequest
// in grpc-status-details-bin, one violation per problem (field "record
// <DocumentID> <XPath>" or "line N", description "<code> <description>").
// Nothing is stored or published for it.
#ifndef SBRGATE_PIPELINE_GATEWAY_LODGMENT_SERVICE_H_
#define SBRGATE_PIPELINE_GATEWAY_LODGMENT_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "pipeline/platform/access/audit_log.h"
#include "pipeline/platform/access/authenticator.h"
#include "pipeline/platform/rpc/caller_slots.h"
#include "pipeline/stp/admission/admission.h"
#include "proto/lodgment.grpc.pb.h"

namespace sbrgate::gateway {

// Admission's options (admission.h), which reads and replays share.
struct LodgmentServiceOptions : admission::AdmissionOptions {
  // How long WatchLodgment waits for a lodgment the view does not show yet,
  // and a lodge for the view to show the lodgment it returns (real time:
  // the view's waits are in real time).
  absl::Duration appear_timeout = absl::Seconds(10);
  // Whether the view has caught up with the status topic; until it has,
  // every RPC answers UNAVAILABLE (retryable) rather than a stale or wrong
  // answer. Empty: always.
  std::function<bool()> view_ready;
  // Who callers are and what they may do, and where changes are audited
  // (both required).
  const access::Authenticator* authenticator = nullptr;
  access::AuditLog* audit = nullptr;
  // Caps (past one: RESOURCE_EXHAUSTED naming it, nothing stored): bytes
  // per upload, uploads and watch streams each caller may have open.
  int64_t max_upload_bytes = int64_t{1} << 30;
  int max_uploads_per_caller = 8;
  int max_watches_per_caller = 32;
};

class LodgmentServiceImpl final : public v1::LodgmentService::Service {
 public:
  explicit LodgmentServiceImpl(LodgmentServiceOptions options);

  grpc::Status SubmitPayEvent(grpc::ServerContext* context,
                              grpc::ServerReader<v1::SubmitRequest>* reader,
                              v1::Lodgment* response) override;
  grpc::Status SubmitUpdateEvent(grpc::ServerContext* context,
                                 grpc::ServerReader<v1::SubmitRequest>* reader,
                                 v1::Lodgment* response) override;
  grpc::Status GetLodgment(grpc::ServerContext* context, const v1::GetLodgmentRequest* request,
                           v1::Lodgment* response) override;
  grpc::Status ListLodgments(grpc::ServerContext* context, const v1::ListLodgmentsRequest* request,
                             v1::ListLodgmentsResponse* response) override;
  grpc::Status WatchLodgment(grpc::ServerContext* context, const v1::GetLodgmentRequest* request,
                             grpc::ServerWriter<v1::Lodgment>* writer) override;
  grpc::Status ListRejectedRecords(grpc::ServerContext* context,
                                   const v1::ListRejectedRecordsRequest* request,
                                   v1::ListRejectedRecordsResponse* response) override;
  grpc::Status ReplayLodgments(grpc::ServerContext* context,
                               const v1::ReplayLodgmentsRequest* request,
                               v1::ReplayLodgmentsResponse* response) override;
  grpc::Status ListDeadLetters(grpc::ServerContext* context,
                               const v1::ListDeadLettersRequest* request,
                               v1::ListDeadLettersResponse* response) override;
  grpc::Status RedriveDeadLetters(grpc::ServerContext* context,
                                  const v1::RedriveDeadLettersRequest* request,
                                  v1::RedriveDeadLettersResponse* response) override;

 private:
  // The view ready (UNAVAILABLE while it catches up) and the caller
  // authenticated (UNAUTHENTICATED, PERMISSION_DENIED otherwise).
  absl::StatusOr<access::Caller> Authorize(const grpc::ServerContext& context) const;
  // The caller an operator, as `action` needs; audited when `audited`.
  absl::StatusOr<access::Caller> AuthorizeOperator(const grpc::ServerContext& context,
                                               const std::string& action, bool audited) const;
  // Lodgment `id` as `caller` may see it: none when another tenant's.
  std::optional<v1::Lodgment> Visible(const access::Caller& caller, const std::string& id) const;
  // Adds to `outputs` what sends dead letter `id` back to its stage; the
  // outcome says whether it will be.
  v1::RedriveOutcome Redrive(const std::string& id, std::vector<kafka::Output>* outputs) const;
  // Waits (up to appear_timeout) until the view shows these dead letters
  // redriven and these lodgments past these versions: a repeated request
  // then sees what the first one did.
  void AwaitView(const std::vector<std::string>& redriven,
                 const std::map<std::string, int64_t>& changed) const;
  grpc::Status Receive(grpc::ServerContext* context,
                       grpc::ServerReaderInterface<v1::SubmitRequest>* reader,
                       admission::EventKind kind, v1::Lodgment* response);

  LodgmentServiceOptions options_;
  admission::Admission admission_;
  rpc::CallerSlots uploads_;
  rpc::CallerSlots watches_;
};

}  // namespace sbrgate::gateway

#endif  // SBRGATE_PIPELINE_GATEWAY_LODGMENT_SERVICE_H_
