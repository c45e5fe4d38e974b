// PollStage: pulls for each receipted lodgment's business response on the
// STP schedule (pipeline/stp/poll_schedule/schedule.h), never early, and gives up 72 hours
// after the receipt (ESCALATED: the DSP contacts the ATO).
//
// Input LodgmentReceipted (topic submitted). Each pending lodgment is a
// PendingPoll in the "pending" store, by lodgment id, and a key in the
// "schedule" store, ScheduleKey(next poll, lodgment id): the same lodgments
// in next-poll order. Punctuate reads the schedule from its start up to the
// current time, so a poll costs a few store reads however many lodgments
// wait, and the stage holds nothing in memory per lodgment: on the local
// log a million pending polls stay on disk, and a restart serves at once
// (Init reads a key of each store).
//
//   PollStage poll(sbr.get(), blobs.get());
//   auto runner = LocalStageRunner::Create(options, *topology::Sbrgate().FindStage(stages::kPoll),
//                                          &poll, &clock, log.get());
//
// A pull is timed from the agency's receipt timestamp (or from when an
// operator resumed polling for an escalated lodgment) and from the moment
// the previous pull's answer came back, plus a small margin, so clock skew
// and transit time never make one early. A pull is first marked in the store
// (committed with one punctuation, sent at the next), so that a process that
// stops before recording the answer leaves the mark: whoever finds it counts
// that pull as done when found, and the next one waits its interval (SBR saw
// the pull even if sbrgate never saw the answer).
//
// The pulls of one punctuation go to SBR at once (Context::RunConcurrently),
// and their answers are recorded one after the other. A punctuation waits
// for them at most kPullWait: a slow pull (one whose connection took a
// second to open, or an agency that stops answering) must not hold every
// other lodgment's polls and the new receipts. One still running then is
// recorded by the first punctuation after its answer comes, and no other
// pull of its lodgment goes out meanwhile.
//
// Receipts are idempotent: a receipt of a message the stage is polling for,
// or has the response of, is read again only when a stage redid its work,
// and changes nothing (answered lodgments are remembered until 72 hours
// after their receipt). A receipt of a new MessageId replaces the pending
// one; one that resumes polling (polling_resumed_at) starts a new schedule.
#ifndef SBRGATE_PIPELINE_LODGMENT_POLL_STAGE_H_
#define SBRGATE_PIPELINE_LODGMENT_POLL_STAGE_H_

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::lodgment {

class PollStage : public stage::Stage {
 public:
  static constexpr const char* kStore = stages::kPollStore;
  static constexpr const char* kScheduleStore = stages::kPollScheduleStore;
  // Pulls marked or sent per punctuation: keeps each transaction small. Four
  // times the default max_in_flight, so that the pulls of one punctuation
  // keep every worker busy while the slower ones finish (at 32, receipt to
  // final took twice as long at 180 lodgments a second).
  static constexpr size_t kPullsPerPunctuation = 128;
  // The longest a punctuation waits for its pulls (a pull takes tens of
  // milliseconds when the agency answers at once).
  static constexpr absl::Duration kPullWait = absl::Milliseconds(500);

  PollStage(const sbr_client::SbrApi* sbr, const blob::BlobStore* blobs,
            absl::Duration margin = absl::Seconds(2))
      : sbr_(sbr), blobs_(blobs), margin_(margin) {}

  // The schedule store's key for a lodgment next polled at `at`: the time
  // in microseconds, rounded up (never early), as 8 bytes that sort as
  // times do, then the lodgment id.
  static std::string ScheduleKey(absl::Time at, const std::string& lodgment_id);

  std::string name() const override { return stages::kPoll; }
  absl::Status Init(stage::Context& ctx) override;
  absl::Status Process(const stage::Record& input, stage::Context& ctx) override;
  absl::Status Punctuate(absl::Time now, stage::Context& ctx) override;
  absl::Duration punctuate_interval() const override { return absl::Milliseconds(20); }
  // Pulls in progress do not hold the stop.
  void Stopping() override { sbr_->CancelExchanges(); }

 private:
  // A pull and when its answer came back.
  struct Pulled {
    std::string message_id;  // pulled for
    absl::StatusOr<sbr_client::PullOutcome> outcome;
    absl::Time answered;
    // A response's blob (its working file removed), else not set.
    absl::StatusOr<blob::BlobId> stored = absl::FailedPreconditionError("no response stored");
  };
  // Keeps a response as a blob (pull.stored): inline when small, else its
  // working file moved into the blob store.
  void StoreResponse(Pulled& pull) const;
  // Sends the pulls of the `due` lodgments whose mark is committed, all at
  // once (Context::RunConcurrently), and returns the answers that came
  // back by kPullWait, with those of pulls sent earlier that came back
  // since, by lodgment id. Their marks count as pulls from here on: should
  // an answer never be recorded, a later punctuation reschedules as after
  // a stop during the pull.
  std::map<std::string, Pulled> PullMarked(const std::vector<std::string>& due,
                                           stage::Context& ctx);
  // True while a pull of lodgment `id` is sent and not answered.
  bool PullRunning(const std::string& id) const;
  // On failure, `retry_at` says when the lodgment may be tried again. A
  // pull PullMarked sent is taken from `pulled`; otherwise it is sent here.
  absl::Status PollOne(const std::string& schedule_key, stage::Context& ctx, absl::Time* retry_at,
                       std::map<std::string, Pulled>& pulled);
  absl::Status Reschedule(events::PendingPoll& pending, absl::Time polled_at,
                          const std::string& result, stage::Context& ctx);
  // When the poll after one answered at `answered` may come; nullopt past
  // the give-up deadline.
  std::optional<absl::Time> NextPoll(const events::PendingPoll& pending, absl::Time answered) const;
  // Puts `pending` in the store and in the schedule at its next poll.
  void Schedule(const events::PendingPoll& pending, stage::Context& ctx);
  // Takes it out of the schedule; Forget, out of both.
  void Unschedule(const events::PendingPoll& pending, stage::Context& ctx);
  void Forget(const events::PendingPoll& pending, stage::Context& ctx);
  // Keeps lodgment `id` from being polled again before `until`.
  void HoldBack(const std::string& id, absl::Time until);
  void ForgetConfirmedPolls(absl::Time now, stage::Context& ctx);

  const sbr_client::SbrApi* sbr_;
  const blob::BlobStore* blobs_;
  const absl::Duration margin_;
  // Lodgments this instance polled whose outcome the stores may not show:
  // a punctuation whose commit fails is undone, leaving the earlier (due)
  // schedule, and polling again at once would be early. Also those whose
  // poll failed, set aside until they may be tried again. Each with that
  // time; dropped once the store shows the outcome, so it holds about one
  // punctuation's polls.
  std::map<std::string, absl::Time> unconfirmed_polls_;
  // No schedule key sorts before it: Punctuate starts there rather than at
  // the start of the store, past the keys of polls done since the stage
  // started (deleted keys a store may still have to step over).
  std::string schedule_floor_;
  // Pulls this instance marked and has not sent yet: a mark not in here was
  // left by a process that stopped during the pull.
  std::set<std::string> marked_;
  // Pulls sent and not yet recorded, by lodgment id: shared with the pulls
  // themselves, which may outlive the punctuation that sent them.
  struct InFlight {
    absl::Mutex mu;
    std::set<std::string> running ABSL_GUARDED_BY(mu);
    std::map<std::string, Pulled> answered ABSL_GUARDED_BY(mu);
  };
  const std::shared_ptr<InFlight> in_flight_ = std::make_shared<InFlight>();
};

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_POLL_STAGE_H_
