#include "pipeline/platform/stage/local_runner.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "pipeline/platform/common/transient.h"
#include "pipeline/platform/kafka/limits.h"
#include "pipeline/platform/stage/dead_letter.h"
#include "pipeline/platform/stage/in_flight_window.h"
#include "pipeline/platform/stage/local_stores.h"
#include "pipeline/platform/stage/partition_progress.h"
#include "pipeline/platform/stage/runner_context.h"
#include "pipeline/platform/stage/runner_probe.h"
#include "pipeline/platform/stage/worker_pool.h"

namespace sbrgate::stage {

std::string LocalStoreName(const std::string& app, const std::string& spec,
                           const std::string& store) {
  return absl::StrCat(app, ".", spec, ".", store);
}

namespace {

using log::TopicPartition;

// While records are in process and the window has room, how often the log
// is looked at for more (a finished record wakes the runner sooner).
constexpr absl::Duration kWindowLookEvery = absl::Milliseconds(5);

// The LocalStageRunner.
class LocalRunner final : public StageRunner {
 public:
  LocalRunner(RunnerOptions options, StageSpec spec, Stage* stage, Clock* clock,
              log::LocalLog* log);
  absl::Status Check();
  absl::Status Run() override;
  void Stop() override { stop_ = true; }
  RunnerMetrics metrics() const override { return probe_.snapshot(); }

 private:
  struct Hold {
    kafka::Record record;
    int attempts = 0;
    absl::Time retry_at;
  };
  // What the next commit writes.
  struct Batch {
    std::vector<Output> outputs;
    std::set<TopicPartition> advanced;  // partitions whose progress commits
    int64_t records = 0;
    int64_t dead_letters = 0;
    absl::Time opened = absl::InfiniteFuture();  // no clock running
  };

  absl::Status Start();
  // Init until its outputs commit.
  absl::Status InitStage();
  void Step();
  std::optional<kafka::Record> NextRecord();
  void ProcessRecord(kafka::Record record);
  // For a stage whose Process may run concurrently: records read into the
  // window while it has room (up to max_in_flight), and those finished, in
  // the order they finish, into the batch; false when neither happened.
  bool ProcessInWindow();
  // The window's finished records into the batch; false when none was.
  bool ApplyFinished();
  // At the end of a run: waits for the records in process, and takes into
  // the batch those finished (the others are read again next run).
  void SettleWindow();
  using Finished = InFlightWindow<kafka::Record>::Finished;
  bool ApplyOutcome(Finished& f) {
    return Apply(std::move(f.item), std::move(f.status), std::move(f.emits));
  }
  // Before the records not yet processed.
  void ReadAgain(std::vector<kafka::Record> records);
  // What processing `record` came to, into the batch: its outputs, a dead
  // letter, or the hold (then false).
  bool Apply(kafka::Record record, absl::Status s, std::vector<Output> emits);
  void MaybePunctuate(absl::Time now);
  // One Punctuate of the stage, committed.
  void Punctuate();
  void Notify(Output output);
  bool BatchOpen() const {
    return !batch_.outputs.empty() || !batch_.advanced.empty() || stores_.changed();
  }
  // Starts the batch's clock unless it runs already (not BatchOpen(): a
  // record's store changes come before its OpenBatch).
  void OpenBatch() {
    if (batch_.opened == absl::InfiniteFuture()) batch_.opened = Now();
  }
  // Commits the open batch; false when it failed (then undone, and its
  // records are read again after a backoff).
  bool CommitBatch();
  void CheckCaughtUp();
  // Waits for `d` of real time or for Stop().
  void Pause(absl::Duration d);
  // The error of the record just processed, if the runner must see one.
  absl::Status Problem(absl::Status s);
  // Before each Init, Process or Punctuate.
  void ResetContext() {
    ctx_->Reset();
    storage_error_ = absl::OkStatus();
  }
  void Fail(absl::Status status);
  bool failed() const { return failure_.failed(); }
  absl::Status fatal() const { return failure_.status(); }
  static absl::Time Now() { return absl::Now(); }

  const RunnerOptions options_;
  const StageSpec spec_;
  Stage* const stage_;
  Clock* const clock_;
  log::LocalLog* const log_;
  const std::string name_;
  const std::string group_id_;
  const absl::Duration punctuate_interval_;
  const absl::Duration batch_delay_;  // the runner's max_batch_delay, or the stage's if shorter

