// KafkaStageRunner: a StageRunner (runner.h) that runs one Stage against Kafka with exactly-once processing
// between topics: consumes the input topics of the stage's StageSpec
// (topology.h) in a consumer group, calls Process for each record, and
// commits the record's outputs, its state-store changes and its consumer
// offset in one Kafka transaction.
//
//   KafkaRunnerConfig config;
//   config.kafka = kafka;                 // bootstrap + librdkafka overrides
//   config.instance_id = "host-1";        // part of the transactional.id
//   absl::StatusOr<std::unique_ptr<StageRunner>> runner =
//       KafkaStageRunner::Create(config, *topology.FindStage("triage"), &triage, &clock);
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
// own, retried (backing off) until they commit or the runner stops: never
// dropped. Outputs and
// store values over 64 KiB fail the record (dead letter).
//
// Offsets: a partition the group never committed starts at offset 0 —
// deliberately not OFFSET_BEGINNING, which librdkafka resolves to the
// current low watermark and so would silently skip records the broker
// already dropped. With auto.offset.reset=error, a committed offset or 0
// below the low watermark is an OFFSET_OUT_OF_RANGE error, and the runner
// stops with DataLoss ("records were lost: ...") rather than skip.
//
// State stores (state_stores.h) are RocksDB in the state directory, logged
// to their changelogs, with a checkpoint per changelog partition: a restart
// reads each changelog only from its checkpoint to its end, and reads it
// whole only when the local copy is gone.
//
// Rebalancing is eager (range/roundrobin): on revocation the open batch is
// committed and the stores forget the partitions (their entries stay on
// disk); on assignment the assigned partitions' entries are brought up to
// date from their changelogs (DataLoss if records it needs are gone), then
// Init runs, and only then are records read. A store that cannot be read or
// written locally (a full disk) holds the instance and is restored again
// after a backoff, as an unavailable remote service would hold it.
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
#ifndef SBRGATE_PIPELINE_STAGE_KAFKA_RUNNER_H_
#define SBRGATE_PIPELINE_STAGE_KAFKA_RUNNER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/kafka/config.h"
#include "pipeline/platform/stage/runner.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/topology.h"

namespace sbrgate::stage {

struct KafkaRunnerConfig : RunnerOptions {
  kafka::KafkaConfig kafka;
  // Where the stage's state stores live on disk: RocksDB in
  // <state_dir>/<transactional id>. Required for a stage with stores; the
  // directory is created (0700) when missing.
  std::string state_dir;
  // Bounds each Kafka operation (producer start, restore, offset lookups).
  absl::Duration kafka_timeout = absl::Seconds(30);
  // Also commit each transaction's offsets with a plain OffsetCommit; needed
  // on the embedded cluster (see above), redundant on a real one.
  bool mirror_offset_commits = true;
};

std::string TransactionalId(const std::string& app, const std::string& stage,
                            const std::string& instance_id);

class KafkaStageRunner {
 public:
  // Checks the configuration, that `stage` runs `spec` (StageSpec::RunsAs)
  // and that the topics exist (InvalidArgument, FailedPrecondition);
  // connects no consumer or producer yet. `stage` and `clock` (the stages'
  // clock: Context::clock(), Punctuate's `now`) must outlive the runner.
  static absl::StatusOr<std::unique_ptr<StageRunner>> Create(KafkaRunnerConfig config,
                                                             StageSpec spec, Stage* stage,
                                                             Clock* clock);
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_KAFKA_RUNNER_H_
