#include "pipeline/stp/gateway/lodgment_service.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/stp/ingest/ingest.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace sbrgate::gateway {
namespace {

constexpr char kSubmitAction[] = "Submit.004.00";
constexpr char kUpdateAction[] = "Update.004.00";
constexpr char kNothingSent[] = "every employee record failed validation; nothing was sent";
// Error trailers share the peer's metadata limit (8 KiB by default).
constexpr size_t kMaxStatusMessageBytes = 1024;
constexpr size_t kMaxStatusDetailsBytes = 3072;
// Lodgments remembered between publishing and the view showing them.
constexpr size_t kMaxRecent = 1000;
// How often waiting RPCs look at whether their client is still there.
constexpr absl::Duration kWatchTick = absl::Milliseconds(250);

grpc::Status Error(grpc::StatusCode code, std::string message) {
  return grpc::Status(code, std::move(message));
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

// At most `limit` bytes, cut at a UTF-8 character boundary (proto3 strings
// must stay valid UTF-8).
std::string Truncated(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t cut = limit - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

lodgment::ListFilter FilterOf(const std::string& abn, v1::LodgmentState state,
                              const google::protobuf::Timestamp* after,
                              const google::protobuf::Timestamp* before) {
  lodgment::ListFilter f;
  f.abn = abn;
  f.state = state;
  if (after != nullptr) f.created_after = lodgment::FromProto(*after);
  if (before != nullptr) f.created_before = lodgment::FromProto(*before);
  return f;
}

// Whether sending the lodgment again cannot lodge it twice: SBR has not
// taken it (accepted) and no correction has replaced it.
bool Replayable(const v1::Lodgment& l) {
  return l.state() != v1::ACCEPTED && l.state() != v1::PARTIALLY_ACCEPTED &&
         l.state() != v1::SUPERSEDED;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message = Truncated(std::string(status.message()), kMaxStatusMessageBytes);
  const std::vector<ingest::UploadProblem> problems = ingest::UploadProblemsOf(status);
  if (problems.empty()) return grpc::Status(code, message);
  google::rpc::BadRequest bad_request;
  size_t bytes = 0;
  for (size_t i = 0; i < problems.size(); ++i) {
    google::rpc::BadRequest::FieldViolation v;
    v.set_field(ingest::ProblemLocation(problems[i]));
    v.set_description(Truncated(absl::StrCat(problems[i].code(), " ", problems[i].description()),
                                kMaxStatusMessageBytes));
    bytes += v.ByteSizeLong() + 4;
    if (bytes > kMaxStatusDetailsBytes && i > 0) {
      google::rpc::BadRequest::FieldViolation* more = bad_request.add_field_violations();
      more->set_field("the upload");
      more->set_description(absl::StrCat("and ", problems.size() - i, " more problems"));
      break;
    }
    *bad_request.add_field_violations() = std::move(v);
  }
  google::rpc::Status rich;
  rich.set_code(static_cast<int32_t>(code));
  rich.set_message(message);
  rich.add_details()->PackFrom(bad_request);
  return grpc::Status(code, message, rich.SerializeAsString());
}

// Holds an idempotency key in the in-flight set for the life of one upload.
class LodgmentServiceImpl::KeyReservation {
 public:
  explicit KeyReservation(LodgmentServiceImpl* service) : service_(service) {}
  ~KeyReservation() {
    if (!key_.has_value()) return;
    absl::MutexLock lock(&service_->mu_);
    service_->in_flight_.erase(*key_);
  }
  // False if another upload holds the key.
  bool Reserve(const Key& key) {
    absl::MutexLock lock(&service_->mu_);
    if (!service_->in_flight_.insert(key).second) return false;
    key_ = key;
    return true;
  }

 private:
  LodgmentServiceImpl* service_;
  std::optional<Key> key_;
};

LodgmentServiceImpl::LodgmentServiceImpl(LodgmentServiceOptions options)
    : options_(std::move(options)) {
  if (options_.spool_dir.empty()) options_.spool_dir = options_.blobs->root() + "/tmp";
  if (options_.reader.schemas.payevnt == nullptr || options_.reader.schemas.payevntemp == nullptr) {
    // On failure each upload loads them again and reports why it cannot.
    absl::StatusOr<payevnt::LodgmentSchemas> schemas = payevnt::LoadLodgmentSchemas();
    if (schemas.ok()) options_.reader.schemas = *std::move(schemas);
  }
}

grpc::Status LodgmentServiceImpl::SubmitPayEvent(grpc::ServerContext* context,
                                                 grpc::ServerReader<v1::SubmitRequest>* reader,
                                                 v1::Lodgment* response) {
  return Receive(context, reader, Kind::kSubmit, response);
}

grpc::Status LodgmentServiceImpl::SubmitUpdateEvent(grpc::ServerContext* context,
                                                    grpc::ServerReader<v1::SubmitRequest>* reader,
                                                    v1::Lodgment* response) {
  return Receive(context, reader, Kind::kUpdate, response);
}

grpc::Status LodgmentServiceImpl::Receive(grpc::ServerContext* context,
                                          grpc::ServerReaderInterface<v1::SubmitRequest>* reader,
                                          Kind kind, v1::Lodgment* response) {
  v1::SubmitRequest first;
  if (!reader->Read(&first)) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT,
                 "the upload is empty: its first message must carry SubmitMetadata");
  }
  if (!first.has_metadata()) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT,
                 "the first message of an upload must carry SubmitMetadata, not a chunk");
  }
  const v1::SubmitMetadata meta = first.metadata();
  std::optional<v1::Lodgment> corrected;
  if (!meta.corrects_lodgment_id().empty()) {
    corrected = Find(meta.corrects_lodgment_id());
    if (!corrected.has_value()) {
      return Error(grpc::StatusCode::NOT_FOUND,
                   absl::StrCat("corrects_lodgment_id: lodgment ", meta.corrects_lodgment_id(),
                                " not found"));
    }
  } else if (kind == Kind::kUpdate) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT,
                 "an update event needs corrects_lodgment_id: the pay event whose employee "
                 "records it corrects");
  }

  ingest::IngestOptions options;
  const v1::PrevalidateMode mode = meta.prevalidate() == v1::PREVALIDATE_UNSPECIFIED
                                       ? options_.default_prevalidate
                                       : meta.prevalidate();
  options.prevalidate =
      mode == v1::PREVALIDATE_OFF ? ingest::PrevalidateMode::kOff : ingest::PrevalidateMode::kHold;
  options.name = meta.file_name().empty() ? "upload" : meta.file_name();
  options.temp_dir = options_.spool_dir;
  options.reader = options_.reader;
  std::optional<v1::Lodgment> duplicate;
  std::optional<Key> key;
  KeyReservation reservation(this);
  options.on_employer = [&](const payevnt::EmployerRecord& e) -> absl::Status {
    if (corrected.has_value() && !corrected->abn().empty() && e.abn != corrected->abn()) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.name, ": the payer ABN ", e.abn, " (DocumentID ", e.document_id,
                       ") is not that of lodgment ", corrected->lodgment_id(), " (",
                       corrected->abn(), "), which this upload corrects"));
    }
    if (e.abn.empty() || e.bms_id.empty() || e.interaction_transaction_id.empty()) {
      return absl::OkStatus();  // no idempotency key
    }
    key = Key{e.abn, e.bms_id, e.interaction_transaction_id};
    // Reserved before looking: an upload holding the key has not yet
    // remembered its lodgment.
    if (!reservation.Reserve(*key)) {
      return absl::AbortedError(
          absl::StrCat("a pay event with ABN ", e.abn, ", BMS id ", e.bms_id,
                       " and InteractionTransactionId ", e.interaction_transaction_id,
                       " is being received by another request; retry to get its lodgment"));
    }
    if (kind == Kind::kSubmit) {
      duplicate = FindDuplicate(*key, meta.corrects_lodgment_id());
      if (duplicate.has_value()) {
        return absl::AlreadyExistsError(
            absl::StrCat("lodged before as ", duplicate->lodgment_id()));
      }
    }
    return absl::OkStatus();
  };

  UploadSource upload(reader);
  absl::StatusOr<ingest::IngestResult> result = ingest::Ingest(upload, options, *options_.blobs);
  if (duplicate.has_value()) {
    *response = *std::move(duplicate);
    return grpc::Status::OK;
  }
  if (!upload.error().ok()) return ToGrpcStatus(upload.error());
  if (!result.ok()) {
    if (context->IsCancelled()) {
      return Error(grpc::StatusCode::CANCELLED, "the client cancelled the upload");
    }
    return ToGrpcStatus(result.status());
  }

  const absl::Time now = options_.clock->Now();
  const std::string id = ebms::NewUuid();
  const bool sending = result->employees_sent > 0;
  const payevnt::EmployerRecord& employer = result->employer;

  v1::Lodgment l;
  l.set_lodgment_id(id);
  l.set_kind(kind == Kind::kSubmit ? "Submit" : "Update");
  l.set_abn(employer.abn);
  l.set_bms_id(employer.bms_id);
  l.set_interaction_transaction_id(employer.interaction_transaction_id);
  l.set_employees(result->employees);
  l.set_employees_sent(result->employees_sent);
  l.set_corrects_lodgment_id(meta.corrects_lodgment_id());
  *l.mutable_created_at() = lodgment::ToProto(now);
  if (sending) {
    l.set_message_id(ebms::NewMessageId(options_.message_id_domain));
    l.set_attempts(1);
  }

  events::StatusChange change =
      lodgment::Change(id, sending ? v1::RECEIVED : v1::REJECTED, now,
                       sending ? absl::StrCat("received ", result->employees,
                                              " employee records: ", result->employees_sent,
                                              " to send, ", result->held_back.size(), " held back")
                               : kNothingSent);
  *change.mutable_lodgment() = l;
  if (!result->held_back.empty()) {
    absl::StatusOr<events::BlobRef> ref =
        lodgment::StoreProblems(*options_.blobs, result->held_back);
    if (!ref.ok()) return ToGrpcStatus(ref.status());
    *change.mutable_held_back() = *std::move(ref);
  }
  if (!result->sent.empty()) {
    absl::StatusOr<lodgment::ProblemsBlobWriter> sent =
        lodgment::ProblemsBlobWriter::Create(*options_.blobs);
    if (!sent.ok()) return ToGrpcStatus(sent.status());
    v1::RecordProblem p;
    for (const ingest::SentRecord& s : result->sent) {
      p.set_document_id(s.document_id);
      p.set_payroll_id(s.payroll_id);
      p.set_family_name(s.family_name);
      p.set_tfn_masked(s.tfn_masked);
      if (absl::Status w = sent->Add(p); !w.ok()) return ToGrpcStatus(w);
    }
    absl::StatusOr<events::BlobRef> ref = sent->Commit();
    if (!ref.ok()) return ToGrpcStatus(ref.status());
    *change.mutable_sent_records() = *std::move(ref);
  }
  events::LodgmentToSubmit submission;
  if (sending) {
    submission.set_lodgment_id(id);
    submission.set_message_id(l.message_id());
    submission.set_conversation_id(id);
    submission.set_action(kind == Kind::kSubmit ? kSubmitAction : kUpdateAction);
    submission.set_abn(employer.abn);
    *submission.mutable_payload() = lodgment::ToRef(*result->payload);
    submission.set_employees_sent(result->employees_sent);
    submission.set_attempt(1);
    *submission.mutable_created_at() = lodgment::ToProto(now);
    *change.mutable_submission() = submission;
  }

  std::vector<stage::Output> outputs;
  outputs.push_back(lodgment::StatusOutput(change));
  if (sending) outputs.push_back({lodgment::topics::kReceived, id, submission.SerializeAsString()});
  if (kind == Kind::kSubmit && corrected.has_value()) {
    events::StatusChange superseded = lodgment::Change(
        corrected->lodgment_id(), v1::SUPERSEDED, now, absl::StrCat("superseded by lodgment ", id));
    superseded.mutable_lodgment()->set_superseded_by(id);
    outputs.push_back(lodgment::StatusOutput(superseded));
  }
  for (const stage::Output& o : outputs) {
    if (o.value.size() > kMaxTopicMessageBytes) {
      return Error(
          grpc::StatusCode::INTERNAL,
          absl::StrCat("a ", o.topic, " message of lodgment ", id, " would be ", o.value.size(),
                       " bytes, over the topic limit of ", kMaxTopicMessageBytes));
    }
  }
  if (absl::Status s = options_.publisher->Publish(std::move(outputs)); !s.ok()) {
    return Error(grpc::StatusCode::UNAVAILABLE,
                 absl::StrCat("the lodgment could not be queued (nothing was lodged; send it "
                              "again): ",
                              s.message()));
  }

  // As the view will show it once it has applied the change.
  l.set_state(change.state());
  l.set_detail(change.detail());
  *l.mutable_updated_at() = change.at();
  for (v1::RecordProblem& p : result->held_back) *l.add_held_back() = std::move(p);
  if (key.has_value() && kind == Kind::kSubmit) Remember(*key, l);
  *response = std::move(l);
  return grpc::Status::OK;
}

