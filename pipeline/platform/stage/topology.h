// Topology: the topics and stages of a stream-processing application,
// declared once (as Kafka Streams' Topology): every topic with its partitions
// and cleanup policy, every stage with its input and output topics and its
// state stores. Each store is backed by a changelog topic the topology
// derives: "<app>.<stage>.<store>.changelog", partitioned like the stage's
// largest input (an entry is logged to its record's input partition) and
// compacted. The runner takes a stage's inputs and stores from its
// StageSpec; whoever creates topics takes them from topics().
//
//   Topology::Builder b("sbrgate");
//   b.Topic({"orders", 8, "shop.Order"}).Topic({"invoices", 8, "shop.Invoice"});
//   b.Topic({"sbrgate.deadletter", 8, "shop.DeadLetter"});
//   b.DeadLetters("sbrgate.deadletter");
//   b.AddStage({"billing", /*inputs=*/{"orders"}, /*outputs=*/{"invoices"}, /*stores=*/{"open"}});
//   Topology t = b.Build();        // declares sbrgate.billing.open.changelog too
//   absl::Status valid = t.Validate();
//   const StageSpec* billing = t.FindStage("billing");
//   std::string commands = t.KafkaTopicsCommands("kafka-1:9093", /*replication=*/3);
//   absl::StatusOr<std::string> yaml = t.StrimziKafkaTopics("shop-kafka", /*replication=*/3);
//
// Topics keep their declaration order, each stage's changelogs right after
// the stage, so printed commands read in the order they were declared.
#ifndef SBRGATE_PIPELINE_STAGE_TOPOLOGY_H_
#define SBRGATE_PIPELINE_STAGE_TOPOLOGY_H_

#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sbrgate::stage {

struct TopicSpec {
  enum class Cleanup { kDelete, kCompact };

  std::string name;
  int partitions = 1;
  // The full protobuf name of the message every record's value holds
  // (sbrgate.events.StatusChange), for tools that decode them (`sbrgate
  // log tail`); empty when the values are not one message type (the
  // changelogs the topology derives).
  std::string value_type;
  // kDelete drops records older than `retention`; kCompact keeps each key's
  // latest record (state-store changelogs).
  Cleanup cleanup = Cleanup::kDelete;
  // kDelete only; InfiniteDuration keeps records for ever (retention.ms=-1).
  absl::Duration retention = absl::InfiniteDuration();
};

struct StageSpec {
  std::string name;
  std::vector<std::string> inputs;
  // What the stage emits (dead letters aside: every stage may send those).
  std::vector<std::string> outputs;
  // Each store is backed by the changelog topic ChangelogTopic(app, name, store).
  std::vector<std::string> stores;
  // Every running instance reads all of the inputs, in a consumer group of
  // its own, as stage "<name>-<instance>": a view each instance keeps in
  // memory. Such a stage has no stores.
  bool per_instance = false;

  // Whether the stage called `stage_name` (Stage::name()) runs this spec.
  bool RunsAs(const std::string& stage_name) const;
};

std::string ChangelogTopic(const std::string& app, const std::string& stage,
                           const std::string& store);
// The changelog topics of `stage`'s stores, in store order.
std::vector<std::string> ChangelogTopics(const StageSpec& stage, const std::string& app);

// The min.insync.replicas of a topic with `replication` replicas: a majority
// from three replicas on, so that an acknowledged write survives the loss of
// any minority of them; 1 below three, where a majority is all of them and
// one broker down would stop every write.
int MinInsyncReplicas(int replication);

class Topology {
 public:
  class Builder {
   public:
    // `app` prefixes consumer groups, transactional ids and changelog topics.
    explicit Builder(std::string app) : app_(std::move(app)) {}
    Builder& Topic(TopicSpec topic);
    Builder& AddStage(StageSpec stage);
    // Where the stages' runners send records they cannot process.
    Builder& DeadLetters(std::string topic);
    // Derives the changelog topics; Validate() says whether the result holds.
    Topology Build() const;

   private:
    std::string app_;
    std::string dead_letter_topic_;
    std::vector<std::variant<TopicSpec, StageSpec>> declared_;  // in order
  };

  const std::string& app() const { return app_; }
  const std::string& dead_letter_topic() const { return dead_letter_topic_; }
  // Declared and changelog topics.
  const std::vector<TopicSpec>& topics() const { return topics_; }
  const std::vector<StageSpec>& stages() const { return stages_; }

  // Checks that names are unique and non-empty, partitions positive, every
  // stage input and output and the dead-letter topic declared, and every
  // store's changelog declared, compacted and with at least as many
  // partitions as each of its stage's inputs. InvalidArgument naming the
  // first problem.
  absl::Status Validate() const;

  // nullptr when there is none.
  const TopicSpec* FindTopic(const std::string& name) const;
  // The spec of the stage called `stage_name`: the stage of that name, or
  // the per-instance stage it is an instance of.
  const StageSpec* FindStage(const std::string& stage_name) const;

  // The whole topology as a JSON document (app, dead_letter_topic, topics
  // with partitions, value_type when set, cleanup_policy and retention_ms,
  // stages with inputs,
  // outputs, stores and their changelogs, per_instance).
  std::string ToJson() const;
  // One kafka-topics.sh command per topic, one a line, creating it (if it
  // does not exist) on the cluster at `bootstrap`: partitions, replication
  // factor, and retention.ms (deleted topics; -1 for ever) or
  // cleanup.policy=compact.
  std::string KafkaTopicsCommands(const std::string& bootstrap, int replication) const;
  // One Strimzi KafkaTopic resource per topic (YAML documents, each opening
  // with "---"), for the topic operator of the Kafka resource `cluster`:
  // partitions, `replication` replicas, and cleanup.policy with retention.ms
  // (deleted topics; -1 for ever), and min.insync.replicas from three
  // replicas on. Each resource is named after its topic as Kubernetes
  // allows (DNS-1123: sbrgate.lodgments.received becomes
  // sbrgate-lodgments-received), spec.topicName keeping the topic's own
  // name; InvalidArgument when a topic leaves no such name or two topics
  // would share one.
  absl::StatusOr<std::string> StrimziKafkaTopics(const std::string& cluster,
                                                 int replication) const;

 private:
  Topology() = default;

  std::string app_;
  std::string dead_letter_topic_;
  std::vector<TopicSpec> topics_;
  std::vector<StageSpec> stages_;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_TOPOLOGY_H_
