#include "pipeline/platform/stage/topology.h"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::stage {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// orders (8) -> billing (store "open") -> invoices (4); a per-instance view
// of invoices; dead letters.
Topology::Builder Billing() {
  Topology::Builder b("shop");
  b.Topic({"orders", 8, "shop.Order"})
      .Topic({"invoices", 4, "shop.Invoice", TopicSpec::Cleanup::kDelete, absl::Hours(24)})
      .AddStage({"billing", {"orders"}, {"invoices"}, {"open"}})
      .Topic({"shop.deadletter", 1})
      .DeadLetters("shop.deadletter");
  StageSpec view{"invoice-view", {"invoices"}};
  view.per_instance = true;
  b.AddStage(view);
  return b;
}

TEST(Topology, DerivesChangelogsAfterTheirStage) {
  const Topology t = Billing().Build();
  ASSERT_TRUE(t.Validate().ok()) << t.Validate();
  std::vector<std::string> names;
  for (const TopicSpec& topic : t.topics()) names.push_back(topic.name);
  EXPECT_EQ(names, (std::vector<std::string>{"orders", "invoices", "shop.billing.open.changelog",
                                             "shop.deadletter"}));
  const TopicSpec* changelog = t.FindTopic("shop.billing.open.changelog");
  ASSERT_NE(changelog, nullptr);
  EXPECT_EQ(changelog->partitions, 8);  // like its stage's input
  EXPECT_EQ(changelog->cleanup, TopicSpec::Cleanup::kCompact);
  EXPECT_EQ(ChangelogTopics(*t.FindStage("billing"), "shop"),
            std::vector<std::string>{"shop.billing.open.changelog"});
  EXPECT_EQ(t.FindTopic("nope"), nullptr);
}

TEST(Topology, FindsAStageByItsNameOrAsAnInstanceOfAPerInstanceStage) {
  const Topology t = Billing().Build();
  ASSERT_NE(t.FindStage("billing"), nullptr);
  EXPECT_EQ(t.FindStage("billing")->inputs, std::vector<std::string>{"orders"});
  ASSERT_NE(t.FindStage("invoice-view-host-1-1700000000"), nullptr);
  EXPECT_EQ(t.FindStage("invoice-view-host-1-1700000000")->name, "invoice-view");
  EXPECT_EQ(t.FindStage("billing-host-1"), nullptr);  // billing is one stage for all
  EXPECT_EQ(t.FindStage("shipping"), nullptr);
}

TEST(Topology, ValidateNamesTheFirstProblem) {
  auto problem = [](const Topology::Builder& b) {
    return std::string(b.Build().Validate().message());
  };
  Topology::Builder b = Billing();
  b.AddStage({"refunds", {"returns"}});
  EXPECT_THAT(problem(b), HasSubstr("input returns of stage refunds is not declared"));

  b = Billing();
  b.AddStage({"refunds", {"orders"}, {"credit-notes"}});
  EXPECT_THAT(problem(b), HasSubstr("output credit-notes of stage refunds is not declared"));

  b = Billing();
  b.Topic({"orders", 8});
  EXPECT_THAT(problem(b), HasSubstr("topic orders is declared twice"));

  b = Billing();
  b.AddStage({"billing", {"orders"}});
  EXPECT_THAT(problem(b), HasSubstr("stage billing is declared twice"));

  b = Billing();
  b.Topic({"empty", 0});
  EXPECT_THAT(problem(b), HasSubstr("topic empty has 0 partitions"));

  b = Billing();
  b.DeadLetters("nowhere");
  EXPECT_THAT(problem(b), HasSubstr("dead-letter topic nowhere is not declared"));

  b = Billing();
  StageSpec view{"order-view", {"orders"}, {}, {"cache"}};
  view.per_instance = true;
  b.AddStage(view);
  EXPECT_THAT(problem(b), HasSubstr("runs per instance and so cannot keep stores"));

  // A changelog declared by hand collides with the derived one.
  b = Billing();
  b.Topic({"shop.billing.open.changelog", 8});
  EXPECT_THAT(problem(b), HasSubstr("topic shop.billing.open.changelog is declared twice"));
}

TEST(Topology, PrintsKafkaTopicsCommands) {
  EXPECT_EQ(Billing().Build().KafkaTopicsCommands("kafka-1:9093", 3),
            "kafka-topics.sh --bootstrap-server kafka-1:9093 --create --if-not-exists --topic "
            "orders --partitions 8 --replication-factor 3 --config retention.ms=-1\n"
            "kafka-topics.sh --bootstrap-server kafka-1:9093 --create --if-not-exists --topic "
            "invoices --partitions 4 --replication-factor 3 --config retention.ms=86400000\n"
            "kafka-topics.sh --bootstrap-server kafka-1:9093 --create --if-not-exists --topic "
            "shop.billing.open.changelog --partitions 8 --replication-factor 3 --config "
            "cleanup.policy=compact\n"
            "kafka-topics.sh --bootstrap-server kafka-1:9093 --create --if-not-exists --topic "
            "shop.deadletter --partitions 1 --replication-factor 3 --config retention.ms=-1\n");
}

