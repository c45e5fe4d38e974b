#include "pipeline/stp/gateway/lodgment_service.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/rpc/status.h"
#include "pipeline/platform/rpc/watch.h"
#include "pipeline/stp/ingest/ingest.h"
#include "pipeline/stp/status/replay_rule.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::gateway {
namespace {

// ListRejectedRecords pages.
constexpr int kDefaultRejectedPage = 1000;
constexpr int kMaxRejectedPage = 10000;

grpc::Status Error(grpc::StatusCode code, std::string message) {
  return grpc::Status(code, std::move(message));
}

// The records held back and rejected a lodgment answer shows (proto/lodgment.proto).
constexpr int kProblemsShown = 100;

// `l` as the service answers with it: its problem lists cut to their first
// kProblemsShown, with their full counts.
v1::Lodgment Shown(v1::Lodgment l) {
  l.set_held_back_total(l.held_back_size());
  l.set_rejected_records_total(l.rejected_records_size());
  for (auto* list : {l.mutable_held_back(), l.mutable_rejected_records()}) {
    if (list->size() > kProblemsShown) {
      list->DeleteSubrange(kProblemsShown, list->size() - kProblemsShown);
    }
  }
  return l;
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
  UploadSource(grpc::ServerReaderInterface<v1::SubmitRequest>* reader, int64_t max_bytes)
      : reader_(reader), max_bytes_(max_bytes) {}

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
      received_ += static_cast<int64_t>(chunk_.size());
      if (received_ > max_bytes_) {
        error_ = absl::ResourceExhaustedError(absl::StrCat(
            "the upload is larger than ", max_bytes_, " bytes (--max-upload-bytes)"));
        return error_;
      }
    }
    const size_t got = std::min(n, chunk_.size() - pos_);
    std::copy_n(chunk_.data() + pos_, got, buf);
    pos_ += got;
    return got;
  }

  const absl::Status& error() const { return error_; }

 private:
  grpc::ServerReaderInterface<v1::SubmitRequest>* reader_;
  const int64_t max_bytes_;
  int64_t received_ = 0;
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
    : options_(std::move(options)),
      admission_(options_),
      uploads_(options_.max_uploads_per_caller, "--max-uploads-per-caller"),
      watches_(options_.max_watches_per_caller, "--max-watches-per-caller") {}

absl::StatusOr<access::Caller> LodgmentServiceImpl::Authorize(
    const grpc::ServerContext& context) const {
  if (options_.view_ready && !options_.view_ready()) {
    return absl::UnavailableError(
        "sbrgate is starting: the lodgment view is catching up with the status topic "
        "(retry shortly)");
  }
  return options_.authenticator->Authenticate(context);
}

absl::StatusOr<access::Caller> LodgmentServiceImpl::AuthorizeOperator(
    const grpc::ServerContext& context, const std::string& action, bool audited) const {
  absl::StatusOr<access::Caller> caller = Authorize(context);
  if (!caller.ok() || caller->IsOperator()) {
    if (caller.ok() && audited) {
      if (absl::Status s = options_.audit->Record({caller->identity(), action, "*", true, ""});
          !s.ok()) {
        return s;
      }
    }
    return caller;
  }
  if (audited) {
    options_.audit->Record({caller->identity(), action, "*", false, "not an operator"}).IgnoreError();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "identity '", caller->identity(), "' is a ", access::RoleName(caller->role()),
      "; ", action, " is for operators"));
}

std::optional<v1::Lodgment> LodgmentServiceImpl::Visible(const access::Caller& caller,
                                                         const std::string& id) const {
  std::optional<v1::Lodgment> l = options_.view->Get(id);
  if (!l.has_value() ||
      !(caller.MayActForPayer(l->abn()) || caller.MayActForPayer(l->wpn()))) {
    return std::nullopt;
  }
  return l;
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
  absl::StatusOr<access::Caller> caller = Authorize(*context);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  absl::StatusOr<rpc::CallerSlots::Slot> slot = uploads_.Take(caller->identity());
  if (!slot.ok()) return rpc::ToGrpcStatus(slot.status());
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
  if (!upload.corrects_lodgment_id.empty() && !Visible(*caller, upload.corrects_lodgment_id)) {
    return Error(grpc::StatusCode::NOT_FOUND, absl::StrCat("corrects_lodgment_id: lodgment ",
                                                           upload.corrects_lodgment_id,
                                                           " not found"));
  }
  // Decided, and audited, once the payer is known and before anything is
  // stored.
  upload.may_lodge_for = [&](const payevnt::EmployerRecord& e) -> absl::Status {
    const std::string wpn = payevnt::UnpaddedWpn(e.wpn);
    const std::string payer = e.abn.empty() ? wpn : e.abn;
    const bool allowed = caller->MayActForPayer(e.abn) || caller->MayActForPayer(wpn);
    const std::string action = kind == admission::EventKind::kPayEvent ? "lodge" : "lodge-update";
    absl::Status audited = options_.audit->Record(
        {caller->identity(), action, payer, allowed, upload.file_name});
    if (!allowed) {
      return absl::PermissionDeniedError(absl::StrCat(
          "identity '", caller->identity(), "' may not lodge for payer ", payer));
    }
    return audited;
  };
  UploadSource content(reader, options_.max_upload_bytes);
  absl::StatusOr<v1::Lodgment> admitted = admission_.Admit(upload, content);
  if (admitted.ok()) {
    // Read-your-writes: the view shows it before the caller learns its id.
    // Should the view stall, the lodgment is queued all the same: say so.
    options_.view->WaitForChange(admitted->lodgment_id(), 0,
                                 absl::Now() + options_.appear_timeout);
    *response = Shown(*std::move(admitted));
    return grpc::Status::OK;
  }
  if (!content.error().ok()) return ToGrpcStatus(content.error());
  if (context->IsCancelled()) {
    return Error(grpc::StatusCode::CANCELLED, "the client cancelled the upload");
  }
  return ToGrpcStatus(admitted.status());
}

