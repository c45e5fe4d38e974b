#include "pipeline/platform/xml/record_reader.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/xml/escape.h"
#include "pipeline/platform/xml/internal.h"

namespace sbrgate::xml {
namespace {

// How much input RecordReader hands libxml2 at a time.
constexpr size_t kRecordChunkBytes = 16 << 10;

// Nodes a reader keeps for reuse: a few dozen records' worth (a PAYEVNTEMP
// has about a hundred), about 1 MiB.
constexpr int kMaxFreeNodes = 8192;

// Push parser contexts kept between readers, each with the nodes of the
// records it read (its free list) and the names it met (its dictionary):
// the next reader builds its records in those nodes, with those names,
// rather than allocating and interning them again and freeing them at its
// end, a tenth of reading a small lodgment. Bounded: a few contexts, each
// with at most kPooledFreeNodes nodes and kPooledDictNames names (past it,
// freed); only a reader that reached the end of its input cleanly gives
// its context back.
constexpr size_t kIdleParsers = 4;
constexpr int kPooledFreeNodes = 2048;
constexpr size_t kPooledDictNames = 4096;
ABSL_CONST_INIT absl::Mutex idle_parsers_mu(absl::kConstInit);
std::vector<xmlParserCtxt*>* idle_parsers ABSL_GUARDED_BY(idle_parsers_mu) =
    new std::vector<xmlParserCtxt*>();

// A context from the pool, reset for new input named `name`; null if the
// pool is empty.
xmlParserCtxt* TakeIdleParser(const char* name) {
  xmlParserCtxt* ctxt = nullptr;
  {
    absl::MutexLock lock(&idle_parsers_mu);
    if (idle_parsers->empty()) return nullptr;
    ctxt = idle_parsers->back();
    idle_parsers->pop_back();
  }
  if (xmlCtxtResetPush(ctxt, nullptr, 0, name, nullptr) != 0) {
    xmlFreeParserCtxt(ctxt);
    return nullptr;
  }
  // As a new push parser has it (the reset sets UTF-8): the encoding, and a
  // byte order mark, are found in the input.
  ctxt->charset = XML_CHAR_ENCODING_NONE;
  return ctxt;
}

// Keeps `ctxt` (its document already freed) for another reader, or frees it.
void ReturnParser(xmlParserCtxt* ctxt) {
  ctxt->myDoc = nullptr;
  ctxt->_private = nullptr;
  if (xmlDictSize(ctxt->dict) <= kPooledDictNames) {
    while (ctxt->freeElemsNr > kPooledFreeNodes) {
      xmlNode* node = ctxt->freeElems;
      ctxt->freeElems = node->next;
      --ctxt->freeElemsNr;
      xmlFree(node);
    }
    absl::MutexLock lock(&idle_parsers_mu);
    if (idle_parsers->size() < kIdleParsers) {
      idle_parsers->push_back(ctxt);
      return;
    }
  }
  xmlFreeParserCtxt(ctxt);
}

bool IsBlank(const xmlChar* text, int len) {
  for (int i = 0; i < len; ++i) {
    if (!IS_BLANK_CH(text[i])) return false;
  }
  return true;
}

}  // namespace

// The SAX handlers: libxml2's own DOM builders, wrapped to enforce the
// limits, to detach each complete record and to queue the events.
struct RecordReader::Callbacks {
  static RecordReader* Self(void* ctx) {
    return static_cast<RecordReader*>(static_cast<xmlParserCtxt*>(ctx)->_private);
  }

  // True (and the parser halted) once a problem is known: no event may
  // follow it.
  static bool Halted(void* ctx) {
    if (!Self(ctx)->stopped_) return false;
    xmlStopParser(static_cast<xmlParserCtxt*>(ctx));
    return true;
  }

