#include "pipeline/platform/kafka/embedded_cluster.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sbrgate::kafka {

absl::StatusOr<std::vector<TopicSpec>> ParseTopicSpecs(const std::string& text) {
  std::vector<TopicSpec> specs;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    std::vector<std::string> parts = absl::StrSplit(item, absl::MaxSplits(':', 1));
    TopicSpec spec{parts[0], 1};
    if (spec.name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("topic spec \"", std::string(item),
                                                     "\": empty topic name"));
    }
    if (parts.size() == 2 && (!absl::SimpleAtoi(parts[1], &spec.partitions) ||
                              spec.partitions < 1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "topic spec \"", std::string(item), "\": partitions must be a positive number"));
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

absl::StatusOr<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Start(int brokers) {
  if (brokers < 1) {
    return absl::InvalidArgumentError(absl::StrCat("embedded cluster: ", brokers, " brokers"));
  }
  ConfPtr conf(rd_kafka_conf_new());
  char err[512];
  // The host instance never connects anywhere; without this it logs that it
  // has no bootstrap servers.
  rd_kafka_conf_set(conf.get(), "log_level", "4", err, sizeof(err));
  absl::StatusOr<KafkaPtr> host =
      NewClient(RD_KAFKA_PRODUCER, std::move(conf), "embedded cluster host");
  if (!host.ok()) return host.status();
  rd_kafka_mock_cluster_t* mock = rd_kafka_mock_cluster_new(host->get(), brokers);
  if (mock == nullptr) {
    return absl::InternalError("rd_kafka_mock_cluster_new failed (see librdkafka's log)");
  }
  return std::unique_ptr<EmbeddedCluster>(new EmbeddedCluster(*std::move(host), mock, brokers));
}

EmbeddedCluster::EmbeddedCluster(KafkaPtr host, rd_kafka_mock_cluster_t* mock, int brokers)
    : host_(std::move(host)),
      mock_(mock),
      brokers_(brokers),
      bootstrap_(rd_kafka_mock_cluster_bootstraps(mock)) {}

EmbeddedCluster::~EmbeddedCluster() {
  // Must go before the instance it lives in.
  rd_kafka_mock_cluster_destroy(mock_);
}

KafkaConfig EmbeddedCluster::client_config() const {
  return KafkaConfig{bootstrap_,
                     {{"consumer.session.timeout.ms", "3000"}, {"consumer.heartbeat.interval.ms", "500"}}};
}

absl::Status EmbeddedCluster::CreateTopic(const std::string& name, int partitions) {
  if (partitions < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic ", name, ": ", partitions, " partitions"));
  }
  const rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(mock_, name.c_str(), partitions, std::min(brokers_, 3));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    // The mock cannot tell how many partitions the topic has; ask a client.
    ConfPtr conf(rd_kafka_conf_new());
    char errstr[512];
    rd_kafka_conf_set(conf.get(), "bootstrap.servers", bootstrap_.c_str(), errstr,
                      sizeof(errstr));
    absl::StatusOr<KafkaPtr> client = NewClient(RD_KAFKA_CONSUMER, std::move(conf), "probe");
    if (!client.ok()) return client.status();
    rd_kafka_topic_t* topic = rd_kafka_topic_new(client->get(), name.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    int existing = -1;
    if (rd_kafka_metadata(client->get(), 0, topic, &metadata, 10000) ==
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (metadata->topic_cnt == 1) existing = metadata->topics[0].partition_cnt;
      rd_kafka_metadata_destroy(metadata);
    }
    rd_kafka_topic_destroy(topic);
    if (existing == partitions) return absl::OkStatus();
    return absl::AlreadyExistsError(absl::StrCat("topic ", name, " already exists with ",
                                                 existing, " partitions, not ", partitions));
  }
  return absl::InternalError(
      absl::StrCat("creating topic ", name, ": ", rd_kafka_err2str(err)));
}

absl::Status EmbeddedCluster::CreateTopics(const std::vector<TopicSpec>& topics) {
  for (const TopicSpec& t : topics) {
    if (absl::Status s = CreateTopic(t.name, t.partitions); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace sbrgate::kafka
