#include "pipeline/topology/topology.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"

namespace sbrgate::topology {
namespace {

using stage::StageSpec;
using stage::TopicSpec;

TEST(SbrgateTopology, IsValid) {
  absl::Status s = Sbrgate().Validate();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(Sbrgate().app(), "sbrgate");
  EXPECT_EQ(Sbrgate().dead_letter_topic(), lodgment::topics::kDeadLetter);
}

// What Validate checks, spelt out for this topology.
TEST(SbrgateTopology, EveryInputAndChangelogExistsAndChangelogsAreCompactedAndWideEnough) {
  const stage::Topology& t = Sbrgate();
  std::set<std::string> names;
  for (const StageSpec& s : t.stages()) {
    names.insert(s.name);
    int most = 0;
    for (const std::string& input : s.inputs) {
      const TopicSpec* topic = t.FindTopic(input);
      ASSERT_NE(topic, nullptr) << s.name << " reads " << input;
      most = std::max(most, topic->partitions);
    }
    for (const std::string& output : s.outputs) {
      EXPECT_NE(t.FindTopic(output), nullptr) << s.name << " writes " << output;
    }
    for (const std::string& changelog : stage::ChangelogTopics(s, t.app())) {
      const TopicSpec* topic = t.FindTopic(changelog);
      ASSERT_NE(topic, nullptr) << changelog;
      EXPECT_EQ(topic->cleanup, TopicSpec::Cleanup::kCompact) << changelog;
      EXPECT_GE(topic->partitions, most) << changelog;
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"submit", "poll", "triage", "resubmit", "status-view",
                                          "comms-jobs", "comms-job-view"}));
}

// `sbrgate log tail` decodes each record by its topic's value type: every
// declared topic names a message this binary's protos define (the derived
// changelogs carry their stores' values and name none).
TEST(SbrgateTopology, EveryDeclaredTopicNamesAKnownValueType) {
  const stage::Topology& t = Sbrgate();
  std::set<std::string> changelogs;
  for (const StageSpec& s : t.stages()) {
    for (const std::string& c : stage::ChangelogTopics(s, t.app())) changelogs.insert(c);
  }
  for (const TopicSpec& topic : t.topics()) {
    if (changelogs.count(topic.name)) {
      EXPECT_EQ(topic.value_type, "") << topic.name;
      continue;
    }
    EXPECT_NE(topic.value_type, "") << topic.name;
    EXPECT_NE(google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
                  topic.value_type),
              nullptr)
        << topic.name << " names " << topic.value_type;
  }
  EXPECT_EQ(t.FindTopic(lodgment::topics::kStatus)->value_type, "sbrgate.events.StatusChange");
}

TEST(SbrgateTopology, StagesFindTheirSpecs) {
  const stage::Topology& t = Sbrgate();
  const StageSpec* poll = t.FindStage(lodgment::stages::kPoll);
  ASSERT_NE(poll, nullptr);
  EXPECT_EQ(poll->inputs, std::vector<std::string>{lodgment::topics::kSubmitted});
  EXPECT_EQ(poll->stores, (std::vector<std::string>{lodgment::stages::kPollStore,
                                                    lodgment::stages::kPollScheduleStore}));
  // The views run as one stage per instance (and start).
  const StageSpec* view = t.FindStage("status-view-host-1-1700000000000");
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->name, lodgment::stages::kStatusView);
  ASSERT_NE(t.FindStage("comms-job-view-host-1-1700000000000"), nullptr);
  EXPECT_EQ(t.FindStage("comms-job-view-host-1-1700000000000")->name, comms::stages::kJobView);
  EXPECT_EQ(t.FindStage(comms::stages::kJobs)->stores,
            (std::vector<std::string>{comms::stages::kJobsStore, comms::stages::kChecksStore,
                                      comms::stages::kClientReferencesStore}));
}

// deploy/topics.sh prints this (through sbrgated --print-topology=kafka-topics).
TEST(SbrgateTopology, PrintsTheKafkaTopicsCommandsOfARealCluster) {
  const std::string head = "kafka-topics.sh --bootstrap-server kafka-1:9093 --create "
                           "--if-not-exists --topic ";
  std::string expected;
  for (const char* t : {"sbrgate.lodgments.received", "sbrgate.lodgments.submitted",
                        "sbrgate.lodgments.responses", "sbrgate.lodgments.resubmit",
                        "sbrgate.lodgments.status", "sbrgate.deadletter"}) {
    expected += head + t + " --partitions 8 --replication-factor 3 --config retention.ms=-1\n";
  }
  for (const char* t : {"sbrgate.poll.pending.changelog", "sbrgate.poll.schedule.changelog",
                        "sbrgate.resubmit.due.changelog", "sbrgate.resubmit.released.changelog"}) {
    expected +=
        head + t + " --partitions 8 --replication-factor 3 --config cleanup.policy=compact\n";
  }
  for (const char* t : {"sbrgate.clntcomm.jobs.requested:2", "sbrgate.clntcomm.jobs:2",
                        "sbrgate.clntcomm.documents:8"}) {
    const std::string spec = t;
    const size_t colon = spec.find(':');
    expected += head + spec.substr(0, colon) + " --partitions " + spec.substr(colon + 1) +
                " --replication-factor 3 --config retention.ms=-1\n";
  }
  for (const char* t :
       {"sbrgate.comms-jobs.jobs.changelog", "sbrgate.comms-jobs.checks.changelog",
        "sbrgate.comms-jobs.client-references.changelog"}) {
    expected +=
        head + t + " --partitions 2 --replication-factor 3 --config cleanup.policy=compact\n";
  }
  EXPECT_EQ(Sbrgate().KafkaTopicsCommands("kafka-1:9093", 3), expected);
}

TEST(SbrgateTopology, PrintsJson) {
  const nlohmann::json doc = nlohmann::json::parse(Sbrgate().ToJson());
  EXPECT_EQ(doc["app"], "sbrgate");
  EXPECT_EQ(doc["topics"].size(), Sbrgate().topics().size());
  EXPECT_EQ(doc["topics"][0]["value_type"], "sbrgate.events.LodgmentToSubmit");
  ASSERT_EQ(doc["stages"].size(), 7u);
  EXPECT_EQ(doc["stages"][1]["name"], "poll");
  EXPECT_EQ(doc["stages"][1]["stores"][0]["changelog"], "sbrgate.poll.pending.changelog");
  EXPECT_EQ(doc["stages"][1]["stores"][1]["changelog"], "sbrgate.poll.schedule.changelog");
}

}  // namespace
}  // namespace sbrgate::topology
