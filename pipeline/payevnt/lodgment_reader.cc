#include "pipeline/payevnt/lodgment_reader.h"

#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <iterator>
#include <map>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "pipeline/common/resources.h"
#include "pipeline/payevnt/check_digits.h"
#include "pipeline/payevnt/error_catalogue.h"

namespace sbrgate::payevnt {
namespace {

constexpr char kWrapperName[] = "PayEventLodgment";
constexpr char kDelimiterName[] = "Record_Delimiter";
// The wrapper put around a bare SBR sequence. Prefixed, so that it does not
// change the namespace of the unprefixed Record_Delimiter elements inside.
constexpr char kBarePrefix[] = "sbrgateLodgment";
// How far into the file the first element is looked for.
constexpr size_t kSniffLimit = 64 << 10;
// libxml2 keeps line numbers of elements in 16 bits.
constexpr int kLineCap = 65535;

// What the start of a file shows: not enough yet, a bare SBR sequence (its
// first element is a Record_Delimiter), or anything else, passed on as is.
enum class Sniff { kNeedMore, kBare, kAsIs };

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

// Skips a byte order mark, the XML declaration, comments and processing
// instructions; for a bare sequence sets where its first element starts.
Sniff SniffHead(absl::string_view head, bool eof, size_t* element_start) {
  const Sniff need_more = eof ? Sniff::kAsIs : Sniff::kNeedMore;
  size_t pos = absl::StartsWith(head, "\xEF\xBB\xBF") ? 3 : 0;
  for (;;) {
    while (pos < head.size() && absl::ascii_isspace(static_cast<unsigned char>(head[pos]))) ++pos;
    if (pos >= head.size()) return need_more;
    if (head[pos] != '<') return Sniff::kAsIs;
    const absl::string_view rest = head.substr(pos);
    if (rest.size() < 4) return need_more;
    if (absl::StartsWith(rest, "<?")) {  // XML declaration or processing instruction
      const size_t end = rest.find("?>");
      if (end == absl::string_view::npos) return need_more;
      pos += end + 2;
      continue;
    }
    if (absl::StartsWith(rest, "<!--")) {
      const size_t end = rest.find("-->", 4);
      if (end == absl::string_view::npos) return need_more;
      pos += end + 3;
      continue;
    }
    if (rest[1] == '!') return Sniff::kAsIs;  // DOCTYPE and the like: the XML reader refuses them
    size_t end = 1;
    while (end < rest.size() && IsNameChar(rest[end])) ++end;
    if (end == rest.size()) return need_more;
    if (rest.substr(1, end - 1) != kDelimiterName) return Sniff::kAsIs;
    *element_start = pos;
    return Sniff::kBare;
  }
}

std::string Trim(const char* message) {
  return std::string(absl::StripAsciiWhitespace(message == nullptr ? "" : message));
}

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

// xs:date (no zone; the schemas require that shape), whitespace collapsed.
bool ParseDay(absl::string_view text, absl::CivilDay* day) {
  text = absl::StripAsciiWhitespace(text);
  return text.size() == 10 && absl::ParseCivilTime(text, day);
}

// xs:decimal with at most two fraction digits, to cents.
bool ParseCents(absl::string_view text, int64_t* cents) {
  text = absl::StripAsciiWhitespace(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view frac =
      dot == absl::string_view::npos ? absl::string_view() : text.substr(dot + 1);
  if ((whole.empty() && frac.empty()) || whole.size() > 15 || frac.size() > 2) return false;
  int64_t value = 0;
  for (char c : whole) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  for (size_t i = 0; i < 2; ++i) {
    const char c = i < frac.size() ? frac[i] : '0';
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  *cents = negative ? -value : value;
  return true;
}

std::string FormatCents(int64_t cents) {
  const bool negative = cents < 0;
  const uint64_t v = negative ? -static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  return absl::StrCat(negative ? "-" : "", v / 100, ".", v % 100 < 10 ? "0" : "", v % 100);
}

std::string NodeText(const xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* text = xmlNodeGetContent(node);
  std::string out = text ? reinterpret_cast<const char*>(text) : "";
  xmlFree(text);
  return out;
}

// XPath of `node` within the record rooted at `root`, in SBR's style:
// /tns:PAYEVNTEMP/tns:Payee/.../tns:GrossA, with [n] where a name repeats.
std::string NodePath(const xmlNode* node, const xmlNode* root, absl::string_view ns) {
  std::string attribute;
  if (node != nullptr && node->type == XML_ATTRIBUTE_NODE) {
    attribute = absl::StrCat("/@", reinterpret_cast<const char*>(node->name));
    node = node->parent;
  }
  std::vector<std::string> steps;
  for (const xmlNode* n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    std::string step = std::string(xml::NamespaceUri(n) == ns ? "tns:" : "");
    step += std::string(xml::LocalName(n));
    if (n != root && n->parent != nullptr) {
      int index = 0, count = 0;
      for (const xmlNode* s = n->parent->children; s != nullptr; s = s->next) {
        if (s->type != XML_ELEMENT_NODE || xml::LocalName(s) != xml::LocalName(n) ||
            xml::NamespaceUri(s) != xml::NamespaceUri(n)) {
          continue;
        }
        ++count;
        if (s == n) index = count;
      }
      if (count > 1) absl::StrAppend(&step, "[", index, "]");
    }
    steps.push_back(std::move(step));
    if (n == root) break;
  }
  std::string path;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) absl::StrAppend(&path, "/", *it);
  return path + attribute;
}

// Deepest element nesting under `root` (root's children are at 1), walked
// without recursion.
int MaxElementDepth(const xmlNode* root) {
  int depth = 1, deepest = 0;
  const xmlNode* n = root->children;
  while (n != nullptr) {
    if (n->type == XML_ELEMENT_NODE) {
      deepest = std::max(deepest, depth);
      if (n->children != nullptr) {
        n = n->children;
        ++depth;
        continue;
      }
    }
    while (n->next == nullptr) {
      n = n->parent;
      --depth;
      if (n == root) return deepest;
    }
    n = n->next;
  }
  return deepest;
}

struct SchemaProblem {
  std::string message;
  const xmlNode* node;
};

void CollectSchemaProblem(void* user, xmlError* error) {
  static_cast<std::vector<SchemaProblem>*>(user)->push_back(
      {Trim(error->message), static_cast<const xmlNode*>(error->node)});
}

}  // namespace

// Sniffs the head of the file for a bare SBR sequence and, if it is one,
// serves the bytes with the wrapper inserted. Also enforces the per-record
// byte budget while a record is being expanded, and notes the line of each
// Record_Delimiter it passes on, to tell which record an XML error is in.
class LodgmentReader::FramedSource : public ByteSource {
 public:
  static absl::StatusOr<std::unique_ptr<FramedSource>> Create(std::unique_ptr<ByteSource> source) {
    std::unique_ptr<FramedSource> f(new FramedSource());
    f->source_ = std::move(source);
    std::string head;
    size_t element_start = 0;
    bool eof = false;
    for (;;) {
      const Sniff sniff = SniffHead(head, eof, &element_start);
      if (sniff == Sniff::kBare) {
        f->bare_ = true;
        f->head_ =
            absl::StrCat(absl::string_view(head).substr(0, element_start), "<", kBarePrefix, ":",
                         kWrapperName, " xmlns:", kBarePrefix, "=\"", kLodgmentNamespace, "\">",
                         absl::string_view(head).substr(element_start));
        f->tail_ = absl::StrCat("</", kBarePrefix, ":", kWrapperName, ">");
        break;
      }
      if (sniff == Sniff::kAsIs || head.size() >= kSniffLimit) {
        f->head_ = std::move(head);
        break;
      }
      char buf[4096];
      absl::StatusOr<size_t> n = f->source_->Read(buf, sizeof buf);
      if (!n.ok()) return n.status();
      if (*n == 0) {
        eof = true;
        f->source_done_ = true;
      }
      head.append(buf, *n);
    }
    return f;
  }

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    size_t got = 0;
    if (head_pos_ < head_.size()) {
      got = std::min(n, head_.size() - head_pos_);
      std::copy_n(head_.data() + head_pos_, got, buf);
      head_pos_ += got;
    } else if (!source_done_) {
      absl::StatusOr<size_t> r = source_->Read(buf, n);
      if (!r.ok()) return r.status();
      got = *r;
      if (got == 0) source_done_ = true;
    }
    if (got == 0 && source_done_ && tail_pos_ < tail_.size()) {
      got = std::min(n, tail_.size() - tail_pos_);
      std::copy_n(tail_.data() + tail_pos_, got, buf);
      tail_pos_ += got;
    }
    if (budget_active_) {
      if (got > budget_left_) {
        return absl::ResourceExhaustedError(
            absl::StrCat("the document is over the limit of ", budget_size_,
                         " bytes per record (LodgmentReaderOptions::max_record_bytes)"));
      }
      budget_left_ -= got;
    }
    Scan(buf, got);
    return got;
  }

