#include "pipeline/platform/kafka/config.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sim/dev_pki/dev_pki.h"

namespace sbrgate::kafka {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Get(rd_kafka_conf_t* conf, const char* key) {
  char value[256];
  size_t size = sizeof(value);
  if (rd_kafka_conf_get(conf, key, value, &size) != RD_KAFKA_CONF_OK) return "<unset>";
  return value;
}

TEST(ParseKafkaConfig, ReadsBootstrapAndOverrides) {
  absl::StatusOr<KafkaConfig> config = ParseKafkaConfig(
      "# a real cluster\n"
      "bootstrap.servers = b1:9093,b2:9093\n"
      "\n"
      "! java-style comment\n"
      "security.protocol=SASL_SSL\n"
      "sasl.mechanisms = PLAIN\n",
      "kafka.properties");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->bootstrap, "b1:9093,b2:9093");
  EXPECT_EQ(config->overrides.size(), 2u);
  EXPECT_EQ(config->overrides.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(config->overrides.at("sasl.mechanisms"), "PLAIN");
}

TEST(ParseKafkaConfig, NamesTheBadLine) {
  absl::StatusOr<KafkaConfig> config =
      ParseKafkaConfig("bootstrap.servers=x:1\nsecurity.protocol\n", "kafka.properties");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("kafka.properties:2"));
}

TEST(LoadKafkaConfigFile, MissingFileIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(LoadKafkaConfigFile("/nonexistent/kafka.properties").status()));
}

TEST(BuildConf, AppliesDefaultsThenOverridesThenRequired) {
  KafkaConfig config{"127.0.0.1:9092", {{"linger.ms", "50"}, {"client.id", "ops"}}};
  absl::StatusOr<ConfPtr> conf =
      BuildConf(config, RD_KAFKA_PRODUCER, "producer", {{"linger.ms", "5"}, {"batch.num.messages", "100"}},
                {{"acks", "all"}});
  ASSERT_TRUE(conf.ok()) << conf.status();
  EXPECT_EQ(Get(conf->get(), "bootstrap.servers"), "127.0.0.1:9092");
  EXPECT_EQ(Get(conf->get(), "linger.ms"), "50");
  EXPECT_EQ(Get(conf->get(), "batch.num.messages"), "100");
  EXPECT_EQ(Get(conf->get(), "client.id"), "ops");
  EXPECT_EQ(Get(conf->get(), "acks"), "-1");  // librdkafka spells "all" as -1
}

TEST(BuildConf, ScopedOverridesApplyToTheirClientTypeOnly) {
  KafkaConfig config{"127.0.0.1:9092",
                     {{"consumer.session.timeout.ms", "3000"},
                      {"producer.linger.ms", "20"},
                      {"client.id", "both"}}};
  absl::StatusOr<ConfPtr> consumer = BuildConf(config, RD_KAFKA_CONSUMER, "consumer", {}, {});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  EXPECT_EQ(Get(consumer->get(), "session.timeout.ms"), "3000");
  EXPECT_EQ(Get(consumer->get(), "client.id"), "both");
  absl::StatusOr<ConfPtr> producer = BuildConf(config, RD_KAFKA_PRODUCER, "producer", {}, {});
  ASSERT_TRUE(producer.ok()) << producer.status();
  EXPECT_EQ(Get(producer->get(), "linger.ms"), "20");
  EXPECT_EQ(Get(producer->get(), "session.timeout.ms"), "45000");
}

TEST(BuildConf, RefusesOverrideContradictingRequired) {
  KafkaConfig config{"127.0.0.1:9092", {{"isolation.level", "read_uncommitted"}}};
  absl::StatusOr<ConfPtr> conf =
      BuildConf(config, RD_KAFKA_CONSUMER, "stage consumer", {}, {{"isolation.level", "read_committed"}});
  ASSERT_FALSE(conf.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(conf.status()));
  EXPECT_THAT(std::string(conf.status().message()),
              HasSubstr("isolation.level=read_uncommitted contradicts"));
}

TEST(BuildConf, NamesUnknownProperty) {
  KafkaConfig config{"127.0.0.1:9092", {{"no.such.property", "1"}}};
  absl::StatusOr<ConfPtr> conf = BuildConf(config, RD_KAFKA_PRODUCER, "producer", {}, {});
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(std::string(conf.status().message()), HasSubstr("no.such.property=1"));
}

TEST(BuildConf, RequiresBootstrap) {
  EXPECT_TRUE(absl::IsInvalidArgument(BuildConf(KafkaConfig{}, RD_KAFKA_PRODUCER, "producer", {}, {}).status()));
}

