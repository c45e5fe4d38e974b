// Publisher: how a service that is not a stage (the lodgment gateway, the
// communication service) puts records on topics.
// Publish writes all outputs in one Kafka transaction: a lodgment's first
// status and its submission appear together or not at all.
//
//   absl::Status s = publisher.Publish({{topics::kStatus, id, change.SerializeAsString()},
//                                       {topics::kReceived, id, submit.SerializeAsString()}});
#ifndef SBRGATE_PIPELINE_PLATFORM_PUBLISH_PUBLISHER_H_
#define SBRGATE_PIPELINE_PLATFORM_PUBLISH_PUBLISHER_H_

#include <vector>

#include "absl/status/status.h"
#include "pipeline/platform/kafka/record.h"

namespace sbrgate::publish {

class Publisher {
 public:
  virtual ~Publisher() = default;
  // All or nothing; returns once the broker has the records committed.
  virtual absl::Status Publish(std::vector<kafka::Output> outputs) = 0;
};

}  // namespace sbrgate::publish

#endif  // SBRGATE_PIPELINE_PLATFORM_PUBLISH_PUBLISHER_H_