  // Which record libxml2's error at `line` is in, e.g. "DocumentID 1.5", or
  // "" before the first record. libxml2 parses ahead of the node the reader
  // is on, so this comes from the raw bytes, not from the records read.
  std::string Locate(int line) const {
    const Seen* before = nullptr;  // last delimiter on an earlier line
    const Seen* first_on_line = nullptr;
    const Seen* last_on_line = nullptr;
    for (auto it = seen_.rbegin(); it != seen_.rend(); ++it) {
      if (it->line > line) continue;
      if (it->line == line) {
        if (last_on_line == nullptr) last_on_line = &*it;
        first_on_line = &*it;
        continue;
      }
      before = &*it;
      break;
    }
    if (last_on_line == nullptr) {
      return before == nullptr ? "" : absl::StrCat("DocumentID ", before->id);
    }
    if (first_on_line == last_on_line) return absl::StrCat("DocumentID ", last_on_line->id);
    // Several records share the line (a one-line file): name the range.
    return absl::StrCat("DocumentID ", (before != nullptr ? before : first_on_line)->id, " to ",
                        last_on_line->id, " (all on line ", line, ")");
  }

  bool bare() const { return bare_; }
  void BeginBudget(uint64_t bytes) {
    budget_active_ = true;
    budget_size_ = budget_left_ = bytes;
  }
  void EndBudget() { budget_active_ = false; }

