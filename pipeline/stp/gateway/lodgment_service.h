// LodgmentServiceImpl: sbrgate's public gRPC API (proto/lodgment.proto).
// Uploads are ingested as they stream in (pipeline/stp/ingest), stored in the
// blob store and handed to the pipeline with one Publish: the lodgment's
// first StatusChange and, when anything is to be sent, its LodgmentToSubmit
// on topics::kReceived. Reads are served from the StatusView, which the
// status topic keeps current asynchronously.
//
//   LodgmentServiceOptions o;
//   o.view = &view; o.publisher = &publisher; o.blobs = blobs.get();
//   o.clock = &clock; o.message_id_domain = "sbrgate.example.com.au";
//   LodgmentServiceImpl service(std::move(o));
//   absl::StatusOr<RunningServer> server = StartServer({&service});  // server.h
//
// Idempotency: a Submit whose employer record has the ABN, BMS id and
// InteractionTransactionId of an earlier Submit returns that lodgment (its
// latest correction under the same key) and stores and publishes nothing;
// the rest of its upload is not read. A corrected resubmission may reuse the
// key of the lodgment it corrects. The same key arriving while another
// upload with it is still being received is ABORTED (retry to get the
// lodgment). Lodgments this process has published but the view has not yet
// shown are remembered, so a quick retry is not lodged twice.
//
// Errors: a refused upload is INVALID_ARGUMENT with a google.rpc.BadRequest
// in grpc-status-details-bin, one violation per problem (field "record
// <DocumentID> <XPath>" or "line N", description "<code> <description>").
// Nothing is stored or published for it.
#ifndef SBRGATE_PIPELINE_GATEWAY_LODGMENT_SERVICE_H_
#define SBRGATE_PIPELINE_GATEWAY_LODGMENT_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/stp/gateway/publisher.h"
#include "pipeline/stp/status/status_view.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "proto/lodgment.grpc.pb.h"

namespace sbrgate::gateway {

// Topic messages may be at most this large (events.proto).
inline constexpr size_t kMaxTopicMessageBytes = 64 << 10;

struct LodgmentServiceOptions {
  const lodgment::StatusView* view = nullptr;
  Publisher* publisher = nullptr;
  blob::BlobStore* blobs = nullptr;
  const Clock* clock = nullptr;
  // Used when an upload's metadata leaves prevalidate unspecified.
  v1::PrevalidateMode default_prevalidate = v1::PREVALIDATE_HOLD;
  // MessageIds are "<uuid>@<domain>".
  std::string message_id_domain = "sbrgate.invalid";
  // Where uploads are spooled while read; empty: the blob store's tmp folder.
  std::string spool_dir;
  // Schemas and limits for reading uploads; the schemas are loaded once by
  // the constructor when left empty.
  payevnt::LodgmentReaderOptions reader;
  // How long WatchLodgment waits for a lodgment the view does not show yet
  // (real time: the view's waits are in real time).
  absl::Duration appear_timeout = absl::Seconds(10);
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

 private:
  enum class Kind { kSubmit, kUpdate };
  // ABN, BMS id, InteractionTransactionId.
  using Key = std::tuple<std::string, std::string, std::string>;
  class KeyReservation;

  grpc::Status Receive(grpc::ServerContext* context,
                       grpc::ServerReaderInterface<v1::SubmitRequest>* reader, Kind kind,
                       v1::Lodgment* response);
  // The lodgment from the view, else one published here and not yet shown.
  std::optional<v1::Lodgment> Find(const std::string& lodgment_id) const;
  // The lodgment an upload with `key` duplicates, if any: the latest
  // lodgment under that key, unless it is the one the upload corrects.
  std::optional<v1::Lodgment> FindDuplicate(const Key& key, const std::string& corrects) const;
  // The view's latest lodgment under `key` (following superseded_by while
  // the successor has the same key).
  std::optional<v1::Lodgment> LatestInView(const Key& key) const;
  void Remember(const Key& key, const v1::Lodgment& lodgment);

  LodgmentServiceOptions options_;

  mutable absl::Mutex mu_;
  std::set<Key> in_flight_ ABSL_GUARDED_BY(mu_);
  // Submits published here whose key the view does not resolve to them yet.
  std::map<Key, v1::Lodgment> recent_ ABSL_GUARDED_BY(mu_);
};

// An absl::Status as a grpc::Status; Ingest's refusals get their
// google.rpc.BadRequest detail.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace sbrgate::gateway

#endif  // SBRGATE_PIPELINE_GATEWAY_LODGMENT_SERVICE_H_