grpc::Status LodgmentServiceImpl::GetLodgment(grpc::ServerContext* context,
                                              const v1::GetLodgmentRequest* request,
                                              v1::Lodgment* response) {
  absl::StatusOr<access::Caller> caller = Authorize(*context);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  if (request->lodgment_id().empty()) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT, "lodgment_id is required");
  }
  std::optional<v1::Lodgment> l = Visible(*caller, request->lodgment_id());
  if (!l.has_value()) {
    return Error(grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("lodgment ", request->lodgment_id(), " not found"));
  }
  *response = Shown(*std::move(l));
  return grpc::Status::OK;
}

grpc::Status LodgmentServiceImpl::ListLodgments(grpc::ServerContext* context,
                                                const v1::ListLodgmentsRequest* request,
                                                v1::ListLodgmentsResponse* response) {
  absl::StatusOr<access::Caller> caller = Authorize(*context);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  if (request->page_size() < 0) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT, "page_size must not be negative");
  }
  if (!request->abn().empty() && !caller->MayActForPayer(request->abn())) {
    return Error(grpc::StatusCode::PERMISSION_DENIED,
                 absl::StrCat("identity '", caller->identity(),
                              "' may not read the lodgments of payer ", request->abn()));
  }
  lodgment::ListFilter filter =
      FilterOf(request->abn(), request->state(),
               request->has_created_after() ? &request->created_after() : nullptr,
               request->has_created_before() ? &request->created_before() : nullptr);
  filter.abns = caller->PayerScope();
  std::string next;
  for (v1::Lodgment& l :
       options_.view->List(filter, request->page_size(), request->page_token(), &next)) {
    *response->add_lodgments() = Shown(std::move(l));
  }
  response->set_next_page_token(next);
  return grpc::Status::OK;
}

grpc::Status LodgmentServiceImpl::WatchLodgment(grpc::ServerContext* context,
                                                const v1::GetLodgmentRequest* request,
                                                grpc::ServerWriter<v1::Lodgment>* writer) {
  absl::StatusOr<access::Caller> caller = Authorize(*context);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  absl::StatusOr<rpc::CallerSlots::Slot> slot = watches_.Take(caller->identity());
  if (!slot.ok()) return rpc::ToGrpcStatus(slot.status());
  const std::string& id = request->lodgment_id();
  if (id.empty()) return Error(grpc::StatusCode::INVALID_ARGUMENT, "lodgment_id is required");
  const lodgment::StatusView& view = *options_.view;
  rpc::Watched<v1::Lodgment> watched;
  watched.wait_for_change = [&](int64_t seen, absl::Time deadline) {
    rpc::Snapshot<v1::Lodgment> s;
    s.version = view.WaitForChange(id, seen, deadline);
    if (s.version > seen) {
      if (std::optional<v1::Lodgment> l = Visible(*caller, id)) s.message = Shown(*std::move(l));
    }
    // Another tenant's lodgment is one that never appears.
    if (!s.message) s.version = seen;
    return s;
  };
  watched.is_final = [](const v1::Lodgment& l) { return lodgment::IsFinal(l.state()); };
  // The view is asynchronous: a lodgment just submitted may not be in it yet.
  watched.appear_timeout = options_.appear_timeout;
  watched.not_found = absl::StrCat("lodgment ", id, " not found");
  return rpc::Watch(context, writer, watched);
}

