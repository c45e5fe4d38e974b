#include "pipeline/stp/gateway/lodgment_service.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/rpc/status.h"
#include "pipeline/platform/rpc/watch.h"
#include "pipeline/stp/ingest/ingest.h"
#include "pipeline/stp/status/replay_rule.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::gateway {
namespace {

grpc::Status Error(grpc::StatusCode code, std::string message) {
  return grpc::Status(code, std::move(message));
}

// An absl::Status as a grpc::Status; an upload Ingest refused names each of
// its problems in the google.rpc.BadRequest.
grpc::Status ToGrpcStatus(const absl::Status& status) {
  std::vector<FieldViolation> violations;
  for (const ingest::UploadProblem& p : ingest::UploadProblemsOf(status)) {
    violations.push_back(
        {ingest::ProblemLocation(p), absl::StrCat(p.code(), " ", p.description())});
  }
  return rpc::ToGrpcStatus(status, violations, "the upload");
}

// The chunks of a SubmitPayEvent stream as one byte stream, a chunk at a
// time. Problems with the stream itself (metadata again) are kept apart
// from problems in the content.
class UploadSource : public ByteSource {
 public:
  explicit UploadSource(grpc::ServerReaderInterface<v1::SubmitRequest>* reader) : reader_(reader) {}

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    while (pos_ >= chunk_.size()) {
      if (done_) return 0;
      v1::SubmitRequest request;
      if (!reader_->Read(&request)) {
        done_ = true;
        return 0;
      }
      if (!request.has_chunk()) {
        error_ = absl::InvalidArgumentError(
            "SubmitMetadata may only be the first message of the stream; the rest are chunks");
        return error_;
      }
      chunk_ = std::move(*request.mutable_chunk());
      pos_ = 0;
    }
    const size_t got = std::min(n, chunk_.size() - pos_);
    std::copy_n(chunk_.data() + pos_, got, buf);
    pos_ += got;
    return got;
  }

  const absl::Status& error() const { return error_; }

 private:
  grpc::ServerReaderInterface<v1::SubmitRequest>* reader_;
  std::string chunk_;
  size_t pos_ = 0;
  bool done_ = false;
  absl::Status error_;
};

lodgment::ListFilter FilterOf(const std::string& abn, v1::LodgmentState state,
                              const google::protobuf::Timestamp* after,
                              const google::protobuf::Timestamp* before) {
  lodgment::ListFilter f;
  f.abn = abn;
  f.state = state;
  if (after != nullptr) f.created_after = FromProto(*after);
  if (before != nullptr) f.created_before = FromProto(*before);
  return f;
}

}  // namespace

LodgmentServiceImpl::LodgmentServiceImpl(LodgmentServiceOptions options)
    : options_(std::move(options)), admission_(options_) {}

grpc::Status LodgmentServiceImpl::CheckReady() const {
  if (!options_.view_ready || options_.view_ready()) return grpc::Status::OK;
  return Error(grpc::StatusCode::UNAVAILABLE,
               "sbrgate is starting: the lodgment view is catching up with the status topic "
               "(retry shortly)");
}

grpc::Status LodgmentServiceImpl::SubmitPayEvent(grpc::ServerContext* context,
                                                 grpc::ServerReader<v1::SubmitRequest>* reader,
                                                 v1::Lodgment* response) {
  return Receive(context, reader, admission::EventKind::kPayEvent, response);
}

grpc::Status LodgmentServiceImpl::SubmitUpdateEvent(grpc::ServerContext* context,
                                                    grpc::ServerReader<v1::SubmitRequest>* reader,
                                                    v1::Lodgment* response) {
  return Receive(context, reader, admission::EventKind::kUpdateEvent, response);
}

grpc::Status LodgmentServiceImpl::Receive(grpc::ServerContext* context,
                                          grpc::ServerReaderInterface<v1::SubmitRequest>* reader,
                                          admission::EventKind kind, v1::Lodgment* response) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  v1::SubmitRequest first;
  if (!reader->Read(&first)) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT,
                 "the upload is empty: its first message must carry SubmitMetadata");
  }
  if (!first.has_metadata()) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT,
                 "the first message of an upload must carry SubmitMetadata, not a chunk");
  }
  const v1::SubmitMetadata& meta = first.metadata();
  admission::Upload upload;
  upload.kind = kind;
  upload.file_name = meta.file_name();
  upload.corrects_lodgment_id = meta.corrects_lodgment_id();
  upload.prevalidate = meta.prevalidate();
  UploadSource content(reader);
  absl::StatusOr<v1::Lodgment> admitted = admission_.Admit(upload, content);
  if (admitted.ok()) {
    // Read-your-writes: the view shows it before the caller learns its id.
    // Should the view stall, the lodgment is queued all the same: say so.
    options_.view->WaitForChange(admitted->lodgment_id(), 0,
                                 absl::Now() + options_.appear_timeout);
    *response = *std::move(admitted);
    return grpc::Status::OK;
  }
  if (!content.error().ok()) return ToGrpcStatus(content.error());
  if (context->IsCancelled()) {
    return Error(grpc::StatusCode::CANCELLED, "the client cancelled the upload");
  }
  return ToGrpcStatus(admitted.status());
}

grpc::Status LodgmentServiceImpl::GetLodgment(grpc::ServerContext*,
                                              const v1::GetLodgmentRequest* request,
                                              v1::Lodgment* response) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  if (request->lodgment_id().empty()) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT, "lodgment_id is required");
  }
  std::optional<v1::Lodgment> l = options_.view->Get(request->lodgment_id());
  if (!l.has_value()) {
    return Error(grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("lodgment ", request->lodgment_id(), " not found"));
  }
  *response = *std::move(l);
  return grpc::Status::OK;
}

