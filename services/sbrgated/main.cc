// sbrgated: all of sbrgate in one process: the gRPC gateway and status view,
// the submit, poll, triage and resubmit stages of the STP lodgment pipeline,
// and client-communication retrieval (CommunicationService and its job
// stage), joined by topics exactly as when each runs as its own process.
// Both gRPC services share --grpc-listen.
//
// The topics are the durable local log in --data-dir (services/common/
// topic_log.h) unless a Kafka cluster is named: the embedded default, which
// survives kill -9 and restarts with nothing lost.
//
//   sbrgated-sandbox --embedded-sim --time-scale=600
//                    --grpc-listen=127.0.0.1:50051 --data-dir=/tmp/sbrgate
//   sbrgated --kafka-brokers=kafka1:9092 --kafka-config=/etc/sbrgate/kafka.properties
//            --sbr-endpoint=https://... --cert=m2m.pem --key=m2m.key --ca=ato-ca.pem
//
// --embedded-kafka hosts librdkafka's mock cluster instead (the real Kafka
// protocol on loopback, in memory, 5 MiB a partition: for tests and demos of
// the Kafka path, never where data lives); --embedded-sim runs the SBR2
// simulator with a development PKI made in the data directory, in the
// sbrgated-sandbox build only (embedded_sim.h). Prints one JSON line when
// ready (and writes it to --ready-file).
//
//   sbrgated --print-topology=kafka-topics --kafka-brokers=kafka1:9092 --replication=3
//
// prints the topology (pipeline/topology) and exits: as JSON (json), as the
// kafka-topics.sh commands that create its topics (kafka-topics,
// deploy/topics.sh), or as the deployment files made from it and the stage
// executables (services/common/manifests.h; deploy/generate.sh writes them):
// Strimzi resources for its Kafka cluster and topics (strimzi), Kubernetes
// manifests that run each stage executable on that cluster (kubernetes), or
// a Docker Compose file for one host (compose).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/kafka/embedded_cluster.h"
#include "pipeline/stp/stages/poll_stage.h"
#include "pipeline/stp/stages/resubmit_stage.h"
#include "pipeline/stp/stages/submit_stage.h"
#include "pipeline/stp/stages/triage_stage.h"
#include "services/common/clntcomm.h"
#include "services/common/dashed_flags.h"
#include "services/common/flags.h"
#include "services/common/gateway.h"
#include "services/common/grpc_security.h"
#include "services/common/process_tuning.h"
#include "services/common/client_management.h"
#include "services/common/pipeline.h"
#include "services/sbrgated/embedded_sim.h"

ABSL_FLAG(bool, embedded_kafka, false,
          "host librdkafka's mock cluster in this process (in memory: tests and demos of the Kafka "
          "path); without it or --kafka-brokers, the topics are the durable local log in --data-dir");
ABSL_FLAG(std::string, print_topology, "",
          "print the topology and exit: json; kafka-topics (the commands that create its topics "
          "on the cluster of --kafka-brokers); or a deployment file made from it: strimzi (the "
          "Strimzi resources of its Kafka cluster and topics), kubernetes (the manifests that run "
          "each stage executable on that cluster), compose (Docker Compose for one host)");
ABSL_FLAG(int, replication, 3,
          "--print-topology=kafka-topics and strimzi: each topic's replication factor (strimzi: "
          "the cluster's nodes too)");

