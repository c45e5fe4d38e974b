#include "pipeline/sbr/event02/event02.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/escape.h"

namespace sbrgate::event02 {
namespace {

constexpr const char* kSeverityCodes[] = {"Information", "Warning", "Partial", "Error",
                                          "SystemError"};

std::string Element(absl::string_view name, absl::string_view text) {
  return absl::StrCat("<ev:", name, ">", xml::Escape(text), "</ev:", name, ">");
}

}  // namespace

absl::string_view SeverityCode(Severity s) { return kSeverityCodes[static_cast<int>(s)]; }

absl::StatusOr<Severity> ParseSeverity(absl::string_view code) {
  for (int i = 0; i < 5; ++i) {
    if (code == kSeverityCodes[i]) return static_cast<Severity>(i);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown MaximumSeverity.Code '", code, "'"));
}

std::string SubstituteParameters(absl::string_view text, const std::vector<Parameter>& params) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find('{', pos);
    const size_t close = open == absl::string_view::npos ? open : text.find('}', open);
    if (close == absl::string_view::npos) break;
    out.append(text.data() + pos, open - pos);
    const absl::string_view id = text.substr(open + 1, close - open - 1);
    auto it = std::find_if(params.begin(), params.end(),
                           [&](const Parameter& p) { return p.identifier == id; });
    if (it != params.end()) {
      out += it->text;
    } else {
      out.append(text.data() + open, close - open + 1);
    }
    pos = close + 1;
  }
  out.append(text.data() + pos, text.size() - pos);
  return out;
}

absl::Status ResponseWriter::Begin(Severity maximum) {
  return sink_.Write(absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ev:Event xmlns:ev=\"",
                                  kNamespace, "\">\n",
                                  Element("MaximumSeverity.Code", SeverityCode(maximum)), "\n"));
}

absl::Status ResponseWriter::Add(const EventItem& item) {
  std::string out;
  if (!items_open_) {
    out = "<ev:EventItems>\n";
    items_open_ = true;
  }
  absl::StrAppend(&out, "<ev:EventItem>", Element("Error.Code", item.error_code),
                  Element("Severity.Code", item.severity),
                  Element("Short.Description", item.short_description),
                  Element("Detailed.Description", item.detailed_description));
  if (!item.parameters.empty()) {
    out += "<ev:Parameters>";
    for (const Parameter& p : item.parameters) {
      absl::StrAppend(&out, "<ev:Parameter>", Element("Parameter.Identifier", p.identifier),
                      Element("Parameter.Text", p.text), "</ev:Parameter>");
    }
    out += "</ev:Parameters>";
  }
  if (!item.locations.empty()) {
    out += "<ev:Locations>";
    for (const Location& l : item.locations) {
      absl::StrAppend(&out, "<ev:Location>",
                      Element("Location.Instance.Identifier", l.instance_identifier),
                      Element("Location.Path.Text", l.path), "</ev:Location>");
    }
    out += "</ev:Locations>";
  }
  out += "</ev:EventItem>\n";
  return sink_.Write(out);
}

absl::Status ResponseWriter::Finish() {
  return sink_.Write(absl::StrCat(items_open_ ? "</ev:EventItems>\n" : "", "</ev:Event>\n"));
}

absl::StatusOr<std::unique_ptr<ResponseReader>> ResponseReader::Open(
    std::unique_ptr<ByteSource> source, absl::string_view name) {
  xml::Limits limits;
  limits.max_depth = 16;
  auto reader = xml::StreamReader::Open(std::move(source), name, limits);
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<ResponseReader>(new ResponseReader(std::move(*reader)));
}

absl::StatusOr<std::optional<EventItem>> ResponseReader::Next() {
  for (;;) {
    absl::StatusOr<bool> more = reader_->Next();
    if (!more.ok()) return more.status();
    if (!*more) return std::optional<EventItem>();
    if (reader_->type() != XML_READER_TYPE_ELEMENT || reader_->namespace_uri() != kNamespace) {
      continue;
    }
    const std::string name = reader_->local_name();
    if (name != "MaximumSeverity.Code" && name != "EventItem") continue;
    absl::StatusOr<xmlNode*> node = reader_->ExpandCurrent();
    if (!node.ok()) return node.status();
    if (name == "MaximumSeverity.Code") {
      xmlChar* text = xmlNodeGetContent(*node);
      absl::StatusOr<Severity> s = ParseSeverity(reinterpret_cast<const char*>(text));
      xmlFree(text);
      if (!s.ok()) return s.status();
      maximum_ = maximum_.has_value() ? std::max(*maximum_, *s) : *s;
      continue;
    }
    EventItem item;
    item.error_code = xml::ChildText(*node, "Error.Code");
    item.severity = xml::ChildText(*node, "Severity.Code");
    item.short_description = xml::ChildText(*node, "Short.Description");
    item.detailed_description = xml::ChildText(*node, "Detailed.Description");
    for (xmlNode* p : xml::Children(xml::FirstChild(*node, "Parameters"), "Parameter")) {
      item.parameters.push_back(
          {xml::ChildText(p, "Parameter.Identifier"), xml::ChildText(p, "Parameter.Text")});
    }
    for (xmlNode* l : xml::Children(xml::FirstChild(*node, "Locations"), "Location")) {
      item.locations.push_back({xml::ChildText(l, "Location.Instance.Identifier"),
                                xml::ChildText(l, "Location.Path.Text")});
    }
    if (item.error_code.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event.02 line ", reader_->line(), ": EventItem without Error.Code"));
    }
    return std::optional<EventItem>(std::move(item));
  }
}

}  // namespace sbrgate::event02