 private:
  FramedSource() = default;
  std::unique_ptr<ByteSource> source_;
  bool source_done_ = false;
  bool bare_ = false;
  std::string head_;
  size_t head_pos_ = 0;
  std::string tail_;
  size_t tail_pos_ = 0;
  bool budget_active_ = false;
  uint64_t budget_size_ = 0;
  uint64_t budget_left_ = 0;

  // Lexical scan for Record_Delimiter tags, counting lines as libxml2 does
  // (LF, CR LF and a lone CR each end one line).
  struct Seen {
    int line;
    std::string id;
  };
  static constexpr absl::string_view kTagStart = "<Record_Delimiter";
  static constexpr size_t kMaxSeen = 4096;  // far more than libxml2 reads ahead
  static constexpr size_t kMaxTag = 4096;

  void Scan(const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const char c = p[i];
      if (c == '\n') {
        if (!after_cr_) ++line_;
      } else if (c == '\r') {
        ++line_;
      }
      after_cr_ = c == '\r';
      if (in_tag_) {
        if (c == '>') {
          in_tag_ = false;
          RecordTag();
        } else if (tag_.size() < kMaxTag) {
          tag_.push_back(c);
        } else {
          in_tag_ = false;
        }
        continue;
      }
      if (matched_ == kTagStart.size()) {
        matched_ = 0;
        if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '/') {
          in_tag_ = true;
          tag_.clear();
          continue;
        }
      }
      if (c == kTagStart[matched_]) {
        if (matched_ == 0) tag_line_ = line_;
        ++matched_;
      } else {
        matched_ = c == '<' ? 1 : 0;
        if (matched_ == 1) tag_line_ = line_;
      }
    }
  }

  void RecordTag() {
    for (size_t at = tag_.find("DocumentID"); at != std::string::npos;
         at = tag_.find("DocumentID", at + 1)) {
      // Not the tail of RelatedDocumentID (tag_ starts after the whitespace).
      if (at > 0 && !absl::ascii_isspace(static_cast<unsigned char>(tag_[at - 1]))) continue;
      absl::string_view rest = absl::StripLeadingAsciiWhitespace(
          absl::string_view(tag_).substr(at + strlen("DocumentID")));
      if (!absl::ConsumePrefix(&rest, "=")) continue;
      rest = absl::StripLeadingAsciiWhitespace(rest);
      if (rest.empty() || (rest[0] != '"' && rest[0] != '\'')) continue;
      const size_t close = rest.find(rest[0], 1);
      if (close == absl::string_view::npos) continue;
      seen_.push_back({tag_line_, std::string(rest.substr(1, close - 1))});
      if (seen_.size() > kMaxSeen) seen_.pop_front();
      return;
    }
  }

  int line_ = 1;
  bool after_cr_ = false;
  size_t matched_ = 0;
  bool in_tag_ = false;
  int tag_line_ = 1;
  std::string tag_;
  std::deque<Seen> seen_;
};

