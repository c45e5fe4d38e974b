// KafkaPublisher: the Publisher on Kafka, one transaction per
// Publish (a transactional producer of its own id, so a restarted gateway
// fences its previous incarnation).
//
//   auto publisher = KafkaPublisher::Create(kafka, "sbrgate.gateway.host-1");
#ifndef SBRGATE_PIPELINE_PLATFORM_PUBLISH_KAFKA_PUBLISHER_H_
#define SBRGATE_PIPELINE_PLATFORM_PUBLISH_KAFKA_PUBLISHER_H_

#include <memory>
#include <string>
#include <vector>

#include "pipeline/platform/kafka/config.h"
#include "pipeline/platform/kafka/producer.h"
#include "pipeline/platform/publish/publisher.h"

namespace sbrgate::publish {

class KafkaPublisher : public Publisher {
 public:
  static absl::StatusOr<std::unique_ptr<KafkaPublisher>> Create(const kafka::KafkaConfig& config,
                                                                const std::string& transactional_id) {
    kafka::ProducerOptions options;
    options.transactional_id = transactional_id;
    absl::StatusOr<std::unique_ptr<kafka::Producer>> producer =
        kafka::Producer::Create(config, options);
    if (!producer.ok()) return producer.status();
    return std::unique_ptr<KafkaPublisher>(new KafkaPublisher(*std::move(producer)));
  }

  absl::Status Publish(std::vector<kafka::Output> outputs) override {
    return producer_->ProduceAll(outputs);
  }

 private:
  explicit KafkaPublisher(std::unique_ptr<kafka::Producer> producer)
      : producer_(std::move(producer)) {}
  std::unique_ptr<kafka::Producer> producer_;
};

}  // namespace sbrgate::publish

#endif  // SBRGATE_PIPELINE_PLATFORM_PUBLISH_KAFKA_PUBLISHER_H_
