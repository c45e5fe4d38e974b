// The resubmit stage as its own process: sends lodgments again as new
// attempts, after SystemErrors and for operators' replays
// (pipeline/stp/stages/resubmit_stage.h).
//
//   resubmit --kafka-brokers=HOST:PORT --data-dir=DIR
#include "pipeline/stp/stages/resubmit_stage.h"
#include "services/common/pipeline.h"

int main(int argc, char** argv) {
  return sbrgate::StageMain(
      argc, argv,
      [](const sbrgate::PipelineConfig& config, const sbrgate::Clock*, sbrgate::blob::BlobStore*)
          -> absl::StatusOr<std::unique_ptr<sbrgate::stage::Stage>> {
        return std::make_unique<sbrgate::lodgment::ResubmitStage>(config.message_id_domain);
      });
}