  static void StartElement(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                           const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                           int nb_attributes, int nb_defaulted, const xmlChar** attributes) {
    if (Halted(ctx)) return;
    auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
    RecordReader* self = Self(ctx);
    const int depth = ctxt->nodeNr;  // of this element: 0 for the root
    const Limits& limits = self->options_.limits;
    if (depth > limits.max_depth) {
      self->Stop(absl::StrCat("elements nested deeper than ", limits.max_depth, " levels"));
      return;
    }
    // attributes: 5 pointers each (localname, prefix, URI, value, end).
    for (int i = 0; i < nb_attributes; ++i) {
      const size_t len = attributes[i * 5 + 4] - attributes[i * 5 + 3];
      if (len > limits.max_text_bytes) {
        self->Stop(absl::StrCat("attribute ", reinterpret_cast<const char*>(attributes[i * 5]),
                                " of ", len, " bytes is over the limit of ",
                                limits.max_text_bytes));
        return;
      }
    }
    self->text_run_ = 0;
    self->blanks_.clear();  // an element follows them: element content
    if (depth == 1) {
      // A start tag holds no '<' but its first byte, and libxml2 has just
      // read it whole: the record starts at the last '<' before the parser.
      const xmlChar* p = ctxt->input->cur;
      while (p > ctxt->input->base && *--p != '<') {
      }
      self->in_record_ = true;
      self->borrowed_ns_.clear();
      self->record_start_ = ctxt->input->consumed + static_cast<uint64_t>(p - ctxt->input->base);
      self->record_line_ = ctxt->input->line;
      self->record_prefix_ = prefix;
      self->record_name_ = localname;
    } else if (depth > 1 && self->OverBudget(self->ParsePosition())) {
      return;
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
    if (ctxt->nodeNr != depth + 1) return;  // not built
    if (depth >= 1) {
      // Only the root's declarations are outside a record.
      const xmlNode* node = ctxt->node;
      self->NoteNamespace(node->ns);
      for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
        self->NoteNamespace(a->ns);
      }
    }
    if (depth > 1) return;
    self->pending_.push_back(
        {depth == 0 ? Event::kRootStart : Event::kRecordStart, ctxt->node, ctxt->input->line, {}});
  }

  static void EndElement(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                         const xmlChar* uri) {
    if (Halted(ctx)) return;
    auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
    RecordReader* self = Self(ctx);
    xmlNode* node = ctxt->node;
    const int depth = ctxt->nodeNr - 1;  // of this element
    self->text_run_ = 0;
    if (depth >= 1 && self->OverBudget(self->ParsePosition())) return;
    self->FlushBlanks();  // the element's own (blank) text
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
    if (node == nullptr) return;
    if (depth == 0) {
      self->pending_.push_back({Event::kRootEnd, node, ctxt->input->line, {}});
    } else if (depth == 1) {
      // Stays in the document until taken (RecordText may need its
      // ancestors' namespace declarations).
      Pending record{Event::kRecordEnd, node, self->record_line_, {}};
      if (self->options_.keep_text) record.input = self->RecordInput(self->ParsePosition());
      self->in_record_ = false;
      self->pending_.push_back(std::move(record));
    }
  }

  static void Characters(void* ctx, const xmlChar* text, int len) {
    if (Halted(ctx)) return;
    auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
    RecordReader* self = Self(ctx);
    if (ctxt->nodeNr > 1 && self->options_.max_record_bytes != 0) {
      // libxml2 often moves on past the text only after this call.
      uint64_t end = self->ParsePosition();
      const xmlParserInput* in = ctxt->input;
      if (text >= in->base && text + len <= in->end) {
        end = std::max(end, in->consumed + static_cast<uint64_t>(text + len - in->base));
      }
      if (self->OverBudget(end)) return;
    }
    self->text_run_ += static_cast<size_t>(len);
    if (self->text_run_ > self->options_.limits.max_text_bytes) {
      self->Stop(absl::StrCat("text of <", LocalName(ctxt->node), "> is over the limit of ",
                              self->options_.limits.max_text_bytes, " bytes"));
      return;
    }
    const bool blank = IsBlank(text, len);
    if (ctxt->nodeNr <= 1) {  // between records: not kept
      if (!blank) self->pending_.push_back({Event::kText, nullptr, ctxt->input->line, {}});
      return;
    }
    // Whitespace in element content is not kept (XML Schema validation
    // ignores it, and so does everything reading a record's fields): after
    // an element it is dropped; before one, once the element starts. Kept
    // when libxml2 converts the input's encoding: records are then
    // serialised from their DOM.
    if (blank && ctxt->input->buf != nullptr && ctxt->input->buf->encoder == nullptr) {
      const xmlNode* last = ctxt->node->last;
      if (last != nullptr && last->type == XML_ELEMENT_NODE) return;
      if (last == nullptr || last->type != XML_TEXT_NODE) {
        self->blanks_.append(reinterpret_cast<const char*>(text), static_cast<size_t>(len));
        return;
      }
    }
    self->FlushBlanks();
    xmlSAX2Characters(ctx, text, len);
  }

