#include "pipeline/stp/stages/poll_stage.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/metrics/registry.h"
#include "pipeline/stp/poll_schedule/schedule.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::lodgment {
namespace {

// When a lodgment whose pending entry is unreadable is tried again (its
// error reported again): the schedule's shortest interval.
constexpr absl::Duration kUnreadableRetry = absl::Minutes(1);

constexpr size_t kTimeBytes = 8;
// Flipping the sign bit orders times before 1970 first.
constexpr uint64_t kSignBit = uint64_t{1} << 63;

absl::Time TimeOf(const std::string& schedule_key) {
  uint64_t v = 0;
  for (size_t i = 0; i < kTimeBytes && i < schedule_key.size(); ++i) {
    v = (v << 8) | static_cast<unsigned char>(schedule_key[i]);
  }
  return absl::FromUnixMicros(static_cast<int64_t>(v ^ kSignBit));
}

// Counts a pull sent at `sent` for a poll due at `due`, on /metrics. An
// early one would break the ATO's schedule: that series must stay 0.
void CountPull(absl::Time sent, absl::Time due) {
  static metrics::Family<metrics::Counter>& pulls = []() -> metrics::Family<metrics::Counter>& {
    auto& family = metrics::Registry::Default().AddCounter(
        "sbrgate_polls_total",
        "Pulls sent for business responses, by timing against the lodgment's poll schedule "
        "(early must stay 0).",
        {"timing"});
    family.With({"early"});
    family.With({"on_time"});
    return family;
  }();
  pulls.With({sent >= due ? "on_time" : "early"}).Increment();
}

std::string IdOf(const std::string& schedule_key) {
  return schedule_key.size() < kTimeBytes ? "" : schedule_key.substr(kTimeBytes);
}

// Where the lodgment's poll schedule starts: its receipt, or when an
// operator resumed polling for it after 72 hours without a response.
absl::Time ScheduleStart(const events::LodgmentReceipted& r) {
  return FromProto(r.has_polling_resumed_at() ? r.polling_resumed_at() : r.received_at());
}

}  // namespace

std::string PollStage::ScheduleKey(absl::Time at, const std::string& lodgment_id) {
  int64_t micros = absl::ToUnixMicros(at);
  if (absl::FromUnixMicros(micros) < at) ++micros;
  const uint64_t v = static_cast<uint64_t>(micros) ^ kSignBit;
  std::string key;
  key.reserve(kTimeBytes + lodgment_id.size());
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(v >> shift));
  return key + lodgment_id;
}

absl::Status PollStage::Init(stage::Context& ctx) {
  // Called again after each rebalance: nothing kept refers to the previous
  // assignment.
  unconfirmed_polls_.clear();
  schedule_floor_.clear();
  marked_.clear();
  {
    // Their marks stay: whoever has the lodgment now counts the pull as
    // done, as after a stop during it. Pulls still running stay counted as
    // running, so that no other goes out for their lodgments meanwhile.
    absl::MutexLock lock(&in_flight_->mu);
    in_flight_->answered.clear();
  }
  auto empty = [&](const char* store) {
    bool found = false;
    ctx.store(store).ForEachFrom("", [&](const std::string&, const std::string&) {
      found = true;
      return false;
    });
    return !found;
  };
  if (!empty(kScheduleStore) || empty(kStore)) return absl::OkStatus();
  // Lodgments stored before there was a schedule store: schedule them, once.
  absl::Status status;
  ctx.store(kStore).ForEach([&](const std::string& id, const std::string& value) {
    events::PendingPoll p;
    if (!p.ParseFromString(value)) {
      status = absl::DataLossError(absl::StrCat("pending poll of ", id, " is unreadable"));
      return;
    }
    ctx.store(kScheduleStore).PutBeside(kStore, id, ScheduleKey(FromProto(p.next_poll()), id), "");
  });
  return status;
}

absl::Status PollStage::Process(const stage::Record& input, stage::Context& ctx) {
  events::PendingPoll pending;
  if (!pending.mutable_receipted()->ParseFromString(input.value)) {
    return absl::DataLossError("not a LodgmentReceipted");
  }
  const events::LodgmentReceipted& r = pending.receipted();
  if (std::optional<std::string> known = ctx.store(kStore).Get(r.lodgment_id());
      known && !r.has_polling_resumed_at()) {
    events::PendingPoll before;
    if (before.ParseFromString(*known) && before.receipted().message_id() == r.message_id()) {
      return absl::OkStatus();  // read again: its polls go on as they were
    }
  }
  const poll::PollPlan plan = poll::PollPlan::ForEmployees(r.employees_sent());
  const absl::Time first = *plan.NextPoll(ScheduleStart(r), 0, std::nullopt) + margin_;
  *pending.mutable_next_poll() = ToProto(first);
  // A new receipt of a lodgment still pending replaces it; its earlier
  // schedule key is dropped when it comes due (PollOne).
  Schedule(pending, ctx);
  ctx.Emit(StatusOutput(Change(r.lodgment_id(), v1::AWAITING_RESPONSE, ctx.clock().Now(),
                               absl::StrCat("first poll at ", absl::FormatTime(first)))));
  return absl::OkStatus();
}

