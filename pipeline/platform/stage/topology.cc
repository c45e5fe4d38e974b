#include "pipeline/platform/stage/topology.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/yaml.h"

namespace sbrgate::stage {

namespace {

// Kafka's retention.ms: -1 keeps records for ever.
int64_t RetentionMs(const TopicSpec& topic) {
  if (topic.retention == absl::InfiniteDuration()) return -1;
  return absl::ToInt64Milliseconds(topic.retention);
}

// A Kubernetes resource name (a DNS-1123 subdomain, without dots) for
// `topic`: letters lowered, every other character but digits a '-', no '-'
// at either end. Empty when nothing is left.
std::string ResourceName(const std::string& topic) {
  std::string name;
  for (const char c : topic) {
    name += absl::ascii_isalnum(static_cast<unsigned char>(c))
                ? absl::ascii_tolower(static_cast<unsigned char>(c))
                : '-';
  }
  const size_t first = name.find_first_not_of('-');
  if (first == std::string::npos) return "";
  return name.substr(first, name.find_last_not_of('-') - first + 1);
}

// Kubernetes' longest resource name.
constexpr size_t kMaxResourceName = 253;

}  // namespace

bool StageSpec::RunsAs(const std::string& stage_name) const {
  return stage_name == name || (per_instance && absl::StartsWith(stage_name, name + "-"));
}

std::string ChangelogTopic(const std::string& app, const std::string& stage,
                           const std::string& store) {
  return absl::StrCat(app, ".", stage, ".", store, ".changelog");
}

int MinInsyncReplicas(int replication) { return replication >= 3 ? replication / 2 + 1 : 1; }

std::vector<std::string> ChangelogTopics(const StageSpec& stage, const std::string& app) {
  std::vector<std::string> topics;
  for (const std::string& store : stage.stores) {
    topics.push_back(ChangelogTopic(app, stage.name, store));
  }
  return topics;
}

Topology::Builder& Topology::Builder::Topic(TopicSpec topic) {
  declared_.emplace_back(std::move(topic));
  return *this;
}

Topology::Builder& Topology::Builder::AddStage(StageSpec stage) {
  declared_.emplace_back(std::move(stage));
  return *this;
}

Topology::Builder& Topology::Builder::DeadLetters(std::string topic) {
  dead_letter_topic_ = std::move(topic);
  return *this;
}

Topology Topology::Builder::Build() const {
  std::map<std::string, int> partitions;
  for (const auto& d : declared_) {
    if (const TopicSpec* t = std::get_if<TopicSpec>(&d)) partitions[t->name] = t->partitions;
  }
  Topology t;
  t.app_ = app_;
  t.dead_letter_topic_ = dead_letter_topic_;
  for (const auto& d : declared_) {
    if (const TopicSpec* topic = std::get_if<TopicSpec>(&d)) {
      t.topics_.push_back(*topic);
      continue;
    }
    const StageSpec& stage = std::get<StageSpec>(d);
    t.stages_.push_back(stage);
    // An undeclared input counts as none; Validate reports it.
    int most = 0;
    for (const std::string& input : stage.inputs) {
      auto it = partitions.find(input);
      if (it != partitions.end()) most = std::max(most, it->second);
    }
    for (const std::string& changelog : ChangelogTopics(stage, app_)) {
      t.topics_.push_back({changelog, most, /*value_type=*/"", TopicSpec::Cleanup::kCompact});
    }
  }
  return t;
}

absl::Status Topology::Validate() const {
  auto invalid = [&](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat("topology ", app_, ": ", parts...));
  };
  if (app_.empty()) return absl::InvalidArgumentError("a topology has an empty app name");
  std::set<std::string> topics;
  for (const TopicSpec& t : topics_) {
    if (t.name.empty()) return invalid("a topic has an empty name");
    if (!topics.insert(t.name).second) return invalid("topic ", t.name, " is declared twice");
    if (t.partitions < 1) return invalid("topic ", t.name, " has ", t.partitions, " partitions");
    if (t.cleanup == TopicSpec::Cleanup::kDelete && t.retention <= absl::ZeroDuration()) {
      return invalid("topic ", t.name, " keeps its records for no time");
    }
  }
  if (dead_letter_topic_.empty()) return invalid("no dead-letter topic");
  if (FindTopic(dead_letter_topic_) == nullptr) {
    return invalid("dead-letter topic ", dead_letter_topic_, " is not declared");
  }
  std::set<std::string> stages;
  for (const StageSpec& s : stages_) {
    if (s.name.empty()) return invalid("a stage has an empty name");
    if (!stages.insert(s.name).second) return invalid("stage ", s.name, " is declared twice");
    if (s.inputs.empty()) return invalid("stage ", s.name, " has no input topics");
    int most = 0;
    for (const std::string& input : s.inputs) {
      const TopicSpec* t = FindTopic(input);
      if (t == nullptr) return invalid("input ", input, " of stage ", s.name, " is not declared");
      most = std::max(most, t->partitions);
    }
    for (const std::string& output : s.outputs) {
      if (FindTopic(output) == nullptr) {
        return invalid("output ", output, " of stage ", s.name, " is not declared");
      }
    }
    if (s.per_instance && !s.stores.empty()) {
      return invalid("stage ", s.name, " runs per instance and so cannot keep stores");
    }
    std::set<std::string> stores;
    for (const std::string& store : s.stores) {
      if (store.empty() || !stores.insert(store).second) {
        return invalid("stage ", s.name, ": store names must be unique and non-empty");
      }
      const std::string changelog = ChangelogTopic(app_, s.name, store);
      const TopicSpec* t = FindTopic(changelog);
      if (t == nullptr) return invalid("changelog ", changelog, " is not declared");
      if (t->cleanup != TopicSpec::Cleanup::kCompact) {
        return invalid("changelog ", changelog, " is not compacted");
      }
      if (t->partitions < most) {
        return invalid("changelog ", changelog, " has ", t->partitions,
                       " partitions; the inputs of stage ", s.name, " have ", most);
      }
    }
  }
  return absl::OkStatus();
}

