#include "pipeline/platform/stage/kafka_runner.h"

#include <librdkafka/rdkafka.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/group_commit.h"
#include "pipeline/platform/common/transient.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/platform/kafka/transactional_producer.h"
#include "pipeline/platform/stage/commit_batcher.h"
#include "pipeline/platform/stage/dead_letter.h"
#include "pipeline/platform/stage/in_flight_window.h"
#include "pipeline/platform/stage/partition_progress.h"
#include "pipeline/platform/stage/runner_context.h"
#include "pipeline/platform/stage/runner_probe.h"
#include "pipeline/platform/stage/state_stores.h"
#include "pipeline/platform/stage/worker_pool.h"
#include "proto/events.pb.h"

namespace sbrgate::stage {

std::string TransactionalId(const std::string& app, const std::string& stage,
                            const std::string& instance_id) {
  return absl::StrCat(app, ".", stage, ".", instance_id);
}

namespace {

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

int WaitMs(absl::Duration d) { return d <= absl::ZeroDuration() ? 0 : kafka::ToTimeoutMs(d); }

// A record in the window of a stage whose Process may run concurrently, with
// the message it came in (put back in stray_ to be read again).
struct Consumed {
  MessagePtr message;
  kafka::TopicRecord record;
};

// The KafkaStageRunner.
class KafkaRunner final : public StageRunner {
 public:
  KafkaRunner(KafkaRunnerConfig config, StageSpec spec, Stage* stage, Clock* clock);
  absl::Status Check();
  absl::Status Run() override;
  void Stop() override { stop_ = true; }
  RunnerMetrics metrics() const override { return probe_.snapshot(); }

 private:
  struct Hold {
    kafka::TopicRecord record;
    int attempts = 0;
    absl::Time retry_at;
  };

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  absl::Status Start();
  void Shutdown();
  void Step();
  void PollEvents(absl::Duration timeout);
  void HandleError(const rd_kafka_message_t& m);
  void ProcessRecord(kafka::TopicRecord record);
  // For a stage whose Process may run concurrently: `first` and the records
  // that are there to read into the window while it has room (up to
  // max_in_flight), then those finished into the batch.
  void AddToWindow(MessagePtr first);
  // The window's finished records into the batch; false when none was.
  bool ApplyFinished();
  // Before the commit that ends the run: waits for the records in process
  // and takes those finished into the batch (the others are read again).
  void SettleWindow();
  // Whether `m` was done before the partition's last commit (after a
  // record then still in process): it is skipped.
  bool DoneBefore(const rd_kafka_message_t& m);
  // No more records go into the window: it is full, or a partition is far
  // past a record in process.
  bool WindowFull() const {
    return !window_.HasRoom(workers_.size()) || AnyFarAhead(progress_);
  }
  // `record` is in process: its partition's progress must say so.
  void Started(const kafka::TopicRecord& record) {
    progress_[{record.topic, record.partition}].Started(record.offset);
  }
  using Finished = InFlightWindow<Consumed>::Finished;
  bool ApplyOutcome(Finished& f) {
    return Apply(std::move(f.item.record), std::move(f.status), std::move(f.emits));
  }
  // Before the records not yet processed.
  void ReadAgain(std::vector<Consumed> records);
  // What processing `record` came to, into the batch; false when it is held.
  bool Apply(kafka::TopicRecord record, absl::Status s, std::vector<Output> emits);
  void MaybePunctuate(absl::Time now);
  // One Punctuate of the stage, committed.
  void Punctuate();
  void Assign(rd_kafka_topic_partition_list_t* partitions);
  void Revoke();
  // Restores the stores of the assigned partitions and runs Init; a
  // storage error pauses and leaves it to be tried again (ready_ false).
  void Prepare();
  absl::Status Restore();
  // The error of the call just made into the stage, if the runner must see
  // one: a failed store read, a misuse.
  absl::Status Problem(absl::Status s);
  void ResetContext() {
    ctx_->Reset();
    storage_error_ = absl::OkStatus();
  }
  // In a transaction of its own, shared with the notifications of the
  // other workers that come meanwhile (one Kafka transaction per group, not
  // per notification); returns once it is committed.
  void Notify(Output output);
  absl::Status CommitNotifications(const std::vector<kafka::OutgoingMessage>& messages);
  // Commits the open batch; false when it was aborted (and undone).
  bool CommitBatch();
  // Commits the batch once it holds max_batch records or is max_batch_delay old.
  void CommitIfDue();
  void Rewind();
  void SetHold(std::optional<Hold> hold);
  // Has every assigned partition been read to where it ended when assigned?
  void CheckCaughtUp();
  // Each assigned partition's lag, into the probe.
  void ReportLag();
  void Fail(absl::Status status);
  bool failed() const { return failure_.failed(); }
  absl::Status fatal() const { return failure_.status(); }
  void Note(const absl::Status& status);
  static absl::Time Now() { return kafka::RealNow(); }

