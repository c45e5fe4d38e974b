// Helpers for StageRunner tests: an embedded cluster with topics, bulk
// input, reading a topic back, and running a runner on a thread.
//
//   RunnerHarness h({{"in", 4}, {"out", 4}});
//   h.ProduceInputs("in", 0, 1000);              // keys k0.., values v0..
//   auto run = h.Start(config, stage.spec(), &stage);  // Run() on a thread
//   h.WaitUntil([&] { return run->metrics().records_processed == 1000; });
//   run->StopAndJoin();
#ifndef SBRGATE_PIPELINE_STAGE_RUNNER_TESTING_H_
#define SBRGATE_PIPELINE_STAGE_RUNNER_TESTING_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/kafka/embedded_cluster.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/platform/stage/kafka_runner.h"

namespace sbrgate::stage::testing {

// A runner running on its own thread.
class RunningStage {
 public:
  RunningStage(std::unique_ptr<StageRunner> runner);
  ~RunningStage();
  RunnerMetrics metrics() const { return runner_->metrics(); }
  // Stop(), then the status Run returned.
  absl::Status StopAndJoin();
  // Waits for Run to return by itself (a fatal error).
  absl::Status Join();

 private:
  std::unique_ptr<StageRunner> runner_;
  absl::Status status_;
  std::thread thread_;
  bool joined_ = false;
};

class RunnerHarness {
 public:
  // Starts a cluster with `topics` plus the dead-letter topic.
  explicit RunnerHarness(const std::vector<kafka::TopicSpec>& topics);

  kafka::EmbeddedCluster& cluster() { return *cluster_; }
  kafka::KafkaConfig kafka() const { return cluster_->client_config(); }
  // A config for tests: short retries, instance "a", the harness's state
  // directory (its instances keep their stores there across restarts).
  KafkaRunnerConfig Config() const;
  const std::string& state_dir() const { return state_dir_; }

  // Produces keys k<first>.. k<first+count-1> with values v<i>, in one
  // transaction.
  void ProduceInputs(const std::string& topic, int first, int count);
  void Produce(const std::string& topic, const std::vector<std::pair<std::string, std::string>>& kv);
  // Every record of `topic`, read_committed.
  std::vector<kafka::TopicRecord> ReadAll(const std::string& topic);
  // Low watermarks of every partition of `topic`.
  std::vector<int64_t> LowWatermarks(const std::string& topic);

  std::unique_ptr<RunningStage> Start(KafkaRunnerConfig config, const StageSpec& spec, Stage* stage);
  // Polls `done` every 20 ms; false after `timeout`.
  static bool WaitUntil(const std::function<bool()>& done,
                        absl::Duration timeout = absl::Seconds(30));

  RealClock clock;

 private:
  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::string state_dir_;
};

}  // namespace sbrgate::stage::testing

#endif  // SBRGATE_PIPELINE_STAGE_RUNNER_TESTING_H_
