// The triage stage as its own process: reads SBR's business responses and
// decides each lodgment's outcome (pipeline/stp/stages/triage_stage.h).
//
//   triage --kafka-brokers=HOST:PORT --data-dir=DIR [--max-attempts=3]
#include "absl/flags/flag.h"
#include "pipeline/stp/stages/triage_stage.h"
#include "services/common/pipeline.h"

ABSL_FLAG(int, max_attempts, 3, "pushes of a lodgment answered SystemError before giving up");
ABSL_FLAG(absl::Duration, system_error_backoff, absl::Minutes(15),
          "wait before resubmitting after a SystemError (doubles per attempt)");

int main(int argc, char** argv) {
  return sbrgate::StageMain(
      argc, argv,
      [](const sbrgate::PipelineConfig&, const sbrgate::Clock*, sbrgate::blob::BlobStore* blobs)
          -> absl::StatusOr<std::unique_ptr<sbrgate::stage::Stage>> {
        return std::make_unique<sbrgate::lodgment::TriageStage>(
            blobs, sbrgate::lodgment::TriagePolicy{absl::GetFlag(FLAGS_max_attempts),
                                                   absl::GetFlag(FLAGS_system_error_backoff)});
      });
}
