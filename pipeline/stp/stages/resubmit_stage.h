// ResubmitStage: sends a lodgment again as a new attempt, with a new
// MessageId (SBR already holds the old one: its duplicate elimination would
// answer with the old receipt). Requests come from triage (SystemError, with
// a backoff) and from operators' replays through the gateway.
//
// Input ResubmitRequest (topic resubmit); a request due later waits in the
// "due" store (restored from its changelog), and Punctuate releases it as a
// LodgmentToSubmit on the received topic, where the submit stage takes it.
// Each attempt goes out once: the "released" store keeps the last attempt
// sent per lodgment, and a request for that attempt or an earlier one (an
// operator's replay asked twice, a redelivered record) changes nothing.
#ifndef SBRGATE_PIPELINE_LODGMENT_RESUBMIT_STAGE_H_
#define SBRGATE_PIPELINE_LODGMENT_RESUBMIT_STAGE_H_

#include <string>
#include <vector>

#include "pipeline/platform/stage/stage.h"
#include "pipeline/stp/stages/poll_timer.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::lodgment {

class ResubmitStage : public stage::Stage {
 public:
  static constexpr const char* kStore = stages::kResubmitStore;
  static constexpr const char* kReleasedStore = stages::kResubmitReleasedStore;

  explicit ResubmitStage(std::string message_id_domain)
      : message_id_domain_(std::move(message_id_domain)) {}

  std::string name() const override { return stages::kResubmit; }
  absl::Status Init(stage::Context& ctx) override;
  absl::Status Process(const stage::Record& input, stage::Context& ctx) override;
  absl::Status Punctuate(absl::Time now, stage::Context& ctx) override;
  absl::Duration punctuate_interval() const override { return absl::Milliseconds(50); }

 private:
  // Whether this attempt (or a later one) was sent already.
  bool Released(const events::ResubmitRequest& request, stage::Context& ctx) const;
  void Release(const events::ResubmitRequest& request, stage::Context& ctx);

  const std::string message_id_domain_;
  PollTimer timer_;
};

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_RESUBMIT_STAGE_H_
