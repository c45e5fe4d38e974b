// TransactionalProducer: one Kafka transaction at a time — records, and
// optionally a consumer group's offsets — with librdkafka's transactional
// error classes turned into a Status the caller can act on. The building
// block of Producer::ProduceAll and of the StageRunner.
//
//   absl::StatusOr<std::unique_ptr<TransactionalProducer>> txn =
//       TransactionalProducer::Create(kafka, "sbrgate.triage.host-1", absl::Seconds(30));
//   absl::Status s = (*txn)->Commit({{"sbrgate.lodgments.status", -1, id, status}});
//   if (absl::IsAborted(s)) ...retry the work...
//   if (absl::IsFailedPrecondition(s)) ...fenced: another instance took over; stop...
//   if (absl::IsInternal(s)) ...fatal producer error: Reset() and redo the work...
//
// Creating it calls init_transactions, which fences any earlier producer with
// the same transactional.id and aborts that producer's unfinished
// transaction (on a real cluster; librdkafka's mock only hands out a new
// producer id).
#ifndef SBRGATE_PIPELINE_KAFKA_TRANSACTIONAL_PRODUCER_H_
#define SBRGATE_PIPELINE_KAFKA_TRANSACTIONAL_PRODUCER_H_

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/kafka/record.h"
#include "pipeline/platform/kafka/config.h"

namespace sbrgate::kafka {

struct OutgoingMessage {
  std::string topic;
  int32_t partition = -1;  // -1: the key decides (librdkafka's default partitioner)
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone (null value)
  Headers headers;
};

class TransactionalProducer {
 public:
  // `timeout` bounds each transactional call (and is the transaction.timeout.ms
  // default). Returns Unavailable when the transaction coordinator cannot be
  // reached in time.
  static absl::StatusOr<std::unique_ptr<TransactionalProducer>> Create(
      const KafkaConfig& config, const std::string& transactional_id, absl::Duration timeout);
  ~TransactionalProducer() = default;

  // Produces `messages` and, when `offsets` is given, commits them for the
  // group of `consumer` (the next offset to read per partition) — all or
  // nothing. Returns:
  //   OK                   committed;
  //   InvalidArgument      a message was refused (larger than kMaxMessageBytes,
  //                        or by the broker); the transaction was aborted;
  //   Aborted              an abortable error (or a timeout); the transaction
  //                        was aborted, nothing of it is visible, retry;
  //   FailedPrecondition   fenced by a newer producer with this id: stop;
  //   Internal             any other fatal producer error: Reset(), then redo.
  absl::Status Commit(const std::vector<OutgoingMessage>& messages,
                      const rd_kafka_topic_partition_list_t* offsets = nullptr,
                      rd_kafka_t* consumer = nullptr);

  // Replaces the librdkafka producer with a new one (init_transactions again).
  absl::Status Reset();

  // After a Commit that returned OK: per (topic, partition) written, the
  // offset after its last record, as the brokers acknowledged it. A state
  // store checkpoints its changelog with this (state_stores.h).
  const std::map<std::pair<std::string, int32_t>, int64_t>& delivered() const {
    return delivered_;
  }

  const std::string& transactional_id() const { return transactional_id_; }

 private:
  TransactionalProducer(KafkaConfig config, std::string transactional_id, absl::Duration timeout)
      : config_(std::move(config)),
        transactional_id_(std::move(transactional_id)),
        timeout_(timeout) {}
  absl::Status Init();
  // Aborts the current transaction; `cause` is what made it necessary.
  absl::Status Abort(const absl::Status& cause);
  // Maps a failed transactional call; aborts when librdkafka requires it.
  absl::Status Fail(rd_kafka_error_t* error, const std::string& what);

  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  const KafkaConfig config_;
  const std::string transactional_id_;
  const absl::Duration timeout_;
  KafkaPtr rk_;
  std::set<std::string> known_topics_;  // warmed up (see WarmTopic)
  std::map<std::pair<std::string, int32_t>, int64_t> delivered_;
};

}  // namespace sbrgate::kafka

#endif  // SBRGATE_PIPELINE_KAFKA_TRANSACTIONAL_PRODUCER_H_
