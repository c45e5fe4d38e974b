#include "services/common/topic_log.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/publish/kafka_publisher.h"
#include "pipeline/platform/publish/local_log_publisher.h"
#include "pipeline/platform/stage/kafka_runner.h"
#include "pipeline/platform/stage/local_runner.h"
#include "pipeline/topology/topology.h"
#include "services/common/pipeline.h"

namespace sbrgate {

namespace {

// The local log's topics: the topology's, changelogs left out. A topic is
// kept until the groups of the stages that read it have passed a record
// (and its retention has run out).
std::vector<log::LogTopic> LocalTopics(const stage::Topology& topology,
                                       const std::string& instance) {
  std::vector<log::LogTopic> out;
  for (const stage::TopicSpec& t : topology.topics()) {
    if (t.cleanup == stage::TopicSpec::Cleanup::kCompact) continue;
    log::LogTopic topic{t.name, t.partitions, t.retention, {}};
    for (const stage::StageSpec& s : topology.stages()) {
      if (std::find(s.inputs.begin(), s.inputs.end(), t.name) == s.inputs.end()) continue;
      topic.consumer_groups.push_back(stage::GroupId(
          topology.app(), s.per_instance ? absl::StrCat(s.name, "-", instance) : s.name));
    }
    out.push_back(std::move(topic));
  }
  return out;
}

}  // namespace

TopicLog::~TopicLog() = default;

absl::StatusOr<std::unique_ptr<TopicLog>> TopicLog::OpenLocal(const PipelineConfig& config,
                                                              const Clock* clock) {
  const stage::Topology& topology = topology::Sbrgate();
  if (absl::Status s = topology.Validate(); !s.ok()) return s;
  if (absl::Status s = MakeDirectoriesDurably(config.data_dir); !s.ok()) return s;
  std::unique_ptr<TopicLog> t(new TopicLog());
  t->max_in_flight_ = config.max_in_flight;
  t->local_dir_ = config.data_dir + "/log";
  absl::StatusOr<std::unique_ptr<log::LocalLog>> local =
      log::LocalLog::Open(t->local_dir_, LocalTopics(topology, config.instance), clock);
  if (!local.ok()) {
    return absl::Status(local.status().code(), absl::StrCat("opening the local log at ",
                                                            t->local_dir_, ": ",
                                                            local.status().message()));
  }
  t->local_ = *std::move(local);
  return t;
}

std::string KafkaStateDir(const PipelineConfig& config) { return config.data_dir + "/state"; }

std::unique_ptr<TopicLog> TopicLog::OnKafka(const PipelineConfig& config) {
  std::unique_ptr<TopicLog> t(new TopicLog());
  t->kafka_ = config.kafka;
  t->max_in_flight_ = config.max_in_flight;
  t->state_dir_ = KafkaStateDir(config);
  return t;
}

absl::StatusOr<std::unique_ptr<publish::Publisher>> TopicLog::MakePublisher(
    const std::string& name) {
  if (local_ != nullptr) return std::make_unique<publish::LocalLogPublisher>(local_.get());
  absl::StatusOr<std::unique_ptr<publish::KafkaPublisher>> p =
      publish::KafkaPublisher::Create(kafka_, name);
  if (!p.ok()) return p.status();
  return std::unique_ptr<publish::Publisher>(*std::move(p));
}

absl::StatusOr<std::unique_ptr<stage::StageRunner>> TopicLog::MakeRunner(
    const std::string& instance, const stage::StageSpec& spec, stage::Stage* s, Clock* clock) {
  const stage::Topology& topology = topology::Sbrgate();
  if (local_ != nullptr) {
    stage::RunnerOptions options;
    options.app = topology.app();
    options.dead_letter_topic = topology.dead_letter_topic();
    options.instance_id = instance;
    options.max_in_flight = max_in_flight_;
    return stage::LocalStageRunner::Create(options, spec, s, clock, local_.get());
  }
  stage::KafkaRunnerConfig rc;
  rc.kafka = kafka_;
  rc.state_dir = state_dir_;
  rc.app = topology.app();
  rc.dead_letter_topic = topology.dead_letter_topic();
  rc.instance_id = instance;
  rc.max_in_flight = max_in_flight_;
  return stage::KafkaStageRunner::Create(rc, spec, s, clock);
}

absl::Status TopicLog::Trim() {
  if (local_ == nullptr) return absl::OkStatus();
  return local_->Trim().status();
}

absl::Status TopicLog::CheckReachable() {
  if (local_ != nullptr) return absl::OkStatus();
  absl::MutexLock lock(&reachability_mu_);
  if (metadata_reader_ == nullptr) {
    absl::StatusOr<std::unique_ptr<kafka::TopicReader>> reader =
        kafka::TopicReader::Create(kafka_, absl::Seconds(2));
    if (!reader.ok()) return reader.status();
    metadata_reader_ = *std::move(reader);
  }
  const std::string& topic = topology::Sbrgate().dead_letter_topic();
  if (absl::StatusOr<int> partitions = metadata_reader_->PartitionCount(topic); !partitions.ok()) {
    return absl::UnavailableError(
        absl::StrCat(Describe(), " is not reachable: ", partitions.status().message()));
  }
  return absl::OkStatus();
}

std::string TopicLog::Describe() const {
  if (local_ != nullptr) return absl::StrCat("local log at ", local_dir_);
  return absl::StrCat("Kafka at ", kafka_.bootstrap);
}

}  // namespace sbrgate