grpc::Status LodgmentServiceImpl::ListLodgments(grpc::ServerContext*,
                                                const v1::ListLodgmentsRequest* request,
                                                v1::ListLodgmentsResponse* response) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  if (request->page_size() < 0) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT, "page_size must not be negative");
  }
  const lodgment::ListFilter filter =
      FilterOf(request->abn(), request->state(),
               request->has_created_after() ? &request->created_after() : nullptr,
               request->has_created_before() ? &request->created_before() : nullptr);
  std::string next;
  for (v1::Lodgment& l :
       options_.view->List(filter, request->page_size(), request->page_token(), &next)) {
    *response->add_lodgments() = std::move(l);
  }
  response->set_next_page_token(next);
  return grpc::Status::OK;
}

grpc::Status LodgmentServiceImpl::WatchLodgment(grpc::ServerContext* context,
                                                const v1::GetLodgmentRequest* request,
                                                grpc::ServerWriter<v1::Lodgment>* writer) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  const std::string& id = request->lodgment_id();
  if (id.empty()) return Error(grpc::StatusCode::INVALID_ARGUMENT, "lodgment_id is required");
  const lodgment::StatusView& view = *options_.view;
  rpc::Watched<v1::Lodgment> watched;
  watched.wait_for_change = [&](int64_t seen, absl::Time deadline) {
    rpc::Snapshot<v1::Lodgment> s;
    s.version = view.WaitForChange(id, seen, deadline);
    if (s.version > seen) s.message = view.Get(id);
    return s;
  };
  watched.is_final = [](const v1::Lodgment& l) { return lodgment::IsFinal(l.state()); };
  // The view is asynchronous: a lodgment just submitted may not be in it yet.
  watched.appear_timeout = options_.appear_timeout;
  watched.not_found = absl::StrCat("lodgment ", id, " not found");
  return rpc::Watch(context, writer, watched);
}

grpc::Status LodgmentServiceImpl::ListRejectedRecords(grpc::ServerContext*,
                                                      const v1::ListRejectedRecordsRequest* request,
                                                      v1::ListRejectedRecordsResponse* response) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  if (!request->lodgment_id().empty() && !options_.view->Get(request->lodgment_id()).has_value()) {
    return Error(grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("lodgment ", request->lodgment_id(), " not found"));
  }
  for (v1::RejectedRecord& r : options_.view->Rejected(request->abn(), request->lodgment_id())) {
    *response->add_records() = std::move(r);
  }
  return grpc::Status::OK;
}

grpc::Status LodgmentServiceImpl::ReplayLodgments(grpc::ServerContext*,
                                                  const v1::ReplayLodgmentsRequest* request,
                                                  v1::ReplayLodgmentsResponse* response) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  const bool filtered = request->state() != v1::STATE_UNSPECIFIED || request->has_created_after() ||
                        request->has_created_before();
  std::vector<v1::Lodgment> lodgments;
  if (!request->lodgment_ids().empty()) {
    if (filtered) {
      return Error(grpc::StatusCode::INVALID_ARGUMENT,
                   "name lodgment ids or give a state/creation-time filter, not both");
    }
    for (const std::string& id : request->lodgment_ids()) {
      std::optional<v1::Lodgment> l = options_.view->Get(id);
      if (!l.has_value()) {
        return Error(grpc::StatusCode::NOT_FOUND, absl::StrCat("lodgment ", id, " not found"));
      }
      lodgments.push_back(*std::move(l));
    }
  } else {
    if (!filtered) {
      return Error(
          grpc::StatusCode::INVALID_ARGUMENT,
          "name the lodgments to replay: lodgment ids, or a state or creation-time filter");
    }
    for (const std::string& id : options_.view->Matching(FilterOf(
             "", request->state(),
             request->has_created_after() ? &request->created_after() : nullptr,
             request->has_created_before() ? &request->created_before() : nullptr))) {
      if (std::optional<v1::Lodgment> l = options_.view->Get(id)) lodgments.push_back(*std::move(l));
    }
  }
  const absl::Time now = options_.clock->Now();
  std::vector<kafka::Output> resends;
  for (const v1::Lodgment& l : lodgments) {
    const std::string& id = l.lodgment_id();
    std::optional<events::LodgmentToSubmit> submission = options_.view->Submission(id);
    const lodgment::ReplayDecision decision = lodgment::DecideReplay(l, submission.has_value());
    v1::ReplayOutcome* outcome = response->add_outcomes();
    outcome->set_lodgment_id(id);
    outcome->set_action(decision.action);
    outcome->set_reason(decision.reason);
    if (decision.action != v1::ReplayOutcome::RESENT) continue;
    // The resubmit stage sends this attempt once, however often it is asked.
    events::ResubmitRequest replay;
    replay.set_lodgment_id(id);
    replay.set_reason("replay");
    replay.set_next_attempt(l.attempts() + 1);
    *replay.mutable_not_before() = ToProto(now);
    *replay.mutable_previous() = *std::move(submission);
    resends.push_back({lodgment::topics::kResubmit, id, replay.SerializeAsString()});
    response->add_lodgment_ids(id);
  }
  if (resends.empty()) return grpc::Status::OK;
  if (absl::Status s = options_.publisher->Publish(std::move(resends)); !s.ok()) {
    return Error(grpc::StatusCode::UNAVAILABLE,
                 absl::StrCat("the replays could not be queued: ", s.message()));
  }
  return grpc::Status::OK;
}

}  // namespace sbrgate::gateway