TEST(Topology, PrintsStrimziKafkaTopicsNamedAsKubernetesAllows) {
  absl::StatusOr<std::string> yaml = Billing().Build().StrimziKafkaTopics("shop-kafka", 3);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_EQ(*yaml,
            "---\n"
            "apiVersion: kafka.strimzi.io/v1beta2\n"
            "kind: KafkaTopic\n"
            "metadata:\n"
            "  name: orders\n"
            "  labels:\n"
            "    strimzi.io/cluster: shop-kafka\n"
            "spec:\n"
            "  topicName: orders\n"
            "  partitions: 8\n"
            "  replicas: 3\n"
            "  config:\n"
            "    cleanup.policy: delete\n"
            "    retention.ms: -1\n"
            "    min.insync.replicas: 2\n"
            "---\n"
            "apiVersion: kafka.strimzi.io/v1beta2\n"
            "kind: KafkaTopic\n"
            "metadata:\n"
            "  name: invoices\n"
            "  labels:\n"
            "    strimzi.io/cluster: shop-kafka\n"
            "spec:\n"
            "  topicName: invoices\n"
            "  partitions: 4\n"
            "  replicas: 3\n"
            "  config:\n"
            "    cleanup.policy: delete\n"
            "    retention.ms: 86400000\n"
            "    min.insync.replicas: 2\n"
            "---\n"
            "apiVersion: kafka.strimzi.io/v1beta2\n"
            "kind: KafkaTopic\n"
            "metadata:\n"
            "  name: shop-billing-open-changelog\n"
            "  labels:\n"
            "    strimzi.io/cluster: shop-kafka\n"
            "spec:\n"
            "  topicName: shop.billing.open.changelog\n"
            "  partitions: 8\n"
            "  replicas: 3\n"
            "  config:\n"
            "    cleanup.policy: compact\n"
            "    min.insync.replicas: 2\n"
            "---\n"
            "apiVersion: kafka.strimzi.io/v1beta2\n"
            "kind: KafkaTopic\n"
            "metadata:\n"
            "  name: shop-deadletter\n"
            "  labels:\n"
            "    strimzi.io/cluster: shop-kafka\n"
            "spec:\n"
            "  topicName: shop.deadletter\n"
            "  partitions: 1\n"
            "  replicas: 3\n"
            "  config:\n"
            "    cleanup.policy: delete\n"
            "    retention.ms: -1\n"
            "    min.insync.replicas: 2\n");
}

TEST(Topology, StrimziKafkaTopicsSetMinInsyncReplicasFromThreeReplicasOn) {
  EXPECT_EQ(MinInsyncReplicas(1), 1);
  EXPECT_EQ(MinInsyncReplicas(2), 1);
  EXPECT_EQ(MinInsyncReplicas(3), 2);
  EXPECT_EQ(MinInsyncReplicas(5), 3);
  absl::StatusOr<std::string> yaml = Billing().Build().StrimziKafkaTopics("shop-kafka", 1);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_THAT(*yaml, HasSubstr("  replicas: 1\n"));
  EXPECT_THAT(*yaml, Not(HasSubstr("min.insync.replicas")));
}

TEST(Topology, StrimziKafkaTopicNamesAreSanitizedAndMustNotCollide) {
  Topology::Builder b = Billing();
  b.Topic({"Shop_Returns", 2}).Topic({"_8_", 1});
  absl::StatusOr<std::string> yaml = b.Build().StrimziKafkaTopics("shop-kafka", 3);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_THAT(*yaml, HasSubstr("  name: shop-returns\n"));
  EXPECT_THAT(*yaml, HasSubstr("  topicName: Shop_Returns\n"));
  EXPECT_THAT(*yaml, HasSubstr("  name: \"8\"\n"));  // a name, not a number

  b.Topic({"shop.returns", 2});
  EXPECT_THAT(std::string(b.Build().StrimziKafkaTopics("shop-kafka", 3).status().message()),
              HasSubstr("topics Shop_Returns and shop.returns would both be KafkaTopic "
                        "shop-returns"));

  b = Billing();
  b.Topic({"...", 1});
  EXPECT_THAT(std::string(b.Build().StrimziKafkaTopics("shop-kafka", 3).status().message()),
              HasSubstr("topic ... leaves no Kubernetes resource name"));
}

TEST(Topology, PrintsJson) {
  const nlohmann::json doc = nlohmann::json::parse(Billing().Build().ToJson());
  EXPECT_EQ(doc["app"], "shop");
  EXPECT_EQ(doc["dead_letter_topic"], "shop.deadletter");
  ASSERT_EQ(doc["topics"].size(), 4u);
  EXPECT_EQ(doc["topics"][0],
            nlohmann::json::parse(R"({"name": "orders", "partitions": 8,
                                      "value_type": "shop.Order",
                                      "cleanup_policy": "delete", "retention_ms": -1})"));
  EXPECT_EQ(doc["topics"][1]["retention_ms"], 86400000);
  EXPECT_EQ(doc["topics"][2], nlohmann::json::parse(R"({"name": "shop.billing.open.changelog",
                                                        "partitions": 8,
                                                        "cleanup_policy": "compact"})"));
  ASSERT_EQ(doc["stages"].size(), 2u);
  EXPECT_EQ(doc["stages"][0], nlohmann::json::parse(R"({
      "name": "billing", "inputs": ["orders"], "outputs": ["invoices"],
      "stores": [{"name": "open", "changelog": "shop.billing.open.changelog"}],
      "per_instance": false})"));
  EXPECT_EQ(doc["stages"][1]["per_instance"], true);
  EXPECT_EQ(doc["stages"][1]["stores"], nlohmann::json::array());
}

}  // namespace
}  // namespace sbrgate::stage
