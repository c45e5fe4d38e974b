#include "pipeline/stp/payevnt/lodgment_reader.h"

#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "pipeline/platform/common/resources.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/stp/payevnt/check_digits.h"
#include "pipeline/stp/payevnt/error_catalogue.h"

namespace sbrgate::payevnt {
namespace {

constexpr char kWrapperName[] = "PayEventLodgment";
constexpr char kDelimiterName[] = "Record_Delimiter";
// The wrapper put around a bare SBR sequence. Prefixed, so that it does not
// change the namespace of the unprefixed Record_Delimiter elements inside.
constexpr char kBarePrefix[] = "sbrgateLodgment";
// How far into the file the first element is looked for.
constexpr size_t kSniffLimit = 64 << 10;

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
  if (text.size() != 10) return false;
  // The usual YYYY-MM-DD directly; the rest as absl reads it.
  int parts[3] = {0, 0, 0};
  for (size_t i = 0, part = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) {
      if (text[i] != '-') return absl::ParseCivilTime(text, day);
      ++part;
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      parts[part] = parts[part] * 10 + (text[i] - '0');
    } else {
      return absl::ParseCivilTime(text, day);
    }
  }
  const absl::CivilDay d(parts[0], parts[1], parts[2]);
  if (d.year() != parts[0] || d.month() != parts[1] || d.day() != parts[2]) return false;
  *day = d;
  return true;
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
// serves the bytes with the wrapper inserted. Also notes the line of each
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
    Scan(buf, got);
    return got;
  }

  // Which record libxml2's error at `line` is in, e.g. "DocumentID 1.5", or
  // "" before the first record. This comes from the raw bytes (all libxml2
  // has been given), not from the records read.
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

 private:
  FramedSource() = default;
  std::unique_ptr<ByteSource> source_;
  bool source_done_ = false;
  bool bare_ = false;
  std::string head_;
  size_t head_pos_ = 0;
  std::string tail_;
  size_t tail_pos_ = 0;

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
    if (carry_.empty()) return ScanBytes(p, n);
    std::string joined = std::move(carry_);
    carry_.clear();
    joined.append(p, n);
    ScanBytes(joined.data(), joined.size());
  }

  // The bytes of a chunk, or of the carried-over start of a tag and the
  // chunk after it.
  void ScanBytes(const char* p, size_t n) {
    const char* const end = p + n;
    while (p < end) {
      if (in_tag_) {
        const char* gt = static_cast<const char*>(std::memchr(p, '>', end - p));
        const char* stop = gt != nullptr ? gt : end;
        CountLines(p, stop - p);
        if (tag_.size() + (stop - p) > kMaxTag) {
          in_tag_ = false;  // not a delimiter worth noting
        } else {
          tag_.append(p, stop - p);
        }
        if (gt == nullptr) return;
        p = gt + 1;
        if (in_tag_) {
          in_tag_ = false;
          RecordTag();
        }
        continue;
      }
      const char* tag = static_cast<const char*>(
          memmem(p, end - p, kTagStart.data(), kTagStart.size()));
      if (tag == nullptr || tag + kTagStart.size() == end) {
        // Perhaps a delimiter's tag cut by the end of the chunk.
        const char* last = tag;
        if (last == nullptr) {
          const size_t tail = std::min<size_t>(end - p, kTagStart.size() - 1);
          last = static_cast<const char*>(memrchr(end - tail, '<', tail));
        }
        if (last != nullptr && kTagStart.substr(0, end - last) == absl::string_view(last, end - last)) {
          CountLines(p, last - p);
          carry_.assign(last, end - last);
          return;
        }
        return CountLines(p, end - p);
      }
      CountLines(p, tag - p);
      const char after = tag[kTagStart.size()];
      p = tag + kTagStart.size();
      if (absl::ascii_isspace(static_cast<unsigned char>(after)) || after == '/') {
        tag_line_ = line_;
        in_tag_ = true;
        tag_.clear();
        CountLines(p, 1);
        ++p;
      }
    }
  }

  void CountLines(const char* p, size_t n) {
    if (n == 0) return;
    if (std::memchr(p, '\r', n) == nullptr) {
      const char* const end = p + n;
      for (const char* at = p; (at = static_cast<const char*>(std::memchr(at, '\n', end - at)));
           ++at) {
        ++line_;
      }
      if (after_cr_ && p[0] == '\n') --line_;  // the LF of a CR LF
      after_cr_ = false;
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      const char c = p[i];
      if (c == '\n') {
        if (!after_cr_) ++line_;
      } else if (c == '\r') {
        ++line_;
      }
      after_cr_ = c == '\r';
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
  bool in_tag_ = false;
  int tag_line_ = 1;
  std::string tag_;
  std::string carry_;  // the start of a delimiter's tag at the end of the last chunk
  std::deque<Seen> seen_;
};

// A document between its parsing and Next(): parsed on the reader's thread,
// checked on the checker's.
struct LodgmentReader::Job {
  Record record;       // all but the schema errors, which Check adds
  xml::NodePtr root;   // freed on the reader's thread (see xml::RecordReader)
  bool record_count_known = false;  // employer: InteractionRecordCt was read
  uint64_t seq = 0;    // in the checker's order
};

// Checks documents on a thread of its own, one after the other, in the
// order they are given.
class LodgmentReader::Checker {
 public:
  explicit Checker(const LodgmentReader& reader) : reader_(reader), thread_([this] { Run(); }) {}
  ~Checker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_.notify_one();
    thread_.join();
  }
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  void Submit(Job* job) {
    std::lock_guard<std::mutex> lock(mu_);
    job->seq = ++submitted_;
    queue_.push_back(job);
    if (idle_ && queue_.size() >= kBatch) work_.notify_one();
  }

  // Returns once `job` is checked. When it has to wait, it waits for the
  // next kBatch jobs too, so that the two threads do not wake each other
  // for every record.
  void Wait(const Job& job) {
    std::unique_lock<std::mutex> lock(mu_);
    if (checked_ >= job.seq) return;
    if (idle_) work_.notify_one();
    wake_at_ = std::min(job.seq + kBatch, submitted_);
    waiting_ = true;
    done_.wait(lock, [this] { return checked_ >= wake_at_; });
    waiting_ = false;
  }

 private:
  static constexpr uint64_t kBatch = 8;

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (queue_.empty()) {
        idle_ = true;
        work_.wait(lock);
        idle_ = false;
        continue;
      }
      Job* job = queue_.front();
      queue_.pop_front();
      lock.unlock();
      reader_.Check(*job);
      lock.lock();
      checked_ = job->seq;
      if (waiting_ && checked_ >= wake_at_) done_.notify_one();
    }
  }

  const LodgmentReader& reader_;
  std::mutex mu_;
  std::condition_variable work_;  // for the checker: jobs, or stop
  std::condition_variable done_;  // for the reader: jobs checked
  std::deque<Job*> queue_;
  uint64_t submitted_ = 0;
  uint64_t checked_ = 0;
  uint64_t wake_at_ = 0;
  bool idle_ = false;
  bool waiting_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the rest is ready
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
        ResourcePath(absl::StrCat("pipeline/stp/payevnt/schemas/", name, ".xsd"));
    if (!path.ok()) return path.status();
    absl::StatusOr<std::shared_ptr<const xml::Schema>> schema = xml::Schema::Load(*path);
    if (!schema.ok()) return schema.status();
    *slot = *std::move(schema);
  }
  return schemas;
}