namespace {

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "sbrgated: %s\n", std::string(s.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  sbrgate::TuneProcess();
  sbrgate::ParseDashedCommandLine(argc, argv);
  sbrgate::BlockStopSignals();
  absl::StatusOr<sbrgate::PipelineConfig> config = sbrgate::PipelineConfigFromFlags();
  if (!config.ok()) return Fail(config.status());
  if (const std::string format = absl::GetFlag(FLAGS_print_topology); !format.empty()) {
    absl::StatusOr<std::string> text = sbrgate::TopologyText(format, config->kafka.bootstrap,
                                                             absl::GetFlag(FLAGS_replication));
    if (!text.ok()) return Fail(text.status());
    std::fputs(text->c_str(), stdout);
    return 0;
  }
  absl::StatusOr<sbrgate::v1::PrevalidateMode> prevalidate =
      sbrgate::ParsePrevalidate(sbrgate::flags::Prevalidate());
  if (!prevalidate.ok()) return Fail(prevalidate.status());
  std::unique_ptr<sbrgate::Clock> clock = sbrgate::MakeClock(*config);
  auto blobs = sbrgate::OpenBlobStore(*config);
  if (!blobs.ok()) return Fail(blobs.status());
  // Before anything else starts: a build without the simulator refuses
  // --embedded-sim here.
  auto started_sim = sbrgate::StartEmbeddedSimIfAsked(*config, clock.get());
  if (!started_sim.ok()) return Fail(started_sim.status());
  std::unique_ptr<sbrgate::EmbeddedSim> sim = *std::move(started_sim);

  // Where the topics are: the durable local log in --data-dir unless a Kafka
  // cluster is named (or the embedded mock cluster asked for).
  std::unique_ptr<sbrgate::kafka::EmbeddedCluster> cluster;
  std::unique_ptr<sbrgate::TopicLog> topics;
  if (absl::GetFlag(FLAGS_embedded_kafka)) {
    auto started = sbrgate::kafka::EmbeddedCluster::Start(1);
    if (!started.ok()) return Fail(started.status());
    cluster = *std::move(started);
    std::vector<sbrgate::kafka::TopicSpec> topics;
    for (const auto& [name, partitions] : sbrgate::PipelineTopics()) {
      topics.push_back({name, partitions});
    }
    if (absl::Status s = cluster->CreateTopics(topics); !s.ok()) return Fail(s);
    sbrgate::kafka::KafkaConfig k = cluster->client_config();
    for (const auto& [key, value] : config->kafka.overrides) k.overrides[key] = value;
    config->kafka = k;
    // The stores' local copies are of the last cluster's changelogs, gone
    // with it.
    std::error_code ignored;
    std::filesystem::remove_all(sbrgate::KafkaStateDir(*config), ignored);
  }
  if (config->kafka.bootstrap.empty()) {
    auto local = sbrgate::TopicLog::OpenLocal(*config, clock.get());
    if (!local.ok()) return Fail(local.status());
    topics = *std::move(local);
  } else {
    topics = sbrgate::TopicLog::OnKafka(*config);
  }

  auto sbr = sbrgate::MakeSbrClient(*config, clock.get());
  if (!sbr.ok()) return Fail(sbr.status());
  auto security =
      sbrgate::GrpcSecurityFromFlags(sbrgate::flags::GrpcListen(), config->data_dir, clock.get());
  if (!security.ok()) return Fail(security.status());

  auto comms = sbrgate::Communications::Create(
      *config, topics.get(), blobs->get(), clock.get(), sbr->get(),
      {sbrgate::flags::CommsPermissions(), security->authenticator.get(), security->audit.get()});
  if (!comms.ok()) return Fail(comms.status());
  std::unique_ptr<sbrgate::ClientManagement> clients = sbrgate::ClientManagement::Create(
      *config, sbr->get(), clock.get(), security->authenticator.get(), security->audit.get());

  sbrgate::GatewayOptions gateway_options;
  gateway_options.grpc_listen = sbrgate::flags::GrpcListen();
  gateway_options.prevalidate = *prevalidate;
  gateway_options.extra_services = {(*comms)->service()};
  for (grpc::Service* s : clients->services()) gateway_options.extra_services.push_back(s);
  gateway_options.credentials = security->credentials;
  gateway_options.authenticator = security->authenticator.get();
  gateway_options.audit = security->audit.get();
  gateway_options.console_listen = security->console_listen;
  gateway_options.console_tls = security->tls_files;
  auto gateway = sbrgate::Gateway::Start(*config, topics.get(), blobs->get(), clock.get(),
                                         gateway_options);
  if (!gateway.ok()) return Fail(gateway.status());

  sbrgate::lodgment::SubmitStage submit(sbr->get(), blobs->get());
  sbrgate::lodgment::PollStage poll(sbr->get(), blobs->get());
  sbrgate::lodgment::TriageStage triage(
      blobs->get(), {sbrgate::flags::MaxAttempts(), sbrgate::flags::SystemErrorBackoff()});
  sbrgate::lodgment::ResubmitStage resubmit(config->message_id_domain);

  absl::Status run = sbrgate::RunStagesUntilSignal(
      *topics, config->instance, {(*gateway)->view_stage(), &submit, &poll, &triage, &resubmit,
                                         (*comms)->view_stage(), (*comms)->job_stage()},
      clock.get(),
      [&](const sbrgate::RunningStages& running) {
        (*gateway)->SetViewReady();
        const std::string ready = absl::StrCat(
            "{\"grpc\": \"127.0.0.1:", (*gateway)->port(), "\", \"kafka\": \"",
            config->kafka.bootstrap, "\", \"log\": \"", topics->local_dir(), "\", \"sbr\": \"",
            config->sbr.base_url, "\", \"sim_admin\": ",
            sim && sim->admin_port() > 0
                ? absl::StrCat("\"http://127.0.0.1:", sim->admin_port(), "\"")
                : "null",
            ", \"admin\": ", running.AdminJson(), ", \"console\": ", (*gateway)->ConsoleJson(),
            "}\n");
        std::fputs(ready.c_str(), stdout);
        std::fflush(stdout);
        if (const std::string f = sbrgate::flags::ReadyFile(); !f.empty()) {
          sbrgate::WriteFileDurably(f, ready).IgnoreError();
        }
      },
      /*ready_after=*/{(*gateway)->view_stage(), (*comms)->view_stage()},
      /*before_stop=*/
      [&] {
        (*gateway)->Shutdown();
        if (sim) sim->ClearFaults();
      },
      /*admin_routes=*/(*gateway)->ConsoleRoutes());
  if (!run.ok()) return Fail(run);
  return 0;
}