  static void Comment(void* ctx, const xmlChar* value) {
    if (Halted(ctx)) return;
    RecordReader* self = Self(ctx);
    self->text_run_ = 0;
    // Outside records not kept; inside, part of the record's DOM.
    if (static_cast<xmlParserCtxt*>(ctx)->nodeNr < 2 || self->OverBudget(self->ParsePosition())) {
      return;
    }
    self->FlushBlanks();
    xmlSAX2Comment(ctx, value);
  }

  static void ProcessingInstruction(void* ctx, const xmlChar* target, const xmlChar* data) {
    if (Halted(ctx)) return;
    RecordReader* self = Self(ctx);
    self->text_run_ = 0;
    if (static_cast<xmlParserCtxt*>(ctx)->nodeNr < 2 || self->OverBudget(self->ParsePosition())) {
      return;
    }
    self->FlushBlanks();
    xmlSAX2ProcessingInstruction(ctx, target, data);
  }

  static void Dtd(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    if (Halted(ctx)) return;
    Self(ctx)->Stop(internal::kDtdRefusal);
  }

  // Any message from libxml2, warnings too, ends the reading. The parser is
  // halted by the next handler: halting it inside its own error report is
  // not safe.
  static void Error(void* ctx, xmlError* error) {
    if (ctx == nullptr || Self(ctx)->stopped_) return;
    Self(ctx)->Refuse(error->line,
                      absl::StrCat("not well-formed XML: ", internal::Trimmed(error->message)));
  }
};

// Recycles the read buffers, which records' texts share and release on any
// thread: a fresh 16 KiB allocation for each chunk would have glibc's malloc
// consolidate its fast bins every time, at the expense of every DOM node
// allocated after it.
class RecordReader::BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  BufferPool() = default;
  ~BufferPool() {
    for (std::string* b : free_) delete b;
  }
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A buffer of kRecordChunkBytes, back in the pool once released.
  std::shared_ptr<std::string> Get() {
    std::string* b = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        b = free_.back();
        free_.pop_back();
      }
    }
    if (b == nullptr) b = new std::string();
    b->resize(kRecordChunkBytes);
    return std::shared_ptr<std::string>(
        b, [pool = shared_from_this()](std::string* s) { pool->Put(s); });
  }

 private:
  static constexpr size_t kMaxFree = 64;
  void Put(std::string* b) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (free_.size() < kMaxFree) {
        free_.push_back(b);
        return;
      }
    }
    delete b;
  }
  std::mutex mu_;
  std::vector<std::string*> free_;
};

SharedText::SharedText(std::string text) {
  if (text.empty()) return;
  auto buffer = std::make_shared<const std::string>(std::move(text));
  pieces_.emplace_back(*buffer);
  buffers_.push_back(std::move(buffer));
}

void SharedText::Insert(size_t at, std::string text) {
  size_t i = 0;
  while (i < pieces_.size() && at > pieces_[i].size()) at -= pieces_[i++].size();
  if (i == pieces_.size() || text.empty()) return;
  auto buffer = std::make_shared<const std::string>(std::move(text));
  const absl::string_view piece = pieces_[i];
  pieces_[i] = piece.substr(0, at);
  pieces_.insert(pieces_.begin() + i + 1, {absl::string_view(*buffer), piece.substr(at)});
  buffers_.push_back(std::move(buffer));
  pieces_.erase(
      std::remove_if(pieces_.begin(), pieces_.end(), [](absl::string_view p) { return p.empty(); }),
      pieces_.end());
}