LodgmentReader::LodgmentReader() = default;

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
  xml::RecordReaderOptions stream_options;
  stream_options.limits = r->options_.limits;
  stream_options.max_record_bytes = r->options_.max_record_bytes;
  stream_options.keep_text = r->options_.keep_document_text;
  absl::StatusOr<std::unique_ptr<xml::RecordReader>> stream =
      xml::RecordReader::Open(*std::move(framed), name, stream_options);
  if (!stream.ok()) {
    r->framed_ = nullptr;
    r->FailXml(stream.status());  // reported by Next()
  } else {
    r->stream_ = *std::move(stream);
  }
  return r;
}

LodgmentReader::~LodgmentReader() {
  checker_.reset();  // its thread is done with the contexts and the documents
  items_.clear();    // the documents, freed before stream_
  if (payevnt_ctxt_ != nullptr) xmlSchemaFreeValidCtxt(payevnt_ctxt_);
  if (payevntemp_ctxt_ != nullptr) xmlSchemaFreeValidCtxt(payevntemp_ctxt_);
}

std::string LodgmentReader::LineText() const {
  return absl::StrCat("line ", stream_ != nullptr ? stream_->line() : 0);
}

LodgmentReader::Item LodgmentReader::Fatal(FieldError error) const {
  Item item;
  item.status = absl::InvalidArgumentError(absl::StrCat(
      name_, ":", stream_ != nullptr ? stream_->line() : 0, ": ",
      error.document_id.empty() ? "" : absl::StrCat("DocumentID ", error.document_id, ": "),
      Substitute(error)));
  item.fatal = std::move(error);
  item.bytes_read = stream_ != nullptr ? stream_->bytes_read() : 0;
  return item;
}