// A set of DocumentID keys kept as runs of consecutive keys, so the usual
// 1.2, 1.3, ... sequence takes constant memory however long the file is.
class LodgmentReader::IdSet {
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

absl::StatusOr<LodgmentSchemas> LoadLodgmentSchemas() {
  LodgmentSchemas schemas;
  for (auto [name, slot] : {std::make_pair("payevnt", &schemas.payevnt),
                            std::make_pair("payevntemp", &schemas.payevntemp)}) {
    absl::StatusOr<std::string> path =
        ResourcePath(absl::StrCat("pipeline/payevnt/schemas/", name, ".xsd"));
    if (!path.ok()) return path.status();
    absl::StatusOr<std::shared_ptr<const xml::Schema>> schema = xml::Schema::Load(*path);
    if (!schema.ok()) return schema.status();
    *slot = *std::move(schema);
  }
  return schemas;
}

absl::StatusOr<std::unique_ptr<LodgmentReader>> LodgmentReader::Open(
    std::unique_ptr<ByteSource> source, absl::string_view name, LodgmentReaderOptions options) {
  if (options.schemas.payevnt == nullptr || options.schemas.payevntemp == nullptr) {
    absl::StatusOr<LodgmentSchemas> loaded = LoadLodgmentSchemas();
    if (!loaded.ok()) return loaded.status();
    if (options.schemas.payevnt == nullptr) options.schemas.payevnt = loaded->payevnt;
    if (options.schemas.payevntemp == nullptr) options.schemas.payevntemp = loaded->payevntemp;
  }
  std::unique_ptr<LodgmentReader> r(new LodgmentReader());
  r->name_ = std::string(name);
  r->options_ = std::move(options);
  r->seen_ids_ = std::make_unique<IdSet>();
  r->payevnt_ctxt_ = xmlSchemaNewValidCtxt(r->options_.schemas.payevnt->raw());
  r->payevntemp_ctxt_ = xmlSchemaNewValidCtxt(r->options_.schemas.payevntemp->raw());
  if (r->payevnt_ctxt_ == nullptr || r->payevntemp_ctxt_ == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate schema validation contexts");
  }
  absl::StatusOr<std::unique_ptr<FramedSource>> framed = FramedSource::Create(std::move(source));
  if (!framed.ok()) {
    return absl::Status(framed.status().code(),
                        absl::StrCat(name, ": cannot read: ", framed.status().message()));
  }
  r->framed_ = framed->get();
  r->summary_.bare_sequence = (*framed)->bare();
  absl::StatusOr<std::unique_ptr<xml::StreamReader>> stream =
      xml::StreamReader::Open(*std::move(framed), name, r->options_.limits);
  if (!stream.ok()) {
    r->framed_ = nullptr;
    r->FailXml(stream.status()).IgnoreError();  // reported by Next()
  } else {
    r->stream_ = *std::move(stream);
  }
  return r;
}

LodgmentReader::~LodgmentReader() {
  if (payevnt_ctxt_ != nullptr) xmlSchemaFreeValidCtxt(payevnt_ctxt_);
  if (payevntemp_ctxt_ != nullptr) xmlSchemaFreeValidCtxt(payevntemp_ctxt_);
}

std::string LodgmentReader::LineText() const {
  const int line = stream_->line();
  if (line < kLineCap) return absl::StrCat("line ", line);
  return absl::StrCat("near line ", xmlTextReaderGetParserLineNumber(stream_->raw()));
}

absl::Status LodgmentReader::Fail(FieldError error) {
  int line = 0;
  if (stream_ != nullptr) {
    line = stream_->line();
    if (line >= kLineCap) line = xmlTextReaderGetParserLineNumber(stream_->raw());
  }
  fatal_status_ = absl::InvalidArgumentError(absl::StrCat(
      name_, ":", line, ": ",
      error.document_id.empty() ? "" : absl::StrCat("DocumentID ", error.document_id, ": "),
      Substitute(error)));
  summary_.fatal = std::move(error);
  if (stream_ != nullptr) summary_.bytes_read = stream_->bytes_read();
  state_ = State::kDone;
  return fatal_status_;
}

absl::Status LodgmentReader::FailStructure(absl::string_view document_id, std::string reason) {
  return Fail(MakeFieldError(codes::kRecordStructure, document_id, "",
                             {{"Reason", std::move(reason)}, {"Line", LineText()}}));
}

absl::Status LodgmentReader::FailXml(const absl::Status& status) {
  // xml::StreamReader's messages are "<name>:<line>: <what>".
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
  summary_.fatal = MakeFieldError(codes::kNotWellFormed, document_id, "", {{"Message", message}});
  if (stream_ != nullptr) summary_.bytes_read = stream_->bytes_read();
  fatal_status_ = absl::InvalidArgumentError(message);
  state_ = State::kDone;
  return fatal_status_;
}

absl::StatusOr<bool> LodgmentReader::Advance() {
  if (positioned_) {
    positioned_ = false;
    return true;
  }
  if (eof_) return false;
  absl::StatusOr<bool> more = stream_->Next();
  if (more.ok() && !*more) eof_ = true;
  return more;
}

absl::StatusOr<std::optional<Record>> LodgmentReader::Next() {
  if (!fatal_status_.ok()) return fatal_status_;
  if (state_ == State::kDone) return std::nullopt;
  if (state_ == State::kStart) {
    if (absl::Status s = ReadRoot(); !s.ok()) return s;
  }
  for (;;) {
    absl::StatusOr<bool> more = Advance();
    if (!more.ok()) return FailXml(more.status());
    if (!*more) {
      if (absl::Status s = Finish(); !s.ok()) return s;
      return std::nullopt;
    }
    // After the wrapper's end libxml2 lets through only comments, processing
    // instructions and whitespace.
    if (state_ == State::kAfterRoot) continue;
    const int type = stream_->type();
    if (type == XML_READER_TYPE_END_ELEMENT && stream_->depth() == 0) {
      state_ = State::kAfterRoot;
      continue;
    }
    if (type == XML_READER_TYPE_ELEMENT) {
      if (stream_->local_name() == kDelimiterName &&
          (stream_->namespace_uri().empty() || stream_->namespace_uri() == kLodgmentNamespace)) {
        if (absl::Status s = ReadDelimiter(); !s.ok()) return s;
        continue;
      }
      absl::StatusOr<Record> record = ReadDocument();
      if (!record.ok()) return record.status();
      return std::optional<Record>(*std::move(record));
    }
    if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) &&
        !IsWhitespace(stream_->value())) {
      return FailStructure(last_id_, "text outside any document");
    }
    // Whitespace, comments and processing instructions between records.
  }
}

