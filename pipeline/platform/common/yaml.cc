#include "pipeline/platform/common/yaml.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sbrgate {

namespace {

bool IsAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

// Plain: a letter or '/' first, or "--" and a letter (a command-line flag),
// so that no number, indicator, or YAML 1.1 octal, float or time starts it;
// then only letters, digits and . _ / = @ -, and ':' before a letter, digit
// or '/' (never ': ', ' #' or flow syntax); and not one of YAML 1.1's words
// for booleans and null.
bool PlainIsSafe(absl::string_view text) {
  const absl::string_view start = absl::StartsWith(text, "--") ? text.substr(2) : text;
  if (start.empty() || !(absl::ascii_isalpha(static_cast<unsigned char>(start[0])) ||
                         (start[0] == '/' && start.size() == text.size()))) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (IsAlnum(c) || absl::string_view("._/=@-").find(c) != absl::string_view::npos) continue;
    if (c == ':' && i + 1 < text.size() && (IsAlnum(text[i + 1]) || text[i + 1] == '/')) continue;
    return false;
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
