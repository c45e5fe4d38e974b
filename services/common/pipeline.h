// What sbrgated and the stage executables share: the command-line flags of
// a deployment (Kafka, SBR endpoint and credential, data directory, clock)
// and the objects built from them. Each executable picks what it needs:
//
//   sbrgate::ParseDashedCommandLine(argc, argv);
//   absl::StatusOr<PipelineConfig> config = PipelineConfigFromFlags();
//   auto clock = MakeClock(*config);
//   auto blobs = OpenBlobStore(*config);
//   auto sbr = MakeSbrClient(*config, clock.get());
//   auto topics = TopicLog::OnKafka(*config);     // or TopicLog::OpenLocal
//   RunStagesUntilSignal(*topics, config->instance, stages, clock.get(), {});
//
// Flags (dashes or underscores): --kafka-brokers, --kafka-config (a
// librdkafka properties file for a real cluster: security, SASL, ...),
// --data-dir, --instance-id, --sbr-endpoint, --cert, --key, --ca,
// --agency-ca, --time-scale, --clock-epoch, --clock-start, --message-id-domain,
// --max-in-flight, --admin-listen, --log-format, --log-level (applied by
// PipelineConfigFromFlags: logging is set up before anything else starts).
#ifndef SBRGATE_SERVICES_COMMON_PIPELINE_H_
#define SBRGATE_SERVICES_COMMON_PIPELINE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/kafka/config.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/platform/stage/stage.h"
#include "services/common/topic_log.h"

namespace httplib {
class Server;
}

namespace sbrgate {

struct PipelineConfig {
  kafka::KafkaConfig kafka;  // bootstrap empty: not given
  std::string data_dir;
  std::string instance;
  sbr_client::ClientConfig sbr;  // base_url empty: not given
  double time_scale = 1;
  absl::Time clock_epoch;
  absl::Time clock_start;  // what the clock reads at clock_epoch
  std::string message_id_domain;
  // SBR exchanges (pushes, pulls) one stage instance has in flight at once.
  int max_in_flight = 32;
};

absl::StatusOr<PipelineConfig> PipelineConfigFromFlags();

std::unique_ptr<Clock> MakeClock(const PipelineConfig& config);
absl::StatusOr<std::unique_ptr<blob::BlobStore>> OpenBlobStore(const PipelineConfig& config);
absl::StatusOr<std::unique_ptr<sbr_client::SbrClient>> MakeSbrClient(const PipelineConfig& config,
                                                                     const Clock* clock);

// Topics of the topology (pipeline/topology) with their partition counts,
// changelogs included: created on the embedded cluster; a real cluster's
// operators create them (deploy/topics.sh prints the commands).
std::vector<std::pair<std::string, int>> PipelineTopics();

// What --print-topology=`format` prints: the topology as JSON ("json"); the
// kafka-topics.sh commands that create its topics on the cluster at
// `bootstrap` with `replication` replicas ("kafka-topics"); or a deployment
// file (manifests.h): the Strimzi resources of a cluster of `replication`
// nodes and its topics ("strimzi"), the Kubernetes manifests that run each
// stage executable on it ("kubernetes"), or a Docker Compose file for one
// host ("compose"). The deployment files name their own cluster: `bootstrap`
// must be empty for them.
absl::StatusOr<std::string> TopologyText(const std::string& format, const std::string& bootstrap,
                                         int replication);

// What RunStagesUntilSignal tells `on_ready`.
struct RunningStages {
  // The admin server's port (--admin-listen), 0 when none was asked for.
  int admin_port = 0;
  // "http://127.0.0.1:PORT" as a JSON string, or null: for ready lines.
  std::string AdminJson() const;
};

// Runs every stage (each on its own thread, each with its own consumer
// group and transactional id) until SIGINT or SIGTERM, or until one fails
// (SIGHUP runs OnHangup's handler).
// Each stage runs the inputs and stores of its StageSpec in the topology.
// `on_ready` runs once the runners have started and those of `ready_after`
// (views that answer queries) have caught up with their topics. Signals
// must be blocked with BlockStopSignals() before any thread starts. On the
// local log, trims it every minute meanwhile. `before_stop` runs when the run
// ends (a signal, a failed stage), while the stages still run: a gateway
// finishes the calls in progress there, since a lodge answers only once the
// view shows the lodgment.
// With --admin-listen=HOST:PORT it serves the admin port meanwhile
// (pipeline/platform/admin): /metrics with every runner's metrics, /healthz,
// and /readyz, ready once `on_ready` has run while no stage has failed and
// the topics' log is reachable; and what `admin_routes` adds (a console).
absl::Status RunStagesUntilSignal(TopicLog& topics, const std::string& instance,
                                  const std::vector<stage::Stage*>& stages, Clock* clock,
                                  const std::function<void(const RunningStages&)>& on_ready,
                                  const std::vector<stage::Stage*>& ready_after = {},
                                  const std::function<void()>& before_stop = {},
                                  const std::function<void(httplib::Server&)>& admin_routes = {});

// Blocks SIGINT, SIGTERM and SIGHUP in this thread and every thread it
// starts later, and ignores SIGPIPE: OpenSSL writes to its sockets without
// MSG_NOSIGNAL, so a browser or client hanging up on an HTTPS port (the
// console, the embedded simulator) must fail that write, not end the process.
void BlockStopSignals();

// What RunStagesUntilSignal does on SIGHUP (reload the access file); the
// run goes on. Set before the run.
void OnHangup(std::function<void()> reload);

// The whole main() of a single-stage executable: parses the flags, builds
// the clock and blob store, makes the stage with `make` and runs it until a
// signal. Prints {"stage": NAME, "instance": ..., "admin": ...} when running.
using StageFactory = std::function<absl::StatusOr<std::unique_ptr<stage::Stage>>(
    const PipelineConfig& config, const Clock* clock, blob::BlobStore* blobs)>;
int StageMain(int argc, char** argv, const StageFactory& make);

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_PIPELINE_H_