absl::Status LodgmentReader::ReadRoot() {
  for (;;) {
    absl::StatusOr<bool> more = Advance();
    if (!more.ok()) return FailXml(more.status());
    if (!*more) return FailStructure("", "the file holds no XML element");
    if (stream_->type() != XML_READER_TYPE_ELEMENT) continue;
    const std::string local = stream_->local_name();
    const std::string ns = stream_->namespace_uri();
    if (local == kWrapperName && ns == kLodgmentNamespace) {
      state_ = stream_->is_empty_element() ? State::kAfterRoot : State::kRecords;
      return absl::OkStatus();
    }
    if (local == "PAYEVNT" || local == "PAYEVNTEMP") {
      return Fail(MakeFieldError(codes::kMissingRecordDelimiter, "", "",
                                 {{"Element", local}, {"Line", LineText()}}));
    }
    return FailStructure("", absl::StrCat("the root element <", local, "> (namespace '", ns,
                                          "') is not a lodgment: expected <", kWrapperName,
                                          " xmlns=\"", kLodgmentNamespace,
                                          "\"> around the records, or a bare sequence "
                                          "starting with a Record_Delimiter"));
  }
}

absl::Status LodgmentReader::ReadDelimiter() {
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
  if (!stream_->is_empty_element()) {
    reading_id_ = d.document_id;
    framed_->BeginBudget(options_.max_record_bytes);
    absl::StatusOr<xmlNode*> node = stream_->ExpandCurrent();
    framed_->EndBudget();
    if (!node.ok()) return FailXml(node.status());
    for (const xmlNode* c = (*node)->children; c != nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE ||
          ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
           !IsWhitespace(NodeText(c)))) {
        return FailStructure(d.document_id, "a Record_Delimiter must be empty");
      }
    }
    absl::StatusOr<bool> more = stream_->SkipSubtree();
    if (!more.ok()) return FailXml(more.status());
    positioned_ = *more;
    eof_ = !*more;
    reading_id_.clear();
  }
  if (parent) {
    parent_id_ = d.document_id;
    parent_group_ = group;
  }
  pending_ = std::move(d);
  return absl::OkStatus();
}