std::optional<v1::Lodgment> LodgmentServiceImpl::Find(const std::string& lodgment_id) const {
  if (std::optional<v1::Lodgment> l = options_.view->Get(lodgment_id)) return l;
  absl::MutexLock lock(&mu_);
  for (const auto& [key, l] : recent_) {
    if (l.lodgment_id() == lodgment_id) return l;
  }
  return std::nullopt;
}

std::optional<v1::Lodgment> LodgmentServiceImpl::LatestInView(const Key& key) const {
  const auto& [abn, bms_id, transaction_id] = key;
  std::optional<std::string> id = options_.view->FindByIdempotencyKey(abn, bms_id, transaction_id);
  if (!id.has_value()) return std::nullopt;
  std::optional<v1::Lodgment> l = options_.view->Get(*id);
  // A chain of corrections is short; the bound only guards against a cycle.
  for (int hops = 0; l.has_value() && !l->superseded_by().empty() && hops < 100; ++hops) {
    std::optional<v1::Lodgment> next = options_.view->Get(l->superseded_by());
    if (!next.has_value() ||
        Key{next->abn(), next->bms_id(), next->interaction_transaction_id()} != key) {
      break;
    }
    l = std::move(next);
  }
  return l;
}

std::optional<v1::Lodgment> LodgmentServiceImpl::FindDuplicate(const Key& key,
                                                               const std::string& corrects) const {
  std::optional<v1::Lodgment> found;
  {
    absl::MutexLock lock(&mu_);
    auto it = recent_.find(key);
    if (it != recent_.end()) found = it->second;
  }
  if (found.has_value()) {
    // The view may know it better by now (a later state).
    if (std::optional<v1::Lodgment> shown = options_.view->Get(found->lodgment_id())) found = shown;
  } else {
    found = LatestInView(key);
  }
  if (!found.has_value() || found->lodgment_id() == corrects) return std::nullopt;
  return found;
}

