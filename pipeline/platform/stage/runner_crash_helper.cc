// Runs MapStage "map" (in -> out) with a StageRunner until it is killed;
// on its Nth Process call it writes a marker file and blocks for good, so a
// test can kill -9 it with a batch in flight.
//
//   runner_crash_helper KAFKA_PROPERTIES_FILE BLOCK_AT MARKER_FILE
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/kafka/config.h"
#include "pipeline/platform/stage/kafka_runner.h"
#include "pipeline/platform/stage/test_stages.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s KAFKA_PROPERTIES_FILE BLOCK_AT MARKER_FILE\n", argv[0]);
    return 2;
  }
  absl::StatusOr<sbrgate::kafka::KafkaConfig> kafka = sbrgate::kafka::LoadKafkaConfigFile(argv[1]);
  if (!kafka.ok()) {
    std::fprintf(stderr, "%s\n", kafka.status().ToString().c_str());
    return 1;
  }
  sbrgate::RealClock clock;
  sbrgate::stage::testing::MapStage stage("map", "in", "out");
  stage.block_at = std::atoi(argv[2]);
  const std::string marker = argv[3];
  stage.on_block = [&] {
    std::ofstream(marker) << "blocked\n";
    while (true) clock.SleepFor(absl::Hours(1));
  };
  sbrgate::stage::KafkaRunnerConfig config;
  config.kafka = *kafka;
  config.instance_id = "a";
  // Several transactions commit before the blocking record; its own is open.
  config.max_batch = 100;
  auto runner = sbrgate::stage::KafkaStageRunner::Create(config, stage.spec(), &stage, &clock);
  if (!runner.ok()) {
    std::fprintf(stderr, "%s\n", runner.status().ToString().c_str());
    return 1;
  }
  absl::Status s = (*runner)->Run();
  std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return 1;
}