absl::StatusOr<Record> LodgmentReader::ReadDocument() {
  const std::string local = stream_->local_name();
  const std::string ns = stream_->namespace_uri();
  if (!pending_.has_value()) {
    return Fail(MakeFieldError(
        codes::kMissingRecordDelimiter, "", "",
        {{"Element", local},
         {"Line",
          absl::StrCat(LineText(), last_id_.empty() ? "" : ", after DocumentID ", last_id_)}}));
  }
  const Delimiter d = *std::move(pending_);
  pending_.reset();
  const bool employer = d.document_name == "PAYEVNT";
  const char* expected_ns = employer ? kPayevntNamespace : kPayevntempNamespace;
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
  Record rec;
  rec.kind = employer ? Record::Kind::kEmployer : Record::Kind::kEmployee;
  rec.document_id = d.document_id;
  rec.related_document_id = d.related_document_id;
  rec.line = stream_->line();

  reading_id_ = d.document_id;
  framed_->BeginBudget(options_.max_record_bytes);
  absl::StatusOr<xmlNode*> expanded = stream_->ExpandCurrent();
  framed_->EndBudget();
  if (!expanded.ok()) return FailXml(expanded.status());
  xmlNode* root = *expanded;
  // The record sits at depth 1 under the wrapper.
  if (MaxElementDepth(root) + 1 > options_.limits.max_depth) {
    return Fail(MakeFieldError(
        codes::kNotWellFormed, d.document_id, "",
        {{"Message", absl::StrCat(name_, ":", LineText(), ": elements nested deeper than ",
                                  options_.limits.max_depth, " levels")}}));
  }
  rec.errors =
      SchemaErrors(employer ? payevnt_ctxt_ : payevntemp_ctxt_, root, d.document_id, expected_ns);
  if (employer) {
    CheckEmployer(root, rec);
  } else {
    CheckEmployee(root, rec);
  }

  absl::StatusOr<bool> more = stream_->SkipSubtree();
  if (!more.ok()) return FailXml(more.status());
  positioned_ = *more;
  eof_ = !*more;
  reading_id_.clear();
  last_id_ = d.document_id;

  if (employer) {
    summary_.has_employer = true;
    summary_.employer = rec.employer;
    summary_.employer_has_errors = !rec.errors.empty();
  } else {
    ++summary_.employees;
    if (!rec.errors.empty()) ++summary_.employees_with_errors;
  }
  return rec;
}

std::vector<FieldError> LodgmentReader::SchemaErrors(xmlSchemaValidCtxt* ctxt, xmlNode* root,
                                                     const std::string& document_id,
                                                     absl::string_view ns) {
  std::vector<SchemaProblem> problems;
  xmlSchemaSetValidStructuredErrors(ctxt, CollectSchemaProblem, &problems);
  const int rc = xmlSchemaValidateOneElement(ctxt, root);
  xmlSchemaSetValidStructuredErrors(ctxt, nullptr, nullptr);
  if (rc != 0 && problems.empty())
    problems.push_back({"the document does not match the schema", root});
  std::vector<FieldError> errors;
  std::vector<const xmlNode*> reported;
  const std::string qualified = absl::StrCat("{", ns, "}");
  for (SchemaProblem& p : problems) {
    // libxml2 often follows a facet error with a generic one on the same
    // node; SBR reports one error per field.
    const xmlNode* node = p.node != nullptr ? p.node : root;
    if (std::find(reported.begin(), reported.end(), node) != reported.end()) continue;
    reported.push_back(node);
    std::string message = absl::StrReplaceAll(p.message, {{qualified, "tns:"}});
    if (node->type == XML_ELEMENT_NODE && xml::LocalName(node) == "TaxFileNumberId") {
      const std::string tfn = NodeText(node);
      if (!tfn.empty()) {
        message = absl::StrReplaceAll(
            message, {{absl::StrCat("'", tfn, "'"), absl::StrCat("'", MaskIdentifier(tfn), "'")}});
      }
    }
    errors.push_back(MakeFieldError(codes::kSchemaViolation, document_id, NodePath(node, root, ns),
                                    {{"Message", std::move(message)}}));
  }
  return errors;
}

