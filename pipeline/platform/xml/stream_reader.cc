#include "pipeline/platform/xml/stream_reader.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/internal.h"

namespace sbrgate::xml {

// Feeds libxml2 from a ByteSource and refuses DTD markup before the parser
// sees it (the streaming reader's SAX handlers are not ours to replace).
struct StreamReader::Input {
  std::unique_ptr<ByteSource> source;
  uint64_t bytes = 0;
  std::string tail;  // last bytes of the previous chunk, to match across reads
  std::string error;

  static int Read(void* ctx, char* buf, int len) {
    auto* in = static_cast<Input*>(ctx);
    absl::StatusOr<size_t> n = in->source->Read(buf, static_cast<size_t>(len));
    if (!n.ok()) {
      in->error = std::string(n.status().message());
      return -1;
    }
    if (*n == 0) return 0;
    const absl::string_view chunk(buf, *n);
    if (internal::HasDtdMarkup(in->tail, chunk)) {
      in->error = internal::kDtdRefusal;
      return -1;
    }
    in->tail = std::string(chunk.substr(chunk.size() > 8 ? chunk.size() - 8 : 0));
    in->bytes += *n;
    return static_cast<int>(*n);
  }
  static int Close(void*) { return 0; }
};

namespace {

struct ReaderError {
  std::string message;
  int line = 0;
};

void CollectReaderError(void* arg, xmlError* error) {
  auto* out = static_cast<ReaderError*>(arg);
  if (out->message.empty()) {
    out->message = internal::Trimmed(error->message);
    out->line = error->line;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<StreamReader>> StreamReader::Open(std::unique_ptr<ByteSource> source,
                                                                 absl::string_view source_name,
                                                                 const Limits& limits) {
  internal::InitLibxml();
  std::unique_ptr<StreamReader> r(new StreamReader());
  r->input_ = std::make_unique<Input>();
  r->input_->source = std::move(source);
  r->source_name_ = std::string(source_name);
  r->limits_ = limits;
  r->reader_ = xmlReaderForIO(&Input::Read, &Input::Close, r->input_.get(),
                              r->source_name_.c_str(), nullptr,
                              internal::kParseOptions);
  if (r->reader_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": cannot start reading: ",
                                                   r->input_->error.empty() ? "empty input"
                                                                            : r->input_->error));
  }
  return r;
}

StreamReader::~StreamReader() {
  if (reader_ != nullptr) xmlFreeTextReader(reader_);
}

absl::Status StreamReader::ErrorHere(absl::string_view what) const {
  return internal::ErrorAt(source_name_, line(), what);
}

absl::StatusOr<bool> StreamReader::Next() {
  ReaderError error;
  xmlTextReaderSetStructuredErrorHandler(reader_, CollectReaderError, &error);
  const int rc = xmlTextReaderRead(reader_);
  xmlTextReaderSetStructuredErrorHandler(reader_, nullptr, nullptr);
  if (rc < 0 || !error.message.empty()) {
    if (!input_->error.empty()) return ErrorHere(input_->error);
    return internal::ErrorAt(
        source_name_, error.line,
        absl::StrCat("not well-formed XML: ",
                     error.message.empty() ? std::string("unknown error") : error.message));
  }
  if (rc == 0) return false;
  if (absl::Status s = CheckCurrent(); !s.ok()) return s;
  return true;
}

absl::Status StreamReader::CheckCurrent() {
  const int t = type();
  if (t == XML_READER_TYPE_DOCUMENT_TYPE) return ErrorHere(input_->error);
  if (depth() > limits_.max_depth) {
    return ErrorHere(absl::StrCat("elements nested deeper than ", limits_.max_depth, " levels"));
  }
  if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
      t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
    const xmlChar* v = xmlTextReaderConstValue(reader_);
    const size_t len = v ? std::strlen(reinterpret_cast<const char*>(v)) : 0;
    if (len > limits_.max_text_bytes) {
      return ErrorHere(absl::StrCat("a text node of ", len, " bytes is over the limit of ",
                                    limits_.max_text_bytes));
    }
  } else if (t == XML_READER_TYPE_ELEMENT) {
    const xmlNode* node = xmlTextReaderCurrentNode(reader_);
    for (const xmlAttr* a = node ? node->properties : nullptr; a != nullptr; a = a->next) {
      const xmlChar* v = a->children ? a->children->content : nullptr;
      const size_t len = v ? std::strlen(reinterpret_cast<const char*>(v)) : 0;
      if (len > limits_.max_text_bytes) {
        return ErrorHere(absl::StrCat("attribute ", reinterpret_cast<const char*>(a->name),
                                      " of ", len, " bytes is over the limit of ",
                                      limits_.max_text_bytes));
      }
    }
  }
  return absl::OkStatus();
}

int StreamReader::type() const { return xmlTextReaderNodeType(reader_); }
int StreamReader::depth() const { return xmlTextReaderDepth(reader_); }
bool StreamReader::is_empty_element() const { return xmlTextReaderIsEmptyElement(reader_) == 1; }

std::string StreamReader::local_name() const {
  const xmlChar* n = xmlTextReaderConstLocalName(reader_);
  return n ? reinterpret_cast<const char*>(n) : "";
}

std::string StreamReader::namespace_uri() const {
  const xmlChar* n = xmlTextReaderConstNamespaceUri(reader_);
  return n ? reinterpret_cast<const char*>(n) : "";
}

std::string StreamReader::value() const {
  const xmlChar* v = xmlTextReaderConstValue(reader_);
  return v ? reinterpret_cast<const char*>(v) : "";
}

bool StreamReader::attribute(const char* name, std::string* value) const {
  xmlChar* v = xmlTextReaderGetAttribute(reader_, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return false;
  value->assign(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return true;
}

int StreamReader::line() const {
  const xmlNode* node = xmlTextReaderCurrentNode(reader_);
  if (node != nullptr) return static_cast<int>(xmlGetLineNo(node));
  return xmlTextReaderGetParserLineNumber(reader_);
}

absl::StatusOr<xmlNode*> StreamReader::ExpandCurrent() {
  ReaderError error;
  xmlTextReaderSetStructuredErrorHandler(reader_, CollectReaderError, &error);
  xmlNode* node = xmlTextReaderExpand(reader_);
  xmlTextReaderSetStructuredErrorHandler(reader_, nullptr, nullptr);
  if (node == nullptr || !error.message.empty()) {
    if (!input_->error.empty()) return ErrorHere(input_->error);
    return internal::ErrorAt(source_name_, error.line,
                             absl::StrCat("not well-formed XML: ", error.message));
  }
  if (absl::Status s = internal::CheckTextLengths(node->children, limits_, source_name_);
      !s.ok()) {
    return s;
  }
  return node;
}

absl::StatusOr<bool> StreamReader::SkipSubtree() {
  ReaderError error;
  xmlTextReaderSetStructuredErrorHandler(reader_, CollectReaderError, &error);
  const int rc = xmlTextReaderNext(reader_);
  xmlTextReaderSetStructuredErrorHandler(reader_, nullptr, nullptr);
  if (rc < 0 || !error.message.empty()) {
    if (!input_->error.empty()) return ErrorHere(input_->error);
    return internal::ErrorAt(source_name_, error.line,
                             absl::StrCat("not well-formed XML: ", error.message));
  }
  if (rc == 0) return false;
  if (absl::Status s = CheckCurrent(); !s.ok()) return s;
  return true;
}

uint64_t StreamReader::bytes_read() const { return input_->bytes; }

}  // namespace sbrgate::xml
