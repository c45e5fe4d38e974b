#include "services/common/pipeline.h"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/admin/admin_server.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/thread_name.h"
#include "pipeline/platform/logging/structured_log.h"
#include "pipeline/platform/metrics/registry.h"
#include "pipeline/platform/stage/runner_collector.h"
#include "pipeline/topology/topology.h"
#include "services/common/dashed_flags.h"
#include "services/common/flags.h"
#include "services/common/manifests.h"
#include "services/common/process_tuning.h"

ABSL_FLAG(std::string, kafka_brokers, "", "Kafka bootstrap servers, host:port,...");
ABSL_FLAG(std::string, kafka_config, "",
          "librdkafka properties file (key=value lines) for a real cluster: security, SASL, ...");
ABSL_FLAG(std::string, data_dir, "/var/lib/sbrgate", "blob store and working files");
ABSL_FLAG(std::string, instance_id, "", "this instance's name (default: the host name)");
ABSL_FLAG(std::string, sbr_endpoint, "", "SBR2 base URL, e.g. https://host/services");
ABSL_FLAG(std::string, cert, "", "machine credential certificate (PEM): TLS client and signer");
ABSL_FLAG(std::string, key, "", "machine credential private key (PEM)");
ABSL_FLAG(std::string, ca, "", "CA bundle trusted for the SBR endpoint");
ABSL_FLAG(std::string, agency_ca, "", "CA that signs the agency's pull responses (default --ca)");
ABSL_FLAG(std::string, message_id_domain, "sbrgate.local", "the @domain of MessageIds");
ABSL_FLAG(std::string, admin_listen, "",
          "HOST:PORT of the admin HTTP server: /metrics (Prometheus), /healthz, /readyz; "
          "none when empty");
ABSL_FLAG(std::string, log_format, "text",
          "text, or json: one JSON object a line (time, level, component, event, ...)");
ABSL_FLAG(std::string, log_level, "info", "the least level logged: debug, info, warning, error");
ABSL_FLAG(int, max_in_flight, 32,
          "SBR exchanges (pushes, a punctuation's pulls) one stage instance has in flight at once");

namespace sbrgate {

absl::StatusOr<PipelineConfig> PipelineConfigFromFlags() {
  absl::StatusOr<logging::Format> format =
      logging::ParseFormat("log-format", absl::GetFlag(FLAGS_log_format));
  if (!format.ok()) return format.status();
  absl::StatusOr<logging::Level> level =
      logging::ParseLevel("log-level", absl::GetFlag(FLAGS_log_level));
  if (!level.ok()) return level.status();
  logging::Configure({*format, *level});
  PipelineConfig c;
  if (const std::string file = absl::GetFlag(FLAGS_kafka_config); !file.empty()) {
    absl::StatusOr<kafka::KafkaConfig> k = kafka::LoadKafkaConfigFile(file);
    if (!k.ok()) return k.status();
    c.kafka = *std::move(k);
  }
  if (const std::string b = absl::GetFlag(FLAGS_kafka_brokers); !b.empty()) c.kafka.bootstrap = b;
  c.data_dir = absl::GetFlag(FLAGS_data_dir);
  c.instance = absl::GetFlag(FLAGS_instance_id);
  if (c.instance.empty()) {
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    c.instance = host;
  }
  c.time_scale = flags::TimeScale();
  if (c.time_scale < 1) return absl::InvalidArgumentError("--time-scale must be >= 1");
  const int64_t epoch = flags::ClockEpoch();
  c.clock_epoch = epoch > 0 ? absl::FromUnixSeconds(epoch) : absl::Now();
  c.clock_start = c.clock_epoch;
  if (const std::string start = flags::ClockStart(); !start.empty()) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, start, &c.clock_start, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--clock-start '", start, "' is not an RFC 3339 time: ", error));
    }
  }
  c.message_id_domain = absl::GetFlag(FLAGS_message_id_domain);
  c.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  if (c.max_in_flight < 1) return absl::InvalidArgumentError("--max-in-flight must be >= 1");
  c.sbr.base_url = absl::GetFlag(FLAGS_sbr_endpoint);
  c.sbr.tls = {absl::GetFlag(FLAGS_ca), absl::GetFlag(FLAGS_cert), absl::GetFlag(FLAGS_key)};
  c.sbr.credential_cert = absl::GetFlag(FLAGS_cert);
  c.sbr.credential_key = absl::GetFlag(FLAGS_key);
  c.sbr.agency_ca_file = absl::GetFlag(FLAGS_agency_ca).empty() ? absl::GetFlag(FLAGS_ca)
                                                                 : absl::GetFlag(FLAGS_agency_ca);
  c.sbr.message_id_domain = c.message_id_domain;
  c.sbr.spool_dir = c.data_dir + "/spool";
  return c;
}