void LodgmentServiceImpl::Remember(const Key& key, const v1::Lodgment& lodgment) {
  absl::MutexLock lock(&mu_);
  recent_[key] = lodgment;
  // Forget what the view now resolves the same way.
  for (auto it = recent_.begin(); it != recent_.end();) {
    std::optional<v1::Lodgment> shown = LatestInView(it->first);
    if (shown.has_value() && shown->lodgment_id() == it->second.lodgment_id()) {
      it = recent_.erase(it);
    } else {
      ++it;
    }
  }
  while (recent_.size() > kMaxRecent) {
    auto oldest =
        std::min_element(recent_.begin(), recent_.end(), [](const auto& a, const auto& b) {
          return lodgment::FromProto(a.second.created_at()) <
                 lodgment::FromProto(b.second.created_at());
        });
    recent_.erase(oldest);
  }
}

grpc::Status LodgmentServiceImpl::GetLodgment(grpc::ServerContext*,
                                              const v1::GetLodgmentRequest* request,
                                              v1::Lodgment* response) {
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
  const std::string& id = request->lodgment_id();
  if (id.empty()) return Error(grpc::StatusCode::INVALID_ARGUMENT, "lodgment_id is required");
  const lodgment::StatusView& view = *options_.view;
  // The view is asynchronous: a lodgment just submitted may not be in it yet.
  const absl::Time appear_by = absl::Now() + options_.appear_timeout;
  while (view.Version(id) == 0) {
    if (context->IsCancelled()) return Error(grpc::StatusCode::CANCELLED, "the client went away");
    const absl::Time now = absl::Now();
    if (now >= appear_by) {
      return Error(grpc::StatusCode::NOT_FOUND, absl::StrCat("lodgment ", id, " not found"));
    }
    view.WaitForChange(id, 0, std::min(appear_by, now + kWatchTick));
  }
  int64_t version = 0;
  for (;;) {
    const int64_t now_version = view.Version(id);
    if (now_version > version) {
      version = now_version;
      std::optional<v1::Lodgment> l = view.Get(id);
      if (l.has_value()) {
        if (!writer->Write(*l)) return Error(grpc::StatusCode::CANCELLED, "the client went away");
        if (lodgment::IsFinal(l->state())) return grpc::Status::OK;
      }
    }
    if (context->IsCancelled()) return Error(grpc::StatusCode::CANCELLED, "the client went away");
    view.WaitForChange(id, version, absl::Now() + kWatchTick);
  }
}

