// ExposeRunnerMetrics: a running stage's RunnerMetrics (runner.h) as
// Prometheus series labelled with the stage's name, read from the runner at
// each scrape for as long as the returned registration is kept.
//
//   metrics::Registration r =
//       ExposeRunnerMetrics(metrics::Registry::Default(), "poll", runner.get());
//   // /metrics: sbrgate_stage_records_total{stage="poll"} 1234 ...
#ifndef SBRGATE_PIPELINE_STAGE_RUNNER_COLLECTOR_H_
#define SBRGATE_PIPELINE_STAGE_RUNNER_COLLECTOR_H_

#include <string>

#include "pipeline/platform/metrics/registry.h"
#include "pipeline/platform/stage/runner.h"

namespace sbrgate::stage {

// `runner` must outlive the registration.
[[nodiscard]] metrics::Registration ExposeRunnerMetrics(metrics::Registry& registry,
                                                        const std::string& stage,
                                                        const StageRunner* runner);

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_RUNNER_COLLECTOR_H_
