// The topics of client-communication retrieval and what flows on each.
// Values are protobuf messages from proto/communications.proto. Job requests
// are keyed by the practice's ABN, so that one job-stage instance holds all
// of a practice's jobs and the time of its last check (the once-an-hour rule
// holds however many instances run); job snapshots by job id; retrieved
// documents by document id.
//
//   CommunicationService ──JobRequested──> jobs.requested ──> job stage
//   CommunicationService, job stage ──Job──> jobs ──> job view (service)
//   CommunicationService, job stage ──CommunicationRetrieved──> documents
//                                     ──> downstream practice software
#ifndef SBRGATE_PIPELINE_COMMS_TOPICS_H_
#define SBRGATE_PIPELINE_COMMS_TOPICS_H_

#include <vector>

namespace sbrgate::comms::topics {

inline constexpr char kJobRequests[] = "sbrgate.clntcomm.jobs.requested";
inline constexpr char kJobs[] = "sbrgate.clntcomm.jobs";
inline constexpr char kDocuments[] = "sbrgate.clntcomm.documents";

// Jobs are few (a practice runs a handful a day); documents are many.
inline constexpr int kJobPartitions = 2;
inline constexpr int kDocumentPartitions = 8;

struct TopicSpec {
  const char* name;
  int partitions;
};

inline std::vector<TopicSpec> All() {
  return {{kJobRequests, kJobPartitions}, {kJobs, kJobPartitions},
          {kDocuments, kDocumentPartitions}};
}

}  // namespace sbrgate::comms::topics

#endif  // SBRGATE_PIPELINE_COMMS_TOPICS_H_