  const KafkaRunnerConfig config_;
  const StageSpec spec_;
  Stage* const stage_;
  Clock* const clock_;
  const std::string name_;
  const std::string group_id_;
  const absl::Duration punctuate_interval_;
  const absl::Duration batch_delay_;  // the runner's max_batch_delay, or the stage's if shorter

  std::unique_ptr<kafka::TopicReader> reader_;
  std::unique_ptr<kafka::TransactionalProducer> txn_;
  kafka::KafkaPtr consumer_;
  rd_kafka_queue_t* records_ = nullptr;  // every assigned partition's records
  std::deque<MessagePtr> stray_;         // records that came through the consumer queue

  RunnerProbe probe_;
  // The window's and Context::RunConcurrently's.
  WorkerPool workers_{config_.max_in_flight, name_ + "-w"};
  // Declared after records_ and workers_: emptied before either goes. A
  // finished record wakes the runner's wait for more.
  InFlightWindow<Consumed> window_{*stage_,
                                   *clock_,
                                   workers_,
                                   [this](Output o) { Notify(std::move(o)); },
                                   [](const Consumed& c) -> const Record& { return c.record; },
                                   [this] {
                                     if (records_ != nullptr) rd_kafka_queue_yield(records_);
                                   }};
  // One transaction at a time on the producer: the runner's batches and the
  // notifications of the window's workers take turns.
  absl::Mutex producer_mu_;
  GroupCommit<kafka::OutgoingMessage> notifications_{
      [this](std::vector<kafka::OutgoingMessage>& group) { return CommitNotifications(group); }};
  std::string violation_;  // why the current Process/Punctuate/Init must fail
  absl::Status storage_error_;
  StateStores stores_{&violation_, &storage_error_};
  CommitBatcher batch_;
  std::unique_ptr<RunnerContext> ctx_;