std::unique_ptr<Clock> MakeClock(const PipelineConfig& config) {
  if (config.time_scale == 1 && config.clock_start == config.clock_epoch) {
    return std::make_unique<RealClock>();
  }
  return std::make_unique<ScaledClock>(config.time_scale, config.clock_epoch, config.clock_start);
}

absl::StatusOr<std::unique_ptr<blob::BlobStore>> OpenBlobStore(const PipelineConfig& config) {
  // Uploads and SBR responses are spooled here before they become blobs.
  if (absl::Status s = MakeDirectoriesDurably(config.data_dir + "/spool"); !s.ok()) return s;
  return blob::BlobStore::Create(config.data_dir + "/blobs");
}

absl::StatusOr<std::unique_ptr<sbr_client::SbrClient>> MakeSbrClient(const PipelineConfig& config,
                                                                     const Clock* clock) {
  if (config.sbr.base_url.empty() || config.sbr.credential_cert.empty() ||
      config.sbr.credential_key.empty() || config.sbr.agency_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "--sbr-endpoint, --cert, --key and --ca (or --agency-ca) are required (or --embedded-sim)");
  }
  if (absl::Status s = MakeDirectoriesDurably(config.sbr.spool_dir); !s.ok()) return s;
  return sbr_client::SbrClient::Create(config.sbr, clock);
}

std::vector<std::pair<std::string, int>> PipelineTopics() {
  std::vector<std::pair<std::string, int>> out;
  for (const stage::TopicSpec& t : topology::Sbrgate().topics()) {
    out.emplace_back(t.name, t.partitions);
  }
  return out;
}

absl::StatusOr<std::string> TopologyText(const std::string& format, const std::string& bootstrap,
                                         int replication) {
  const stage::Topology& sbrgate = topology::Sbrgate();
  if (format == "json") return sbrgate.ToJson();
  if (format == "kafka-topics") {
    if (bootstrap.empty()) {
      return absl::InvalidArgumentError("--print-topology=kafka-topics needs --kafka-brokers");
    }
    if (replication < 1) return absl::InvalidArgumentError("--replication must be at least 1");
    return sbrgate.KafkaTopicsCommands(bootstrap, replication);
  }
  if (format != "strimzi" && format != "kubernetes" && format != "compose") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--print-topology must be json, kafka-topics, strimzi, kubernetes or compose, not '",
        format, "'"));
  }
  // These files name the cluster they run on themselves.
  if (!bootstrap.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--print-topology=", format,
        " takes no --kafka-brokers (nor a --kafka-config naming bootstrap.servers): its files "
        "name their own cluster"));
  }
  if (format == "strimzi") return StrimziResources(sbrgate, replication);
  if (format == "kubernetes") return KubernetesManifests(sbrgate, StageExecutables());
  return ComposeFile(sbrgate, StageExecutables());
}

std::string RunningStages::AdminJson() const {
  if (admin_port == 0) return "null";
  return absl::StrCat("\"http://127.0.0.1:", admin_port, "\"");
}

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

namespace {
std::function<void()>& HangupHandler() {
  static auto* handler = new std::function<void()>();
  return *handler;
}
}  // namespace

void OnHangup(std::function<void()> reload) { HangupHandler() = std::move(reload); }

