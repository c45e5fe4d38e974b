// Record and Output: a record read from a Kafka topic, and one to be written.
// Every layer above Kafka speaks in these: stages process Records and emit
// Outputs (pipeline/platform/stage/stage.h), the Producer writes Outputs, the
// TopicReader reads Records.
//
//   Output out{"sbrgate.lodgments.status", lodgment_id, change.SerializeAsString()};
//   absl::Status s = producer->ProduceAll({out});
//   // ... and on the other side, a consumed Record carries where it was:
//   events::StatusChange change;
//   change.ParseFromString(record.value);   // record.topic, .partition, .offset
#ifndef SBRGATE_PIPELINE_KAFKA_RECORD_H_
#define SBRGATE_PIPELINE_KAFKA_RECORD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace sbrgate::kafka {

// Kafka record headers, in order (a name may repeat).
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;  // a serialized protobuf message
  absl::Time timestamp;
  Headers headers;
};

struct Output {
  std::string topic;
  std::string key;    // decides the partition: same key, same order
  std::string value;  // a serialized protobuf message; at most 64 KiB
  Headers headers;
};

}  // namespace sbrgate::kafka

#endif  // SBRGATE_PIPELINE_KAFKA_RECORD_H_
