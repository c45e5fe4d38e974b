// The triage stage as its own process: reads SBR's business responses and
// decides each lodgment's outcome (pipeline/stp/stages/triage_stage.h).
//
//   triage --kafka-brokers=HOST:PORT --data-dir=DIR [--max-attempts=3]
#include "pipeline/stp/stages/triage_stage.h"
#include "services/common/flags.h"
#include "services/common/pipeline.h"

int main(int argc, char** argv) {
  return sbrgate::StageMain(
      argc, argv,
      [](const sbrgate::PipelineConfig&, const sbrgate::Clock*, sbrgate::blob::BlobStore* blobs)
          -> absl::StatusOr<std::unique_ptr<sbrgate::stage::Stage>> {
        return std::make_unique<sbrgate::lodgment::TriageStage>(
            blobs, sbrgate::lodgment::TriagePolicy{sbrgate::flags::MaxAttempts(),
                                                   sbrgate::flags::SystemErrorBackoff()});
      });
}