absl::Status PollStage::Punctuate(absl::Time now, stage::Context& ctx) {
  ForgetConfirmedPolls(now, ctx);
  std::set<std::string> running;  // pulls sent earlier, still unanswered
  {
    absl::MutexLock lock(&in_flight_->mu);
    running = in_flight_->running;
  }
  std::vector<std::string> due;  // schedule keys, earliest first
  bool first = true;
  ctx.store(kScheduleStore)
      .ForEachFrom(schedule_floor_, [&](const std::string& key, const std::string&) {
        if (first) schedule_floor_ = key;
        first = false;
        if (TimeOf(key) > now) return false;
        const std::string id = IdOf(key);
        if (unconfirmed_polls_.count(id) == 0 && running.count(id) == 0) due.push_back(key);
        return due.size() < kPullsPerPunctuation;
      });
  std::map<std::string, Pulled> pulled = PullMarked(due, ctx);
  absl::Status result = absl::OkStatus();
  for (size_t i = 0; i < due.size(); ++i) {
    absl::Time retry_at;
    absl::Status s = PollOne(due[i], ctx, &retry_at, pulled);
    if (s.ok()) continue;
    // Set aside so that the lodgments behind it go on. Reported when it is
    // the first (nothing of this punctuation then commits); after others,
    // their polls commit and it comes first in the next punctuation.
    if (i == 0) {
      HoldBack(IdOf(due[i]), retry_at);
      result = s;
    }
    break;
  }
  // Answers not recorded here (a failure stopped the loop, or a pull sent
  // earlier came back after its lodgment's turn) wait for the next
  // punctuation; meanwhile their marks count as pulls.
  if (!pulled.empty()) {
    absl::MutexLock lock(&in_flight_->mu);
    for (auto& [id, pull] : pulled) in_flight_->answered.emplace(id, std::move(pull));
  }
  return result;
}

void PollStage::StoreResponse(Pulled& pull) const {
  if (!pull.outcome.ok() || pull.outcome->kind != sbr_client::PullOutcome::Kind::kResponse) {
    return;
  }
  const StoredBytes& response = pull.outcome->response;
  pull.stored = blobs_->Adopt(response, blob::BlobStore::Placement::kInlineIfSmall);
  if (!pull.stored.ok() && !response.in_memory()) std::remove(response.path().c_str());
}

std::map<std::string, PollStage::Pulled> PollStage::PullMarked(const std::vector<std::string>& due,
                                                               stage::Context& ctx) {
  const Clock& clock = ctx.clock();
  std::vector<std::function<void()>> work;
  for (const std::string& key : due) {
    const std::string id = IdOf(key);
    if (marked_.count(id) == 0) continue;
    std::optional<std::string> value = ctx.store(kStore).Get(id);
    events::PendingPoll pending;
    if (!value || !pending.ParseFromString(*value) || !pending.has_pull_started() ||
        pending.has_answered_at() || ScheduleKey(FromProto(pending.next_poll()), id) != key ||
        ctx.clock().Now() > ScheduleStart(pending.receipted()) + poll::kGiveUpAfter) {
      continue;  // PollOne sees to it
    }
    marked_.erase(id);
    {
      absl::MutexLock lock(&in_flight_->mu);
      in_flight_->running.insert(id);
    }
    // It may outlive this punctuation: it holds what it uses.
    work.push_back([this, in_flight = in_flight_, &clock, id,
                    message_id = pending.receipted().message_id(), due_at = TimeOf(key)] {
      Pulled pull;
      pull.message_id = message_id;
      CountPull(clock.Now(), due_at);
      pull.outcome = sbr_->Pull(message_id);
      pull.answered = clock.Now();
      // Stored here, at once with the other pulls' responses, not one after
      // the other when answers are recorded: each waits on three fsyncs.
      StoreResponse(pull);
      absl::MutexLock lock(&in_flight->mu);
      in_flight->running.erase(id);
      in_flight->answered[id] = std::move(pull);
    });
  }
  ctx.RunConcurrently(std::move(work), kPullWait);
  std::map<std::string, Pulled> pulled;  // by lodgment id
  absl::MutexLock lock(&in_flight_->mu);
  pulled.swap(in_flight_->answered);
  return pulled;
}