  RunnerProbe probe_;
  WorkerPool workers_{options_.max_in_flight, name_ + "-w"};
  InFlightWindow<kafka::Record> window_{*stage_, *clock_, workers_,
                                        [this](Output o) { Notify(std::move(o)); },
                                        [](const kafka::Record& r) -> const Record& { return r; }};
  std::string violation_;  // why the current Process/Punctuate/Init must fail
  absl::Status storage_error_;
  LocalStores stores_{log_, &violation_, &storage_error_};
  std::unique_ptr<RunnerContext> ctx_;
  Batch batch_;

  std::vector<TopicPartition> partitions_;  // every input partition
  // Each one's lag, in the same order: updated in place, as it is reported
  // after every commit and every idle wait.
  std::vector<PartitionLag> lag_;
  std::map<TopicPartition, PartitionProgress> committed_;  // as committed
  std::map<TopicPartition, PartitionProgress> progress_;   // with the records since
  std::map<TopicPartition, int64_t> read_next_;            // next offset to read
  std::map<TopicPartition, int64_t> catch_up_to_;
  std::deque<kafka::Record> pending_;  // read, not yet processed
  std::optional<Hold> hold_;
  absl::Time paused_until_ = absl::InfinitePast();
  absl::Time next_punctuate_ = absl::InfiniteFuture();
  int failed_commits_ = 0;  // in a row
  bool ran_ = false;
  std::atomic<bool> stop_{false};
  RunnerFailure failure_;  // Fail may be called from the workers (Notify)
};

LocalRunner::LocalRunner(RunnerOptions options, StageSpec spec, Stage* stage, Clock* clock,
                         log::LocalLog* log)
    : options_(std::move(options)),
      spec_(std::move(spec)),
      stage_(stage),
      clock_(clock),
      log_(log),
      name_(stage->name()),
      group_id_(GroupId(options_.app, name_)),
      punctuate_interval_(stage->punctuate_interval()),
      batch_delay_(std::min(options_.max_batch_delay, stage->max_batch_delay())),
      ctx_(std::make_unique<RunnerContext>(
          [this](Output o) { Notify(std::move(o)); },
          [this](const std::string& name) -> StateStore& { return stores_.store(name); }, clock,
          &violation_, &workers_)) {}

absl::Status LocalRunner::Check() {
  const std::string where = absl::StrCat("stage ", name_, ": ");
  if (absl::Status s = CheckRunnerOptions(name_, options_); !s.ok()) return s;
  if (!spec_.RunsAs(name_)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "it does not run the spec of stage ", spec_.name));
  }
  if (spec_.inputs.empty()) return absl::InvalidArgumentError(where + "no input topics");
  if (stage_->ProcessesConcurrently() && !spec_.stores.empty()) {
    return absl::InvalidArgumentError(
        where + "a stage with state stores cannot process records concurrently");
  }
  std::map<std::string, int> topics;
  for (const log::LogTopic& t : log_->topics()) topics[t.name] = t.partitions;
  std::vector<std::string> known;
  for (const auto& [name, partitions] : topics) known.push_back(name);
  auto missing = [&](const std::string& what, const std::string& topic) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, what, " ", topic,
                     " is not in the local log (it has: ", absl::StrJoin(known, ", "), ")"));
  };
  for (const std::string& topic : spec_.inputs) {
    auto it = topics.find(topic);
    if (it == topics.end()) return missing("input topic", topic);
    for (int p = 0; p < it->second; ++p) {
      partitions_.push_back({topic, p});
      lag_.push_back({topic, p});
    }
  }
  if (topics.count(options_.dead_letter_topic) == 0) {
    return missing("dead-letter topic", options_.dead_letter_topic);
  }
  std::set<std::string> stores;
  for (const std::string& store : spec_.stores) {
    if (store.empty() || !stores.insert(store).second) {
      return absl::InvalidArgumentError(where + "store names must be unique and non-empty");
    }
    stores_.Add(store, LocalStoreName(options_.app, spec_.name, store));
  }
  return absl::OkStatus();
}

absl::Status LocalRunner::Start() {
  for (const TopicPartition& tp : partitions_) {
    absl::StatusOr<log::OffsetAndMetadata> committed = log_->Committed(group_id_, tp);
    if (!committed.ok()) return committed.status();
    absl::StatusOr<PartitionProgress> progress =
        PartitionProgress::Decode(committed->offset, committed->metadata);
    if (!progress.ok()) {
      return absl::DataLossError(absl::StrCat("stage ", name_, ": group ", group_id_, " in ",
                                              tp.topic, "/", tp.partition, ": ",
                                              progress.status().message()));
    }
    const log::PartitionInfo info = log_->Partition(tp);
    if (committed->offset < info.low) {
      return absl::DataLossError(absl::StrCat("stage ", name_, ": records were lost: ", tp.topic,
                                              "/", tp.partition, " starts at ", info.low,
                                              " but group ", group_id_, " is at ",
                                              committed->offset,
                                              " (the stage stops rather than skip them)"));
    }
    committed_[tp] = *progress;
    progress_[tp] = *progress;
    read_next_[tp] = committed->offset;
    if (info.high > committed->offset) catch_up_to_[tp] = info.high;
  }
  probe_.Assigned(static_cast<int>(partitions_.size()));
  return InitStage();
}

