// ProcessConcurrently: how both runners process the records of a stage whose
// Process may run concurrently (Stage::ProcessesConcurrently): a wave of
// records at once on the runner's workers, each call with a context of its
// own, the records of one key one after the other in input order. After a
// record of a key fails transiently, the later records of that key are not
// processed (they wait for it). The runner then takes the outcomes into its
// transaction in input order.
//
//   std::vector<ConcurrentOutcome> outcomes =
//       ProcessConcurrently(*stage, *clock, workers, notify, {&r1, &r2, &r3});
//   // outcomes[i]: processed or not, its status and what it emitted
#ifndef SBRGATE_PIPELINE_PLATFORM_STAGE_CONCURRENT_PROCESS_H_
#define SBRGATE_PIPELINE_PLATFORM_STAGE_CONCURRENT_PROCESS_H_

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/worker_pool.h"

namespace sbrgate::stage {

struct ConcurrentOutcome {
  bool processed = false;  // false: an earlier record of its key was held
  absl::Status status;
  std::vector<Output> emits;
};

// `notify` must be safe to call from the workers. The stage has no stores:
// using one fails the record.
std::vector<ConcurrentOutcome> ProcessConcurrently(Stage& stage, const Clock& clock,
                                                   WorkerPool& workers,
                                                   const std::function<void(Output)>& notify,
                                                   const std::vector<const Record*>& records);

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_PLATFORM_STAGE_CONCURRENT_PROCESS_H_
