#include "pipeline/topology/topology.h"

namespace sbrgate::topology {

namespace {

// Lodgment topics: spread volume (the mock cluster keeps 5 MiB a partition)
// while keeping one lodgment's records in order.
constexpr int kLodgmentPartitions = 8;
// Client communications: jobs are few (a practice runs a handful a day);
// documents are many.
constexpr int kJobPartitions = 2;
constexpr int kDocumentPartitions = 8;

// Event topics keep their records for ever (the default TopicSpec): a
// lodgment's history is replayed from them. Each names the message its
// values hold (proto/events.proto, proto/communications.proto), for
// `sbrgate log tail`.
stage::Topology Declare() {
  namespace lt = lodgment::topics;
  namespace ls = lodgment::stages;
  namespace ct = comms::topics;
  namespace cs = comms::stages;
  stage::Topology::Builder b("sbrgate");
  b.Topic({lt::kReceived, kLodgmentPartitions, "sbrgate.events.LodgmentToSubmit"})
      .Topic({lt::kSubmitted, kLodgmentPartitions, "sbrgate.events.LodgmentReceipted"})
      .Topic({lt::kResponses, kLodgmentPartitions, "sbrgate.events.ResponseReady"})
      .Topic({lt::kResubmit, kLodgmentPartitions, "sbrgate.events.ResubmitRequest"})
      .Topic({lt::kStatus, kLodgmentPartitions, "sbrgate.events.StatusChange"})
      .Topic({lt::kDeadLetter, kLodgmentPartitions, "sbrgate.events.DeadLetter"})
      .DeadLetters(lt::kDeadLetter);
  b.AddStage({ls::kSubmit, {lt::kReceived}, {lt::kSubmitted, lt::kStatus}})
      .AddStage({ls::kPoll,
                 {lt::kSubmitted},
                 {lt::kResponses, lt::kStatus},
                 {ls::kPollStore, ls::kPollScheduleStore}})
      .AddStage({ls::kTriage, {lt::kResponses}, {lt::kStatus, lt::kResubmit}})
      .AddStage(
          {ls::kResubmit,
           {lt::kResubmit},
           {lt::kReceived, lt::kStatus},
           {ls::kResubmitStore, ls::kResubmitReleasedStore}})
      .AddStage({ls::kStatusView, {lt::kStatus, lt::kDeadLetter}, {}, {}, /*per_instance=*/true});
  b.Topic({ct::kJobRequests, kJobPartitions, "sbrgate.v1.JobRequested"})
      .Topic({ct::kJobs, kJobPartitions, "sbrgate.v1.Job"})
      .Topic({ct::kDocuments, kDocumentPartitions, "sbrgate.v1.CommunicationRetrieved"});
  b.AddStage({cs::kJobs,
              {ct::kJobRequests},
              {ct::kJobs, ct::kDocuments},
              {cs::kJobsStore, cs::kChecksStore, cs::kClientReferencesStore}})
      .AddStage({cs::kJobView, {ct::kJobs}, {}, {}, /*per_instance=*/true});
  return b.Build();
}

}  // namespace

const stage::Topology& Sbrgate() {
  static const stage::Topology* const topology = new stage::Topology(Declare());
  return *topology;
}

}  // namespace sbrgate::topology
