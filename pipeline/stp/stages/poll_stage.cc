#include "pipeline/stp/stages/poll_stage.h"

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/topology/topology.h"
#include "pipeline/stp/poll_schedule/schedule.h"

namespace sbrgate::lodgment {
namespace {

// Polls done per punctuation: keeps each transaction small.
constexpr size_t kPollsPerPunctuation = 32;

// Where the lodgment's poll schedule starts: its receipt, or when an
// operator resumed polling for it after 72 hours without a response.
absl::Time ScheduleStart(const events::LodgmentReceipted& r) {
  return FromProto(r.has_polling_resumed_at() ? r.polling_resumed_at() : r.received_at());
}

}  // namespace

absl::Status PollStage::Init(stage::Context& ctx) {
  // Called again after each rebalance: the store then holds the new
  // assignment's entries, and the timer must hold exactly those.
  timer_ = PollTimer();
  marked_.clear();
  absl::Status status;
  ctx.store(kStore).ForEach([&](const std::string& id, const std::string& value) {
    events::PendingPoll p;
    if (!p.ParseFromString(value)) {
      status = absl::DataLossError(absl::StrCat("pending poll of ", id, " is unreadable"));
      return;
    }
    timer_.Schedule(id, FromProto(p.next_poll()));
  });
  return status;
}

absl::Status PollStage::Process(const stage::Record& input, stage::Context& ctx) {
  events::PendingPoll pending;
  if (!pending.mutable_receipted()->ParseFromString(input.value)) {
    return absl::DataLossError("not a LodgmentReceipted");
  }
  const events::LodgmentReceipted& r = pending.receipted();
  const poll::PollPlan plan = poll::PollPlan::ForEmployees(r.employees_sent());
  const absl::Time first = *plan.NextPoll(ScheduleStart(r), 0, std::nullopt) + margin_;
  *pending.mutable_next_poll() = ToProto(first);
  ctx.store(kStore).Put(r.lodgment_id(), pending.SerializeAsString());
  timer_.Schedule(r.lodgment_id(), first);
  ctx.Emit(StatusOutput(Change(r.lodgment_id(), v1::AWAITING_RESPONSE, ctx.clock().Now(),
                               absl::StrCat("first poll at ", absl::FormatTime(first)))));
  return absl::OkStatus();
}

absl::Status PollStage::Punctuate(absl::Time now, stage::Context& ctx) {
  for (const std::string& id : timer_.TakeDue(now, kPollsPerPunctuation)) {
    if (absl::Status s = PollOne(id, ctx); !s.ok()) {
      // Keep the lodgment: put it back and let the runner report the error.
      std::optional<std::string> value = ctx.store(kStore).Get(id);
      events::PendingPoll p;
      if (value && p.ParseFromString(*value)) timer_.Schedule(id, FromProto(p.next_poll()));
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status PollStage::PollOne(const std::string& id, stage::Context& ctx) {
  std::optional<std::string> value = ctx.store(kStore).Get(id);
  if (!value) return absl::OkStatus();  // answered meanwhile
  events::PendingPoll pending;
  if (!pending.ParseFromString(*value)) {
    return absl::DataLossError(absl::StrCat("pending poll of ", id, " is unreadable"));
  }
  const events::LodgmentReceipted& r = pending.receipted();
  if (ctx.clock().Now() > ScheduleStart(r) + poll::kGiveUpAfter) {
    ctx.store(kStore).Delete(id);
    ctx.Emit(StatusOutput(Change(id, v1::ESCALATED, ctx.clock().Now(),
                                 "no response 72 hours after the receipt: contact the ATO")));
    return absl::OkStatus();
  }
  if (pending.has_pull_started() && marked_.count(id) == 0) {
    // Left by a process that stopped during the pull: it counts as a poll
    // now, after that process ended, so the next one cannot come early.
    return Reschedule(pending, ctx.clock().Now(), "no answer recorded: stopped during the pull",
                      ctx);
  }
  if (!pending.has_pull_started()) {
    const absl::Time now = ctx.clock().Now();
    *pending.mutable_pull_started() = ToProto(now);
    ctx.store(kStore).Put(id, pending.SerializeAsString());
    marked_.insert(id);
    timer_.Schedule(id, now);  // sent at the next punctuation, once the mark is committed
    return absl::OkStatus();
  }
  marked_.erase(id);
  absl::StatusOr<sbr_client::PullOutcome> pulled = sbr_->Pull(r.message_id());
  const absl::Time answered = ctx.clock().Now();
  if (!pulled.ok()) {
    return Reschedule(pending, answered, std::string(pulled.status().message()), ctx);
  }
  if (pulled->kind == sbr_client::PullOutcome::Kind::kNothingYet) {
    return Reschedule(pending, answered, "nothing-yet", ctx);
  }
  if (pulled->kind == sbr_client::PullOutcome::Kind::kError) {
    return Reschedule(pending, answered,
                      pulled->errors.empty() ? "error"
                                             : absl::StrCat(pulled->errors[0].error_code, " ",
                                                            pulled->errors[0].description),
                      ctx);
  }
  // The response: keep it in the blob store, hand it to triage.
  absl::StatusOr<blob::BlobId> stored;
  {
    auto source = FileSource::Open(pulled->response_path);
    if (!source.ok()) return source.status();
    auto writer = blobs_->NewWriter();
    if (!writer.ok()) return writer.status();
    if (auto n = Pump(**source, **writer); !n.ok()) return n.status();
    stored = (*writer)->Commit();
  }
  std::remove(pulled->response_path.c_str());
  if (!stored.ok()) return stored.status();
  events::ResponseReady ready;
  ready.set_lodgment_id(id);
  ready.set_message_id(r.message_id());
  *ready.mutable_response() = ToRef(*stored);
  ready.set_attempt(r.attempt());
  *ready.mutable_submission() = r.submission();
  ctx.Emit({topics::kResponses, id, ready.SerializeAsString()});
  events::StatusChange change = Change(id, v1::AWAITING_RESPONSE, answered, "response received");
  change.mutable_poll()->set_result("response");
  *change.mutable_poll()->mutable_at() = ToProto(answered);
  ctx.Emit(StatusOutput(change));
  ctx.store(kStore).Delete(id);
  return absl::OkStatus();
}

absl::Status PollStage::Reschedule(events::PendingPoll& pending, absl::Time polled_at,
                                   const std::string& result, stage::Context& ctx) {
  const events::LodgmentReceipted& r = pending.receipted();
  const std::string& id = r.lodgment_id();
  pending.set_polls_done(pending.polls_done() + 1);
  *pending.mutable_last_poll() = ToProto(polled_at);
  pending.clear_pull_started();
  const poll::PollPlan plan = poll::PollPlan::ForEmployees(r.employees_sent());
  std::optional<absl::Time> next = plan.NextPoll(ScheduleStart(r), pending.polls_done(), polled_at);
  events::StatusChange change = Change(id, v1::AWAITING_RESPONSE, polled_at, "");
  change.mutable_poll()->set_result(result);
  *change.mutable_poll()->mutable_at() = ToProto(polled_at);
  if (!next) {
    ctx.store(kStore).Delete(id);
    change.set_state(v1::ESCALATED);
    change.set_detail("no response 72 hours after the receipt: contact the ATO");
    ctx.Emit(StatusOutput(change));
    return absl::OkStatus();
  }
  const absl::Time at = *next + margin_;
  *pending.mutable_next_poll() = ToProto(at);
  change.set_detail(absl::StrCat("poll ", pending.polls_done(), ": ", result, "; next at ",
                                 absl::FormatTime(at)));
  ctx.store(kStore).Put(id, pending.SerializeAsString());
  timer_.Schedule(id, at);
  ctx.Emit(StatusOutput(change));
  return absl::OkStatus();
}

}  // namespace sbrgate::lodgment
