#include "pipeline/platform/common/yaml.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sbrgate {

namespace {

// Plain: a letter or '/' first (no number, indicator, or YAML 1.1 octal,
// float or time starts so), then only letters, digits and . _ / - (no ': ',
// ' #' or flow syntax), and not one of YAML 1.1's words for booleans and null.
bool PlainIsSafe(absl::string_view text) {
  if (text.empty() ||
      !(absl::ascii_isalpha(static_cast<unsigned char>(text[0])) || text[0] == '/')) {
    return false;
  }
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '/' &&
        c != '-') {
      return false;
    }
  }
  const std::string lower = absl::AsciiStrToLower(text);
  for (const char* word : {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}) {
    if (lower == word) return false;
  }
  return true;
}

}  // namespace

std::string YamlString(absl::string_view text) {
  if (PlainIsSafe(text)) return std::string(text);
  // The double-quoted style, in which \xNN stands for a control character.
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      absl::StrAppend(&out, "\\", absl::string_view(&c, 1));
    } else if (byte < 0x20 || byte == 0x7f) {
      absl::StrAppend(&out, "\\x", absl::Hex(byte, absl::kZeroPad2));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace sbrgate