  std::set<TopicPartition> assigned_;
  std::set<int32_t> assigned_partitions_;
  // Per assigned partition not yet read to its end at assignment: that end.
  std::map<TopicPartition, int64_t> catch_up_to_;
  // Per assigned partition: as committed, and with the records since.
  std::map<TopicPartition, PartitionProgress> committed_;
  std::map<TopicPartition, PartitionProgress> progress_;
  std::optional<Hold> hold_;
  // The stores are restored and Init ran for the current assignment.
  bool ready_ = false;
  absl::Time paused_until_ = absl::InfinitePast();  // after an abort or a storage error
  absl::Time next_punctuate_ = absl::InfiniteFuture();
  int failed_commits_ = 0;    // in a row
  int failed_prepares_ = 0;   // in a row
  int producer_resets_ ABSL_GUARDED_BY(producer_mu_) = 0;  // in a row
  bool ran_ = false;
  std::atomic<bool> stop_{false};
  RunnerFailure failure_;  // Fail may be called from the workers (Notify)
};

KafkaRunner::KafkaRunner(KafkaRunnerConfig config, StageSpec spec, Stage* stage, Clock* clock)
    : config_(std::move(config)),
      spec_(std::move(spec)),
      stage_(stage),
      clock_(clock),
      name_(stage->name()),
      group_id_(GroupId(config_.app, name_)),
      punctuate_interval_(stage->punctuate_interval()),
      batch_delay_(std::min(config_.max_batch_delay, stage->max_batch_delay())),
      batch_(&stores_, &probe_, config_.mirror_offset_commits),
      ctx_(std::make_unique<RunnerContext>(
          [this](Output o) { Notify(std::move(o)); },
          [this](const std::string& name) -> StateStore& { return stores_.store(name); }, clock,
          &violation_, &workers_)) {}

absl::Status KafkaRunner::Check() {
  const std::string where = absl::StrCat("stage ", name_, ": ");
  if (absl::Status s = CheckRunnerOptions(name_, config_); !s.ok()) return s;
  if (!spec_.RunsAs(name_)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "it does not run the spec of stage ", spec_.name));
  }
  if (spec_.inputs.empty()) return absl::InvalidArgumentError(where + "no input topics");
  if (stage_->ProcessesConcurrently() && !spec_.stores.empty()) {
    return absl::InvalidArgumentError(
        where + "a stage with state stores cannot process records concurrently");
  }
  for (const auto& [key, value] : config_.kafka.overrides) {
    if (absl::EndsWith(key, "partition.assignment.strategy") &&
        absl::StrContains(value, "cooperative")) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, key, "=", value, ": the runner rebalances eagerly (range, roundrobin)"));
    }
  }
  absl::StatusOr<std::unique_ptr<kafka::TopicReader>> reader =
      kafka::TopicReader::Create(config_.kafka, config_.kafka_timeout);
  if (!reader.ok()) return reader.status();
  reader_ = *std::move(reader);
  auto partitions = [&](const std::string& topic,
                        const std::string& what) -> absl::StatusOr<int> {
    absl::StatusOr<int> n = reader_->PartitionCount(topic);
    if (absl::IsNotFound(n.status())) {
      return absl::FailedPreconditionError(
          absl::StrCat(where, what, " ", topic, " does not exist"));
    }
    return n;
  };
  int max_partitions = 0;
  for (const std::string& topic : spec_.inputs) {
    absl::StatusOr<int> n = partitions(topic, "input topic");
    if (!n.ok()) return n.status();
    max_partitions = std::max(max_partitions, *n);
  }
  if (absl::Status s = partitions(config_.dead_letter_topic, "dead-letter topic").status();
      !s.ok()) {
    return s;
  }
  std::set<std::string> stores;
  for (const std::string& store : spec_.stores) {
    const std::string topic = ChangelogTopic(config_.app, spec_.name, store);
    if (store.empty() || !stores.insert(store).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "store names must be unique and non-empty"));
    }
    absl::StatusOr<int> n = reader_->PartitionCount(topic);
    if (absl::IsNotFound(n.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          where, "changelog topic ", topic, " of store ", store, " does not exist: create it with ",
          max_partitions, " partitions (as many as the input topics; compacted on a real cluster)"));
    }
    if (!n.ok()) return n.status();
    if (*n < max_partitions) {
      return absl::FailedPreconditionError(absl::StrCat(where, "changelog topic ", topic, " has ",
                                                        *n, " partitions; the input topics have ",
                                                        max_partitions, ": it needs as many"));
    }
    stores_.Add(store, topic);
  }
  if (stores_.empty()) return absl::OkStatus();
  if (config_.state_dir.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "it has state stores: a state directory is required"));
  }
  if (absl::Status s = MakeDirectoriesDurably(config_.state_dir); !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, "cannot create the state directory: ", s.message()));
  }
  return stores_.Open(absl::StrCat(config_.state_dir, "/",
                                   TransactionalId(config_.app, name_, config_.instance_id)));
}

absl::Status KafkaRunner::Start() {
  const std::string role = absl::StrCat("stage consumer ", group_id_);
  absl::StatusOr<kafka::ConfPtr> conf = kafka::BuildConf(
      config_.kafka, RD_KAFKA_CONSUMER, role,
      // A fetch that finds nothing waits at most 100 ms (librdkafka: 500)
      // where a broker does not answer as soon as records arrive (the mock
      // cluster): each hop of a lodgment, and `lodge` waiting for the status
      // view, waited up to half a second for it.
      /*defaults=*/
      {{"partition.assignment.strategy", "range,roundrobin"}, {"fetch.wait.max.ms", "100"}},
      /*required=*/
      {{"group.id", group_id_},
       {"enable.auto.commit", "false"},
       {"enable.auto.offset.store", "false"},
       {"isolation.level", "read_committed"},
       {"auto.offset.reset", "error"},
       {"enable.partition.eof", "false"}});
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_rebalance_cb(conf->get(), &KafkaRunner::OnRebalance);
  rd_kafka_conf_set_opaque(conf->get(), this);
  absl::StatusOr<kafka::KafkaPtr> consumer =
      kafka::NewClient(RD_KAFKA_CONSUMER, *std::move(conf), role);
  if (!consumer.ok()) return consumer.status();
  consumer_ = *std::move(consumer);
  rd_kafka_poll_set_consumer(consumer_.get());
  records_ = rd_kafka_queue_new(consumer_.get());
  kafka::TopicPartitionListPtr topics(rd_kafka_topic_partition_list_new(spec_.inputs.size()));
  for (const std::string& t : spec_.inputs) {
    rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get()); err) {
    return absl::InternalError(absl::StrCat(role, ": subscribe: ", rd_kafka_err2str(err)));
  }
  // The group join (seconds) goes on in the background meanwhile; no record
  // is processed before the producer has fenced its predecessors.
  absl::StatusOr<std::unique_ptr<kafka::TransactionalProducer>> txn =
      kafka::TransactionalProducer::Create(
          config_.kafka, TransactionalId(config_.app, name_, config_.instance_id),
          config_.kafka_timeout);
  if (!txn.ok()) return txn.status();
  txn_ = *std::move(txn);
  return absl::OkStatus();
}

