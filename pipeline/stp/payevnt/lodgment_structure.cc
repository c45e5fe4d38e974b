#include "pipeline/stp/payevnt/lodgment_structure.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "pipeline/stp/payevnt/error_catalogue.h"

namespace sbrgate::payevnt {
namespace {

bool IsWhitespace(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); });
}

// "1.2" -> (1 << 32) | 2. Each part 1 to 9 digits.
bool ParseDocumentId(absl::string_view id, uint64_t* group, uint64_t* key) {
  const size_t dot = id.find('.');
  if (dot == absl::string_view::npos) return false;
  const absl::string_view g = id.substr(0, dot), s = id.substr(dot + 1);
  auto digits = [](absl::string_view part) {
    return !part.empty() && part.size() <= 9 && std::all_of(part.begin(), part.end(), [](char c) {
      return absl::ascii_isdigit(static_cast<unsigned char>(c));
    });
  };
  uint32_t gv = 0, sv = 0;
  if (!digits(g) || !digits(s) || !absl::SimpleAtoi(g, &gv) || !absl::SimpleAtoi(s, &sv)) {
    return false;
  }
  *group = gv;
  *key = (static_cast<uint64_t>(gv) << 32) | sv;
  return true;
}

}  // namespace

// A set of DocumentID keys kept as runs of consecutive keys, so the usual
// 1.2, 1.3, ... sequence takes constant memory however long the file is.
class LodgmentStructure::IdSet {
 public:
  // False if `key` was already there.
  bool Insert(uint64_t key) {
    auto next = runs_.upper_bound(key);  // first run starting after key
    if (next != runs_.begin()) {
      auto prev = std::prev(next);
      if (prev->second >= key) return false;
      if (prev->second + 1 == key) {
        prev->second = key;
        if (next != runs_.end() && next->first == key + 1) {
          prev->second = next->second;
          runs_.erase(next);
        }
        return true;
      }
    }
    if (next != runs_.end() && next->first == key + 1) {
      const uint64_t last = next->second;
      runs_.erase(next);
      runs_.emplace(key, last);
      return true;
    }
    runs_.emplace(key, key);
    return true;
  }

 private:
  std::map<uint64_t, uint64_t> runs_;  // first key -> last key
};

LodgmentStructure::LodgmentStructure() = default;

LodgmentStructure::~LodgmentStructure() = default;

absl::StatusOr<std::unique_ptr<LodgmentStructure>> LodgmentStructure::Open(
    std::unique_ptr<ByteSource> source, absl::string_view name,
    const LodgmentReaderOptions& options) {
  std::unique_ptr<LodgmentStructure> r(new LodgmentStructure());
  r->name_ = std::string(name);
  r->keep_text_ = options.keep_document_text;
  r->seen_ids_ = std::make_unique<IdSet>();
  absl::StatusOr<std::unique_ptr<FramedSource>> framed = FramedSource::Create(std::move(source));
  if (!framed.ok()) {
    return absl::Status(framed.status().code(),
                        absl::StrCat(name, ": cannot read: ", framed.status().message()));
  }
  r->framed_ = framed->get();
  r->bare_ = (*framed)->bare();
  xml::RecordReaderOptions stream_options;
  stream_options.limits = options.limits;
  stream_options.max_record_bytes = options.max_record_bytes;
  stream_options.keep_text = options.keep_document_text;
  absl::StatusOr<std::unique_ptr<xml::RecordReader>> stream =
      xml::RecordReader::Open(*std::move(framed), name, stream_options);
  if (!stream.ok()) {
    r->framed_ = nullptr;
    r->FailXml(stream.status());  // returned by Next()
  } else {
    r->stream_ = *std::move(stream);
  }
  return r;
}

LodgmentStructure::Step LodgmentStructure::Next() {
  using Event = xml::RecordReader::Event;
  while (!step_.has_value()) {
    absl::StatusOr<Event> event = stream_->Next();
    if (!event.ok()) {
      FailXml(event.status());
      break;
    }
    switch (*event) {
      case Event::kRootStart:
        ReadRoot();
        break;
      case Event::kRecordStart:
        if (stream_->local_name() == kDelimiterName &&
            (stream_->namespace_uri().empty() ||
             stream_->namespace_uri() == kLodgmentNamespace)) {
          StartDelimiter();
        } else {
          StartDocument();
        }
        break;
      case Event::kRecordEnd:
        if (open_delimiter_.has_value()) {
          EndDelimiter();
        } else {
          EndDocument();
        }
        break;
      case Event::kText:
        FailStructure(last_id_, "text outside any document");
        break;
      case Event::kRootEnd:  // after it libxml2 lets through only comments,
        break;               // processing instructions and whitespace
      case Event::kEnd:
        EndOfFile();
        break;
    }
  }
  Step step = *std::move(step_);
  step_.reset();
  return step;
}

