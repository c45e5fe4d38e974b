// YamlString: a string as a YAML scalar that reads back as that same string
// whatever YAML parser reads it (YAML 1.1 or 1.2: Kubernetes, PyYAML,
// Compose), for generators that write YAML as text (deployment manifests).
// Plain when nothing could mistake it for another type or for syntax,
// double-quoted otherwise:
//
//   YamlString("sbrgate.lodgments.received") == "sbrgate.lodgments.received"
//   YamlString("--kafka-brokers=kafka:9092") == "--kafka-brokers=kafka:9092"
//   YamlString("on") == "\"on\""      // YAML 1.1 reads a plain on as true
//   YamlString("8") == "\"8\""        // and a plain 8 as a number
//   YamlString("a: b") == "\"a: b\""
#ifndef SBRGATE_PIPELINE_PLATFORM_COMMON_YAML_H_
#define SBRGATE_PIPELINE_PLATFORM_COMMON_YAML_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sbrgate {

std::string YamlString(absl::string_view text);

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_PLATFORM_COMMON_YAML_H_
