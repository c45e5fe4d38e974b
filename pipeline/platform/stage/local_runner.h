// LocalStageRunner: a StageRunner (runner.h) that runs one Stage over the
// durable local log in the data directory (pipeline/platform/log), the
// embedded default's log. Every stage of the daemon runs one, on its own
// thread, over the same LocalLog.
//
//   RunnerOptions options;
//   options.instance_id = "host-1";
//   absl::StatusOr<std::unique_ptr<StageRunner>> runner = LocalStageRunner::Create(
//       options, *topology.FindStage("poll"), &poll, &clock, log.get());
//   std::thread t([&] { status = (*runner)->Run(); });
//
// Exactly once by construction: the outputs of a batch of records, their
// state-store changes and the group's offsets are one LogTransaction, so one
// fsynced RocksDB write batch. The consumer group is "<app>.<stage>" as on
// Kafka; a stage with no committed offset starts at offset 0, and one whose
// committed offset was trimmed away stops with DataLoss rather than skip.
//
// State stores live in the log's RocksDB (local_stores.h) as store
// "<app>.<spec>.<store>": nothing is restored on start.
//
// A commit that fails for want of storage (ENOSPC, EIO: Unavailable from the
// log) is undone and its records are processed again after a backoff, as
// for an aborted Kafka transaction: a full disk holds the pipeline, it never
// makes dead letters. Other commit errors (an unknown topic) stop Run.
#ifndef SBRGATE_PIPELINE_STAGE_LOCAL_RUNNER_H_
#define SBRGATE_PIPELINE_STAGE_LOCAL_RUNNER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/log/local_log.h"
#include "pipeline/platform/stage/runner.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/topology.h"

namespace sbrgate::stage {

// The name in the local log of store `store` of stage spec `spec`.
std::string LocalStoreName(const std::string& app, const std::string& spec,
                           const std::string& store);

class LocalStageRunner {
 public:
  // Checks the options, that `stage` runs `spec` and that its input topics
  // and the dead-letter topic are in `log` (InvalidArgument,
  // FailedPrecondition). `stage`, `clock` and `log` must outlive the runner.
  static absl::StatusOr<std::unique_ptr<StageRunner>> Create(RunnerOptions options,
                                                             StageSpec spec, Stage* stage,
                                                             Clock* clock, log::LocalLog* log);
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_LOCAL_RUNNER_H_