void LodgmentReader::Last(Item item) {
  items_.push_back(std::move(item));
  parse_done_ = true;
}

void LodgmentReader::Fail(FieldError error) { Last(Fatal(std::move(error))); }

void LodgmentReader::FailStructure(absl::string_view document_id, std::string reason) {
  Fail(MakeFieldError(codes::kRecordStructure, document_id, "",
                      {{"Reason", std::move(reason)}, {"Line", LineText()}}));
}

void LodgmentReader::FailXml(const absl::Status& status) {
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
  Item item;
  item.status = absl::InvalidArgumentError(message);
  item.fatal = MakeFieldError(codes::kNotWellFormed, document_id, "", {{"Message", message}});
  item.bytes_read = stream_ != nullptr ? stream_->bytes_read() : 0;
  Last(std::move(item));
}

absl::StatusOr<std::optional<Record>> LodgmentReader::Next() {
  if (done_) {
    if (!fatal_status_.ok()) return fatal_status_;
    return std::nullopt;
  }
  // The first record alone (a caller may stop after the employer's); then
  // a few dozen in flight, checked on the checker's thread while this one
  // parses those after them.
  const size_t in_flight = taken_ == 0 ? 1 : kInFlight;
  while (!parse_done_ && items_.size() < in_flight) ParseItem();
  Item item = std::move(items_.front());
  items_.pop_front();
  ++taken_;
  return Take(std::move(item));
}

absl::StatusOr<std::optional<Record>> LodgmentReader::Take(Item item) {
  if (item.job != nullptr) {
    Job& job = *item.job;
    checker_->Wait(job);
    job.root.reset();
    Record rec = std::move(job.record);
    if (rec.kind == Record::Kind::kEmployer) {
      record_count_known_ = job.record_count_known;
      summary_.has_employer = true;
      summary_.employer = rec.employer;
      summary_.employer_has_errors = !rec.errors.empty();
    } else {
      ++summary_.employees;
      if (!rec.errors.empty()) ++summary_.employees_with_errors;
    }
    return std::optional<Record>(std::move(rec));
  }
  done_ = true;
  summary_.bytes_read = item.bytes_read;
  if (!item.status.ok()) {
    summary_.fatal = std::move(item.fatal);
    fatal_status_ = item.status;
    return fatal_status_;
  }
  if (absl::Status s = Finish(); !s.ok()) return s;
  return std::nullopt;
}