TEST(Secrets, NamedByPasswordSecretOrKey) {
  for (const char* key : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                          "sasl.oauthbearer.client.secret", "ssl.key.pem", "SASL.PASSWORD"}) {
    EXPECT_TRUE(IsSecretProperty(key)) << key;
    EXPECT_EQ(ShownValue(key, "hunter2"), kRedacted) << key;
  }
  for (const char* key : {"sasl.username", "security.protocol", "bootstrap.servers"}) {
    EXPECT_FALSE(IsSecretProperty(key)) << key;
    EXPECT_EQ(ShownValue(key, "plain"), "plain") << key;
  }
}

TEST(Secrets, NeverInBuildConfErrors) {
  for (const char* key : {"ssl.keystore.passwd", "sasl.oauthbearer.client.secret.typo",
                          "producer.sasl.password.old"}) {
    KafkaConfig config{"127.0.0.1:9092", {{key, "hunter2"}}};
    absl::StatusOr<ConfPtr> conf = BuildConf(config, RD_KAFKA_PRODUCER, "producer", {}, {});
    ASSERT_FALSE(conf.ok()) << key;
    EXPECT_THAT(std::string(conf.status().message()), Not(HasSubstr("hunter2")));
    EXPECT_THAT(std::string(conf.status().message()), HasSubstr("<redacted>"));
  }
  KafkaConfig contradicting{"127.0.0.1:9092", {{"sasl.password", "hunter2"}}};
  absl::StatusOr<ConfPtr> conf = BuildConf(contradicting, RD_KAFKA_PRODUCER, "producer", {},
                                           {{"sasl.password", "other"}});
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(std::string(conf.status().message()), Not(HasSubstr("hunter2")));
  EXPECT_THAT(std::string(conf.status().message()), HasSubstr("sasl.password=<redacted>"));
}

TEST(Secrets, NeverInParseErrors) {
  absl::StatusOr<KafkaConfig> config =
      ParseKafkaConfig("bootstrap.servers=x:1\nsasl.password: hunter2\n", "kafka.properties");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("kafka.properties:2"));
  EXPECT_THAT(std::string(config.status().message()), Not(HasSubstr("hunter2")));
}

TEST(LoadKafkaConfigFile, RefusesATlsKeyOthersMayRead) {
  const std::string dir = ::testing::TempDir() + "/kafka-tls";
  absl::StatusOr<pki::DevPki> pki = pki::MakeDevPki(dir);
  ASSERT_TRUE(pki.ok()) << pki.status();
  const std::string properties = dir + "/kafka.properties";
  ASSERT_TRUE(WriteFileDurably(properties,
                               absl::StrCat("bootstrap.servers=b1:9093\n"
                                            "security.protocol=SSL\n"
                                            "ssl.certificate.location=", pki->client_cert, "\n"
                                            "ssl.key.location=", pki->client_key, "\n"))
                  .ok());
  EXPECT_TRUE(LoadKafkaConfigFile(properties).ok()) << "0600 is fine";
  ASSERT_EQ(::chmod(pki->client_key.c_str(), 0644), 0);
  absl::StatusOr<KafkaConfig> config = LoadKafkaConfigFile(properties);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kPermissionDenied) << config.status();
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr(absl::StrCat("private key file ", pki->client_key, " has mode 0644")));
}

TEST(LoadKafkaConfigFile, RefusesAPasswordFileOthersMayRead) {
  const std::string properties = ::testing::TempDir() + "/sasl.properties";
  ASSERT_TRUE(WriteFileDurably(properties,
                               "bootstrap.servers=b1:9093\nsecurity.protocol=SASL_SSL\n"
                               "sasl.mechanism=SCRAM-SHA-512\nsasl.username=sbrgate\n"
                               "sasl.password=hunter2\n")
                  .ok());
  ASSERT_EQ(::chmod(properties.c_str(), 0600), 0);
  EXPECT_TRUE(LoadKafkaConfigFile(properties).ok()) << "0600 is fine";
  ASSERT_EQ(::chmod(properties.c_str(), 0640), 0);
  absl::StatusOr<KafkaConfig> config = LoadKafkaConfigFile(properties);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kPermissionDenied) << config.status();
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr(absl::StrCat("Kafka config file with sasl.password ", properties,
                                     " has mode 0640")));
  EXPECT_THAT(std::string(config.status().message()), Not(HasSubstr("hunter2")));

  // Without a secret in it, the file may be shared.
  ASSERT_TRUE(WriteFileDurably(properties, "bootstrap.servers=b1:9093\n").ok());
  ASSERT_EQ(::chmod(properties.c_str(), 0644), 0);
  EXPECT_TRUE(LoadKafkaConfigFile(properties).ok());
}

TEST(ToTimeoutMs, Clamps) {
  EXPECT_EQ(ToTimeoutMs(absl::ZeroDuration()), 1);
  EXPECT_EQ(ToTimeoutMs(absl::Seconds(2)), 2000);
  EXPECT_EQ(ToTimeoutMs(absl::InfiniteDuration()), INT_MAX);
}

}  // namespace
}  // namespace sbrgate::kafka