std::string LodgmentStructure::LineText() const {
  return absl::StrCat("line ", stream_ != nullptr ? stream_->line() : 0);
}

LodgmentStructure::Step LodgmentStructure::Fatal(FieldError error) const {
  Step step;
  step.status = absl::InvalidArgumentError(absl::StrCat(
      name_, ":", stream_ != nullptr ? stream_->line() : 0, ": ",
      error.document_id.empty() ? "" : absl::StrCat("DocumentID ", error.document_id, ": "),
      Substitute(error)));
  step.fatal = std::move(error);
  step.bytes_read = stream_ != nullptr ? stream_->bytes_read() : 0;
  return step;
}

void LodgmentStructure::Last(Step step) { step_ = std::move(step); }

void LodgmentStructure::Fail(FieldError error) { Last(Fatal(std::move(error))); }

void LodgmentStructure::FailStructure(absl::string_view document_id, std::string reason) {
  Fail(MakeFieldError(codes::kRecordStructure, document_id, "",
                      {{"Reason", std::move(reason)}, {"Line", LineText()}}));
}

void LodgmentStructure::FailXml(const absl::Status& status) {
  // xml::RecordReader's messages are "<name>:<line>: <what>".
  int line = 0;
  absl::string_view rest = status.message();
  std::string where;
  if (absl::ConsumePrefix(&rest, absl::StrCat(name_, ":")) &&
      absl::SimpleAtoi(rest.substr(0, rest.find(':')), &line) && framed_ != nullptr) {
    where = framed_->Locate(line);
  }
  if (where.empty() && !reading_id_.empty()) where = absl::StrCat("DocumentID ", reading_id_);
  std::string context;
  if (!where.empty()) {
    context = absl::StrCat(" (in ", where, ")");
  } else if (!last_id_.empty()) {
    context = absl::StrCat(" (after DocumentID ", last_id_, ")");
  }
  const std::string message = absl::StrCat(status.message(), context);
  // The record in error: the first DocumentID named.
  std::string document_id;
  if (absl::StartsWith(where, "DocumentID ")) {
    document_id = std::string(absl::string_view(where).substr(strlen("DocumentID ")));
    document_id = document_id.substr(0, document_id.find(' '));
  }
  Step step;
  step.status = absl::InvalidArgumentError(message);
  step.fatal = MakeFieldError(codes::kNotWellFormed, document_id, "", {{"Message", message}});
  step.bytes_read = stream_ != nullptr ? stream_->bytes_read() : 0;
  Last(std::move(step));
}

void LodgmentStructure::ReadRoot() {
  root_seen_ = true;
  const std::string local(stream_->local_name());
  const std::string ns(stream_->namespace_uri());
  if (local == kWrapperName && ns == kLodgmentNamespace) return;
  if (local == "PAYEVNT" || local == "PAYEVNTEMP") {
    return Fail(MakeFieldError(codes::kMissingRecordDelimiter, "", "",
                               {{"Element", local}, {"Line", LineText()}}));
  }
  FailStructure("", absl::StrCat("the root element <", local, "> (namespace '", ns,
                                 "') is not a lodgment: expected <", kWrapperName, " xmlns=\"",
                                 kLodgmentNamespace,
                                 "\"> around the records, or a bare sequence "
                                 "starting with a Record_Delimiter"));
}