absl::Status LodgmentReader::Finish() {
  if (!summary_.has_employer) {
    Item item = Fatal(MakeFieldError(
        codes::kRecordStructure, "", "",
        {{"Reason", "the lodgment holds no PAYEVNT (employer) document"}, {"Line", LineText()}}));
    summary_.fatal = std::move(item.fatal);
    fatal_status_ = item.status;
    return fatal_status_;
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

void LodgmentReader::ParseItem() {
  using Event = xml::RecordReader::Event;
  const size_t queued = items_.size();
  while (!parse_done_ && items_.size() == queued) {
    absl::StatusOr<Event> event = stream_->Next();
    if (!event.ok()) return FailXml(event.status());
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
}

void LodgmentReader::ReadRoot() {
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

void LodgmentReader::StartDelimiter() {
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

void LodgmentReader::EndDelimiter() {
  const xml::RecordReader::Record r = stream_->TakeRecord();
  for (const xmlNode* c = r.node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE ||
        ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
         !IsWhitespace(NodeText(c)))) {
      return FailStructure(open_delimiter_->document_id, "a Record_Delimiter must be empty");
    }
  }
  pending_ = *std::move(open_delimiter_);
  open_delimiter_.reset();
  reading_id_.clear();
}

void LodgmentReader::StartDocument() {
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

void LodgmentReader::EndDocument() {
  xml::SharedText text = options_.keep_document_text ? stream_->RecordText() : xml::SharedText();
  xml::RecordReader::Record r = stream_->TakeRecord();
  Delimiter d = *std::move(open_document_);
  open_document_.reset();
  auto job = std::make_unique<Job>();
  Record& rec = job->record;
  rec.kind = d.document_name == "PAYEVNT" ? Record::Kind::kEmployer : Record::Kind::kEmployee;
  rec.document_id = d.document_id;
  rec.related_document_id = d.related_document_id;
  rec.line = d.line;
  rec.text = std::move(text);
  job->root = std::move(r.node);
  // The business rules read a few fields: cheapest here, while the DOM just
  // built is in this thread's cache. The schema follows on the checker's.
  if (rec.kind == Record::Kind::kEmployer) {
    CheckEmployer(job->root.get(), *job);
  } else {
    CheckEmployee(job->root.get(), rec);
  }
  if (checker_ == nullptr) checker_ = std::make_unique<Checker>(*this);
  checker_->Submit(job.get());
  Item item;
  item.job = std::move(job);
  items_.push_back(std::move(item));
  reading_id_.clear();
  last_id_ = std::move(d.document_id);
}

void LodgmentReader::EndOfFile() {
  if (!root_seen_) return FailStructure("", "the file holds no XML element");
  if (pending_.has_value()) {
    return FailStructure(
        pending_->document_id,
        absl::StrCat("Record_Delimiter DocumentID ", pending_->document_id, " (line ",
                     pending_->line, ") is not followed by its document"));
  }
  Item end;
  end.bytes_read = stream_->bytes_read();
  Last(std::move(end));
}

void LodgmentReader::Check(Job& job) const {
  Record& rec = job.record;
  const bool employer = rec.kind == Record::Kind::kEmployer;
  // Schema errors first, then those of the business rules (see EndDocument).
  std::vector<FieldError> errors =
      SchemaErrors(employer ? payevnt_ctxt_ : payevntemp_ctxt_, job.root.get(), rec.document_id,
                   employer ? kPayevntNamespace : kPayevntempNamespace);
  if (!errors.empty()) {
    errors.insert(errors.end(), std::make_move_iterator(rec.errors.begin()),
                  std::make_move_iterator(rec.errors.end()));
    rec.errors = std::move(errors);
  }
  if (options_.on_checked) options_.on_checked(rec);
}

std::vector<FieldError> LodgmentReader::SchemaErrors(xmlSchemaValidCtxt* ctxt, xmlNode* root,
                                                     const std::string& document_id,
                                                     absl::string_view ns) const {
  std::vector<SchemaProblem> problems;
  xmlSchemaSetValidStructuredErrors(ctxt, CollectSchemaProblem, &problems);
  const int rc = xmlSchemaValidateOneElement(ctxt, root);
  xmlSchemaSetValidStructuredErrors(ctxt, nullptr, nullptr);
  if (rc == 0 && problems.empty()) return {};
  if (problems.empty()) problems.push_back({"the document does not match the schema", root});
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

void LodgmentReader::CheckEmployer(xmlNode* root, Job& job) const {
  Record& rec = job.record;
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
  job.record_count_known =
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

void LodgmentReader::CheckEmployee(xmlNode* root, Record& rec) const {
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

}  // namespace sbrgate::payevnt