void LodgmentReader::CheckEmployer(xmlNode* root, Record& rec) {
  EmployerRecord& e = rec.employer;
  const std::string& id = rec.document_id;
  const absl::string_view ns = kPayevntNamespace;
  e.document_id = id;
  const xmlNode* rp = xml::FirstChild(root, "Rp");
  e.bms_id = xml::ChildText(rp, "SoftwareInformationBusinessManagementSystemId");
  e.abn = xml::ChildText(rp, "AustralianBusinessNumberId");
  e.wpn = xml::ChildText(rp, "WithholdingPayerNumberId");
  e.branch = xml::ChildText(rp, "OrganisationDetailsOrganisationBranchC");
  e.organisation_name =
      xml::ChildText(xml::FirstChild(rp, "OrganisationName"), "DetailsOrganisationalNameT");
  const xmlNode* payroll = xml::FirstChild(rp, "Payroll");
  e.interaction_transaction_id = xml::ChildText(payroll, "InteractionTransactionId");

  auto check_abn = [&](const xmlNode* parent) {
    const xmlNode* node = xml::FirstChild(parent, "AustralianBusinessNumberId");
    const std::string abn = NodeText(node);
    if (node != nullptr && abn.size() == 11 && absl::c_all_of(abn, absl::ascii_isdigit) &&
        !IsValidAbn(abn)) {
      rec.errors.push_back(
          MakeFieldError(codes::kInvalidPayerAbn, id, NodePath(node, root, ns), {{"Value", abn}}));
    }
  };
  if (rp != nullptr) {
    check_abn(rp);
    if (e.abn.empty() && e.wpn.empty()) {
      rec.errors.push_back(
          MakeFieldError(codes::kPayerIdentifierMissing, id, NodePath(rp, root, ns)));
    }
  }
  check_abn(xml::FirstChild(root, "Int"));

  const xmlNode* count = xml::FirstChild(payroll, "InteractionRecordCt");
  record_count_known_ =
      count != nullptr &&
      absl::SimpleAtoi(absl::StripAsciiWhitespace(NodeText(count)), &e.interaction_record_count) &&
      e.interaction_record_count >= 0;

  const xmlNode* stamp = xml::FirstChild(payroll, "MessageTimestampGenerationDt");
  const std::string stamp_text(absl::StripAsciiWhitespace(NodeText(stamp)));
  bool stamp_ok = false;
  if (absl::ParseTime(absl::RFC3339_full, stamp_text, &e.message_timestamp, nullptr)) {
    stamp_ok = true;
    if (!absl::EndsWith(stamp_text, "Z") && !absl::EndsWith(stamp_text, "+00:00")) {
      rec.errors.push_back(MakeFieldError(codes::kTimestampNotUtc, id, NodePath(stamp, root, ns),
                                          {{"Value", stamp_text}}));
    }
  } else if (absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S", stamp_text, absl::UTCTimeZone(),
                             &e.message_timestamp, nullptr)) {
    stamp_ok = true;  // no zone at all: read as UTC, reported as not UTC
    rec.errors.push_back(MakeFieldError(codes::kTimestampNotUtc, id, NodePath(stamp, root, ns),
                                        {{"Value", stamp_text}}));
  }

  const xmlNode* date = xml::FirstChild(payroll, "PaymentRecordTransactionD");
  if (ParseDay(NodeText(date), &e.payment_date) && stamp_ok) {
    const absl::CivilDay stamp_day = absl::ToCivilDay(e.message_timestamp, absl::UTCTimeZone());
    if (e.payment_date - stamp_day > options_.max_payment_days_ahead) {
      rec.errors.push_back(
          MakeFieldError(codes::kPaymentDateTooFar, id, NodePath(date, root, ns),
                         {{"Date", absl::FormatCivilTime(e.payment_date)},
                          {"Timestamp", stamp_text},
                          {"Days", absl::StrCat(options_.max_payment_days_ahead)}}));
    }
  }

  for (const xmlNode* amount :
       xml::Children(xml::FirstChild(payroll, "IncomeTaxAndRemuneration"))) {
    int64_t cents = 0;
    if (ParseCents(NodeText(amount), &cents) && cents < 0) {
      rec.errors.push_back(MakeFieldError(codes::kPayerAmountOutOfRange, id,
                                          NodePath(amount, root, ns),
                                          {{"Value", FormatCents(cents)}}));
    }
  }
}

