// KafkaConfig: how every sbrgate Kafka client reaches its cluster, and the
// one place librdkafka configuration objects are built, so the same code runs
// against the embedded mock cluster and a real one (TLS, SASL) by
// configuration alone.
//
//   KafkaConfig kafka{"127.0.0.1:9092", {}};
//   // or, for a real cluster, a properties file of key=value lines:
//   absl::StatusOr<KafkaConfig> kafka = LoadKafkaConfigFile("/etc/sbrgate/kafka.properties");
//   absl::StatusOr<ConfPtr> conf = BuildConf(*kafka, RD_KAFKA_CONSUMER, "consumer",
//       /*defaults=*/{{"fetch.wait.max.ms", "100"}},
//       /*required=*/{{"enable.auto.commit", "false"}});
//   rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), ...);
//
// Precedence: `defaults` (the component's tuning) < `overrides` (the
// operator's) < `required` (what the component's guarantees rest on, for
// example isolation.level=read_committed). An override that contradicts a
// required setting is an error rather than silently ignored.
#ifndef SBRGATE_PIPELINE_KAFKA_CONFIG_H_
#define SBRGATE_PIPELINE_KAFKA_CONFIG_H_

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pipeline/platform/kafka/limits.h"  // kMaxMessageBytes, which every client keeps to

namespace sbrgate::kafka {

struct KafkaConfig {
  // bootstrap.servers: "host:port,host:port".
  std::string bootstrap;
  // Any librdkafka property (security.protocol, ssl.ca.location,
  // sasl.mechanisms, ...), applied to every client. As in Kafka Streams, a
  // key prefixed "consumer." or "producer." applies (without the prefix) only
  // to consumers or only to producers, e.g. "consumer.session.timeout.ms".
  std::map<std::string, std::string> overrides;
};

// Secrets are never shown: in every error, the value of a property whose
// name contains "password", "secret" or "key" (sasl.password,
// ssl.key.password, sasl.oauthbearer.client.secret, ...) reads kRedacted.
inline constexpr absl::string_view kRedacted = "<redacted>";
bool IsSecretProperty(absl::string_view key);
// `value`, or kRedacted when `key` names a secret.
std::string ShownValue(absl::string_view key, absl::string_view value);

// Parses key=value lines; blank lines and lines starting with '#' or '!' are
// skipped. "bootstrap.servers" sets `bootstrap`; every other key becomes an
// override. `source` names the text in errors ("kafka.properties:3: ...").
absl::StatusOr<KafkaConfig> ParseKafkaConfig(const std::string& text, const std::string& source);
// As ParseKafkaConfig on the file at `path`; then refuses a private key file
// that group or others may read (ssl.key.location, ssl.keystore.location:
// keys::CheckPrivateKeyFile), and warns on stderr when the certificate of
// ssl.certificate.location expires within 30 days.
absl::StatusOr<KafkaConfig> LoadKafkaConfigFile(const std::string& path);

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// Builds a librdkafka configuration for one client of `type`; `role`
// ("producer", "stage consumer", ...) names it in errors. Returns InvalidArgument for an
// empty bootstrap, an unknown property or value, or an override that
// contradicts `required`.
absl::StatusOr<ConfPtr> BuildConf(const KafkaConfig& config, rd_kafka_type_t type,
                                  const std::string& role,
                                  const std::map<std::string, std::string>& defaults,
                                  const std::map<std::string, std::string>& required);

// Real time, for the deadlines of librdkafka calls (librdkafka waits on the
// system clock whatever clock the pipeline runs on).
absl::Time RealNow();

// An absl::Duration as the whole milliseconds librdkafka wants (at least 1,
// at most INT32_MAX).
int ToTimeoutMs(absl::Duration d);

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

// Creates a client from `conf` (consumed, also on failure).
absl::StatusOr<KafkaPtr> NewClient(rd_kafka_type_t type, ConfPtr conf, const std::string& role);

// Fetches `topic`'s metadata into `rk`'s cache before its first record:
// librdkafka 2.0.2 otherwise leaves a producer's record to a topic it has
// not used yet waiting for its once-a-second topic scan (a second per new
// topic). Best effort: a failure only means that wait.
void WarmTopic(rd_kafka_t* rk, const std::string& topic, absl::Duration timeout);

struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using TopicPartitionListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, TopicPartitionListDeleter>;

}  // namespace sbrgate::kafka

#endif  // SBRGATE_PIPELINE_KAFKA_CONFIG_H_