void KafkaRunner::Shutdown() {
  // librdkafka wants application queues gone before the consumer closes.
  if (records_ != nullptr) {
    rd_kafka_queue_destroy(records_);
    records_ = nullptr;
  }
  stray_.clear();
  if (consumer_ != nullptr) {
    rd_kafka_consumer_close(consumer_.get());  // revokes: Revoke() runs
    consumer_.reset();
  }
  txn_.reset();
}

absl::Status KafkaRunner::Run() {
  if (ran_) return absl::FailedPreconditionError("StageRunner::Run called twice");
  ran_ = true;
  if (absl::Status s = Start(); !s.ok()) {
    Fail(s);
  } else {
    while (!stop_ && !failed()) Step();
    // What was processed is committed, also when a lost record stops us.
    SettleWindow();
    CommitBatch();
  }
  Shutdown();
  return fatal();
}

void KafkaRunner::OnRebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                                    rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  KafkaRunner* impl = static_cast<KafkaRunner*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    impl->Assign(partitions);
  } else {
    impl->Revoke();
  }
}

void KafkaRunner::Assign(rd_kafka_topic_partition_list_t* partitions) {
  kafka::TopicPartitionListPtr list(rd_kafka_topic_partition_list_copy(partitions));
  rd_kafka_resp_err_t err =
      rd_kafka_committed(consumer_.get(), list.get(), kafka::ToTimeoutMs(config_.kafka_timeout));
  for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) err = list->elems[i].err;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Fail(absl::UnavailableError(absl::StrCat("stage ", name_, ": committed offsets of group ",
                                             group_id_, ": ", rd_kafka_err2str(err))));
    rd_kafka_assign(consumer_.get(), nullptr);
    return;
  }
  for (int i = 0; i < list->cnt; ++i) {
    rd_kafka_topic_partition_t& tp = list->elems[i];
    // Not OFFSET_BEGINNING: that would start at the low watermark and skip
    // records already lost; offset 0 makes such a gap an error.
    if (tp.offset < 0) tp.offset = 0;
    absl::StatusOr<PartitionProgress> progress = PartitionProgress::Decode(
        tp.offset, absl::string_view(static_cast<const char*>(tp.metadata),
                                     tp.metadata == nullptr ? 0 : tp.metadata_size));
    if (!progress.ok()) {
      Fail(absl::DataLossError(absl::StrCat("stage ", name_, ": group ", group_id_, " in ",
                                            tp.topic, "/", tp.partition, ": ",
                                            progress.status().message())));
      rd_kafka_assign(consumer_.get(), nullptr);
      return;
    }
    committed_[{tp.topic, tp.partition}] = *progress;
    progress_[{tp.topic, tp.partition}] = *std::move(progress);
    // Records go to our own queue, so that holding a record for a retry can
    // stop reading them while still serving the consumer queue (rebalances,
    // max.poll.interval.ms). Set before assigning, so none bypass it.
    rd_kafka_queue_t* q = rd_kafka_queue_get_partition(consumer_.get(), tp.topic, tp.partition);
    if (q != nullptr) {
      rd_kafka_queue_forward(q, records_);
      rd_kafka_queue_destroy(q);
    }
    assigned_.insert({tp.topic, tp.partition});
    assigned_partitions_.insert(tp.partition);
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(consumer_.get(), tp.topic, tp.partition, &low, &high,
                                         kafka::ToTimeoutMs(config_.kafka_timeout)) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        high > tp.offset) {
      catch_up_to_[{tp.topic, tp.partition}] = high;
    }
  }
  rd_kafka_assign(consumer_.get(), list.get());
  probe_.Assigned(static_cast<int>(assigned_.size()));
  if (assigned_partitions_.empty()) return;
  stores_.set_default_partition(*assigned_partitions_.begin());
  ready_ = false;
  Prepare();
}

