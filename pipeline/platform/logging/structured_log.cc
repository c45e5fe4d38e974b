#include "pipeline/platform/logging/structured_log.h"

#include <atomic>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/mask.h"

namespace sbrgate::logging {
namespace {

std::atomic<Format> g_format{Format::kText};
std::atomic<Level> g_min_level{Level::kInfo};
std::atomic<std::FILE*> g_out{nullptr};  // null: stderr

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          absl::StrAppend(out, "\\u00", absl::Hex(c, absl::kZeroPad2));
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// Text values are quoted when they hold a space, a quote or an '='.
void AppendTextValue(std::string* out, absl::string_view s) {
  if (s.find_first_of(" \"=\n\t") == absl::string_view::npos) {
    out->append(s.data(), s.size());
    return;
  }
  AppendJsonString(out, s);
}

bool PartOfAnId(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }

}  // namespace

void Configure(const LogOptions& options) {
  g_format = options.format;
  g_min_level = options.min_level;
  g_out = options.out;
}

absl::StatusOr<Format> ParseFormat(const std::string& flag, const std::string& value) {
  if (value == "text") return Format::kText;
  if (value == "json") return Format::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, " must be text or json, not '", value, "'"));
}

absl::StatusOr<Level> ParseLevel(const std::string& flag, const std::string& value) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarning, Level::kError}) {
    if (value == LevelName(l)) return l;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--", flag, " must be debug, info, warning or error, not '", value, "'"));
}

std::string MaskTfnLike(absl::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    const absl::string_view run = text.substr(i, end - i);
    const bool alone = (i == 0 || !PartOfAnId(text[i - 1])) &&
                       (end == text.size() || !PartOfAnId(text[end]));
    if (alone && (run.size() == 8 || run.size() == 9)) {
      out += MaskIdentifier(run);
    } else {
      out.append(run.data(), run.size());
    }
    i = end;
  }
  return out;
}

Log::Log(Level level, std::string component, std::string event)
    : level_(level), enabled_(level >= g_min_level.load()) {
  if (!enabled_) return;
  fields_.emplace_back("component", std::move(component));
  fields_.emplace_back("event", std::move(event));
}

Log& Log::Field(std::string key, std::string value) {
  if (enabled_ && !value.empty()) fields_.emplace_back(std::move(key), std::move(value));
  return *this;
}

Log& Log::Error(const absl::Status& status) {
  if (status.ok()) return *this;
  return Field("error", MaskTfnLike(absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                                                 status.message())));
}

Log& Log::Message(absl::string_view text) { return Field("message", MaskTfnLike(text)); }

Log::~Log() {
  if (!enabled_) return;
  const std::string time = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (g_format.load() == Format::kJson) {
    absl::StrAppend(&line, "{\"time\":\"", time, "\",\"level\":\"", LevelName(level_), "\"");
    for (const auto& [key, value] : fields_) {
      line.push_back(',');
      AppendJsonString(&line, key);
      line.push_back(':');
      AppendJsonString(&line, value);
    }
    line.append("}\n");
  } else {
    // time LEVEL component event key=value ...
    absl::StrAppend(&line, time, " ", LevelName(level_), " ", fields_[0].second, " ",
                    fields_[1].second);
    for (size_t i = 2; i < fields_.size(); ++i) {
      absl::StrAppend(&line, " ", fields_[i].first, "=");
      AppendTextValue(&line, fields_[i].second);
    }
    line.push_back('\n');
  }
  std::FILE* out = g_out.load();
  if (out == nullptr) out = stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

}  // namespace sbrgate::logging
