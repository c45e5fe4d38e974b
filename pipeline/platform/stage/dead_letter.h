// DeadLetterRecord: what goes to the dead-letter topic in place of a record a
// stage failed on for good, and how to read it back. Both runners write the
// same thing: an events::DeadLetter value (the original key and value, the
// stage, the error, the attempt count) and the same facts as headers, named
// as Spring Kafka names its DLT headers so that kcat and Kafka tooling show
// them:
//
//   kafka_dlt-original-topic       sbrgate.lodgments.received
//   kafka_dlt-original-partition   3          (decimal text, unlike Spring's
//   kafka_dlt-original-offset      1042        binary ints: readable in kcat)
//   kafka_dlt-original-timestamp   1765000000000   (Unix milliseconds)
//   kafka_dlt-exception-fqcn       INVALID_ARGUMENT   (absl::StatusCode name)
//   kafka_dlt-exception-message    the error's message
//   sbrgate_dlt-stage              submit
//   sbrgate_dlt-attempts           1
//
//   Output dl = DeadLetterRecord(topology.dead_letter_topic(), "submit", record, error,
//                                /*attempts=*/1, clock.Now());
//   absl::StatusOr<events::DeadLetter> back = ParseDeadLetter(dl.value);
//
// The key is the original record's key, so a lodgment's dead letters are in
// order with each other.
#ifndef SBRGATE_PIPELINE_STAGE_DEAD_LETTER_H_
#define SBRGATE_PIPELINE_STAGE_DEAD_LETTER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/kafka/record.h"
#include "proto/events.pb.h"

namespace sbrgate::stage {

inline constexpr char kDltOriginalTopic[] = "kafka_dlt-original-topic";
inline constexpr char kDltOriginalPartition[] = "kafka_dlt-original-partition";
inline constexpr char kDltOriginalOffset[] = "kafka_dlt-original-offset";
inline constexpr char kDltOriginalTimestamp[] = "kafka_dlt-original-timestamp";
inline constexpr char kDltExceptionFqcn[] = "kafka_dlt-exception-fqcn";
inline constexpr char kDltExceptionMessage[] = "kafka_dlt-exception-message";
inline constexpr char kDltStage[] = "sbrgate_dlt-stage";
inline constexpr char kDltAttempts[] = "sbrgate_dlt-attempts";

// The dead letter of `record`, which stage `stage` failed on with `error`
// after `attempts` tries, at `at` (the stages' clock). A value too large for
// a message leaves out the original value (the error says where to read it).
kafka::Output DeadLetterRecord(const std::string& dead_letter_topic, const std::string& stage,
                               const kafka::Record& record, const absl::Status& error,
                               int attempts, absl::Time at);

// The DeadLetter in a dead-letter record's value; DataLoss when unreadable.
absl::StatusOr<events::DeadLetter> ParseDeadLetter(const std::string& value);

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_DEAD_LETTER_H_
