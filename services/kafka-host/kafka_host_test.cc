// Starts the kafka-host executable, produces to and reads from it as a
// separate process would, and stops it with SIGTERM.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/resources.h"
#include "pipeline/platform/kafka/config.h"
#include "pipeline/platform/kafka/producer.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/topology/topology.h"

extern char** environ;

namespace sbrgate {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Kills the child if a test ends early.
struct Child {
  pid_t pid = -1;
  ~Child() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

// Starts kafka-host with `flags`; the client settings it wrote, once ready.
absl::StatusOr<kafka::KafkaConfig> StartHost(const std::vector<std::string>& flags,
                                             Child& child) {
  absl::StatusOr<std::string> binary = ResourcePath("services/kafka-host/kafka-host");
  if (!binary.ok()) return binary.status();
  const std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
  const std::string ready = dir + "/kafka.ready";
  const std::string properties = dir + "/kafka.properties";
  std::remove(ready.c_str());
  std::vector<std::string> args = {*binary, "--ready-file=" + ready,
                                   "--kafka-config-out=" + properties};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawn(&child.pid, binary->c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    return absl::InternalError("cannot start kafka-host");
  }
  RealClock clock;
  for (int i = 0; i < 500 && ReadFile(ready).empty(); ++i) clock.SleepFor(absl::Milliseconds(20));
  const std::string line = ReadFile(ready);
  EXPECT_EQ(line.rfind("{\"bootstrap\": \"127.0.0.1:", 0), 0u) << line;
  absl::StatusOr<kafka::KafkaConfig> config = kafka::LoadKafkaConfigFile(properties);
  if (config.ok()) {
    EXPECT_NE(line.find(config->bootstrap), std::string::npos);
  }
  return config;
}

TEST(KafkaHost, ServesClientsUntilSigterm) {
  Child child;
  absl::StatusOr<kafka::KafkaConfig> config =
      StartHost({"--topics=orders:3,sbrgate.deadletter"}, child);
  ASSERT_TRUE(config.ok()) << config.status();
  auto producer = kafka::Producer::Create(*config);
  ASSERT_TRUE(producer.ok()) << producer.status();
  ASSERT_TRUE((*producer)->Produce("orders", "o1", "first").ok());
  auto reader = kafka::TopicReader::Create(*config);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(*(*reader)->PartitionCount("orders"), 3);
  EXPECT_EQ(*(*reader)->PartitionCount("sbrgate.deadletter"), 1);
  int records = 0;
  ASSERT_TRUE((*reader)
                  ->ReadAll("orders",
                            [&](const kafka::TopicRecord& r) {
                              EXPECT_EQ(r.value, "first");
                              ++records;
                              return absl::OkStatus();
                            })
                  .ok());
  EXPECT_EQ(records, 1);
  producer->reset();
  reader->reset();

  kill(child.pid, SIGTERM);
  int status = 0;
  waitpid(child.pid, &status, 0);
  child.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(KafkaHost, CreatesTheTopicsOfTheTopologyByDefault) {
  Child child;
  absl::StatusOr<kafka::KafkaConfig> config = StartHost({}, child);
  ASSERT_TRUE(config.ok()) << config.status();
  auto reader = kafka::TopicReader::Create(*config);
  ASSERT_TRUE(reader.ok()) << reader.status();
  for (const stage::TopicSpec& t : topology::Sbrgate().topics()) {
    absl::StatusOr<int> partitions = (*reader)->PartitionCount(t.name);
    ASSERT_TRUE(partitions.ok()) << t.name << ": " << partitions.status();
    EXPECT_EQ(*partitions, t.partitions) << t.name;
  }
}

}  // namespace
}  // namespace sbrgate