absl::Status RunStagesUntilSignal(TopicLog& topics, const std::string& instance,
                                  const std::vector<stage::Stage*>& stages, Clock* clock,
                                  const std::function<void(const RunningStages&)>& on_ready,
                                  const std::vector<stage::Stage*>& ready_after,
                                  const std::function<void()>& before_stop,
                                  const std::function<void(httplib::Server&)>& admin_routes) {
  const stage::Topology& sbrgate = topology::Sbrgate();
  if (absl::Status s = sbrgate.Validate(); !s.ok()) return s;
  std::vector<std::unique_ptr<stage::StageRunner>> runners;
  for (stage::Stage* s : stages) {
    const stage::StageSpec* spec = sbrgate.FindStage(s->name());
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("stage ", s->name(), " is not in the topology (pipeline/topology)"));
    }
    absl::StatusOr<std::unique_ptr<stage::StageRunner>> r =
        topics.MakeRunner(instance, *spec, s, clock);
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat("stage ", s->name(), ": ", r.status().message()));
    }
    runners.push_back(*std::move(r));
  }
  std::vector<metrics::Registration> exposed;
  for (size_t i = 0; i < runners.size(); ++i) {
    exposed.push_back(stage::ExposeRunnerMetrics(metrics::Registry::Default(), stages[i]->name(),
                                                 runners[i].get()));
  }
  absl::Mutex mu;
  absl::Status first_failure;
  std::atomic<bool> failed{false};
  std::atomic<bool> ready{false};
  RunningStages running;
  std::unique_ptr<admin::AdminServer> admin_server;
  if (const std::string listen = absl::GetFlag(FLAGS_admin_listen); !listen.empty()) {
    admin::AdminOptions options;
    options.listen = listen;
    options.add_routes = admin_routes;
    options.readiness = [&]() -> absl::Status {
      if (failed) return absl::UnavailableError("a stage has failed; the process is stopping");
      if (!ready) return absl::UnavailableError("starting: the views are catching up");
      return topics.CheckReachable();
    };
    absl::StatusOr<std::unique_ptr<admin::AdminServer>> started =
        admin::AdminServer::Start(std::move(options));
    if (!started.ok()) return started.status();
    admin_server = *std::move(started);
    running.admin_port = admin_server->port();
  }
  std::vector<std::thread> threads;
  for (size_t i = 0; i < runners.size(); ++i) {
    threads.emplace_back([&, i] {
      NameThisThread(stages[i]->name());
      absl::Status s = runners[i]->Run();
      if (!s.ok()) {
        logging::Log(logging::Level::kError, stages[i]->name(), "failed").Error(s);
        absl::MutexLock lock(&mu);
        if (first_failure.ok()) {
          first_failure = absl::Status(s.code(), absl::StrCat("stage ", stages[i]->name(), ": ",
                                                              s.message()));
        }
        failed = true;
      }
    });
  }
  std::vector<const stage::StageRunner*> awaited;
  for (stage::Stage* s : ready_after) {
    auto it = std::find(stages.begin(), stages.end(), s);
    if (it != stages.end()) awaited.push_back(runners[it - stages.begin()].get());
  }
  auto check_ready = [&] {
    if (ready) return;
    for (const stage::StageRunner* r : awaited) {
      if (!r->metrics().caught_up) return;
    }
    if (on_ready) on_ready(running);
    ready = true;
    logging::Log(logging::Level::kInfo, "pipeline", "ready")
        .Field("instance", instance)
        .Field("log", topics.Describe())
        .Field("stages", absl::StrCat(stages.size()));
  };
  check_ready();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  // Short ticks until ready: the ready line is what callers wait for.
  const timespec startup_tick{0, 10 * 1000 * 1000};
  const timespec tick{0, 200 * 1000 * 1000};
  absl::Time next_trim = absl::Now() + absl::Minutes(1);
  while (!failed) {
    const int signal = sigtimedwait(&set, nullptr, ready ? &tick : &startup_tick);
    if (signal == SIGINT || signal == SIGTERM) break;
    if (signal == SIGHUP && HangupHandler()) HangupHandler()();
    check_ready();
    if (absl::Now() < next_trim) continue;
    next_trim = absl::Now() + absl::Minutes(1);
    if (absl::Status s = topics.Trim(); !s.ok()) {
      logging::Log(logging::Level::kWarning, "pipeline", "trim_failed")
          .Field("log", topics.Describe())
          .Error(s);
    }
  }
  logging::Log(logging::Level::kInfo, "pipeline", "stopping").Field("instance", instance);
  if (before_stop) before_stop();
  for (stage::Stage* s : stages) s->Stopping();
  for (auto& r : runners) r->Stop();
  for (std::thread& t : threads) t.join();
  absl::MutexLock lock(&mu);
  return first_failure;
}

int StageMain(int argc, char** argv, const StageFactory& make) {
  TuneProcess();
  ParseDashedCommandLine(argc, argv);
  BlockStopSignals();
  auto fail = [](const absl::Status& s) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 1;
  };
  absl::StatusOr<PipelineConfig> config = PipelineConfigFromFlags();
  if (!config.ok()) return fail(config.status());
  if (config->kafka.bootstrap.empty()) {
    return fail(absl::InvalidArgumentError("--kafka-brokers is required"));
  }
  std::unique_ptr<Clock> clock = MakeClock(*config);
  auto blobs = OpenBlobStore(*config);
  if (!blobs.ok()) return fail(blobs.status());
  absl::StatusOr<std::unique_ptr<stage::Stage>> made = make(*config, clock.get(), blobs->get());
  if (!made.ok()) return fail(made.status());
  stage::Stage* s = made->get();
  std::unique_ptr<TopicLog> topics = TopicLog::OnKafka(*config);
  absl::Status run = RunStagesUntilSignal(
      *topics, config->instance, {s}, clock.get(), [&](const RunningStages& running) {
        std::printf("{\"stage\": \"%s\", \"instance\": \"%s\", \"admin\": %s}\n",
                    s->name().c_str(), config->instance.c_str(), running.AdminJson().c_str());
        std::fflush(stdout);
      });
  if (!run.ok()) return fail(run);
  return 0;
}

}  // namespace sbrgate