void KafkaRunner::Prepare() {
  if (absl::Status s = Restore(); !s.ok()) {
    if (absl::IsUnavailable(s)) {
      paused_until_ = Now() + RetryBackoff(config_, ++failed_prepares_);
    } else {
      Fail(s);
    }
    return;
  }
  ResetContext();
  absl::Status s = Problem(stage_->Init(*ctx_));
  if (absl::IsUnavailable(s) && !storage_error_.ok()) {
    stores_.Undo(0);
    Note(s);
    paused_until_ = Now() + RetryBackoff(config_, ++failed_prepares_);
    return;
  }
  if (!s.ok()) {
    Fail(absl::Status(s.code(), absl::StrCat("stage ", name_, ": Init: ", s.message())));
    return;
  }
  ready_ = true;
  failed_prepares_ = 0;
  batch_.Open(Now());
  batch_.AddOutputs(ctx_->TakeEmits());
  CommitBatch();
  next_punctuate_ = Now() + punctuate_interval_;
}

void KafkaRunner::Revoke() {
  // What finished commits; what is still in process (a push of hours) is
  // not waited for: the partitions' next owner reads it again, as the
  // committed progress says.
  for (Finished& f : window_.TakeFinishedWell()) ApplyOutcome(f);
  window_.Abandon();
  CommitBatch();
  ready_ = false;
  SetHold(std::nullopt);
  stores_.Clear();
  stray_.clear();
  assigned_.clear();
  assigned_partitions_.clear();
  catch_up_to_.clear();
  committed_.clear();
  progress_.clear();
  next_punctuate_ = absl::InfiniteFuture();
  rd_kafka_assign(consumer_.get(), nullptr);
  probe_.Assigned(0);
}

absl::Status KafkaRunner::Restore() {
  int64_t restored = 0;
  absl::Status s = stores_.Restore(*reader_, assigned_partitions_, &restored);
  probe_.Restored(restored);
  if (!s.ok()) {
    s = absl::Status(s.code(), absl::StrCat("stage ", name_, ": restoring its stores: ", s.message()));
    Note(s);
  }
  return s;
}

absl::Status KafkaRunner::Problem(absl::Status s) {
  if (!storage_error_.ok()) return storage_error_;
  if (s.ok() && !violation_.empty()) return absl::InvalidArgumentError(violation_);
  return s;
}

void KafkaRunner::Step() {
  PollEvents(absl::ZeroDuration());
  if (stop_ || failed()) return;
  const absl::Time now = Now();
  if (stores_.needs_restore()) ready_ = false;
  if (!ready_ && !assigned_partitions_.empty()) {
    if (now < paused_until_) {
      PollEvents(std::min(absl::Milliseconds(100), paused_until_ - now));
    } else {
      Prepare();
    }
    return;
  }
  MaybePunctuate(now);
  if (stop_ || failed()) return;
  if (hold_) {
    if (now < hold_->retry_at) {
      PollEvents(std::min(absl::Milliseconds(100), hold_->retry_at - now));
      return;
    }
    kafka::TopicRecord record = hold_->record;
    ProcessRecord(std::move(record));
    return;
  }
  if (now < paused_until_) {
    PollEvents(std::min(absl::Milliseconds(100), paused_until_ - now));
    return;
  }
  if (stage_->ProcessesConcurrently() && WindowFull()) {
    // Full: nothing more is read until records finish; the consumer is
    // served meanwhile (rebalances, max.poll.interval.ms).
    const uint64_t seen = window_.finishes();
    ApplyFinished();
    if (WindowFull()) {
      PollEvents(absl::ZeroDuration());
      window_.WaitForFinish(seen, Now() + absl::Milliseconds(100));
    }
    CommitIfDue();
    return;
  }
  MessagePtr m;
  if (!stray_.empty()) {
    m = std::move(stray_.front());
    stray_.pop_front();
  } else {
    absl::Duration wait = absl::Milliseconds(100);
    if (batch_.open()) wait = std::min(wait, batch_.opened() + batch_delay_ - now);
    if (punctuate_interval_ > absl::ZeroDuration()) wait = std::min(wait, next_punctuate_ - now);
    m.reset(rd_kafka_consume_queue(records_, WaitMs(wait)));
  }
  if (m == nullptr) {
    if (stage_->ProcessesConcurrently()) ApplyFinished();
    // Nothing more to read right now; a punctuation now due commits the
    // batch with its own outputs.
    if (punctuate_interval_ <= absl::ZeroDuration() || Now() < next_punctuate_) CommitBatch();
    CheckCaughtUp();
    return;
  }
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    HandleError(*m);
    return;
  }
  if (assigned_.count({rd_kafka_topic_name(m->rkt), m->partition}) == 0 || DoneBefore(*m)) return;
  if (stage_->ProcessesConcurrently()) {
    AddToWindow(std::move(m));
  } else {
    ProcessRecord(kafka::ToTopicRecord(*m));
  }
  CommitIfDue();
}