grpc::Status LodgmentServiceImpl::ListRejectedRecords(grpc::ServerContext*,
                                                      const v1::ListRejectedRecordsRequest* request,
                                                      v1::ListRejectedRecordsResponse* response) {
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
  const bool filtered = request->state() != v1::STATE_UNSPECIFIED || request->has_created_after() ||
                        request->has_created_before();
  // Each with its current submission, which the resubmit stage sends again.
  std::vector<std::pair<v1::Lodgment, events::LodgmentToSubmit>> chosen;
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
      std::optional<events::LodgmentToSubmit> submission = options_.view->Submission(id);
      if (!submission.has_value()) {
        return Error(grpc::StatusCode::FAILED_PRECONDITION,
                     absl::StrCat("lodgment ", id, " has nothing to send (", l->detail(), ")"));
      }
      if (!Replayable(*l)) {
        return Error(grpc::StatusCode::FAILED_PRECONDITION,
                     absl::StrCat("lodgment ", id, " is ", v1::LodgmentState_Name(l->state()),
                                  ": sending it again would lodge it twice"));
      }
      chosen.emplace_back(*std::move(l), *std::move(submission));
    }
  } else {
    if (!filtered) {
      return Error(
          grpc::StatusCode::INVALID_ARGUMENT,
          "name the lodgments to replay: lodgment ids, or a state or creation-time filter");
    }
    const lodgment::ListFilter filter = FilterOf(
        "", request->state(), request->has_created_after() ? &request->created_after() : nullptr,
        request->has_created_before() ? &request->created_before() : nullptr);
    for (const std::string& id : options_.view->Matching(filter)) {
      std::optional<v1::Lodgment> l = options_.view->Get(id);
      std::optional<events::LodgmentToSubmit> submission = options_.view->Submission(id);
      if (l.has_value() && Replayable(*l) && submission.has_value()) {
        chosen.emplace_back(*std::move(l), *std::move(submission));
      }
    }
  }
  if (chosen.empty()) return grpc::Status::OK;
  const absl::Time now = options_.clock->Now();
  std::vector<stage::Output> outputs;
  for (const auto& [l, submission] : chosen) {
    events::ResubmitRequest replay;
    replay.set_lodgment_id(l.lodgment_id());
    replay.set_reason("replay");
    replay.set_next_attempt(l.attempts() + 1);
    *replay.mutable_not_before() = lodgment::ToProto(now);
    *replay.mutable_previous() = submission;
    outputs.push_back({lodgment::topics::kResubmit, l.lodgment_id(), replay.SerializeAsString()});
  }
  if (absl::Status s = options_.publisher->Publish(std::move(outputs)); !s.ok()) {
    return Error(grpc::StatusCode::UNAVAILABLE,
                 absl::StrCat("the replays could not be queued: ", s.message()));
  }
  for (const auto& [l, submission] : chosen) response->add_lodgment_ids(l.lodgment_id());
  return grpc::Status::OK;
}

}  // namespace sbrgate::gateway
