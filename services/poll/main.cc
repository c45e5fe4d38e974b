// The poll stage as its own process: pulls for business responses on the STP
// schedule and escalates after 72 hours (pipeline/stp/stages/poll_stage.h).
//
//   poll --kafka-brokers=HOST:PORT --data-dir=DIR --sbr-endpoint=URL
//        --cert=PEM --key=PEM --ca=PEM
#include "pipeline/stp/stages/poll_stage.h"
#include "services/common/pipeline.h"

int main(int argc, char** argv) {
  static std::unique_ptr<sbrgate::sbr_client::SbrClient> sbr;
  return sbrgate::StageMain(
      argc, argv,
      [](const sbrgate::PipelineConfig& config, const sbrgate::Clock* clock,
         sbrgate::blob::BlobStore* blobs) -> absl::StatusOr<std::unique_ptr<sbrgate::stage::Stage>> {
        auto client = sbrgate::MakeSbrClient(config, clock);
        if (!client.ok()) return client.status();
        sbr = *std::move(client);
        return std::make_unique<sbrgate::lodgment::PollStage>(sbr.get(), blobs);
      });
}
