#include "pipeline/platform/stage/runner_testing.h"

#include <stdlib.h>

#include "gtest/gtest.h"
#include "pipeline/platform/kafka/transactional_producer.h"

namespace sbrgate::stage::testing {

RunningStage::RunningStage(std::unique_ptr<StageRunner> runner)
    : runner_(std::move(runner)), thread_([this] { status_ = runner_->Run(); }) {}

RunningStage::~RunningStage() {
  if (!joined_) StopAndJoin().IgnoreError();
}

absl::Status RunningStage::StopAndJoin() {
  runner_->Stop();
  return Join();
}

absl::Status RunningStage::Join() {
  if (!joined_) {
    thread_.join();
    joined_ = true;
  }
  return status_;
}

RunnerHarness::RunnerHarness(const std::vector<kafka::TopicSpec>& topics) {
  std::string dir = ::testing::TempDir() + "/runner-state-XXXXXX";
  EXPECT_NE(::mkdtemp(dir.data()), nullptr);
  state_dir_ = dir;
  absl::StatusOr<std::unique_ptr<kafka::EmbeddedCluster>> cluster =
      kafka::EmbeddedCluster::Start();
  EXPECT_TRUE(cluster.ok()) << cluster.status();
  cluster_ = *std::move(cluster);
  absl::Status s = cluster_->CreateTopics(topics);
  EXPECT_TRUE(s.ok()) << s;
  s = cluster_->CreateTopic("sbrgate.deadletter", 1);
  EXPECT_TRUE(s.ok()) << s;
}

KafkaRunnerConfig RunnerHarness::Config() const {
  KafkaRunnerConfig config;
  config.kafka = kafka();
  config.state_dir = state_dir_;
  config.instance_id = "a";
  config.retry_min = absl::Milliseconds(20);
  config.retry_max = absl::Milliseconds(80);
  config.kafka_timeout = absl::Seconds(20);
  return config;
}

void RunnerHarness::Produce(const std::string& topic,
                            const std::vector<std::pair<std::string, std::string>>& kv) {
  auto txn = kafka::TransactionalProducer::Create(kafka(), "test.input." + topic,
                                                  absl::Seconds(20));
  ASSERT_TRUE(txn.ok()) << txn.status();
  std::vector<kafka::OutgoingMessage> messages;
  for (const auto& [k, v] : kv) messages.push_back({topic, -1, k, v});
  absl::Status s = (*txn)->Commit(messages);
  ASSERT_TRUE(s.ok()) << s;
}

void RunnerHarness::ProduceInputs(const std::string& topic, int first, int count) {
  std::vector<std::pair<std::string, std::string>> kv;
  for (int i = first; i < first + count; ++i) {
    kv.emplace_back("k" + std::to_string(i), "v" + std::to_string(i));
  }
  Produce(topic, kv);
}

std::vector<kafka::TopicRecord> RunnerHarness::ReadAll(const std::string& topic) {
  std::vector<kafka::TopicRecord> records;
  auto reader = kafka::TopicReader::Create(kafka(), absl::Seconds(20));
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return records;
  absl::Status s = (*reader)->ReadAll(topic, [&](const kafka::TopicRecord& r) {
    records.push_back(r);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return records;
}

std::vector<int64_t> RunnerHarness::LowWatermarks(const std::string& topic) {
  std::vector<int64_t> lows;
  auto reader = kafka::TopicReader::Create(kafka(), absl::Seconds(20));
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return lows;
  absl::StatusOr<int> n = (*reader)->PartitionCount(topic);
  EXPECT_TRUE(n.ok()) << n.status();
  for (int p = 0; n.ok() && p < *n; ++p) {
    absl::StatusOr<kafka::Watermarks> w = (*reader)->GetWatermarks(topic, p);
    EXPECT_TRUE(w.ok()) << w.status();
    lows.push_back(w.ok() ? w->low : -1);
  }
  return lows;
}

std::unique_ptr<RunningStage> RunnerHarness::Start(KafkaRunnerConfig config, const StageSpec& spec,
                                                   Stage* stage) {
  absl::StatusOr<std::unique_ptr<StageRunner>> runner =
      KafkaStageRunner::Create(std::move(config), spec, stage, &clock);
  EXPECT_TRUE(runner.ok()) << runner.status();
  if (!runner.ok()) return nullptr;
  return std::make_unique<RunningStage>(*std::move(runner));
}

bool RunnerHarness::WaitUntil(const std::function<bool()>& done, absl::Duration timeout) {
  RealClock real;
  const absl::Time deadline = real.Now() + timeout;
  while (!done()) {
    if (real.Now() > deadline) return false;
    real.SleepFor(absl::Milliseconds(20));
  }
  return true;
}

}  // namespace sbrgate::stage::testing
