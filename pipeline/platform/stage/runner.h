// StageRunner: runs one Stage (stage.h) over a log of topics with
// exactly-once processing between them. The runner owns consuming,
// producing, transactions, state stores, retries and dead letters; the
// stage only turns records into outputs. Two logs, one contract:
//
//   KafkaStageRunner (kafka_runner.h)  a Kafka cluster, consumer groups and
//                                      transactions: stages as processes,
//                                      past one machine;
//   LocalStageRunner (local_runner.h)  the durable local log in the data
//                                      directory (pipeline/platform/log):
//                                      every stage in one process.
//
//   absl::StatusOr<std::unique_ptr<StageRunner>> runner = LocalStageRunner::Create(...);
//   std::thread t([&] { status = (*runner)->Run(); });  // until Stop() or a fatal error
//   ...
//   (*runner)->Stop();
//
// What both do with what Process returns:
//   OK                              outputs, store changes and the record's
//                                   offset commit together;
//   Unavailable / DeadlineExceeded  changes undone, the records before it
//                                   commit, and the same record is retried
//                                   after an exponential backoff (retry_min
//                                   doubling to retry_max) while the instance
//                                   holds (punctuation goes on). Backoff is
//                                   real time: it spaces calls to a real
//                                   remote service whatever the stages'
//                                   clock says;
//   any other error                 changes undone; a DeadLetter
//                                   (proto/events.proto, with the DLT headers
//                                   of dead_letter.h) goes to the dead-letter
//                                   topic in the record's place, and
//                                   processing goes on.
// A stage whose Process runs concurrently has its records' outcomes
// committed as they finish, in order per key only: each partition's offset
// stays at its oldest record still in process, and the records done past it
// are committed beside it as the offset's metadata (PartitionProgress), so
// that whoever reads the partition next skips them. A Kafka rebalance does
// not wait for such a record in process: its outcome and notes are dropped,
// its Process is told (Context::given_up), and the partition's next owner
// processes it again. A stop waits for it, unless
// Stage::Stopping has made it end (an exchange with SBR cut short).
// Stage::Flush runs before each commit, and a failed flush is a failed
// commit. Notify() outputs commit at once, on their own, and are retried
// until they do: never dropped, but for those of a record given up. Outputs and store values over 64 KiB fail the record.
#ifndef SBRGATE_PIPELINE_STAGE_RUNNER_H_
#define SBRGATE_PIPELINE_STAGE_RUNNER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sbrgate::stage {

// What every runner is configured with, whatever its log.
struct RunnerOptions {
  std::string app = "sbrgate";
  std::string instance_id;  // required: unique per running instance of a stage
  std::string dead_letter_topic = "sbrgate.deadletter";
  absl::Duration retry_min = absl::Milliseconds(100);
  absl::Duration retry_max = absl::Seconds(30);
  // Records per transaction, and how long the first record of a batch may
  // wait for its commit when more records keep arriving.
  int max_batch = 500;
  absl::Duration max_batch_delay = absl::Milliseconds(100);
  // How long the local runner lets an open batch wait for more records once
  // its inputs run dry, before it commits (the Kafka runner waits up to
  // max_batch_delay): under load several records share a commit and its
  // syncs, for at most this much more latency per stage.
  absl::Duration linger = absl::Milliseconds(5);
  // Records in process at once for a stage whose Process may run
  // concurrently, and items of Context::RunConcurrently at once.
  int max_in_flight = 32;
};

// The error that stops a runner: the first one set, from any thread (a
// notification from the runner's workers may fail it).
class RunnerFailure {
 public:
  void Set(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (status_.ok()) status_ = std::move(status);
  }
  bool failed() const {
    absl::MutexLock lock(&mu_);
    return !status_.ok();
  }
  absl::Status status() const {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

// InvalidArgument naming what is wrong with `options` for stage `stage`.
absl::Status CheckRunnerOptions(const std::string& stage, const RunnerOptions& options);

// The wait before retry number `attempt` (1, 2, ...): retry_min doubling up
// to retry_max.
absl::Duration RetryBackoff(const RunnerOptions& options, int attempt);

// How far a stage instance is behind on one input partition.
struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t records = 0;  // the partition's end offset minus the instance's position
};

struct RunnerMetrics {
  int64_t records_processed = 0;  // input records committed, dead letters included
  int64_t retries = 0;            // transient errors (each one is retried)
  int64_t dead_letters = 0;
  int64_t notifications = 0;
  int64_t punctuations = 0;  // Punctuate calls that returned OK
  int64_t transactions = 0;  // committed
  int64_t aborted_transactions = 0;
  int64_t restored_entries = 0;  // changelog records read by restores
  int assigned_partitions = 0;
  bool holding = false;  // a record waits for its retry
  // Every input partition has been read up to where it ended when the
  // runner started (or was last assigned it): a view it feeds is current.
  bool caught_up = false;
  std::string last_error;  // the latest error seen, handled or not
  // Per input partition held, as of the runner's last commit or idle check.
  std::vector<PartitionLag> lag;
};

// Why an output or store value of `size` bytes is refused (over
// kafka::kMaxMessageBytes, on either log: a stage behaves the same on both).
std::string OversizeMessage(const std::string& what, size_t size);

// The consumer group of stage `stage` of application `app`.
std::string GroupId(const std::string& app, const std::string& stage);

class StageRunner {
 public:
  virtual ~StageRunner() = default;
  // Processes until Stop() (OK, after committing what was processed) or a
  // fatal error (returned). Call once.
  virtual absl::Status Run() = 0;
  // Thread-safe; Run returns after the record in hand (a Process call in
  // progress is not interrupted).
  virtual void Stop() = 0;
  // Thread-safe snapshot.
  virtual RunnerMetrics metrics() const = 0;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_RUNNER_H_