absl::Status LocalRunner::InitStage() {
  for (int attempt = 1; !stop_; ++attempt) {
    ResetContext();
    absl::Status s = Problem(stage_->Init(*ctx_));
    if (!s.ok() && !IsTransient(s)) {
      return absl::Status(s.code(), absl::StrCat("stage ", name_, ": Init: ", s.message()));
    }
    if (s.ok()) {
      OpenBatch();
      for (Output& o : ctx_->TakeEmits()) batch_.outputs.push_back(std::move(o));
      if (CommitBatch()) return absl::OkStatus();
      if (failed()) return fatal();
    } else {
      stores_.Undo(0);
      probe_.Note(s);
    }
    Pause(RetryBackoff(options_, attempt));
  }
  return absl::OkStatus();
}

absl::Status LocalRunner::Run() {
  if (ran_) return absl::FailedPreconditionError("StageRunner::Run called twice");
  ran_ = true;
  if (absl::Status s = Start(); !s.ok()) {
    Fail(s);
    return fatal();
  }
  next_punctuate_ = Now() + punctuate_interval_;
  while (!stop_ && !failed()) Step();
  // What was processed is committed.
  if (!failed()) {
    SettleWindow();
    CommitBatch();
  }
  return fatal();
}

void LocalRunner::Step() {
  const absl::Time now = Now();
  MaybePunctuate(now);
  if (stop_ || failed()) return;
  if (hold_) {
    if (now < hold_->retry_at) {
      Pause(std::min(absl::Milliseconds(100), hold_->retry_at - now));
      return;
    }
    kafka::Record record = hold_->record;
    ProcessRecord(std::move(record));
    return;
  }
  if (now < paused_until_) {
    Pause(std::min(absl::Milliseconds(100), paused_until_ - now));
    return;
  }
  // Read before waiting, so that an append in between wakes the wait.
  const uint64_t seen = log_->Appended(spec_.inputs);
  const uint64_t finishes = window_.finishes();
  std::optional<kafka::Record> record;
  const bool processed =
      stage_->ProcessesConcurrently() ? ProcessInWindow() : (record = NextRecord()).has_value();
  if (!processed) {
    if (failed()) return;
    // Nothing more to read right now: the batch commits once it has lingered.
    const absl::Time commit_at = batch_.opened == absl::InfiniteFuture()
                                     ? now
                                     : batch_.opened + std::min(options_.linger, batch_delay_);
    absl::Duration wait = absl::Milliseconds(100);
    if (BatchOpen() && Now() < commit_at) {
      wait = std::min(wait, commit_at - Now());
    } else {
      CommitBatch();
      CheckCaughtUp();
    }
    if (punctuate_interval_ > absl::ZeroDuration()) wait = std::min(wait, next_punctuate_ - now);
    if (wait <= absl::ZeroDuration()) return;
    if (window_.size() == 0) {
      log_->WaitForAppend(spec_.inputs, seen, Now() + wait);
    } else if (!window_.HasRoom(workers_.size())) {
      window_.WaitForFinish(finishes, Now() + wait);
    } else {
      // Records in process and room for more: new records are looked for
      // every few milliseconds meanwhile.
      window_.WaitForFinish(finishes, Now() + std::min(wait, kWindowLookEvery));
    }
    return;
  }
  if (record) ProcessRecord(*std::move(record));
  if (BatchOpen() &&
      (batch_.records >= options_.max_batch || Now() - batch_.opened >= batch_delay_)) {
    CommitBatch();
  }
}