grpc::Status LodgmentServiceImpl::ListRejectedRecords(grpc::ServerContext* context,
                                                      const v1::ListRejectedRecordsRequest* request,
                                                      v1::ListRejectedRecordsResponse* response) {
  absl::StatusOr<access::Caller> caller = Authorize(*context);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  if (!request->lodgment_id().empty() && !Visible(*caller, request->lodgment_id())) {
    return Error(grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("lodgment ", request->lodgment_id(), " not found"));
  }
  if (!request->abn().empty() && !caller->MayActForPayer(request->abn())) {
    return Error(grpc::StatusCode::PERMISSION_DENIED,
                 absl::StrCat("identity '", caller->identity(),
                              "' may not read the records of payer ", request->abn()));
  }
  if (request->page_size() < 0 || request->page_size() > kMaxRejectedPage) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT,
                 absl::StrCat("page_size must be 0 to ", kMaxRejectedPage));
  }
  int64_t from = 0;
  if (!request->page_token().empty() &&
      (!absl::SimpleAtoi(request->page_token(), &from) || from < 0)) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT,
                 absl::StrCat("page_token '", request->page_token(), "' is not one this gave"));
  }
  const int page = request->page_size() == 0 ? kDefaultRejectedPage : request->page_size();
  int64_t at = 0;
  for (v1::RejectedRecord& r : options_.view->Rejected(request->abn(), request->lodgment_id())) {
    if (!caller->MayActForPayer(r.abn())) continue;
    if (at++ < from) continue;
    if (response->records_size() == page) {
      response->set_next_page_token(absl::StrCat(at - 1));
      break;
    }
    *response->add_records() = std::move(r);
  }
  return grpc::Status::OK;
}

grpc::Status LodgmentServiceImpl::ReplayLodgments(grpc::ServerContext* context,
                                                  const v1::ReplayLodgmentsRequest* request,
                                                  v1::ReplayLodgmentsResponse* response) {
  absl::StatusOr<access::Caller> caller =
      AuthorizeOperator(*context, request->dry_run() ? "replay-preview" : "replay", true);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
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
  std::vector<kafka::Output> outputs;
  std::vector<std::string> redriven;
  std::map<std::string, int64_t> changed;  // lodgment -> its version before
  for (const v1::Lodgment& l : lodgments) {
    const std::string& id = l.lodgment_id();
    std::optional<events::LodgmentToSubmit> submission = options_.view->Submission(id);
    const lodgment::ReplayDecision decision =
        lodgment::DecideReplay(l, submission.has_value(), request->as_new_lodgment());
    v1::ReplayOutcome* outcome = response->add_outcomes();
    outcome->set_lodgment_id(id);
    outcome->set_action(decision.action);
    outcome->set_reason(decision.reason);
    switch (decision.action) {
      case v1::ReplayOutcome::RESENT: {
        // The resubmit stage sends this attempt once, however often asked.
        events::ResubmitRequest replay;
        replay.set_lodgment_id(id);
        replay.set_reason(request->as_new_lodgment() ? "replacement" : "replay");
        replay.set_next_attempt(l.attempts() + 1);
        *replay.mutable_not_before() = ToProto(now);
        *replay.mutable_previous() = *std::move(submission);
        outputs.push_back({lodgment::topics::kResubmit, id, replay.SerializeAsString()});
        response->add_lodgment_ids(id);
        // Until the resubmit stage says it is queued again, a second
        // request would see the old state.
        changed[id] = options_.view->Version(id);
        break;
      }
      case v1::ReplayOutcome::POLLING: {
        if (l.state() != v1::ESCALATED) break;  // the poll stage still has it
        // The poll schedule starts again, under the receipted MessageId.
        events::LodgmentReceipted resume;
        resume.set_lodgment_id(id);
        resume.set_message_id(l.receipt().message_id());
        resume.set_receipt_message_id(l.receipt().receipt_message_id());
        *resume.mutable_received_at() = l.receipt().received_at();
        resume.set_employees_sent(l.employees_sent());
        resume.set_attempt(l.attempts());
        *resume.mutable_submission() = *std::move(submission);
        *resume.mutable_polling_resumed_at() = ToProto(now);
        outputs.push_back({lodgment::topics::kSubmitted, id, resume.SerializeAsString()});
        outputs.push_back(lodgment::StatusOutput(lodgment::Change(
            id, v1::AWAITING_RESPONSE, now,
            absl::StrCat("polling resumed by an operator under MessageId ",
                         l.receipt().message_id()))));
        changed[id] = options_.view->Version(id);
        break;
      }
      case v1::ReplayOutcome::REDRIVEN:
        for (const v1::DeadLetterInfo& d : options_.view->DeadLetters(false)) {
          if (d.lodgment_id() != id) continue;
          if (Redrive(d.id(), &outputs).redriven()) redriven.push_back(d.id());
        }
        break;
      default:
        break;
    }
  }
  if (request->dry_run()) {
    response->clear_lodgment_ids();  // none was resent
    return grpc::Status::OK;
  }
  if (outputs.empty()) return grpc::Status::OK;
  if (absl::Status s = options_.publisher->Publish(std::move(outputs)); !s.ok()) {
    return Error(grpc::StatusCode::UNAVAILABLE,
                 absl::StrCat("the replays could not be queued (nothing was): ", s.message()));
  }
  AwaitView(redriven, changed);
  return grpc::Status::OK;
}