size_t SharedText::size() const {
  size_t n = 0;
  for (absl::string_view p : pieces_) n += p.size();
  return n;
}

std::string SharedText::ToString() const {
  std::string out;
  out.reserve(size());
  for (absl::string_view p : pieces_) out.append(p.data(), p.size());
  return out;
}

absl::StatusOr<std::unique_ptr<RecordReader>> RecordReader::Open(std::unique_ptr<ByteSource> source,
                                                                 absl::string_view source_name,
                                                                 RecordReaderOptions options) {
  internal::InitLibxml();
  std::unique_ptr<RecordReader> r(new RecordReader());
  r->source_ = std::move(source);
  r->source_name_ = std::string(source_name);
  r->options_ = options;
  // Every reader's context has the same handlers: a pooled one needs only
  // its input reset.
  r->ctxt_ = TakeIdleParser(r->source_name_.c_str());
  if (r->ctxt_ == nullptr) r->ctxt_ = NewParser(r->source_name_.c_str());
  if (r->ctxt_ == nullptr) return absl::ResourceExhaustedError("cannot allocate XML parser");
  xmlCtxtUseOptions(r->ctxt_, internal::kParseOptions);
  r->ctxt_->_private = r.get();
  if (r->options_.keep_text) {
    r->buffers_ = std::make_shared<BufferPool>();
  } else {
    r->chunk_.resize(kRecordChunkBytes);
  }
  return r;
}

xmlParserCtxt* RecordReader::NewParser(const char* name) {
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof sax);
  xmlSAXVersion(&sax, 2);
  sax.startElementNs = Callbacks::StartElement;
  sax.endElementNs = Callbacks::EndElement;
  sax.characters = Callbacks::Characters;
  sax.ignorableWhitespace = Callbacks::Characters;
  sax.cdataBlock = nullptr;  // CDATA arrives as characters
  sax.comment = Callbacks::Comment;
  sax.processingInstruction = Callbacks::ProcessingInstruction;
  sax.internalSubset = Callbacks::Dtd;
  sax.externalSubset = Callbacks::Dtd;
  sax.serror = Callbacks::Error;
  return xmlCreatePushParserCtxt(&sax, nullptr, nullptr, 0, name);
}

RecordReader::~RecordReader() {
  if (ctxt_ == nullptr) return;
  // Records not taken are still in the document.
  xmlFreeDoc(ctxt_->myDoc);
  if (finished_ && !stopped_) {
    ReturnParser(ctxt_);
  } else {
    xmlFreeParserCtxt(ctxt_);
  }
}

void RecordReader::FlushBlanks() {
  if (blanks_.empty()) return;
  xmlSAX2Characters(ctxt_, reinterpret_cast<const xmlChar*>(blanks_.data()),
                    static_cast<int>(blanks_.size()));
  blanks_.clear();
}

bool RecordReader::IsRootNamespace(const xmlNs* ns) const {
  if (ns == nullptr || ctxt_->nodeNr == 0) return false;
  for (const xmlNs* d = ctxt_->nodeTab[0]->nsDef; d != nullptr; d = d->next) {
    if (d == ns) return true;
  }
  return false;
}

uint64_t RecordReader::ParsePosition() const {
  return ctxt_->input->consumed + static_cast<uint64_t>(ctxt_->input->cur - ctxt_->input->base);
}

void RecordReader::Refuse(int line, std::string message) {
  error_ = internal::ErrorAt(source_name_, line, message);
  stopped_ = true;
  kept_.clear();
}

void RecordReader::Stop(std::string why) {
  Refuse(ctxt_->input->line, std::move(why));
  xmlStopParser(ctxt_);
}

