// The gateway as its own process: the gRPC LodgmentService (ingest, reads,
// watches, replays) and the status view it answers from.
//
//   gateway --kafka-brokers=HOST:PORT --data-dir=DIR --grpc-listen=0.0.0.0:50051
//           --grpc-cert=PEM --grpc-key=PEM --grpc-client-ca=PEM --access=FILE
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/common/dashed_flags.h"
#include "services/common/flags.h"
#include "services/common/gateway.h"
#include "services/common/grpc_security.h"
#include "services/common/process_tuning.h"
#include "services/common/pipeline.h"

int main(int argc, char** argv) {
  sbrgate::TuneProcess();
  sbrgate::ParseDashedCommandLine(argc, argv);
  sbrgate::BlockStopSignals();
  auto fail = [](const absl::Status& s) {
    std::fprintf(stderr, "gateway: %s\n", std::string(s.message()).c_str());
    return 1;
  };
  auto config = sbrgate::PipelineConfigFromFlags();
  if (!config.ok()) return fail(config.status());
  if (config->kafka.bootstrap.empty()) {
    return fail(absl::InvalidArgumentError("--kafka-brokers is required"));
  }
  auto prevalidate = sbrgate::ParsePrevalidate(sbrgate::flags::Prevalidate());
  if (!prevalidate.ok()) return fail(prevalidate.status());
  auto clock = sbrgate::MakeClock(*config);
  auto blobs = sbrgate::OpenBlobStore(*config);
  if (!blobs.ok()) return fail(blobs.status());
  sbrgate::GatewayOptions options;
  options.grpc_listen = sbrgate::flags::GrpcListen();
  options.prevalidate = *prevalidate;
  auto security =
      sbrgate::GrpcSecurityFromFlags(options.grpc_listen, config->data_dir, clock.get());
  if (!security.ok()) return fail(security.status());
  options.credentials = security->credentials;
  options.authenticator = security->authenticator.get();
  options.audit = security->audit.get();
  options.console_listen = security->console_listen;
  options.console_tls = security->tls_files;
  std::unique_ptr<sbrgate::TopicLog> topics = sbrgate::TopicLog::OnKafka(*config);
  auto gateway =
      sbrgate::Gateway::Start(*config, topics.get(), blobs->get(), clock.get(), options);
  if (!gateway.ok()) return fail(gateway.status());
  absl::Status run = sbrgate::RunStagesUntilSignal(
      *topics, config->instance, {(*gateway)->view_stage()}, clock.get(),
      [&](const sbrgate::RunningStages& running) {
        (*gateway)->SetViewReady();
        std::printf("{\"grpc\": \"127.0.0.1:%d\", \"admin\": %s, \"console\": %s}\n",
                    (*gateway)->port(), running.AdminJson().c_str(),
                    (*gateway)->ConsoleJson().c_str());
        std::fflush(stdout);
      },
      /*ready_after=*/{(*gateway)->view_stage()},
      /*before_stop=*/[&] { (*gateway)->Shutdown(); },
      /*admin_routes=*/(*gateway)->ConsoleRoutes());
  if (!run.ok()) return fail(run);
  return 0;
}