void KafkaRunner::CommitIfDue() {
  if (batch_.open() && (batch_.records() >= config_.max_batch ||
                        Now() - batch_.opened() >= batch_delay_)) {
    CommitBatch();
  }
}

void KafkaRunner::PollEvents(absl::Duration timeout) {
  MessagePtr m(rd_kafka_consumer_poll(consumer_.get(), WaitMs(timeout)));
  if (m == nullptr) return;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    HandleError(*m);
  } else {
    stray_.push_back(std::move(m));
  }
}

void KafkaRunner::HandleError(const rd_kafka_message_t& m) {
  const std::string where =
      m.rkt != nullptr
          ? absl::StrCat("topic ", rd_kafka_topic_name(m.rkt), " partition ", m.partition, ": ")
          : "";
  const std::string what = rd_kafka_message_errstr(&m);
  if (m.err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
      m.err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
    Fail(absl::DataLossError(absl::StrCat("stage ", name_, ": records were lost: ", where, what,
                                          " (the stage stops rather than skip them)")));
    return;
  }
  char reason[512];
  if (m.err == RD_KAFKA_RESP_ERR__FATAL ||
      rd_kafka_fatal_error(consumer_.get(), reason, sizeof(reason))) {
    Fail(absl::InternalError(absl::StrCat("stage ", name_, ": consumer: ", where, what)));
    return;
  }
  // Broker connections and the like: librdkafka retries by itself.
  Note(absl::UnavailableError(absl::StrCat("consumer: ", where, what)));
}

void KafkaRunner::ProcessRecord(kafka::TopicRecord record) {
  Started(record);
  const size_t mark = stores_.mark();
  ResetContext();
  stores_.set_record_partition(record.partition);
  absl::Status s = Problem(stage_->Process(record, *ctx_));
  stores_.set_record_partition(-1);
  if (!s.ok()) stores_.Undo(mark);
  Apply(std::move(record), std::move(s), ctx_->TakeEmits());
}

void KafkaRunner::AddToWindow(MessagePtr first) {
  for (MessagePtr m = std::move(first); m != nullptr;) {
    kafka::TopicRecord record = kafka::ToTopicRecord(*m);
    Started(record);
    window_.Add({std::move(m), std::move(record)});
    if (WindowFull()) break;
    if (!stray_.empty()) {
      m = std::move(stray_.front());
      stray_.pop_front();
    } else {
      m.reset(rd_kafka_consume_queue(records_, 0));
    }
    if (m == nullptr) break;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      HandleError(*m);
      break;
    }
    if (assigned_.count({rd_kafka_topic_name(m->rkt), m->partition}) == 0 || DoneBefore(*m)) {
      m.reset();
    }
  }
  ApplyFinished();
}

bool KafkaRunner::DoneBefore(const rd_kafka_message_t& m) {
  auto it = progress_.find({rd_kafka_topic_name(m.rkt), m.partition});
  return it != progress_.end() && it->second.Done(m.offset);
}

bool KafkaRunner::ApplyFinished() {
  return window_.TakeFinished([this](Finished& f) { return ApplyOutcome(f); },
                              [this](std::vector<Consumed> again) { ReadAgain(std::move(again)); });
}

void KafkaRunner::SettleWindow() {
  window_.Settle([this](Finished& f) { return ApplyOutcome(f); },
                 [this](std::vector<Consumed> again) { ReadAgain(std::move(again)); },
                 [this] { return !hold_ && !failed(); });
}

void KafkaRunner::ReadAgain(std::vector<Consumed> records) {
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    stray_.push_front(std::move(it->message));
  }
}