bool RecordReader::OverBudget(uint64_t position) {
  const size_t max = options_.max_record_bytes;
  if (!in_record_ || max == 0 || position - record_start_ <= max) return false;
  Stop(absl::StrCat(
      "<", record_prefix_ == nullptr ? "" : reinterpret_cast<const char*>(record_prefix_),
      record_prefix_ == nullptr ? "" : ":", reinterpret_cast<const char*>(record_name_),
      "> is over the limit of ", max, " bytes per record"));
  return true;
}

SharedText RecordReader::RecordText() {
  if (current_.event != Event::kRecordEnd || current_.node == nullptr) return SharedText();
  if (!current_.input.empty()) return std::move(current_.input);
  // A copy made in place declares on itself every namespace it uses.
  NodePtr copy(xmlDocCopyNode(current_.node, current_.node->doc, 1));
  return SharedText(copy != nullptr ? NodeXml(copy.get()) : "");
}

void RecordReader::RefuseUnreported(int error) {
  // libxml2 halts at bytes its decoder cannot convert without reporting a
  // parse error (and without clearing wellFormed).
  std::string what = "unknown error";
  if (error == XML_ERR_INVALID_ENCODING) {
    what = "the input is not in its declared encoding";
  } else if (error != 0) {
    what = absl::StrCat("libxml2 error ", error);
  }
  Refuse(ctxt_->input->line, absl::StrCat("not well-formed XML: ", what));
}

void RecordReader::Feed() {
  if (eof_) {
    const int failed = xmlParseChunk(ctxt_, nullptr, 0, 1);
    finished_ = true;
    if (!stopped_ && (failed != 0 || !ctxt_->wellFormed)) RefuseUnreported(failed);
    return;
  }
  // Kept input goes in a buffer of its own, shared with the records' texts.
  std::shared_ptr<std::string> kept;
  if (options_.keep_text) kept = buffers_->Get();
  std::string& buffer = kept != nullptr ? *kept : chunk_;
  absl::StatusOr<size_t> n = source_->Read(buffer.data(), buffer.size());
  if (!n.ok()) return Refuse(ctxt_->input->line, std::string(n.status().message()));
  if (*n == 0) {
    eof_ = true;
    return;
  }
  const absl::string_view chunk(buffer.data(), *n);
  if (internal::HasDtdMarkup(dtd_tail_, chunk)) {
    return Refuse(ctxt_->input->line, internal::kDtdRefusal);
  }
  dtd_tail_ = std::string(chunk.substr(chunk.size() > 8 ? chunk.size() - 8 : 0));
  if (kept != nullptr) {
    kept->resize(*n);
    kept_.push_back({bytes_read_, std::move(kept)});
  }
  bytes_read_ += *n;
  const int failed = xmlParseChunk(ctxt_, chunk.data(), static_cast<int>(chunk.size()), 0);
  if (stopped_) return;
  if (failed != 0) return RefuseUnreported(failed);
  // A record still open owns everything libxml2 holds, parsed or not.
  if (in_record_ && OverBudget(ctxt_->input->consumed +
                               static_cast<uint64_t>(ctxt_->input->end - ctxt_->input->base))) {
    return;
  }
  // Keep only what a record to come may need: from the open record's start,
  // or from where the parser is.
  const uint64_t keep = in_record_ ? record_start_ : ParsePosition();
  while (!kept_.empty() && kept_.front().start + kept_.front().bytes->size() <= keep) {
    kept_.pop_front();
  }
}

