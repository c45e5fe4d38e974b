// TopicLog: where the stages' topics live, chosen once per process: the
// durable local log in the data directory (the embedded default, every
// stage in one process) or a Kafka cluster (stages as processes in consumer
// groups). Everything that reads or writes topics asks it for its runner or
// publisher, so the stages and services never know which log they are on.
//
//   absl::StatusOr<std::unique_ptr<TopicLog>> topics =
//       config.kafka.bootstrap.empty() ? TopicLog::OpenLocal(config, clock.get())
//                                      : TopicLog::OnKafka(config.kafka);
//   auto publisher = (*topics)->MakePublisher("sbrgate.gateway.host-1");
//   auto runner = (*topics)->MakeRunner("host-1", spec, &stage, clock.get());
//
// The local log is <data-dir>/log (pipeline/platform/log), holding the
// topology's topics (pipeline/topology) but not their changelogs: the local
// runner keeps state stores in the log's own RocksDB. On Kafka, each stage
// instance keeps its stores in <data-dir>/state/<transactional id>, a local
// copy of their changelogs (pipeline/platform/stage/state_stores.h).
#ifndef SBRGATE_SERVICES_COMMON_TOPIC_LOG_H_
#define SBRGATE_SERVICES_COMMON_TOPIC_LOG_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/kafka/config.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/platform/log/local_log.h"
#include "pipeline/platform/publish/publisher.h"
#include "pipeline/platform/stage/runner.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/topology.h"

namespace sbrgate {

struct PipelineConfig;

// <data-dir>/state: where stage instances on Kafka keep their state stores.
std::string KafkaStateDir(const PipelineConfig& config);

class TopicLog {
 public:
  // Opens (creating) the local log in <config.data_dir>/log; `clock` stamps
  // its records and must outlive it.
  static absl::StatusOr<std::unique_ptr<TopicLog>> OpenLocal(const PipelineConfig& config,
                                                             const Clock* clock);
  // On the cluster of config.kafka; stages keep their state stores in
  // KafkaStateDir(config).
  static std::unique_ptr<TopicLog> OnKafka(const PipelineConfig& config);
  ~TopicLog();

  // A publisher for a service that is not a stage; on Kafka `name` is its
  // transactional id (a restarted instance fences its predecessor).
  absl::StatusOr<std::unique_ptr<publish::Publisher>> MakePublisher(const std::string& name);
  // A runner for `stage`, which runs `spec`.
  absl::StatusOr<std::unique_ptr<stage::StageRunner>> MakeRunner(const std::string& instance,
                                                                 const stage::StageSpec& spec,
                                                                 stage::Stage* stage,
                                                                 Clock* clock);
  // Removes what the local log no longer needs (LocalLog::Trim); nothing on
  // Kafka, whose brokers do it.
  absl::Status Trim();

  // The local log, or null on Kafka.
  log::LocalLog* local() const { return local_.get(); }
  // The Kafka cluster (bootstrap empty on the local log).
  const kafka::KafkaConfig& kafka() const { return kafka_; }
  // The local log's directory ("" on Kafka).
  const std::string& local_dir() const { return local_dir_; }
  // "local log at DIR" or "Kafka at BOOTSTRAP", for messages.
  std::string Describe() const;

  // Unavailable, naming the cluster and why, when the Kafka cluster does
  // not answer a metadata request within 2 s; the local log is in this
  // process and always reachable. Thread-safe.
  absl::Status CheckReachable();

 private:
  TopicLog() = default;
  kafka::KafkaConfig kafka_;
  int max_in_flight_ = 1;
  std::string state_dir_;
  std::string local_dir_;
  std::unique_ptr<log::LocalLog> local_;
  absl::Mutex reachability_mu_;
  std::unique_ptr<kafka::TopicReader> metadata_reader_ ABSL_GUARDED_BY(reachability_mu_);
};

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_TOPIC_LOG_H_