std::optional<kafka::Record> LocalRunner::NextRecord() {
  if (pending_.empty()) {
    // A share of a batch from each partition, so that none waits behind
    // another's backlog.
    const int share = std::max(1, options_.max_batch / static_cast<int>(partitions_.size()));
    for (const TopicPartition& tp : partitions_) {
      int64_t& next = read_next_[tp];
      absl::StatusOr<std::vector<log::LogRecord>> records = log_->Read(tp, next, share);
      if (absl::IsOutOfRange(records.status())) {
        Fail(absl::DataLossError(absl::StrCat("stage ", name_,
                                              ": records were lost: ", records.status().message(),
                                              " (the stage stops rather than skip them)")));
        return std::nullopt;
      }
      if (!records.ok()) {
        probe_.Note(records.status());
        continue;
      }
      for (log::LogRecord& r : *records) {
        next = r.offset + 1;
        // Done after a record still in process, before the last commit.
        if (progress_[tp].Done(r.offset)) continue;
        kafka::Record record;
        record.topic = std::move(r.topic);
        record.partition = r.partition;
        record.offset = r.offset;
        record.key = std::move(r.key);
        record.value = std::move(r.value);
        record.timestamp = r.timestamp;
        record.headers = std::move(r.headers);
        pending_.push_back(std::move(record));
      }
    }
  }
  if (pending_.empty()) return std::nullopt;
  kafka::Record record = std::move(pending_.front());
  pending_.pop_front();
  return record;
}

absl::Status LocalRunner::Problem(absl::Status s) {
  if (!storage_error_.ok()) return storage_error_;
  if (s.ok() && !violation_.empty()) return absl::InvalidArgumentError(violation_);
  return s;
}

void LocalRunner::ProcessRecord(kafka::Record record) {
  progress_[{record.topic, record.partition}].Started(record.offset);
  const size_t mark = stores_.mark();
  ResetContext();
  absl::Status s = Problem(stage_->Process(record, *ctx_));
  if (!s.ok()) stores_.Undo(mark);
  Apply(std::move(record), std::move(s), ctx_->TakeEmits());
}

bool LocalRunner::ProcessInWindow() {
  bool progressed = false;
  while (window_.HasRoom(workers_.size()) && !AnyFarAhead(progress_)) {
    std::optional<kafka::Record> record = NextRecord();
    if (!record) break;
    progress_[{record->topic, record->partition}].Started(record->offset);
    window_.Add(*std::move(record));
    progressed = true;
  }
  return ApplyFinished() || progressed;
}

bool LocalRunner::ApplyFinished() {
  return window_.TakeFinished(
      [this](Finished& f) { return ApplyOutcome(f); },
      [this](std::vector<kafka::Record> again) { ReadAgain(std::move(again)); });
}

void LocalRunner::SettleWindow() {
  window_.Settle([this](Finished& f) { return ApplyOutcome(f); },
                 [this](std::vector<kafka::Record> again) { ReadAgain(std::move(again)); },
                 [this] { return !hold_ && !failed(); });
}

void LocalRunner::ReadAgain(std::vector<kafka::Record> records) {
  for (auto it = records.rbegin(); it != records.rend(); ++it) pending_.push_front(std::move(*it));
}

bool LocalRunner::Apply(kafka::Record record, absl::Status s, std::vector<Output> emits) {
  const TopicPartition tp{record.topic, record.partition};
  if (s.ok()) {
    OpenBatch();
    for (Output& o : emits) batch_.outputs.push_back(std::move(o));
    progress_[tp].Finished(record.offset);
    batch_.advanced.insert(tp);
    ++batch_.records;
    if (hold_) {
      hold_.reset();
      probe_.Holding(false);
    }
    return true;
  }
  probe_.Note(s);
  const int attempts = hold_ ? hold_->attempts + 1 : 1;
  if (IsTransient(s)) {
    probe_.Retried(name_, record, s, attempts);
    hold_ = Hold{std::move(record), attempts, Now() + RetryBackoff(options_, attempts)};
    probe_.Holding(true);
    // The records before it need not wait for it.
    CommitBatch();
    return false;
  }
  probe_.DeadLettered(name_, record, s, attempts);
  OpenBatch();
  batch_.outputs.push_back(
      DeadLetterRecord(options_.dead_letter_topic, name_, record, s, attempts, clock_->Now()));
  progress_[tp].Finished(record.offset);
  batch_.advanced.insert(tp);
  ++batch_.records;
  ++batch_.dead_letters;
  if (hold_) {
    hold_.reset();
    probe_.Holding(false);
  }
  return true;
}

void LocalRunner::MaybePunctuate(absl::Time now) {
  if (punctuate_interval_ <= absl::ZeroDuration() || now < next_punctuate_) return;
  Punctuate();
  // The next one an interval after this one ends, however long it took:
  // records are read in between.
  next_punctuate_ = Now() + punctuate_interval_;
}