bool PollStage::PullRunning(const std::string& id) const {
  absl::MutexLock lock(&in_flight_->mu);
  return in_flight_->running.count(id) > 0;
}

void PollStage::ForgetConfirmedPolls(absl::Time now, stage::Context& ctx) {
  for (auto it = unconfirmed_polls_.begin(); it != unconfirmed_polls_.end();) {
    bool confirmed = it->second <= now;
    if (!confirmed) {
      std::optional<std::string> value = ctx.store(kStore).Get(it->first);
      events::PendingPoll p;
      confirmed = !value || (p.ParseFromString(*value) && FromProto(p.next_poll()) >= it->second);
    }
    it = confirmed ? unconfirmed_polls_.erase(it) : std::next(it);
  }
}

absl::Status PollStage::PollOne(const std::string& schedule_key, stage::Context& ctx,
                                absl::Time* retry_at, std::map<std::string, Pulled>& pulled) {
  const std::string id = IdOf(schedule_key);
  std::optional<std::string> value = ctx.store(kStore).Get(id);
  events::PendingPoll pending;
  if (value && !pending.ParseFromString(*value)) {
    *retry_at = ctx.clock().Now() + kUnreadableRetry;
    return absl::DataLossError(absl::StrCat("pending poll of ", id, " is unreadable"));
  }
  if (!value || ScheduleKey(FromProto(pending.next_poll()), id) != schedule_key) {
    // Left by an earlier receipt of the lodgment: the pending entry says
    // when it is polled.
    ctx.store(kScheduleStore).Delete(schedule_key);
    return absl::OkStatus();
  }
  const events::LodgmentReceipted& r = pending.receipted();
  const absl::Time start = ScheduleStart(r);
  if (pending.has_answered_at()) {
    Forget(pending, ctx);  // 72 hours on: no repeat of its receipt can come now
    return absl::OkStatus();
  }
  if (ctx.clock().Now() > start + poll::kGiveUpAfter) {
    Forget(pending, ctx);
    ctx.Emit(StatusOutput(Change(id, v1::ESCALATED, ctx.clock().Now(),
                                 "no response 72 hours after the receipt: contact the ATO")));
    return absl::OkStatus();
  }
  auto prefetched = pulled.find(id);
  if (prefetched != pulled.end() && prefetched->second.message_id != r.message_id()) {
    // The answer of a pull for the message a new receipt replaced while
    // the pull ran: the message pending now has a schedule of its own.
    pulled.erase(prefetched);
    prefetched = pulled.end();
  }
  if (prefetched == pulled.end() && PullRunning(id)) {
    // Sent and not answered within kPullWait: recorded by the first
    // punctuation after its answer. Its schedule key stays due.
    return absl::OkStatus();
  }
  if (pending.has_pull_started() && marked_.count(id) == 0 && prefetched == pulled.end()) {
    // Left by a process that stopped during the pull: it counts as a poll
    // now, after that process ended, so the next one cannot come early.
    return Reschedule(pending, ctx.clock().Now(), "no answer recorded: stopped during the pull",
                      ctx);
  }
  if (!pending.has_pull_started()) {
    // Sent at the next punctuation, once the mark is committed (the
    // schedule key stays due).
    *pending.mutable_pull_started() = ToProto(ctx.clock().Now());
    ctx.store(kStore).Put(id, pending.SerializeAsString());
    marked_.insert(id);
    return absl::OkStatus();
  }
  marked_.erase(id);
  Pulled this_pull;
  if (prefetched != pulled.end()) {
    this_pull = std::move(prefetched->second);
    pulled.erase(prefetched);
  } else {
    CountPull(ctx.clock().Now(), TimeOf(schedule_key));
    this_pull.outcome = sbr_->Pull(r.message_id());
    this_pull.answered = ctx.clock().Now();
    StoreResponse(this_pull);
  }
  const absl::StatusOr<sbr_client::PullOutcome>& outcome = this_pull.outcome;
  const absl::Time answered = this_pull.answered;
  if (!outcome.ok()) {
    return Reschedule(pending, answered, std::string(outcome.status().message()), ctx);
  }
  if (outcome->kind == sbr_client::PullOutcome::Kind::kNothingYet) {
    return Reschedule(pending, answered, "nothing-yet", ctx);
  }
  if (outcome->kind == sbr_client::PullOutcome::Kind::kError) {
    return Reschedule(pending, answered,
                      outcome->errors.empty() ? "error"
                                              : absl::StrCat(outcome->errors[0].error_code, " ",
                                                             outcome->errors[0].description),
                      ctx);
  }
  // The response, kept in the blob store, goes to triage. Had storing it
  // failed, the next pull waits as if this one had found nothing.
  *retry_at = NextPoll(pending, answered).value_or(start + poll::kGiveUpAfter);
  if (!this_pull.stored.ok()) return this_pull.stored.status();
  events::ResponseReady ready;
  ready.set_lodgment_id(id);
  ready.set_message_id(r.message_id());
  *ready.mutable_response() = blob::ToRef(*this_pull.stored);
  ready.set_attempt(r.attempt());
  *ready.mutable_submission() = r.submission();
  ctx.Emit({topics::kResponses, id, ready.SerializeAsString()});
  events::StatusChange change = Change(id, v1::AWAITING_RESPONSE, answered, "response received");
  change.mutable_poll()->set_result("response");
  *change.mutable_poll()->mutable_at() = ToProto(answered);
  ctx.Emit(StatusOutput(change));
  HoldBack(id, *retry_at);
  // Remembered as answered until 72 hours after the receipt.
  Unschedule(pending, ctx);
  pending.clear_pull_started();
  *pending.mutable_answered_at() = ToProto(answered);
  *pending.mutable_next_poll() = ToProto(std::max(start + poll::kGiveUpAfter, answered));
  Schedule(pending, ctx);
  return absl::OkStatus();
}

