// kafka-host: a Kafka cluster in a process of its own (librdkafka's mock
// cluster, see pipeline/platform/kafka/embedded_cluster.h), so that stage processes
// can be killed and restarted against it. Its data lives in memory and goes
// when it exits.
//
//   kafka-host --ready-file=/tmp/kafka.ready --kafka-config-out=/tmp/kafka.properties
//   kafka-host --topics=orders:8,sbrgate.deadletter:1
//
// Creates every topic of sbrgate's topology (pipeline/topology), changelogs
// included, or, given --topics, those topics instead.
// Prints one line when it is ready (and writes it to --ready-file):
//   {"bootstrap": "127.0.0.1:PORT,..."}
// --kafka-config-out writes a librdkafka properties file for clients
// (bootstrap.servers and settings suited to the mock, such as a short
// consumer session timeout so a restarted stage rejoins in seconds); pass it
// to stage processes as --kafka-config. Runs until SIGINT or SIGTERM.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/kafka/embedded_cluster.h"
#include "pipeline/topology/topology.h"
#include "services/common/dashed_flags.h"
#include "services/common/flags.h"

ABSL_FLAG(int, brokers, 1, "number of brokers");
ABSL_FLAG(std::string, topics, "",
          "topics to create, name:partitions,... (default: every topic of sbrgate's topology)");
ABSL_FLAG(std::string, kafka_config_out, "",
          "write a librdkafka properties file for clients of this cluster here");

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "kafka-host: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  sbrgate::ParseDashedCommandLine(argc, argv,
                                  "a Kafka cluster (librdkafka's mock) for stage processes");
  // Blocked in every thread (librdkafka's included), taken by sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<std::vector<sbrgate::kafka::TopicSpec>> topics =
      sbrgate::kafka::ParseTopicSpecs(absl::GetFlag(FLAGS_topics));
  if (!topics.ok()) return Fail(absl::StrCat("--topics: ", topics.status().message()));
  if (absl::GetFlag(FLAGS_topics).empty()) {
    for (const sbrgate::stage::TopicSpec& t : sbrgate::topology::Sbrgate().topics()) {
      topics->push_back({t.name, t.partitions});
    }
  }
  auto cluster = sbrgate::kafka::EmbeddedCluster::Start(absl::GetFlag(FLAGS_brokers));
  if (!cluster.ok()) return Fail(std::string(cluster.status().message()));
  if (absl::Status s = (*cluster)->CreateTopics(*topics); !s.ok()) {
    return Fail(std::string(s.message()));
  }
  if (const std::string out = absl::GetFlag(FLAGS_kafka_config_out); !out.empty()) {
    const sbrgate::kafka::KafkaConfig client = (*cluster)->client_config();
    std::string properties = absl::StrCat("bootstrap.servers=", client.bootstrap, "\n");
    for (const auto& [key, value] : client.overrides) {
      absl::StrAppend(&properties, key, "=", value, "\n");
    }
    if (absl::Status s = sbrgate::WriteFileDurably(out, properties); !s.ok()) {
      return Fail(std::string(s.message()));
    }
  }
  const std::string ready = absl::StrCat("{\"bootstrap\": \"", (*cluster)->bootstrap(), "\"}\n");
  std::fputs(ready.c_str(), stdout);
  std::fflush(stdout);
  if (const std::string f = sbrgate::flags::ReadyFile(); !f.empty()) {
    if (absl::Status s = sbrgate::WriteFileDurably(f, ready); !s.ok()) {
      return Fail(std::string(s.message()));
    }
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  return 0;
}
