// StatusViewStage: keeps a StatusView current from the status topic, and
// from the dead-letter topic (a lodgment whose record a stage could not
// process needs an operator; operators list and redrive dead letters). Every
// gateway instance runs its own (its own consumer group), so each holds the
// whole view.
#ifndef SBRGATE_PIPELINE_LODGMENT_STATUS_VIEW_STAGE_H_
#define SBRGATE_PIPELINE_LODGMENT_STATUS_VIEW_STAGE_H_

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "pipeline/platform/stage/dead_letter.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/stp/status/status_view.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::lodgment {

class StatusViewStage : public stage::Stage {
 public:
  StatusViewStage(StatusView* view, std::string instance)
      : view_(view), instance_(std::move(instance)) {}

  std::string name() const override { return std::string(stages::kStatusView) + "-" + instance_; }
  absl::Status Process(const stage::Record& input, stage::Context&) override {
    if (input.topic == topics::kDeadLetter) {
      // Never an error here: a dead letter that failed would become a dead
      // letter again, and so on.
      absl::StatusOr<events::DeadLetter> dl = stage::ParseDeadLetter(input.value);
      if (!dl.ok()) return absl::OkStatus();
      absl::Status s = view_->ApplyDeadLetterDeferred(
          input.partition, input.offset, *dl,
          absl::StartsWith(dl->topic(), topics::kLodgmentTopicPrefix));
      // Storage trouble is retried; nothing else becomes a dead letter.
      return absl::IsUnavailable(s) ? s : absl::OkStatus();
    }
    events::StatusChange change;
    if (!change.ParseFromString(input.value)) return absl::DataLossError("not a StatusChange");
    return view_->ApplyDeferred(change, input.offset);
  }
  // The batch's changes are written, in one synced write, before the offsets
  // that cover them commit; readers see them from then on.
  absl::Status Flush() override { return view_->Sync(); }
  // Readers see a change once its batch is written, and an upload is
  // answered only when the view shows it.
  absl::Duration max_batch_delay() const override { return kViewBatchDelay; }
  static constexpr absl::Duration kViewBatchDelay = absl::Milliseconds(10);

 private:
  StatusView* view_;
  const std::string instance_;
};

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_STATUS_VIEW_STAGE_H_