void LodgmentStructure::StartDelimiter() {
  if (pending_.has_value()) {
    return FailStructure(pending_->document_id,
                         absl::StrCat("Record_Delimiter DocumentID ", pending_->document_id,
                                      " (line ", pending_->line,
                                      ") is followed by another Record_Delimiter, not by its "
                                      "document"));
  }
  Delimiter d;
  d.line = stream_->line();
  std::string type;
  stream_->attribute("DocumentID", &d.document_id);
  stream_->attribute("DocumentName", &d.document_name);
  stream_->attribute("DocumentType", &type);
  stream_->attribute("RelatedDocumentID", &d.related_document_id);
  if (d.document_id.empty()) {
    return FailStructure(
        "", absl::StrCat("Record_Delimiter without a DocumentID",
                         last_id_.empty() ? "" : absl::StrCat(" after DocumentID ", last_id_)));
  }
  uint64_t group = 0, key = 0;
  if (!ParseDocumentId(d.document_id, &group, &key)) {
    return FailStructure(d.document_id,
                         absl::StrCat("DocumentID '", d.document_id,
                                      "' is not of the form <group>.<sequence> (e.g. 1.2)"));
  }
  if (d.document_name != "PAYEVNT" && d.document_name != "PAYEVNTEMP") {
    return FailStructure(d.document_id, absl::StrCat("DocumentName '", d.document_name,
                                                     "' must be PAYEVNT or PAYEVNTEMP"));
  }
  const bool parent = d.document_name == "PAYEVNT";
  const char* expected_type = parent ? "PARENT" : "CHILD";
  if (type != expected_type) {
    return FailStructure(d.document_id,
                         absl::StrCat("DocumentType '", type, "' does not match DocumentName ",
                                      d.document_name, " (expected ", expected_type, ")"));
  }
  if (parent) {
    if (!parent_id_.empty()) {
      return FailStructure(d.document_id,
                           absl::StrCat("a second PARENT (the first is DocumentID ", parent_id_,
                                        "): a lodgment file holds one pay event"));
    }
    if (!d.related_document_id.empty()) {
      return FailStructure(d.document_id,
                           absl::StrCat("the PARENT's RelatedDocumentID must be empty, not '",
                                        d.related_document_id, "'"));
    }
  } else {
    if (parent_id_.empty()) {
      return FailStructure(d.document_id,
                           absl::StrCat("the first document must be the PAYEVNT PARENT, but "
                                        "DocumentID ",
                                        d.document_id, " is a CHILD"));
    }
    if (d.related_document_id != parent_id_) {
      return FailStructure(d.document_id,
                           absl::StrCat("RelatedDocumentID '", d.related_document_id,
                                        "' does not name the PARENT, DocumentID ", parent_id_));
    }
    if (group != parent_group_) {
      return FailStructure(d.document_id,
                           absl::StrCat("DocumentID ", d.document_id,
                                        " is not in the group of its PARENT ", parent_id_));
    }
  }
  if (!seen_ids_->Insert(key)) {
    return FailStructure(d.document_id, absl::StrCat("duplicate DocumentID ", d.document_id));
  }
  if (parent) {
    parent_id_ = d.document_id;
    parent_group_ = group;
  }
  reading_id_ = d.document_id;
  open_delimiter_ = std::move(d);
}

void LodgmentStructure::EndDelimiter() {
  const xml::RecordReader::Record r = stream_->TakeRecord();
  for (const xmlNode* c = r.node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE ||
        ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
         !IsWhitespace(xml::NodeText(c)))) {
      return FailStructure(open_delimiter_->document_id, "a Record_Delimiter must be empty");
    }
  }
  pending_ = *std::move(open_delimiter_);
  open_delimiter_.reset();
  reading_id_.clear();
}

void LodgmentStructure::StartDocument() {
  const std::string local(stream_->local_name());
  const std::string ns(stream_->namespace_uri());
  if (!pending_.has_value()) {
    return Fail(MakeFieldError(
        codes::kMissingRecordDelimiter, "", "",
        {{"Element", local},
         {"Line",
          absl::StrCat(LineText(), last_id_.empty() ? "" : ", after DocumentID ", last_id_)}}));
  }
  Delimiter d = *std::move(pending_);
  pending_.reset();
  const char* expected_ns =
      d.document_name == "PAYEVNT" ? kPayevntNamespace : kPayevntempNamespace;
  if (local != d.document_name) {
    return FailStructure(
        d.document_id,
        absl::StrCat("Record_Delimiter DocumentID ", d.document_id, " announces a ",
                     d.document_name, " document but the next element is <", local, ">"));
  }
  if (ns != expected_ns) {
    return FailStructure(d.document_id, absl::StrCat("<", local, "> is in namespace '", ns,
                                                     "', expected '", expected_ns, "'"));
  }
  reading_id_ = d.document_id;
  d.line = stream_->line();  // from here on, the document's
  open_document_ = std::move(d);
}

void LodgmentStructure::EndDocument() {
  xml::SharedText text = keep_text_ ? stream_->RecordText() : xml::SharedText();
  xml::RecordReader::Record r = stream_->TakeRecord();
  Delimiter d = *std::move(open_document_);
  open_document_.reset();
  reading_id_.clear();
  last_id_ = d.document_id;
  // Assigned, not emplace()d: clang (the fuzz build) judges the nested
  // Step, with its member initializers, not default-constructible there.
  step_ = Step();
  step_->document = Document{std::move(d), std::move(r.node), std::move(text)};
}

void LodgmentStructure::EndOfFile() {
  if (!root_seen_) return FailStructure("", "the file holds no XML element");
  if (pending_.has_value()) {
    return FailStructure(
        pending_->document_id,
        absl::StrCat("Record_Delimiter DocumentID ", pending_->document_id, " (line ",
                     pending_->line, ") is not followed by its document"));
  }
  Step end;
  end.bytes_read = stream_->bytes_read();
  Last(std::move(end));
}

}  // namespace sbrgate::payevnt
