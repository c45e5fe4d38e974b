// The submit stage as its own process: pushes lodgments to SBR and records
// technical receipts (pipeline/stp/stages/submit_stage.h).
//
//   submit --kafka-brokers=HOST:PORT --data-dir=DIR --sbr-endpoint=URL
//          --cert=PEM --key=PEM --ca=PEM
#include "pipeline/stp/stages/submit_stage.h"
#include "services/common/pipeline.h"

int main(int argc, char** argv) {
  // The client lives as long as the process.
  static std::unique_ptr<sbrgate::sbr_client::SbrClient> sbr;
  return sbrgate::StageMain(
      argc, argv,
      [](const sbrgate::PipelineConfig& config, const sbrgate::Clock* clock,
         sbrgate::blob::BlobStore* blobs) -> absl::StatusOr<std::unique_ptr<sbrgate::stage::Stage>> {
        auto client = sbrgate::MakeSbrClient(config, clock);
        if (!client.ok()) return client.status();
        sbr = *std::move(client);
        return std::make_unique<sbrgate::lodgment::SubmitStage>(sbr.get(), blobs);
      });
}