bool KafkaRunner::Apply(kafka::TopicRecord record, absl::Status s, std::vector<Output> emits) {
  if (s.ok()) {
    batch_.Open(Now());
    batch_.AddOutputs(std::move(emits));
    progress_[{record.topic, record.partition}].Finished(record.offset);
    batch_.Advance(record);
    if (hold_) SetHold(std::nullopt);
    return true;
  }
  Note(s);
  if (IsTransient(s)) {
    const int attempts = hold_ ? hold_->attempts + 1 : 1;
    probe_.Retried(name_, record, s, attempts);
    const absl::Time retry_at = Now() + RetryBackoff(config_, attempts);
    SetHold(Hold{std::move(record), attempts, retry_at});
    // The records before it need not wait for it.
    CommitBatch();
    return false;
  }
  const int attempts = hold_ ? hold_->attempts + 1 : 1;
  probe_.DeadLettered(name_, record, s, attempts);
  batch_.Open(Now());
  batch_.AddDeadLetter(DeadLetterRecord(config_.dead_letter_topic, name_, record, s, attempts,
                                        clock_->Now()));
  progress_[{record.topic, record.partition}].Finished(record.offset);
  batch_.Advance(record);
  if (hold_) SetHold(std::nullopt);
  return true;
}

void KafkaRunner::MaybePunctuate(absl::Time now) {
  if (punctuate_interval_ <= absl::ZeroDuration() || assigned_partitions_.empty() ||
      now < next_punctuate_) {
    return;
  }
  Punctuate();
  // The next one an interval after this one ends, however long it took:
  // records are read in between.
  next_punctuate_ = Now() + punctuate_interval_;
}

void KafkaRunner::Punctuate() {
  // One transaction with the records read since the last commit, not one
  // before and one after: each is a round of requests to the transaction
  // coordinator (about 30 ms on the mock cluster).
  const size_t mark = stores_.mark();
  ResetContext();
  absl::Status s = Problem(stage_->Punctuate(clock_->Now(), *ctx_));
  if (!s.ok()) {
    stores_.Undo(mark);
    Note(absl::Status(s.code(), absl::StrCat("Punctuate: ", s.message())));
    return;
  }
  batch_.Open(Now());
  batch_.AddOutputs(ctx_->TakeEmits());
  if (CommitBatch()) probe_.Punctuated();
}

void KafkaRunner::Notify(Output output) {
  notifications_.Commit({output.topic, -1, std::move(output.key), std::move(output.value),
                         std::move(output.headers)})
      .IgnoreError();  // what stops it has been reported (Fail) or is a stop
}

absl::Status KafkaRunner::CommitNotifications(const std::vector<kafka::OutgoingMessage>& messages) {
  absl::MutexLock lock(&producer_mu_);
  // Never dropped: what a notification says (a hold, a refusal) must show.
  for (int attempt = 1; !stop_; ++attempt) {
    absl::Status s = txn_->Commit(messages);
    if (s.ok()) {
      for (size_t i = 0; i < messages.size(); ++i) probe_.Notified();
      producer_resets_ = 0;
      return s;
    }
    Note(s);
    if (absl::IsFailedPrecondition(s) || absl::IsInvalidArgument(s)) {
      Fail(s);
      return s;
    }
    if (absl::IsInternal(s)) {
      if (absl::Status r = txn_->Reset(); !r.ok()) {
        Fail(r);
        return r;
      }
    }
    // Not PollEvents: a rebalance must not run inside the stage's Process.
    const absl::Time until = Now() + RetryBackoff(config_, attempt);
    while (!stop_ && Now() < until) absl::SleepFor(std::min(absl::Milliseconds(50), until - Now()));
  }
  return absl::CancelledError("stopping");
}

