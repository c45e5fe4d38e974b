// RunnerProbe: a stage runner's metrics (RunnerMetrics, runner.h), written by
// the runner's loop and read from any thread through StageRunner::metrics().
// Each event the loop reports is one call, so a snapshot is never half way
// through an update.
//
//   RunnerProbe probe;
//   probe.Committed(/*records=*/12, /*dead_letters=*/1);
//   probe.Note(absl::UnavailableError("SBR is down"));   // last_error
//   probe.Retried("submit", record, status, /*attempt=*/2);  // also logged
//
// Retries and dead letters are also logged (component: the stage), one line
// each, with the record's topic, partition, offset and key.
//   RunnerMetrics m = probe.snapshot();
#ifndef SBRGATE_PIPELINE_STAGE_RUNNER_PROBE_H_
#define SBRGATE_PIPELINE_STAGE_RUNNER_PROBE_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/kafka/record.h"
#include "pipeline/platform/stage/runner.h"

namespace sbrgate::stage {

class RunnerProbe {
 public:
  RunnerMetrics snapshot() const {
    absl::MutexLock lock(&mu_);
    return metrics_;
  }

  // A transaction committed `records` input records, `dead_letters` of them
  // as dead letters.
  void Committed(int64_t records, int64_t dead_letters) {
    absl::MutexLock lock(&mu_);
    ++metrics_.transactions;
    metrics_.records_processed += records;
    metrics_.dead_letters += dead_letters;
  }
  // A Notify() output committed in a transaction of its own.
  void Notified() {
    absl::MutexLock lock(&mu_);
    ++metrics_.notifications;
    ++metrics_.transactions;
  }
  void Aborted() {
    absl::MutexLock lock(&mu_);
    ++metrics_.aborted_transactions;
  }
  // `record` of `stage` met the transient `error`, its `attempt`th; it is
  // retried.
  void Retried(const std::string& stage, const kafka::Record& record, const absl::Status& error,
               int attempt);
  // `record` of `stage` goes to the dead letters after `attempts` attempts.
  void DeadLettered(const std::string& stage, const kafka::Record& record,
                    const absl::Status& error, int attempts);
  void Punctuated() {
    absl::MutexLock lock(&mu_);
    ++metrics_.punctuations;
  }
  void Restored(int64_t entries) {
    absl::MutexLock lock(&mu_);
    metrics_.restored_entries += entries;
  }
  void Assigned(int partitions) {
    absl::MutexLock lock(&mu_);
    metrics_.assigned_partitions = partitions;
  }
  void CaughtUp(bool caught_up) {
    absl::MutexLock lock(&mu_);
    metrics_.caught_up = caught_up;
  }
  void Holding(bool holding) {
    absl::MutexLock lock(&mu_);
    metrics_.holding = holding;
  }
  // Copied into storage kept from the last report: reported often, the same
  // partitions each time.
  void Lag(const std::vector<PartitionLag>& lag) {
    absl::MutexLock lock(&mu_);
    metrics_.lag = lag;
  }
  // The latest error seen, handled or not.
  void Note(const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    metrics_.last_error = status.ToString();
  }

 private:
  mutable absl::Mutex mu_;
  RunnerMetrics metrics_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_RUNNER_PROBE_H_