absl::Status PollStage::Reschedule(events::PendingPoll& pending, absl::Time polled_at,
                                   const std::string& result, stage::Context& ctx) {
  const events::LodgmentReceipted& r = pending.receipted();
  const std::string& id = r.lodgment_id();
  const std::optional<absl::Time> next = NextPoll(pending, polled_at);
  HoldBack(id, next.value_or(ScheduleStart(r) + poll::kGiveUpAfter));
  if (!next) {
    Forget(pending, ctx);
  } else {
    // The pending entry is rewritten, not deleted: on Kafka it keeps its
    // partition, and its schedule entry goes beside it.
    Unschedule(pending, ctx);
  }
  pending.set_polls_done(pending.polls_done() + 1);
  *pending.mutable_last_poll() = ToProto(polled_at);
  pending.clear_pull_started();
  events::StatusChange change = Change(id, v1::AWAITING_RESPONSE, polled_at, "");
  change.mutable_poll()->set_result(result);
  *change.mutable_poll()->mutable_at() = ToProto(polled_at);
  if (!next) {
    change.set_state(v1::ESCALATED);
    change.set_detail("no response 72 hours after the receipt: contact the ATO");
    ctx.Emit(StatusOutput(change));
    return absl::OkStatus();
  }
  *pending.mutable_next_poll() = ToProto(*next);
  change.set_detail(absl::StrCat("poll ", pending.polls_done(), ": ", result, "; next at ",
                                 absl::FormatTime(*next)));
  Schedule(pending, ctx);
  ctx.Emit(StatusOutput(change));
  return absl::OkStatus();
}

std::optional<absl::Time> PollStage::NextPoll(const events::PendingPoll& pending,
                                              absl::Time answered) const {
  const events::LodgmentReceipted& r = pending.receipted();
  const poll::PollPlan plan = poll::PollPlan::ForEmployees(r.employees_sent());
  std::optional<absl::Time> next =
      plan.NextPoll(ScheduleStart(r), pending.polls_done() + 1, answered);
  if (!next) return std::nullopt;
  return *next + margin_;
}

void PollStage::Schedule(const events::PendingPoll& pending, stage::Context& ctx) {
  const std::string& id = pending.receipted().lodgment_id();
  ctx.store(kStore).Put(id, pending.SerializeAsString());
  const std::string key = ScheduleKey(FromProto(pending.next_poll()), id);
  // Beside its pending entry, so that both move with the lodgment's partition.
  ctx.store(kScheduleStore).PutBeside(kStore, id, key, "");
  if (key < schedule_floor_) schedule_floor_ = key;
}

void PollStage::Unschedule(const events::PendingPoll& pending, stage::Context& ctx) {
  const std::string& id = pending.receipted().lodgment_id();
  ctx.store(kScheduleStore).Delete(ScheduleKey(FromProto(pending.next_poll()), id));
}

void PollStage::Forget(const events::PendingPoll& pending, stage::Context& ctx) {
  ctx.store(kStore).Delete(pending.receipted().lodgment_id());
  Unschedule(pending, ctx);
}

void PollStage::HoldBack(const std::string& id, absl::Time until) {
  unconfirmed_polls_[id] = until;
}

}  // namespace sbrgate::lodgment
