// kMaxMessageBytes: the largest message sbrgate puts on any topic. Payloads
// travel as blob references (proto/events.proto), so every record fits; the
// producers refuse anything larger, and the gateway checks a lodgment's
// records before publishing them. The embedded cluster keeps only 5 MiB per
// partition, so small messages are also what keeps its data from being
// dropped.
//
//   if (value.size() > kafka::kMaxMessageBytes) return TooLarge(value.size());
#ifndef SBRGATE_PIPELINE_KAFKA_LIMITS_H_
#define SBRGATE_PIPELINE_KAFKA_LIMITS_H_

#include <cstddef>

namespace sbrgate::kafka {

inline constexpr size_t kMaxMessageBytes = 64 * 1024;

}  // namespace sbrgate::kafka

#endif  // SBRGATE_PIPELINE_KAFKA_LIMITS_H_
