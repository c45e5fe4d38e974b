// The SBR business response (event.02, namespace
// http://sbr.gov.au/comn/event.02.data): the MaximumSeverity of a lodgment
// and one EventItem per problem, each naming the record (DocumentID) and the
// field (XPath) it is about. The simulator writes it; the triage stage reads
// it. Both sides stream: a 200,000-employee rejection is a large document.
//
//   ResponseWriter w(sink);
//   w.Begin(Severity::kPartial);
//   w.Add(item);
//   w.Finish();
//
//   auto r = ResponseReader::Open(std::move(source), "response");
//   while (auto item = (*r)->Next()) { ... }      // StatusOr<optional<EventItem>>
//   Severity worst = (*r)->maximum_severity();    // after the last item
#ifndef SBRGATE_PIPELINE_EVENT02_EVENT02_H_
#define SBRGATE_PIPELINE_EVENT02_EVENT02_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/xml/stream_reader.h"

namespace sbrgate::event02 {

inline constexpr char kNamespace[] = "http://sbr.gov.au/comn/event.02.data";

// Ordered from best to worst, so max() gives the overall outcome.
enum class Severity { kInformation, kWarning, kPartial, kError, kSystemError };

absl::string_view SeverityCode(Severity s);  // "Information", "Partial", ...
absl::StatusOr<Severity> ParseSeverity(absl::string_view code);

struct Parameter {
  std::string identifier;
  std::string text;
};

struct Location {
  std::string instance_identifier;  // DocumentID of the record, e.g. "1.7"
  std::string path;                 // XPath of the field
};

struct EventItem {
  std::string error_code;
  std::string severity = "Error";
  std::string short_description;
  std::string detailed_description;
  std::vector<Parameter> parameters;
  std::vector<Location> locations;
};

// Replaces each {Identifier} in `text` with the parameter's text; unknown
// placeholders stay as they are.
std::string SubstituteParameters(absl::string_view text, const std::vector<Parameter>& params);

class ResponseWriter {
 public:
  explicit ResponseWriter(ByteSink& sink) : sink_(sink) {}
  absl::Status Begin(Severity maximum);
  absl::Status Add(const EventItem& item);
  absl::Status Finish();

 private:
  ByteSink& sink_;
  bool items_open_ = false;
};

class ResponseReader {
 public:
  static absl::StatusOr<std::unique_ptr<ResponseReader>> Open(std::unique_ptr<ByteSource> source,
                                                              absl::string_view name);
  // The next item across every Event in the document; nullopt at the end.
  absl::StatusOr<std::optional<EventItem>> Next();
  // The worst MaximumSeverity.Code of the Events read so far.
  std::optional<Severity> maximum_severity() const { return maximum_; }

 private:
  explicit ResponseReader(std::unique_ptr<xml::StreamReader> reader)
      : reader_(std::move(reader)) {}
  std::unique_ptr<xml::StreamReader> reader_;
  std::optional<Severity> maximum_;
};

}  // namespace sbrgate::event02

#endif  // SBRGATE_PIPELINE_EVENT02_EVENT02_H_