void LocalRunner::Punctuate() {
  // One commit with the records read since the last one, as on Kafka.
  const size_t mark = stores_.mark();
  ResetContext();
  absl::Status s = Problem(stage_->Punctuate(clock_->Now(), *ctx_));
  if (!s.ok()) {
    stores_.Undo(mark);
    probe_.Note(absl::Status(s.code(), absl::StrCat("Punctuate: ", s.message())));
    return;
  }
  OpenBatch();
  for (Output& o : ctx_->TakeEmits()) batch_.outputs.push_back(std::move(o));
  if (CommitBatch()) probe_.Punctuated();
}

void LocalRunner::Notify(Output output) {
  log::LogTransaction tx;
  tx.Append({output.topic, output.key, output.value, output.headers});
  // Never dropped: what a notification says (a hold, a refusal) must show.
  for (int attempt = 1; !stop_; ++attempt) {
    absl::Status s = log_->Commit(tx);
    if (s.ok()) {
      probe_.Notified();
      return;
    }
    probe_.Note(s);
    if (!absl::IsUnavailable(s)) {
      Fail(s);
      return;
    }
    Pause(RetryBackoff(options_, attempt));
  }
}

bool LocalRunner::CommitBatch() {
  if (!BatchOpen()) return true;
  log::LogTransaction tx;
  for (Output& o : batch_.outputs) {
    tx.Append({std::move(o.topic), std::move(o.key), std::move(o.value), std::move(o.headers)});
  }
  stores_.AddTo(&tx);
  for (const TopicPartition& tp : batch_.advanced) {
    const PartitionProgress& p = progress_[tp];
    tx.CommitOffset(group_id_, tp, p.next(), p.Metadata());
  }
  absl::Status s = stage_->Flush();
  if (s.ok()) s = log_->Commit(tx);
  if (s.ok()) {
    for (const TopicPartition& tp : batch_.advanced) committed_[tp] = progress_[tp];
    stores_.Committed();
    probe_.Committed(batch_.records, batch_.dead_letters);
    // Also under steady traffic, when the runner is never idle.
    CheckCaughtUp();
    batch_ = Batch();
    failed_commits_ = 0;
    return true;
  }
  probe_.Note(s);
  probe_.Aborted();
  stores_.Undo(0);
  batch_ = Batch();
  if (!absl::IsUnavailable(s)) {
    Fail(absl::Status(s.code(), absl::StrCat("stage ", name_, ": commit: ", s.message())));
    return false;
  }
  // Storage is short (ENOSPC, EIO): read the batch's records again, later,
  // and those in the window after them.
  window_.TakeAll();
  progress_ = committed_;
  for (const auto& [tp, p] : committed_) read_next_[tp] = p.next();
  pending_.clear();
  if (hold_) {
    hold_.reset();
    probe_.Holding(false);
  }
  paused_until_ = Now() + RetryBackoff(options_, ++failed_commits_);
  return false;
}

void LocalRunner::CheckCaughtUp() {
  for (size_t i = 0; i < partitions_.size(); ++i) {
    const TopicPartition& tp = partitions_[i];
    lag_[i].records = std::max<int64_t>(0, log_->Partition(tp).high - committed_[tp].next());
  }
  probe_.Lag(lag_);
  for (auto it = catch_up_to_.begin(); it != catch_up_to_.end();) {
    if (committed_[it->first].next() >= it->second) {
      it = catch_up_to_.erase(it);
    } else {
      ++it;
    }
  }
  probe_.CaughtUp(catch_up_to_.empty());
}

void LocalRunner::Pause(absl::Duration d) {
  const absl::Time until = Now() + d;
  while (!stop_ && Now() < until) absl::SleepFor(std::min(absl::Milliseconds(50), until - Now()));
}

void LocalRunner::Fail(absl::Status status) {
  probe_.Note(status);
  failure_.Set(std::move(status));
}

}  // namespace

absl::StatusOr<std::unique_ptr<StageRunner>> LocalStageRunner::Create(RunnerOptions options,
                                                                      StageSpec spec, Stage* stage,
                                                                      Clock* clock,
                                                                      log::LocalLog* log) {
  if (stage == nullptr || clock == nullptr || log == nullptr) {
    return absl::InvalidArgumentError("LocalStageRunner::Create: null stage, clock or log");
  }
  auto runner =
      std::make_unique<LocalRunner>(std::move(options), std::move(spec), stage, clock, log);
  if (absl::Status s = runner->Check(); !s.ok()) return s;
  return std::unique_ptr<StageRunner>(std::move(runner));
}

}  // namespace sbrgate::stage