const TopicSpec* Topology::FindTopic(const std::string& name) const {
  for (const TopicSpec& t : topics_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const StageSpec* Topology::FindStage(const std::string& stage_name) const {
  for (const StageSpec& s : stages_) {
    if (s.name == stage_name) return &s;
  }
  for (const StageSpec& s : stages_) {
    if (s.RunsAs(stage_name)) return &s;
  }
  return nullptr;
}

std::string Topology::ToJson() const {
  nlohmann::ordered_json doc;
  doc["app"] = app_;
  doc["dead_letter_topic"] = dead_letter_topic_;
  doc["topics"] = nlohmann::ordered_json::array();
  for (const TopicSpec& t : topics_) {
    nlohmann::ordered_json topic;
    topic["name"] = t.name;
    topic["partitions"] = t.partitions;
    if (!t.value_type.empty()) topic["value_type"] = t.value_type;
    if (t.cleanup == TopicSpec::Cleanup::kCompact) {
      topic["cleanup_policy"] = "compact";
    } else {
      topic["cleanup_policy"] = "delete";
      topic["retention_ms"] = RetentionMs(t);
    }
    doc["topics"].push_back(topic);
  }
  doc["stages"] = nlohmann::ordered_json::array();
  for (const StageSpec& s : stages_) {
    nlohmann::ordered_json stage;
    stage["name"] = s.name;
    stage["inputs"] = s.inputs;
    stage["outputs"] = s.outputs;
    stage["stores"] = nlohmann::ordered_json::array();
    for (const std::string& store : s.stores) {
      nlohmann::ordered_json entry;
      entry["name"] = store;
      entry["changelog"] = ChangelogTopic(app_, s.name, store);
      stage["stores"].push_back(entry);
    }
    stage["per_instance"] = s.per_instance;
    doc["stages"].push_back(stage);
  }
  return doc.dump(2) + "\n";
}

std::string Topology::KafkaTopicsCommands(const std::string& bootstrap, int replication) const {
  std::string out;
  for (const TopicSpec& t : topics_) {
    const std::string config = t.cleanup == TopicSpec::Cleanup::kCompact
                                   ? "cleanup.policy=compact"
                                   : absl::StrCat("retention.ms=", RetentionMs(t));
    absl::StrAppend(&out, "kafka-topics.sh --bootstrap-server ", bootstrap,
                    " --create --if-not-exists --topic ", t.name, " --partitions ", t.partitions,
                    " --replication-factor ", replication, " --config ", config, "\n");
  }
  return out;
}

absl::StatusOr<std::string> Topology::StrimziKafkaTopics(const std::string& cluster,
                                                         int replication) const {
  std::string out;
  std::map<std::string, std::string> topic_of;  // resource name -> topic
  for (const TopicSpec& t : topics_) {
    const std::string name = ResourceName(t.name);
    if (name.empty() || name.size() > kMaxResourceName) {
      return absl::InvalidArgumentError(absl::StrCat(
          "topic ", t.name, " leaves no Kubernetes resource name (letters and digits, at most ",
          kMaxResourceName, " characters) for its KafkaTopic"));
    }
    if (auto [it, inserted] = topic_of.emplace(name, t.name); !inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("topics ", it->second, " and ", t.name, " would both be KafkaTopic ", name));
    }
    absl::StrAppend(&out, "---\napiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\n",
                    "metadata:\n  name: ", YamlString(name),
                    "\n  labels:\n    strimzi.io/cluster: ", YamlString(cluster),
                    "\nspec:\n  topicName: ", YamlString(t.name), "\n  partitions: ", t.partitions,
                    "\n  replicas: ", replication, "\n  config:\n");
    if (t.cleanup == TopicSpec::Cleanup::kCompact) {
      absl::StrAppend(&out, "    cleanup.policy: compact\n");
    } else {
      absl::StrAppend(&out, "    cleanup.policy: delete\n    retention.ms: ", RetentionMs(t), "\n");
    }
    if (replication >= 3) {
      absl::StrAppend(&out, "    min.insync.replicas: ", MinInsyncReplicas(replication), "\n");
    }
  }
  return out;
}

}  // namespace sbrgate::stage