SharedText RecordReader::RecordInput(uint64_t end) const {
  SharedText text;
  const bool utf8 = ctxt_->input->buf == nullptr || ctxt_->input->buf->encoder == nullptr;
  if (!utf8 || kept_.empty() || record_start_ < kept_.front().start ||
      end > kept_.back().start + kept_.back().bytes->size()) {
    return text;
  }
  for (const Chunk& c : kept_) {
    const uint64_t from = std::max(record_start_, c.start);
    const uint64_t to = std::min<uint64_t>(end, c.start + c.bytes->size());
    if (from >= to) continue;
    text.pieces_.emplace_back(c.bytes->data() + (from - c.start), static_cast<size_t>(to - from));
    text.buffers_.push_back(c.bytes);
  }
  if (borrowed_ns_.empty()) return text;
  // Declare on the record's element, right after its name, what it uses of
  // the root's declarations, as a copy of its DOM would.
  std::string declarations;
  for (const xmlNs* ns : borrowed_ns_) {
    absl::StrAppend(&declarations, " xmlns", ns->prefix != nullptr ? ":" : "",
                    ns->prefix != nullptr ? reinterpret_cast<const char*>(ns->prefix) : "", "=\"",
                    Escape(reinterpret_cast<const char*>(ns->href)), "\"");
  }
  const size_t name_end =
      1 + (record_prefix_ != nullptr ? xmlStrlen(record_prefix_) + 1 : 0) + xmlStrlen(record_name_);
  text.Insert(name_end, std::move(declarations));
  return text;
}

void RecordReader::NoteNamespace(const xmlNs* ns) {
  if (ns == nullptr || !IsRootNamespace(ns)) return;
  if (std::find(borrowed_ns_.begin(), borrowed_ns_.end(), ns) == borrowed_ns_.end()) {
    borrowed_ns_.push_back(ns);
  }
}

void RecordReader::Recycle(NodePtr record) {
  if (record != nullptr) Release(record.release());
}

void RecordReader::Release(xmlNode* node) {
  // What xmlFreeNode does for the nodes libxml2's SAX2 builds, except that
  // element and text nodes go to the context's free list (text of under 16
  // bytes sits inside its node: XML_PARSE_COMPACT). Attributes, which may
  // be registered as IDs, and other nodes are freed as usual.
  const bool text = node->type == XML_TEXT_NODE;
  if ((node->type != XML_ELEMENT_NODE && !text) || ctxt_->freeElemsNr >= kMaxFreeNodes) {
    xmlFreeNode(node);
    return;
  }
  if (text) {
    if (node->content != nullptr &&
        node->content != reinterpret_cast<xmlChar*>(&node->properties) &&
        !xmlDictOwns(ctxt_->dict, node->content)) {
      xmlFree(node->content);
    }
  } else {
    for (xmlNode* child = node->children; child != nullptr;) {
      xmlNode* next = child->next;
      Release(child);
      child = next;
    }
    if (node->properties != nullptr) xmlFreePropList(node->properties);
    if (node->nsDef != nullptr) xmlFreeNsList(node->nsDef);
    if (node->name != nullptr && !xmlDictOwns(ctxt_->dict, node->name)) {
      xmlFree(const_cast<xmlChar*>(node->name));
    }
  }
  node->next = ctxt_->freeElems;
  ctxt_->freeElems = node;
  ++ctxt_->freeElemsNr;
}

absl::StatusOr<RecordReader::Event> RecordReader::Next() {
  if (current_.event == Event::kRecordEnd && current_.node != nullptr) {
    xmlUnlinkNode(current_.node);  // not taken
    Release(current_.node);
  }
  current_ = Pending{Event::kEnd};
  while (pending_.empty()) {
    if (stopped_) return error_;
    if (finished_) return Event::kEnd;
    Feed();
  }
  current_ = std::move(pending_.front());
  pending_.pop_front();
  return current_.event;
}

absl::string_view RecordReader::local_name() const { return LocalName(current_.node); }

absl::string_view RecordReader::namespace_uri() const { return NamespaceUri(current_.node); }

bool RecordReader::attribute(const char* name, std::string* value) const {
  if (current_.node == nullptr) return false;
  xmlChar* v = xmlGetNoNsProp(current_.node, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return false;
  value->assign(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return true;
}

int RecordReader::line() const {
  if (current_.line > 0) return current_.line;
  return ctxt_->input != nullptr ? ctxt_->input->line : 0;
}

RecordReader::Record RecordReader::TakeRecord() {
  Record r;
  if (current_.event != Event::kRecordEnd || current_.node == nullptr) return r;
  xmlUnlinkNode(current_.node);
  r.node.reset(current_.node);
  r.line = current_.line;
  current_.node = nullptr;
  return r;
}

}  // namespace sbrgate::xml
