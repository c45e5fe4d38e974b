// The agent practices' process: client-communication retrieval (the gRPC
// CommunicationService, its job view, and the job stage that runs bulk work
// against SBR in the ATO's reasonable-use windows) and client management
// (the RelationshipService, the DemographicsService and the
// ClientRegistrationService, which keep no state of their own).
//
//   comms --kafka-brokers=HOST:PORT --data-dir=DIR --grpc-listen=0.0.0.0:50052
//         --sbr-endpoint=URL --cert=PEM --key=PEM --ca=PEM --comms-permissions=FILE
#include <cstdio>
#include <vector>

#include "pipeline/platform/rpc/server.h"
#include "services/common/client_management.h"
#include "services/common/clntcomm.h"
#include "services/common/dashed_flags.h"
#include "services/common/flags.h"
#include "services/common/grpc_security.h"
#include "services/common/pipeline.h"
#include "services/common/process_tuning.h"

int main(int argc, char** argv) {
  sbrgate::TuneProcess();
  sbrgate::flags::SetGrpcListenDefault("127.0.0.1:50052");
  sbrgate::ParseDashedCommandLine(argc, argv);
  sbrgate::BlockStopSignals();
  auto fail = [](const absl::Status& s) {
    std::fprintf(stderr, "comms: %s\n", std::string(s.message()).c_str());
    return 1;
  };
  auto config = sbrgate::PipelineConfigFromFlags();
  if (!config.ok()) return fail(config.status());
  if (config->kafka.bootstrap.empty()) {
    return fail(absl::InvalidArgumentError("--kafka-brokers is required"));
  }
  auto clock = sbrgate::MakeClock(*config);
  auto blobs = sbrgate::OpenBlobStore(*config);
  if (!blobs.ok()) return fail(blobs.status());
  auto sbr = sbrgate::MakeSbrClient(*config, clock.get());
  if (!sbr.ok()) return fail(sbr.status());
  const std::string listen = sbrgate::flags::GrpcListen();
  auto security = sbrgate::GrpcSecurityFromFlags(listen, config->data_dir, clock.get());
  if (!security.ok()) return fail(security.status());
  std::unique_ptr<sbrgate::TopicLog> topics = sbrgate::TopicLog::OnKafka(*config);
  auto comms = sbrgate::Communications::Create(
      *config, topics.get(), blobs->get(), clock.get(), sbr->get(),
      {sbrgate::flags::CommsPermissions(), security->authenticator.get(), security->audit.get()});
  if (!comms.ok()) return fail(comms.status());
  sbrgate::rpc::ServerOptions server_options;
  server_options.address = listen;
  server_options.credentials = security->credentials;
  std::unique_ptr<sbrgate::ClientManagement> clients = sbrgate::ClientManagement::Create(
      *config, sbr->get(), clock.get(), security->authenticator.get(), security->audit.get());
  std::vector<grpc::Service*> services = {(*comms)->service()};
  for (grpc::Service* s : clients->services()) services.push_back(s);
  auto server = sbrgate::rpc::StartServer(services, server_options);
  if (!server.ok()) return fail(server.status());
  absl::Status run = sbrgate::RunStagesUntilSignal(
      *topics, config->instance, {(*comms)->view_stage(), (*comms)->job_stage()},
      clock.get(), [&](const sbrgate::RunningStages& running) {
        std::printf("{\"grpc\": \"127.0.0.1:%d\", \"admin\": %s}\n", server->port,
                    running.AdminJson().c_str());
        std::fflush(stdout);
      });
  server->server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  if (!run.ok()) return fail(run);
  return 0;
}
