// Producer: writes records to Kafka from code that is not a stage (the gRPC
// gateway produces the first record of a lodgment). Produce returns only
// once the brokers have acknowledged the record (acks=all, idempotent), so a
// caller can tell its client "accepted" truthfully.
//
//   absl::StatusOr<std::unique_ptr<Producer>> producer = Producer::Create(kafka);
//   absl::Status s = (*producer)->Produce(topics::kReceived, lodgment_id, msg.SerializeAsString());
//
//   // Several records, all or none (a transactional.id per running instance):
//   ProducerOptions options;
//   options.transactional_id = "sbrgate.gateway.host-1";
//   auto txn = Producer::Create(kafka, options);
//   s = (*txn)->ProduceAll({{topics::kReceived, id, a}, {topics::kStatus, id, b}});
//
// Values larger than 64 KiB are refused (InvalidArgument): payloads belong in
// the blob store. Thread-safe. With a transactional.id, calls that come while
// a transaction is being committed are committed together in the next one
// (group commit): each caller returns once its records are, and a group's
// failure is each of its callers' (none of their records was written).
#ifndef SBRGATE_PIPELINE_KAFKA_PRODUCER_H_
#define SBRGATE_PIPELINE_KAFKA_PRODUCER_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/platform/kafka/config.h"
#include "pipeline/platform/kafka/record.h"
#include "pipeline/platform/kafka/transactional_producer.h"

namespace sbrgate::kafka {

struct ProducerOptions {
  // Set: every call is a transaction of this id (one running instance per
  // id; a new instance fences the old one). Empty: an idempotent producer,
  // and ProduceAll is refused.
  std::string transactional_id;
  // How long a call may wait for the brokers.
  absl::Duration timeout = absl::Seconds(30);
};

class Producer {
 public:
  static absl::StatusOr<std::unique_ptr<Producer>> Create(const KafkaConfig& config,
                                                          ProducerOptions options = {});
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Returns once the record is acknowledged. Errors: InvalidArgument (too
  // large, refused by the broker), NotFound (no such topic), Unavailable (not
  // acknowledged in time; it may still have been written).
  absl::Status Produce(const std::string& topic, const std::string& key,
                       const std::string& value);

  // All outputs in one transaction (with those of concurrent callers).
  // FailedPrecondition without a transactional.id, or once another instance
  // with the same id took over.
  absl::Status ProduceAll(const std::vector<Output>& outputs);

  // Transactions ProduceAll committed (fewer than its calls when callers
  // committed together).
  int64_t transactions() const {
    absl::MutexLock lock(&group_mu_);
    return transactions_;
  }

 private:
  // The records of the callers that commit together.
  struct CommitGroup {
    std::vector<OutgoingMessage> messages;
    bool done = false;
    absl::Status status;
  };

  explicit Producer(ProducerOptions options) : options_(std::move(options)) {}
  absl::Status CheckSizes(const std::vector<Output>& outputs) const;
  // One transaction of `messages`, retried as the producer allows.
  absl::Status Commit(const std::vector<OutgoingMessage>& messages);

  const ProducerOptions options_;
  KafkaPtr rk_;  // idempotent mode
  absl::Mutex mu_;
  std::set<std::string> known_topics_ ABSL_GUARDED_BY(mu_);  // idempotent mode
  std::unique_ptr<TransactionalProducer> txn_ ABSL_GUARDED_BY(mu_);
  absl::Status fenced_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex group_mu_;
  int64_t transactions_ ABSL_GUARDED_BY(group_mu_) = 0;
  std::shared_ptr<CommitGroup> open_group_ ABSL_GUARDED_BY(group_mu_);  // collecting
  bool committing_ ABSL_GUARDED_BY(group_mu_) = false;
};

}  // namespace sbrgate::kafka

#endif  // SBRGATE_PIPELINE_KAFKA_PRODUCER_H_
