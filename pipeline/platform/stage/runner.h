// StageRunner: runs one Stage against Kafka with exactly-once processing
// between topics: consumes the input topics of the stage's StageSpec
// (topology.h) in a consumer group, calls Process for each record, and
// commits the record's outputs, its state-store changes and its consumer
// offset in one Kafka transaction.
//
//   RunnerConfig config;
//   config.kafka = kafka;                 // bootstrap + librdkafka overrides
//   config.instance_id = "host-1";        // part of the transactional.id
//   absl::StatusOr<std::unique_ptr<StageRunner>> runner =
//       StageRunner::Create(config, *topology.FindStage("triage"), &triage, &clock);
//   std::thread t([&] { status = (*runner)->Run(); });  // until Stop() or a fatal error
//   ...
//   (*runner)->Stop();
//
// Kafka identities: consumer group "<app>.<stage>", transactional.id
// "<app>.<stage>.<instance_id>" (<stage>: Stage::name()), changelog topics
// "<app>.<spec>.<store>.changelog" (ChangelogTopic, topology.h).
//
// Topics must exist before Create (it checks): the input topics, the
// dead-letter topic and, for a stage with stores, one changelog topic per
// store with at least as many partitions as the largest input topic
// (compacted, on a real cluster). The embedded cluster has no admin API, so
// the runner never creates topics; whoever starts the cluster creates the
// Topology's (EmbeddedCluster::CreateTopics).
//
// Per record (batched: up to max_batch records, or max_batch_delay, share a
// transaction):
//   Process OK                      outputs, store changes and offset commit;
//   Unavailable / DeadlineExceeded  changes undone, the records before it
//                                   commit, and the same record is retried
//                                   after an exponential backoff (retry_min
//                                   doubling to retry_max) while the whole
//                                   instance holds (its partitions are not
//                                   read; punctuation goes on). Backoff is
//                                   real time: it spaces calls to a real
//                                   remote service whatever the pipeline's
//                                   clock says;
//   any other error                 changes undone; a DeadLetter
//                                   (proto/events.proto) with the error goes
//                                   to the dead-letter topic in the record's
//                                   place, and processing goes on.
// Emit()ted outputs are buffered and produced only when their transaction
// commits; Notify() outputs are produced at once, in a transaction of their
// own (tried 3 times, then dropped with last_error saying why). Outputs and
// store values over 64 KiB fail the record (dead letter).
//
// Offsets: a partition the group never committed starts at offset 0 —
// deliberately not OFFSET_BEGINNING, which librdkafka resolves to the
// current low watermark and so would silently skip records the broker
// already dropped. With auto.offset.reset=error, a committed offset or 0
// below the low watermark is an OFFSET_OUT_OF_RANGE error, and the runner
// stops with DataLoss ("records were lost: ...") rather than skip.
//
// Rebalancing is eager (range/roundrobin): on revocation the open batch is
// committed and the stores are dropped; on assignment the stores are
// restored from the changelog partitions of the assigned partitions (read to
// the end; DataLoss if a changelog's first records are gone), then Init runs.
//
// librdkafka 2.0.2's mock cluster (EmbeddedCluster) acknowledges
// TxnOffsetCommit without storing it, and writes no transaction markers, so
// read_committed there also shows aborted records. Hence: outputs are
// produced only when a transaction commits (aborts after processing errors
// then put nothing on the broker), and with mirror_offset_commits each
// committed transaction's offsets are committed again with a plain
// OffsetCommit (redundant on a real cluster, one extra round trip).
//
// Errors that stop Run: fencing (another instance with this transactional.id
// started), lost records, a stage's Init error, a message the broker refuses,
// or a fatal producer error three times in a row. Aborted transactions
// (abortable errors) are undone and redone: the records are read again.
#ifndef SBRGATE_PIPELINE_STAGE_RUNNER_H_
#define SBRGATE_PIPELINE_STAGE_RUNNER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/kafka/config.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/topology.h"

namespace sbrgate::stage {

struct RunnerConfig {
  kafka::KafkaConfig kafka;
  std::string app = "sbrgate";
  std::string instance_id;  // required: unique per running instance of a stage
  std::string dead_letter_topic = "sbrgate.deadletter";
  absl::Duration retry_min = absl::Milliseconds(100);
  absl::Duration retry_max = absl::Seconds(30);
  // Records per transaction, and how long the first record of a batch may
  // wait for its commit when more records keep arriving.
  int max_batch = 500;
  absl::Duration max_batch_delay = absl::Milliseconds(100);
  // Bounds each Kafka operation (producer start, restore, offset lookups).
  absl::Duration kafka_timeout = absl::Seconds(30);
  // Also commit each transaction's offsets with a plain OffsetCommit; needed
  // on the embedded cluster (see above), redundant on a real one.
  bool mirror_offset_commits = true;
};

struct RunnerMetrics {
  int64_t records_processed = 0;  // input records committed, dead letters included
  int64_t retries = 0;            // transient errors (each one is retried)
  int64_t dead_letters = 0;
  int64_t notifications = 0;
  int64_t punctuations = 0;       // Punctuate calls that returned OK
  int64_t transactions = 0;       // committed
  int64_t aborted_transactions = 0;
  int64_t restored_entries = 0;   // changelog records read by restores
  int assigned_partitions = 0;
  bool holding = false;           // a record waits for its retry
  std::string last_error;         // the latest error seen, handled or not
};

std::string GroupId(const std::string& app, const std::string& stage);
std::string TransactionalId(const std::string& app, const std::string& stage,
                            const std::string& instance_id);

class StageRunner {
 public:
  // Checks the configuration, that `stage` runs `spec` (StageSpec::RunsAs)
  // and that the topics exist (InvalidArgument, FailedPrecondition);
  // connects no consumer or producer yet. `stage` and `clock` (the stages'
  // clock: Context::clock(), Punctuate's `now`) must outlive the runner.
  static absl::StatusOr<std::unique_ptr<StageRunner>> Create(RunnerConfig config, StageSpec spec,
                                                             Stage* stage, Clock* clock);
  ~StageRunner();
  StageRunner(const StageRunner&) = delete;
  StageRunner& operator=(const StageRunner&) = delete;

  // Processes until Stop() (OK, after committing what was processed) or a
  // fatal error (returned). Call once.
  absl::Status Run();
  // Thread-safe; Run returns after the record in hand (a Process call in
  // progress is not interrupted).
  void Stop();
  // Thread-safe snapshot.
  RunnerMetrics metrics() const;

  class Impl;

 private:
  explicit StageRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_RUNNER_H_
