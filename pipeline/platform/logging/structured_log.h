// Structured operational logs: one line per event, as a JSON object or as
// text, with the fields operators search by (time, level, component, event,
// lodgment_id, message_id, abn, error, message). Free text (message, error)
// has anything shaped like a tax file number masked (see MaskTfnLike), so a
// TFN never reaches a log even through an error that quotes a value.
//
//   logging::Configure({logging::Format::kJson, logging::Level::kInfo});
//   logging::Log(logging::Level::kInfo, "sbr", "exchange")
//       .Field("message_id", id).Field("outcome", "receipt").Message("pushed");
//   // {"time":"2026-12-07T03:30:00.123Z","level":"info","component":"sbr",
//   //  "event":"exchange","message_id":"...","outcome":"receipt","message":"pushed"}
//
// The line is written when the temporary Log object goes, in one write, so
// lines from many threads never interleave. Times are real (UTC), not the
// pipeline's possibly scaled clock: they say when the process did something.
#ifndef SBRGATE_PIPELINE_PLATFORM_LOGGING_STRUCTURED_LOG_H_
#define SBRGATE_PIPELINE_PLATFORM_LOGGING_STRUCTURED_LOG_H_

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sbrgate::logging {

enum class Level { kDebug, kInfo, kWarning, kError };
enum class Format { kText, kJson };

struct LogOptions {
  Format format = Format::kText;
  Level min_level = Level::kInfo;
  std::FILE* out = stderr;
};

// For the whole process; call before threads log (at start).
void Configure(const LogOptions& options);

// "text" or "json"; "debug", "info", "warning" or "error". InvalidArgument
// naming `flag` and the value otherwise.
absl::StatusOr<Format> ParseFormat(const std::string& flag, const std::string& value);
absl::StatusOr<Level> ParseLevel(const std::string& flag, const std::string& value);

// `text` with every run of 8 or 9 digits that stands alone (not part of a
// longer number, a word or an id such as a UUID) masked as MaskIdentifier
// does: "TFN 123456782 refused" -> "TFN ******782 refused".
std::string MaskTfnLike(absl::string_view text);

class Log {
 public:
  Log(Level level, std::string component, std::string event);
  ~Log();  // writes the line, if its level is logged
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // A field; an empty value is left out. Keys are plain identifiers.
  Log& Field(std::string key, std::string value);
  Log& Error(const absl::Status& status);  // "error": code and message, masked
  Log& Message(absl::string_view text);    // masked

 private:
  const Level level_;
  const bool enabled_;
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace sbrgate::logging

#endif  // SBRGATE_PIPELINE_PLATFORM_LOGGING_STRUCTURED_LOG_H_
