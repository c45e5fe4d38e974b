#include "pipeline/platform/kafka/config.h"

#include <climits>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/keys/key_files.h"

namespace sbrgate::kafka {

bool IsSecretProperty(absl::string_view key) {
  const std::string lower = absl::AsciiStrToLower(key);
  return absl::StrContains(lower, "password") || absl::StrContains(lower, "secret") ||
         absl::StrContains(lower, "key");
}

std::string ShownValue(absl::string_view key, absl::string_view value) {
  return IsSecretProperty(key) ? std::string(kRedacted) : std::string(value);
}

absl::StatusOr<KafkaConfig> ParseKafkaConfig(const std::string& text, const std::string& source) {
  KafkaConfig config;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string line = std::string(absl::StripAsciiWhitespace(lines[i]));
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      // "sasl.password: x" is a likely slip: such a line is not echoed.
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", i + 1, ": expected key=value, got ",
          IsSecretProperty(line) ? absl::StrCat("a line naming a secret (", kRedacted, ")")
                                 : absl::StrCat("\"", line, "\"")));
    }
    const std::string key = std::string(absl::StripAsciiWhitespace(line.substr(0, eq)));
    const std::string value = std::string(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", i + 1, ": empty key"));
    }
    if (key == "bootstrap.servers") {
      config.bootstrap = value;
    } else {
      config.overrides[key] = value;
    }
  }
  return config;
}

absl::StatusOr<KafkaConfig> LoadKafkaConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read Kafka config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<KafkaConfig> config = ParseKafkaConfig(text.str(), path);
  if (!config.ok()) return config;
  // A file with a password in it is a key file.
  for (const auto& [key, value] : config->overrides) {
    if (!IsSecretProperty(key) || absl::EndsWith(key, ".location")) continue;
    if (absl::Status s = keys::CheckOwnerOnlyFile(path, absl::StrCat("Kafka config file with ", key));
        !s.ok()) {
      return s;
    }
  }
  // The files the TLS settings name, checked once at start as sbrgate's own
  // credential is (scoped keys such as "consumer.ssl.key.location" too).
  for (const auto& [key, value] : config->overrides) {
    if (absl::EndsWith(key, "ssl.key.location") || absl::EndsWith(key, "ssl.keystore.location")) {
      if (absl::Status s = keys::CheckPrivateKeyFile(value); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat(path, ": ", key, ": ", s.message()));
      }
    }
    if (absl::EndsWith(key, "ssl.certificate.location")) {
      if (absl::Status s = keys::WarnIfCertificateFileExpiringSoon(value, RealNow()); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat(path, ": ", key, ": ", s.message()));
      }
    }
  }
  return config;
}

namespace {

absl::Status Set(rd_kafka_conf_t* conf, const std::string& role, const std::string& origin,
                 const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) !=
      RD_KAFKA_CONF_OK) {
    std::string why = err;
    // librdkafka may quote the value it refused.
    if (IsSecretProperty(key) && !value.empty()) absl::StrReplaceAll({{value, kRedacted}}, &why);
    return absl::InvalidArgumentError(absl::StrCat("Kafka ", role, " config (", origin, ") ", key,
                                                   "=", ShownValue(key, value), ": ", why));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ConfPtr> BuildConf(const KafkaConfig& config, rd_kafka_type_t type,
                                  const std::string& role,
                                  const std::map<std::string, std::string>& defaults,
                                  const std::map<std::string, std::string>& required) {
  if (config.bootstrap.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Kafka ", role, " config: bootstrap servers are not set"));
  }
  const absl::string_view mine = type == RD_KAFKA_CONSUMER ? "consumer." : "producer.";
  const absl::string_view theirs = type == RD_KAFKA_CONSUMER ? "producer." : "consumer.";
  std::map<std::string, std::string> overrides;
  for (const auto& [key, value] : config.overrides) {
    if (absl::StartsWith(key, theirs)) continue;
    if (absl::StartsWith(key, mine)) {
      overrides[key.substr(mine.size())] = value;
    } else {
      overrides.emplace(key, value);  // a scoped key wins over a plain one
    }
  }
  for (const auto& [key, value] : overrides) {
    auto it = required.find(key);
    if (it != required.end() && it->second != value) {
      return absl::InvalidArgumentError(
          absl::StrCat("Kafka ", role, " config: override ", key, "=", ShownValue(key, value),
                       " contradicts ", key, "=", ShownValue(key, it->second), ", which the ",
                       role, " relies on"));
    }
  }
  ConfPtr conf(rd_kafka_conf_new());
  if (absl::Status s = Set(conf.get(), role, "bootstrap", "bootstrap.servers", config.bootstrap);
      !s.ok()) {
    return s;
  }
  for (const auto& [key, value] : defaults) {
    if (absl::Status s = Set(conf.get(), role, "default", key, value); !s.ok()) return s;
  }
  for (const auto& [key, value] : overrides) {
    if (absl::Status s = Set(conf.get(), role, "override", key, value); !s.ok()) return s;
  }
  for (const auto& [key, value] : required) {
    if (absl::Status s = Set(conf.get(), role, "required", key, value); !s.ok()) return s;
  }
  return conf;
}

absl::Time RealNow() {
  static const RealClock* const clock = new RealClock;
  return clock->Now();
}

int ToTimeoutMs(absl::Duration d) {
  const int64_t ms = absl::ToInt64Milliseconds(d);
  if (ms < 1) return 1;
  if (ms > INT_MAX) return INT_MAX;
  return static_cast<int>(ms);
}

void WarmTopic(rd_kafka_t* rk, const std::string& topic, absl::Duration timeout) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rkt == nullptr) return;
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &metadata, ToTimeoutMs(timeout)) ==
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_metadata_destroy(metadata);
  }
  rd_kafka_topic_destroy(rkt);
}

absl::StatusOr<KafkaPtr> NewClient(rd_kafka_type_t type, ConfPtr conf, const std::string& role) {
  char err[512];
  // rd_kafka_new takes the configuration only when it succeeds.
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof(err));
  if (rk == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot create Kafka ", role, ": ", err));
  }
  conf.release();
  return KafkaPtr(rk);
}

}  // namespace sbrgate::kafka