void KafkaRunner::ReportLag() {
  kafka::TopicPartitionListPtr list(rd_kafka_topic_partition_list_new(assigned_.size()));
  for (const auto& [topic, partition] : assigned_) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  }
  if (rd_kafka_position(consumer_.get(), list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  std::vector<PartitionLag> lag;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = list->elems[i];
    int64_t low = 0, high = 0;
    // The watermarks of the last fetch response, cached by librdkafka: no
    // broker request. Unknown ones (nothing fetched yet) are left out.
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_get_watermark_offsets(consumer_.get(), p.topic, p.partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    const int64_t position = p.offset >= 0 ? p.offset : low;
    lag.push_back({p.topic, p.partition, std::max<int64_t>(0, high - position)});
  }
  probe_.Lag(std::move(lag));
}

void KafkaRunner::CheckCaughtUp() {
  ReportLag();
  if (catch_up_to_.empty()) {
    probe_.CaughtUp(!assigned_.empty());
    return;
  }
  kafka::TopicPartitionListPtr list(rd_kafka_topic_partition_list_new(catch_up_to_.size()));
  for (const auto& [tp, end] : catch_up_to_) {
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second);
  }
  if (rd_kafka_position(consumer_.get(), list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = list->elems[i];
    // The position passes transaction markers, which the last record's
    // offset alone would not.
    auto it = catch_up_to_.find({p.topic, p.partition});
    if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.offset >= it->second) catch_up_to_.erase(it);
  }
  probe_.CaughtUp(catch_up_to_.empty());
}

bool KafkaRunner::CommitBatch() {
  if (!batch_.open()) return true;
  absl::Status s = stage_->Flush();
  absl::MutexLock lock(&producer_mu_);
  const std::set<TopicPartition> advanced = batch_.advanced();
  if (s.ok()) {
    s = txn_ != nullptr ? batch_.Commit(*txn_, consumer_.get(), progress_)
                        : absl::FailedPreconditionError("no producer");
  }
  if (s.ok()) {
    for (const TopicPartition& tp : advanced) {
      if (auto it = progress_.find(tp); it != progress_.end()) committed_[tp] = it->second;
    }
    failed_commits_ = 0;
    producer_resets_ = 0;
    // Also under steady traffic, when the consumer is never idle.
    CheckCaughtUp();
    return true;
  }
  Note(s);
  probe_.Aborted();
  stores_.Undo(0);
  if (absl::IsFailedPrecondition(s) || absl::IsInvalidArgument(s)) {
    Fail(s);
  } else if (absl::IsInternal(s)) {
    if (++producer_resets_ >= 3) {
      Fail(absl::InternalError(absl::StrCat("stage ", name_,
                                            ": fatal producer errors 3 times in a row: ",
                                            s.message())));
    } else if (absl::Status r = txn_->Reset(); !r.ok()) {
      Fail(r);
    }
  }
  // The records of the aborted transaction are read and processed again.
  Rewind();
  batch_.Discard();
  paused_until_ = Now() + RetryBackoff(config_, ++failed_commits_);
  return false;
}

void KafkaRunner::Rewind() {
  // Every assigned partition is read again from where it was committed,
  // skipping the records done before that commit.
  SetHold(std::nullopt);
  window_.TakeAll();
  stray_.clear();
  progress_ = committed_;
  kafka::TopicPartitionListPtr list(rd_kafka_topic_partition_list_new(committed_.size()));
  for (const auto& [tp, p] : committed_) {
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = p.next();
  }
  if (list->cnt == 0) return;
  rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer_.get(), list.get(),
                                                     kafka::ToTimeoutMs(config_.kafka_timeout));
  std::string problem;
  if (error != nullptr) {
    problem = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
  }
  for (int i = 0; problem.empty() && i < list->cnt; ++i) {
    if (list->elems[i].err) problem = rd_kafka_err2str(list->elems[i].err);
  }
  if (!problem.empty()) {
    Fail(absl::InternalError(absl::StrCat("stage ", name_,
                                          ": rewinding after an aborted transaction: ", problem)));
  }
}

void KafkaRunner::SetHold(std::optional<Hold> hold) {
  const bool holding = hold.has_value();
  hold_ = std::move(hold);
  probe_.Holding(holding);
}

void KafkaRunner::Fail(absl::Status status) {
  Note(status);
  failure_.Set(std::move(status));
}

void KafkaRunner::Note(const absl::Status& status) { probe_.Note(status); }

}  // namespace

absl::StatusOr<std::unique_ptr<StageRunner>> KafkaStageRunner::Create(KafkaRunnerConfig config,
                                                                      StageSpec spec,
                                                                      Stage* stage, Clock* clock) {
  if (stage == nullptr || clock == nullptr) {
    return absl::InvalidArgumentError("KafkaStageRunner::Create: null stage or clock");
  }
  auto runner = std::make_unique<KafkaRunner>(std::move(config), std::move(spec), stage, clock);
  if (absl::Status s = runner->Check(); !s.ok()) return s;
  return std::unique_ptr<StageRunner>(std::move(runner));
}

}  // namespace sbrgate::stage