void LodgmentReader::CheckEmployee(xmlNode* root, Record& rec) {
  EmployeeRecord& e = rec.employee;
  const std::string& id = rec.document_id;
  const absl::string_view ns = kPayevntempNamespace;
  e.document_id = id;
  e.related_document_id = rec.related_document_id;
  const xmlNode* payee = xml::FirstChild(root, "Payee");
  const xmlNode* ids = xml::FirstChild(payee, "Identifiers");
  const xmlNode* names = xml::FirstChild(payee, "PersonNameDetails");
  e.tfn = xml::ChildText(ids, "TaxFileNumberId");
  e.abn = xml::ChildText(ids, "AustralianBusinessNumberId");
  e.payroll_id = xml::ChildText(ids, "EmploymentPayrollNumberId");
  e.family_name = xml::ChildText(names, "FamilyNameT");
  e.given_name = xml::ChildText(names, "GivenNameT");

  auto all_digits = [](const std::string& s) { return absl::c_all_of(s, absl::ascii_isdigit); };
  if ((e.tfn.size() == 8 || e.tfn.size() == 9) && all_digits(e.tfn) && !IsTfnExemptionCode(e.tfn) &&
      !IsValidTfn(e.tfn)) {
    rec.errors.push_back(MakeFieldError(codes::kInvalidTfn, id,
                                        NodePath(xml::FirstChild(ids, "TaxFileNumberId"), root, ns),
                                        {{"Value", MaskIdentifier(e.tfn)}}));
  }
  if (e.abn.size() == 11 && all_digits(e.abn) && !IsValidAbn(e.abn)) {
    rec.errors.push_back(
        MakeFieldError(codes::kInvalidPayeeAbn, id,
                       NodePath(xml::FirstChild(ids, "AustralianBusinessNumberId"), root, ns),
                       {{"Value", e.abn}}));
  }

  auto check_dates = [&](const xmlNode* parent, const char* start_name, const char* end_name,
                         absl::CivilDay* start_out, absl::CivilDay* end_out) {
    const xmlNode* start = xml::FirstChild(parent, start_name);
    const xmlNode* end = xml::FirstChild(parent, end_name);
    absl::CivilDay s, f;
    const bool have_start = ParseDay(NodeText(start), &s);
    const bool have_end = ParseDay(NodeText(end), &f);
    if (start_out != nullptr && have_start) *start_out = s;
    if (end_out != nullptr && have_end) *end_out = f;
    if (have_start && have_end && f < s) {
      rec.errors.push_back(MakeFieldError(
          codes::kEndBeforeStart, id, NodePath(end, root, ns),
          {{"StartDate", absl::FormatCivilTime(s)}, {"EndDate", absl::FormatCivilTime(f)}}));
    }
  };
  check_dates(xml::FirstChild(payee, "EmployerConditions"), "EmploymentStartD", "EmploymentEndD",
              nullptr, nullptr);
  const xmlNode* period = xml::FirstChild(payee, "PayrollPeriod");
  check_dates(period, "StartD", "EndD", &e.period_start, &e.period_end);

  for (const xmlNode* rem :
       xml::Children(xml::FirstChild(period, "RemunerationCollection"), "Remuneration")) {
    for (auto [name, total] :
         {std::make_pair("GrossA", &e.gross_cents),
          std::make_pair("IncomeTaxPayAsYouGoWithholdingTaxWithheldA", &e.paygw_cents)}) {
      const xmlNode* amount = xml::FirstChild(rem, name);
      int64_t cents = 0;
      if (!ParseCents(NodeText(amount), &cents)) continue;
      *total += cents;
      if (cents < 0) {
        rec.errors.push_back(MakeFieldError(codes::kPayeeAmountOutOfRange, id,
                                            NodePath(amount, root, ns),
                                            {{"Value", FormatCents(cents)}}));
      }
    }
  }
}

absl::Status LodgmentReader::Finish() {
  state_ = State::kDone;
  summary_.bytes_read = stream_->bytes_read();
  if (pending_.has_value()) {
    return FailStructure(
        pending_->document_id,
        absl::StrCat("Record_Delimiter DocumentID ", pending_->document_id, " (line ",
                     pending_->line, ") is not followed by its document"));
  }
  if (!summary_.has_employer) {
    return FailStructure("", "the lodgment holds no PAYEVNT (employer) document");
  }
  if (record_count_known_ && summary_.employer.interaction_record_count != summary_.employees) {
    summary_.final_errors.push_back(
        MakeFieldError(codes::kRecordCountMismatch, parent_id_,
                       "/tns:PAYEVNT/tns:Rp/tns:Payroll/tns:InteractionRecordCt",
                       {{"Declared", absl::StrCat(summary_.employer.interaction_record_count)},
                        {"Actual", absl::StrCat(summary_.employees)}}));
    summary_.employer_has_errors = true;
  }
  summary_.finished = true;
  return absl::OkStatus();
}

}  // namespace sbrgate::payevnt
