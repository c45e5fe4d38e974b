#include "pipeline/platform/stage/runner_collector.h"

#include <string>

namespace sbrgate::stage {

metrics::Registration ExposeRunnerMetrics(metrics::Registry& registry, const std::string& stage,
                                          const StageRunner* runner) {
  return registry.AddCollector([stage, runner](metrics::Collection& c) {
    const RunnerMetrics m = runner->metrics();
    const metrics::Labels labels = {{"stage", stage}};
    c.Counter("sbrgate_stage_records_total",
              "Input records a stage committed, dead letters included.", labels,
              m.records_processed);
    c.Counter("sbrgate_stage_retries_total",
              "Transient errors a stage met, each followed by a retry.", labels, m.retries);
    c.Counter("sbrgate_stage_dead_letters_total",
              "Input records a stage could not process, sent to the dead-letter topic.", labels,
              m.dead_letters);
    c.Counter("sbrgate_stage_transactions_total",
              "Transactions (Kafka) or batches (local log) a stage committed.", labels,
              m.transactions);
    c.Counter("sbrgate_stage_aborted_transactions_total",
              "Transactions or batches a stage abandoned, their records to be read again.", labels,
              m.aborted_transactions);
    c.Counter("sbrgate_stage_punctuations_total", "Scheduled punctuations a stage completed.",
              labels, m.punctuations);
    c.Counter("sbrgate_stage_restored_entries_total",
              "State-store changelog records a stage read back on restore.", labels,
              m.restored_entries);
    c.Gauge("sbrgate_stage_assigned_partitions", "Input partitions a stage instance holds.",
            labels, m.assigned_partitions);
    c.Gauge("sbrgate_stage_caught_up",
            "1 once a stage has read its inputs up to where they ended when it started.", labels,
            m.caught_up ? 1 : 0);
    for (const PartitionLag& l : m.lag) {
      c.Gauge("sbrgate_stage_consumer_lag",
              "Records of an input partition past the stage instance's position (local log: "
              "its commit; Kafka: its reads), as of its last commit or idle check.",
              {{"stage", stage}, {"topic", l.topic}, {"partition", std::to_string(l.partition)}},
              static_cast<double>(l.records));
    }
    c.Gauge("sbrgate_stage_holding", "1 while a record of the stage waits for its retry.",
            labels, m.holding ? 1 : 0);
  });
}

}  // namespace sbrgate::stage