grpc::Status LodgmentServiceImpl::ListDeadLetters(grpc::ServerContext* context,
                                                  const v1::ListDeadLettersRequest* request,
                                                  v1::ListDeadLettersResponse* response) {
  absl::StatusOr<access::Caller> caller = AuthorizeOperator(*context, "list dead letters", false);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  for (v1::DeadLetterInfo& d : options_.view->DeadLetters(request->include_redriven())) {
    *response->add_dead_letters() = std::move(d);
  }
  return grpc::Status::OK;
}

grpc::Status LodgmentServiceImpl::RedriveDeadLetters(
    grpc::ServerContext* context, const v1::RedriveDeadLettersRequest* request,
    v1::RedriveDeadLettersResponse* response) {
  absl::StatusOr<access::Caller> caller = AuthorizeOperator(*context, "redrive", true);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  if (request->all() == !request->ids().empty()) {
    return Error(grpc::StatusCode::INVALID_ARGUMENT,
                 "name the dead letters to redrive (ids) or ask for all of them, not both");
  }
  std::vector<std::string> ids(request->ids().begin(), request->ids().end());
  if (request->all()) {
    for (const v1::DeadLetterInfo& d : options_.view->DeadLetters(false)) ids.push_back(d.id());
  }
  std::vector<kafka::Output> outputs;
  std::vector<std::string> redriven;
  for (const std::string& id : ids) {
    v1::RedriveOutcome outcome = Redrive(id, &outputs);
    if (outcome.redriven()) redriven.push_back(id);
    *response->add_outcomes() = std::move(outcome);
  }
  if (outputs.empty()) return grpc::Status::OK;
  if (absl::Status s = options_.publisher->Publish(std::move(outputs)); !s.ok()) {
    return Error(grpc::StatusCode::UNAVAILABLE,
                 absl::StrCat("the dead letters could not be redriven (none was): ", s.message()));
  }
  AwaitView(redriven, {});
  return grpc::Status::OK;
}

v1::RedriveOutcome LodgmentServiceImpl::Redrive(const std::string& id,
                                                std::vector<kafka::Output>* outputs) const {
  v1::RedriveOutcome outcome;
  outcome.set_id(id);
  std::optional<lodgment::StatusView::HeldDeadLetter> held = options_.view->DeadLetter(id);
  if (!held.has_value()) {
    outcome.set_reason("no such dead letter");
    return outcome;
  }
  const v1::DeadLetterInfo& info = held->info;
  if (info.redriven()) {
    outcome.set_reason("already sent back to its stage");
    return outcome;
  }
  if (!info.redrivable()) {
    outcome.set_reason(absl::StrCat("its record was too large to keep in the dead letter: send ",
                                    info.topic(), " partition ", info.partition(), " offset ",
                                    info.offset(), " again by hand"));
    return outcome;
  }
  // The record goes back to its topic under its key (so to its partition,
  // after what its lodgment did since), with the mark that it was redriven.
  outputs->push_back({held->record.topic(), held->record.key(), held->record.value()});
  events::StatusChange mark;
  mark.set_lodgment_id(info.lodgment_id());
  mark.set_redriven_dead_letter(id);
  *mark.mutable_at() = ToProto(options_.clock->Now());
  if (!info.lodgment_id().empty()) {
    mark.set_state(held->resume_state != v1::STATE_UNSPECIFIED ? held->resume_state
                                                               : v1::RECEIVED);
    mark.set_detail(absl::StrCat("dead letter ", id, " sent back to stage ", info.stage()));
  }
  outputs->push_back({lodgment::topics::kStatus,
                      info.lodgment_id().empty() ? id : info.lodgment_id(),
                      mark.SerializeAsString()});
  outcome.set_redriven(true);
  outcome.set_reason(absl::StrCat("sent back to stage ", info.stage(), " on ", info.topic()));
  return outcome;
}

void LodgmentServiceImpl::AwaitView(const std::vector<std::string>& redriven,
                                    const std::map<std::string, int64_t>& changed) const {
  const absl::Time deadline = absl::Now() + options_.appear_timeout;
  for (const auto& [id, version] : changed) options_.view->WaitForChange(id, version, deadline);
  for (const std::string& id : redriven) {
    options_.view->WaitUntil(
        [&] {
          std::optional<lodgment::StatusView::HeldDeadLetter> d = options_.view->DeadLetter(id);
          return !d.has_value() || d->info.redriven();
        },
        deadline);
  }
}

}  // namespace sbrgate::gateway
