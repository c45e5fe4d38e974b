// PollStage: pulls for each receipted lodgment's business response on the
// STP schedule (pipeline/stp/poll_schedule/schedule.h), never early, and gives up 72 hours
// after the receipt (ESCALATED: the DSP contacts the ATO).
//
// Input LodgmentReceipted (topic submitted). Each pending lodgment is a
// PendingPoll in the "pending" store (restored from its changelog on start)
// and an entry in a timer ordered by next poll time, so a million pending
// lodgments cost O(log n) per poll and nothing between polls: Punctuate only
// looks at the front of the timer.
//
// A pull is timed from the agency's receipt timestamp and from the moment
// the previous pull's answer came back, plus a small margin, so clock skew
// and transit time never make one early. A pull is first marked in the store
// (committed with one punctuation, sent at the next), so that a process that
// stops before recording the answer leaves the mark: whoever finds it counts
// that pull as done when found, and the next one waits its interval (SBR saw
// the pull even if sbrgate never saw the answer).
#ifndef SBRGATE_PIPELINE_LODGMENT_POLL_STAGE_H_
#define SBRGATE_PIPELINE_LODGMENT_POLL_STAGE_H_

#include <set>
#include <string>

#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/stp/stages/poll_timer.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::lodgment {

class PollStage : public stage::Stage {
 public:
  static constexpr const char* kStore = stages::kPollStore;

  PollStage(const sbr_client::SbrApi* sbr, const blob::BlobStore* blobs,
            absl::Duration margin = absl::Seconds(2))
      : sbr_(sbr), blobs_(blobs), margin_(margin) {}

  std::string name() const override { return stages::kPoll; }
  absl::Status Init(stage::Context& ctx) override;
  absl::Status Process(const stage::Record& input, stage::Context& ctx) override;
  absl::Status Punctuate(absl::Time now, stage::Context& ctx) override;
  absl::Duration punctuate_interval() const override { return absl::Milliseconds(20); }

  size_t pending() const { return timer_.size(); }

 private:
  absl::Status PollOne(const std::string& lodgment_id, stage::Context& ctx);
  absl::Status Reschedule(events::PendingPoll& pending, absl::Time polled_at, const std::string& result,
                          stage::Context& ctx);

  const sbr_client::SbrApi* sbr_;
  const blob::BlobStore* blobs_;
  const absl::Duration margin_;
  PollTimer timer_;
  // Pulls this instance marked and has not sent yet: a mark not in here was
  // left by a process that stopped during the pull.
  std::set<std::string> marked_;
};

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_POLL_STAGE_H_
