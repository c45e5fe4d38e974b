// EmbeddedCluster: a Kafka cluster inside this process, for tests, the demo
// and services/kafka-host. It is librdkafka's mock cluster: it speaks the
// real Kafka protocol on loopback ports, so producers, consumers and stage
// runners connect to bootstrap() exactly as they would to a real cluster.
//
//   absl::StatusOr<std::unique_ptr<EmbeddedCluster>> cluster = EmbeddedCluster::Start();
//   (*cluster)->CreateTopics({{"sbrgate.lodgments.received", 6}, {"sbrgate.deadletter", 1}});
//   KafkaConfig kafka = (*cluster)->client_config();
//
// What librdkafka 2.0.2's mock does and does not do (verified by the tests
// in this folder and pipeline/platform/stage/runner_test.cc):
//  - Each partition keeps only its newest 5 MiB (and at most 100,000 message
//    sets); older records are dropped silently and the low watermark rises.
//    We keep messages small (at most 64 KiB, payloads live in the blob
//    store), spread volume over partitions, consume with
//    auto.offset.reset=error so a gap stops a consumer instead of being
//    skipped, and tests assert the low watermark is still 0.
//  - Everything is in memory and gone when the hosting process exits.
//  - Transactions are accepted but not enforced: EndTxn writes no commit or
//    abort markers, so read_committed consumers also see records of aborted
//    and still-open transactions; and TxnOffsetCommit is acknowledged but
//    not stored. The stage runner copes (it produces a transaction's records
//    only once its processing succeeded, and mirrors transactional offset
//    commits with a plain commit); see pipeline/platform/stage/kafka_runner.h.
//  - No admin API (CreateTopics is never answered): create topics here.
//    Producing to a missing topic, or asking for its metadata by name,
//    auto-creates it with 4 partitions (allow.auto.create.topics=false is
//    not understood).
//  - Commands to the mock from this process (CreateTopic, destruction) now
//    and then take a second: its thread wakes up late.
//  - A consumer group's first JoinGroup waits 3 s (hard-coded); a member
//    joining after another left waits session.timeout.ms - 1 s.
//  - Transactions work with any broker count (the coordinator is a hash of
//    the transactional.id over the brokers); one broker is the default.
#ifndef SBRGATE_PIPELINE_KAFKA_EMBEDDED_CLUSTER_H_
#define SBRGATE_PIPELINE_KAFKA_EMBEDDED_CLUSTER_H_

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pipeline/platform/kafka/config.h"

namespace sbrgate::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

// Parses "name:partitions,name:partitions" (a missing ":partitions" means 1).
absl::StatusOr<std::vector<TopicSpec>> ParseTopicSpecs(const std::string& text);

class EmbeddedCluster {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedCluster>> Start(int brokers = 1);
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // "127.0.0.1:PORT,127.0.0.1:PORT,..."
  const std::string& bootstrap() const { return bootstrap_; }
  int brokers() const { return brokers_; }

  // Client settings suited to the mock: bootstrap(), and a short session
  // timeout so a restarted group member is admitted in about 2 s rather than
  // 44 s (the mock makes a rejoining group wait session.timeout.ms - 1 s).
  KafkaConfig client_config() const;

  // Replication factor is min(brokers, 3). Creating an existing topic with
  // the same partition count succeeds; with another count it is an error.
  absl::Status CreateTopic(const std::string& name, int partitions);
  // The topic set of a deployment (the pipeline's topics, changelogs and the
  // dead-letter topic) in one call; stops at the first failure.
  absl::Status CreateTopics(const std::vector<TopicSpec>& topics);

  // For fault injection in tests (rd_kafka_mock_broker_set_down, ...).
  rd_kafka_mock_cluster_t* mock() const { return mock_; }

 private:
  EmbeddedCluster(KafkaPtr host, rd_kafka_mock_cluster_t* mock, int brokers);

  KafkaPtr host_;  // the client instance the mock cluster lives in
  rd_kafka_mock_cluster_t* mock_;
  int brokers_;
  std::string bootstrap_;
};

}  // namespace sbrgate::kafka

#endif  // SBRGATE_PIPELINE_KAFKA_EMBEDDED_CLUSTER_H_
