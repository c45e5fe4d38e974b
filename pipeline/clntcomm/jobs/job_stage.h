// JobStage: runs the asynchronous client-communication jobs (bulk list, bulk
// get, the daily sync) against SBR's bulk and batch request processor, each
// when the ATO's reasonable-use rules allow (seed 000):
//   - a job waits in its store until its window opens (Job.not_before, from
//     clntcomm::EarliestStart: 8 pm to 6 am Sydney time, or business hours
//     for SMS/email-only work);
//   - the daily sync checks a practice at most once per 60 minutes, and
//     lists only the period since its last check (the first time: the last
//     24 hours), then gets what it found;
//   - documents retrieved before are served from sbrgate's store, never
//     fetched again (unless the job asks to refetch); each newly retrieved
//     document goes to the blob store and, as a CommunicationRetrieved, to
//     topics::kDocuments.
//
// A job's life, one step per punctuation when its next_attempt is due:
//   WAITING ──assign MessageId──> LISTING / GETTING (not receipted)
//     ──push, receipt──> receipted ──pull (every pull_interval) until the
//     response──> DONE, or the next phase (a daily sync lists, then gets)
// The MessageId and the exact request document are stored before the first
// push, so a push whose receipt was lost (or a crash) resends the same
// message and SBR's duplicate elimination keeps it to one processing. SBR
// unreachable: the job stays and tries again after retry_interval. SBR or
// the ATO refusing the request: the job FAILS with the reason.
//
// Every change of a job goes to topics::kJobs (a v1::Job snapshot whose
// results are a JobResults blob).
//
//   JobStage jobs(&sbr, &keeper, &blobs, {.message_id_domain = "dsp.example.com"});
//   runners.push_back(&jobs);
#ifndef SBRGATE_PIPELINE_COMMS_JOB_STAGE_H_
#define SBRGATE_PIPELINE_COMMS_JOB_STAGE_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/clntcomm/documents/document_keeper.h"
#include "pipeline/clntcomm/exchange/exchange.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/topology/topology.h"
#include "proto/communications.pb.h"

namespace sbrgate::comms {

inline constexpr char kJobKindBulkList[] = "bulk-list";
inline constexpr char kJobKindBulkGet[] = "bulk-get";
inline constexpr char kJobKindDailySync[] = "daily-sync";

struct JobStageOptions {
  std::string message_id_domain = "sbrgate.local";
  // Between pulls for a bulk response (clock time).
  absl::Duration pull_interval = absl::Minutes(1);
  // After SBR could not be reached (clock time).
  absl::Duration retry_interval = absl::Minutes(5);
  // Real time between looks for due jobs.
  absl::Duration punctuate_interval = absl::Milliseconds(200);
};

class JobStage : public stage::Stage {
 public:
  // Store names: the jobs in progress, each practice's last check, and each
  // practice's references for its clients (ClientId.reference: remembered
  // from the clients a request names, given to every item, document and
  // event of that client the practice's later jobs bring).
  static constexpr const char* kJobsStore = stages::kJobsStore;
  static constexpr const char* kChecksStore = stages::kChecksStore;
  static constexpr const char* kClientReferencesStore = stages::kClientReferencesStore;

  // All must outlive the stage.
  JobStage(const ClntcommExchange* sbr, DocumentKeeper* keeper, JobStageOptions options)
      : sbr_(sbr), keeper_(keeper), options_(std::move(options)) {}

  std::string name() const override { return stages::kJobs; }
  absl::Status Process(const stage::Record& input, stage::Context& ctx) override;
  absl::Status Punctuate(absl::Time now, stage::Context& ctx) override;
  absl::Duration punctuate_interval() const override { return options_.punctuate_interval; }
  // A bulk push or pull in progress does not hold the stop.
  void Stopping() override { sbr_->CancelExchanges(); }

 private:
  absl::Status Step(v1::JobProgress& p, absl::Time now, stage::Context& ctx);
  absl::Status Begin(v1::JobProgress& p, absl::Time now, stage::Context& ctx);
  absl::Status Push(v1::JobProgress& p, absl::Time now, stage::Context& ctx);
  absl::Status Pull(v1::JobProgress& p, absl::Time now, stage::Context& ctx);
  // Both name each client by the practice's reference (kClientReferencesStore)
  // in place, then finish the phase.
  absl::Status ListDone(v1::JobProgress& p, std::vector<clntcomm::ResponseEntry>& entries,
                        absl::Time now, stage::Context& ctx);
  absl::Status GetDone(v1::JobProgress& p, std::vector<clntcomm::ResponseEntry>& entries,
                       absl::Time now, stage::Context& ctx);
  // Asks SBR for `documents` (those not in the store), or finishes when
  // every one was served from it.
  absl::Status StartGet(v1::JobProgress& p, v1::BulkGetRequest request, v1::JobResults results,
                        absl::Time now, stage::Context& ctx);
  absl::Status StartBulk(v1::JobProgress& p, v1::JobProgress::Phase phase,
                         const std::string& request_xml, absl::Time now, stage::Context& ctx);
  absl::Status Finish(v1::JobProgress& p, v1::JobState state, const v1::JobResults& results,
                      std::string detail, absl::Time now, stage::Context& ctx);
  // Saves `p` and publishes its job's snapshot.
  void Save(v1::JobProgress& p, stage::Context& ctx, bool publish);

  const ClntcommExchange* sbr_;
  DocumentKeeper* keeper_;
  const JobStageOptions options_;
};

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_COMMS_JOB_STAGE_H_
