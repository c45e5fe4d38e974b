// The topics of the STP lodgment pipeline and what flows on each. Keys are
// lodgment ids, so every record of one lodgment stays in order on one
// partition. Values are protobuf messages from proto/events.proto.
//
//   gateway ──LodgmentToSubmit──> received ──> submit ──LodgmentReceipted──> submitted
//   submitted ──> poll ──ResponseReady──> responses ──> triage
//   triage/gateway ──ResubmitRequest──> resubmit ──> resubmit stage ──> received
//   every stage ──StatusChange──> status ──> status view (gateway)
#ifndef SBRGATE_PIPELINE_LODGMENT_TOPICS_H_
#define SBRGATE_PIPELINE_LODGMENT_TOPICS_H_

#include <utility>
#include <vector>

namespace sbrgate::lodgment::topics {

inline constexpr char kReceived[] = "sbrgate.lodgments.received";
inline constexpr char kSubmitted[] = "sbrgate.lodgments.submitted";
inline constexpr char kResponses[] = "sbrgate.lodgments.responses";
inline constexpr char kResubmit[] = "sbrgate.lodgments.resubmit";
inline constexpr char kStatus[] = "sbrgate.lodgments.status";
inline constexpr char kDeadLetter[] = "sbrgate.deadletter";

// Partitions per topic: spread volume (the mock cluster keeps 5 MiB a
// partition) while keeping one lodgment's records in order.
inline constexpr int kPartitions = 8;

inline std::vector<const char*> All() {
  return {kReceived, kSubmitted, kResponses, kResubmit, kStatus, kDeadLetter};
}

}  // namespace sbrgate::lodgment::topics

#endif  // SBRGATE_PIPELINE_LODGMENT_TOPICS_H_
