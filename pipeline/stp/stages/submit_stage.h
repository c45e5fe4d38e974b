// SubmitStage: pushes each lodgment to SBR and records the technical receipt.
//
// Input LodgmentToSubmit (topic received); outputs LodgmentReceipted (topic
// submitted) and status changes. Rules from seed 002:
//   - no receipt means the delivery failed: the record is retried (the
//     runner backs off) with the SAME MessageId, and the lodgment shows HELD
//     while SBR is unavailable; it resumes by itself when SBR returns;
//   - a receipt must echo the digests we signed, else it is no receipt;
//   - an ebMS error is SBR's answer, not a delivery failure: the lodgment is
//     REFUSED with the error, never blindly resent;
//   - a crash after the push but before the receipt is committed replays the
//     record, and the resend (the same MessageId and timestamp, so the same
//     signed digests) is answered by SBR's duplicate elimination with the
//     original receipt.
#ifndef SBRGATE_PIPELINE_LODGMENT_SUBMIT_STAGE_H_
#define SBRGATE_PIPELINE_LODGMENT_SUBMIT_STAGE_H_

#include <string>
#include <vector>

#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::lodgment {

class SubmitStage : public stage::Stage {
 public:
  SubmitStage(const sbr_client::SbrApi* sbr, const blob::BlobStore* blobs)
      : sbr_(sbr), blobs_(blobs) {}

  std::string name() const override { return stages::kSubmit; }
  absl::Status Process(const stage::Record& input, stage::Context& ctx) override;
  // Pushes are independent exchanges that mostly wait for SBR: many go at
  // once (a resend after a crash or a hold is the same message).
  bool ProcessesConcurrently() const override { return true; }
  // A push of hours does not hold the stop.
  void Stopping() override { sbr_->CancelExchanges(); }

 private:
  const sbr_client::SbrApi* sbr_;
  const blob::BlobStore* blobs_;
};

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_SUBMIT_STAGE_H_
