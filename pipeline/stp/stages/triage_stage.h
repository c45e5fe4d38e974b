// TriageStage: reads SBR's event.02 business response and decides what the
// lodgment's outcome is (seed 002):
//   Information, Warning  -> ACCEPTED
//   Partial               -> PARTIALLY_ACCEPTED; each rejected employee
//                            record, named by its DocumentID, with its error
//                            codes, descriptions (parameters substituted) and
//                            field paths, awaits a fix (an update event or
//                            the next pay run)
//   Error                 -> REJECTED; the lodgment needs fixing and lodging
//                            again
//   SystemError           -> resubmitted automatically after a backoff, at
//                            most max_attempts pushes, then SYSTEM_ERROR
#ifndef SBRGATE_PIPELINE_LODGMENT_TRIAGE_STAGE_H_
#define SBRGATE_PIPELINE_LODGMENT_TRIAGE_STAGE_H_

#include <string>
#include <vector>

#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::lodgment {

struct TriagePolicy {
  int max_attempts = 3;
  absl::Duration first_backoff = absl::Minutes(15);  // doubles per attempt
};

class TriageStage : public stage::Stage {
 public:
  TriageStage(const blob::BlobStore* blobs, TriagePolicy policy = {})
      : blobs_(blobs), policy_(policy) {}

  std::string name() const override { return stages::kTriage; }
  absl::Status Process(const stage::Record& input, stage::Context& ctx) override;

 private:
  const blob::BlobStore* blobs_;
  const TriagePolicy policy_;
};

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_TRIAGE_STAGE_H_
