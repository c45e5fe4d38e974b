// sbrgate's topology, declared once (topology.cc): every Kafka topic with its
// partitions, retention and compaction, and every stage with its input and
// output topics and state stores (whose compacted changelog topics follow
// from them). The stage runners take their inputs and stores from it; the
// embedded cluster and kafka-host create its topics, and `sbrgated
// --print-topology` prints it (deploy/topics.sh: the commands that create
// the topics on a real cluster).
//
//   const stage::Topology& topology = topology::Sbrgate();
//   const stage::StageSpec* poll = topology.FindStage(lodgment::stages::kPoll);
//   for (const stage::TopicSpec& t : topology.topics()) cluster->CreateTopic(t.name, t.partitions);
//   ctx.Emit({lodgment::topics::kStatus, lodgment_id, change.SerializeAsString()});
//
// The STP lodgment pipeline: keys are lodgment ids, so every record of one
// lodgment stays in order on one partition; values are protobuf messages
// from proto/events.proto.
//
//   gateway ──LodgmentToSubmit──> received ──> submit ──LodgmentReceipted──> submitted
//   submitted ──> poll ──ResponseReady──> responses ──> triage
//   triage/gateway ──ResubmitRequest──> resubmit ──> resubmit stage ──> received
//   every stage ──StatusChange──> status ──> status view (gateway)
//
// Client-communication retrieval: values are protobuf messages from
// proto/communications.proto. Job requests are keyed by the practice's ABN,
// so that one job-stage instance holds all of a practice's jobs and the time
// of its last check (the once-an-hour rule holds however many instances
// run); job snapshots by job id; retrieved documents by document id.
//
//   CommunicationService ──JobRequested──> jobs.requested ──> job stage
//   CommunicationService, job stage ──Job──> jobs ──> job view (service)
//   CommunicationService, job stage ──CommunicationRetrieved──> documents
//                                     ──> downstream practice software
#ifndef SBRGATE_PIPELINE_TOPOLOGY_TOPOLOGY_H_
#define SBRGATE_PIPELINE_TOPOLOGY_TOPOLOGY_H_

#include "pipeline/platform/stage/topology.h"

namespace sbrgate {

namespace lodgment::topics {

inline constexpr char kReceived[] = "sbrgate.lodgments.received";
inline constexpr char kSubmitted[] = "sbrgate.lodgments.submitted";
inline constexpr char kResponses[] = "sbrgate.lodgments.responses";
inline constexpr char kResubmit[] = "sbrgate.lodgments.resubmit";
inline constexpr char kStatus[] = "sbrgate.lodgments.status";
inline constexpr char kDeadLetter[] = "sbrgate.deadletter";
// Every lodgment topic's name starts so, and its records are keyed by
// lodgment id.
inline constexpr char kLodgmentTopicPrefix[] = "sbrgate.lodgments.";

}  // namespace lodgment::topics

namespace lodgment::stages {

inline constexpr char kSubmit[] = "submit";
inline constexpr char kPoll[] = "poll";
inline constexpr char kPollStore[] = "pending";  // lodgments waiting for their next poll
// the same lodgments by next poll time: the poll stage reads the due ones
inline constexpr char kPollScheduleStore[] = "schedule";
inline constexpr char kTriage[] = "triage";
inline constexpr char kResubmit[] = "resubmit";
inline constexpr char kResubmitStore[] = "due";  // resubmissions waiting for their time
// the last attempt released per lodgment: a repeated request is not sent twice
inline constexpr char kResubmitReleasedStore[] = "released";
// Per instance: every gateway holds the whole status view.
inline constexpr char kStatusView[] = "status-view";

}  // namespace lodgment::stages

namespace comms::topics {

inline constexpr char kJobRequests[] = "sbrgate.clntcomm.jobs.requested";
inline constexpr char kJobs[] = "sbrgate.clntcomm.jobs";
inline constexpr char kDocuments[] = "sbrgate.clntcomm.documents";

}  // namespace comms::topics

namespace comms::stages {

inline constexpr char kJobs[] = "comms-jobs";
inline constexpr char kJobsStore[] = "jobs";      // the jobs in progress
inline constexpr char kChecksStore[] = "checks";  // each practice's last check
// each practice's own references for its clients (ClientId.reference)
inline constexpr char kClientReferencesStore[] = "client-references";
// Per instance: every service instance holds the whole job view.
inline constexpr char kJobView[] = "comms-job-view";

}  // namespace comms::stages

namespace topology {

// Built once, on first use. Valid (Validate() is OK): topology_test checks.
const stage::Topology& Sbrgate();

}  // namespace topology

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_TOPOLOGY_TOPOLOGY_H_
