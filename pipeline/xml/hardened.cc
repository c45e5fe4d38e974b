#include "pipeline/xml/hardened.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlIO.h>

#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sbrgate::xml {
namespace {

// Network off; DTD loading, default attributes and entity substitution stay
// off because their options are never set.
constexpr int kParseOptions =
    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT | XML_PARSE_BIG_LINES;

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    // Schema imports and anything else libxml2 resolves come from local files.
    xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
  });
}

std::string Trimmed(const char* message) {
  return std::string(absl::StripTrailingAsciiWhitespace(message == nullptr ? "" : message));
}

// Per-parse state reached from the SAX callbacks through ctxt->_private.
struct DomGuard {
  const Limits* limits;
  int depth = 0;
  std::string refusal;  // set when we stop the parser ourselves
  int refusal_line = 0;
  startElementNsSAX2Func start_element;
  endElementNsSAX2Func end_element;
};

void Refuse(xmlParserCtxt* ctxt, std::string why) {
  auto* guard = static_cast<DomGuard*>(ctxt->_private);
  if (guard->refusal.empty()) {
    guard->refusal = std::move(why);
    guard->refusal_line = xmlSAX2GetLineNumber(ctxt);
  }
  xmlStopParser(ctxt);
}

void RefuseDtd(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  Refuse(static_cast<xmlParserCtxt*>(ctx),
         "a DTD (<!DOCTYPE>) is not allowed: entities and external references are refused");
}

void GuardedStartElement(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                         const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                         int nb_attributes, int nb_defaulted, const xmlChar** attributes) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  auto* guard = static_cast<DomGuard*>(ctxt->_private);
  if (++guard->depth > guard->limits->max_depth) {
    Refuse(ctxt, absl::StrCat("elements nested deeper than ", guard->limits->max_depth,
                              " levels at <", reinterpret_cast<const char*>(localname), ">"));
    return;
  }
  // attributes: 5 pointers each (localname, prefix, URI, value, end).
  for (int i = 0; i < nb_attributes; ++i) {
    const size_t len = attributes[i * 5 + 4] - attributes[i * 5 + 3];
    if (len > guard->limits->max_text_bytes) {
      Refuse(ctxt, absl::StrCat("attribute ", reinterpret_cast<const char*>(attributes[i * 5]),
                                " is ", len, " bytes, over the limit of ",
                                guard->limits->max_text_bytes));
      return;
    }
  }
  guard->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                       nb_defaulted, attributes);
}

void GuardedEndElement(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                       const xmlChar* uri) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  auto* guard = static_cast<DomGuard*>(ctxt->_private);
  --guard->depth;
  guard->end_element(ctx, localname, prefix, uri);
}

absl::Status CheckTextLengths(xmlNode* node, const Limits& limits, absl::string_view source) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content != nullptr) {
      const size_t len = std::strlen(reinterpret_cast<const char*>(n->content));
      if (len > limits.max_text_bytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ":", xmlGetLineNo(n->parent), ": text of <",
            n->parent ? reinterpret_cast<const char*>(n->parent->name) : "?", "> is ", len,
            " bytes, over the limit of ", limits.max_text_bytes));
      }
    }
    if (n->children != nullptr) {
      if (absl::Status s = CheckTextLengths(n->children, limits, source); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

void CollectSchemaError(void* user, xmlError* error) {
  auto* out = static_cast<std::vector<std::string>*>(user);
  out->push_back(absl::StrCat("line ", error->line, ": ", Trimmed(error->message)));
}

}  // namespace

absl::StatusOr<Document> ParseDocument(absl::string_view bytes, absl::string_view source_name,
                                       const Limits& limits) {
  InitLibxml();
  if (bytes.size() > limits.max_document_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": document is ", bytes.size(),
                                                   " bytes, over the limit of ",
                                                   limits.max_document_bytes));
  }
  xmlParserCtxt* ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return absl::ResourceExhaustedError("cannot allocate XML parser");
  DomGuard guard{&limits};
  guard.start_element = ctxt->sax->startElementNs;
  guard.end_element = ctxt->sax->endElementNs;
  ctxt->sax->internalSubset = RefuseDtd;
  ctxt->sax->externalSubset = RefuseDtd;
  ctxt->sax->startElementNs = GuardedStartElement;
  ctxt->sax->endElementNs = GuardedEndElement;
  ctxt->_private = &guard;
  const std::string name(source_name);
  xmlDoc* doc = xmlCtxtReadMemory(ctxt, bytes.data(), static_cast<int>(bytes.size()),
                                  name.c_str(), nullptr, kParseOptions);
  absl::Status status;
  if (!guard.refusal.empty()) {
    status = absl::InvalidArgumentError(
        absl::StrCat(source_name, ":", guard.refusal_line, ": ", guard.refusal));
  } else if (doc == nullptr || !ctxt->wellFormed) {
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    status = absl::InvalidArgumentError(
        absl::StrCat(source_name, ":", e ? e->line : 0, ": not well-formed XML: ",
                     e ? Trimmed(e->message) : std::string("unknown error")));
  }
  xmlFreeParserCtxt(ctxt);
  Document result(doc);
  if (!status.ok()) return status;
  if (absl::Status s = CheckTextLengths(xmlDocGetRootElement(doc), limits, source_name); !s.ok()) {
    return s;
  }
  return result;
}

absl::StatusOr<std::shared_ptr<const Schema>> Schema::Load(const std::string& path) {
  InitLibxml();
  xmlSchemaParserCtxt* pctxt = xmlSchemaNewParserCtxt(path.c_str());
  if (pctxt == nullptr) return absl::InternalError("cannot create schema parser for " + path);
  std::vector<std::string> errors;
  xmlSchemaSetParserStructuredErrors(pctxt, CollectSchemaError, &errors);
  xmlSchema* schema = xmlSchemaParse(pctxt);
  xmlSchemaFreeParserCtxt(pctxt);
  if (schema == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot load schema ", path, ": ", errors.empty() ? "unknown error" : errors.front()));
  }
  return std::shared_ptr<const Schema>(new Schema(schema));
}

Schema::~Schema() { xmlSchemaFree(schema_); }

std::vector<std::string> Schema::Validate(xmlDoc* doc) const {
  std::vector<std::string> errors;
  xmlSchemaValidCtxt* vctxt = xmlSchemaNewValidCtxt(schema_);
  xmlSchemaSetValidStructuredErrors(vctxt, CollectSchemaError, &errors);
  const int rc = xmlSchemaValidateDoc(vctxt, doc);
  xmlSchemaFreeValidCtxt(vctxt);
  if (rc != 0 && errors.empty()) errors.push_back("document does not match the schema");
  return errors;
}

std::vector<std::string> Schema::ValidateElement(xmlNode* element) const {
  std::vector<std::string> errors;
  xmlSchemaValidCtxt* vctxt = xmlSchemaNewValidCtxt(schema_);
  xmlSchemaSetValidStructuredErrors(vctxt, CollectSchemaError, &errors);
  const int rc = xmlSchemaValidateOneElement(vctxt, element);
  xmlSchemaFreeValidCtxt(vctxt);
  if (rc != 0 && errors.empty()) errors.push_back("element does not match the schema");
  return errors;
}

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
    std::string window = in->tail;
    window.append(buf, std::min<size_t>(*n, 16));
    const absl::string_view chunk(buf, *n);
    if (window.find("<!DOCTYPE") != std::string::npos ||
        chunk.find("<!DOCTYPE") != absl::string_view::npos ||
        window.find("<!ENTITY") != std::string::npos ||
        chunk.find("<!ENTITY") != absl::string_view::npos) {
      in->error = "a DTD (<!DOCTYPE>/<!ENTITY>) is not allowed: entities and external references are refused";
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
    out->message = Trimmed(error->message);
    out->line = error->line;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<StreamReader>> StreamReader::Open(std::unique_ptr<ByteSource> source,
                                                                 absl::string_view source_name,
                                                                 const Limits& limits) {
  InitLibxml();
  std::unique_ptr<StreamReader> r(new StreamReader());
  r->input_ = std::make_unique<Input>();
  r->input_->source = std::move(source);
  r->source_name_ = std::string(source_name);
  r->limits_ = limits;
  r->reader_ = xmlReaderForIO(&Input::Read, &Input::Close, r->input_.get(),
                              r->source_name_.c_str(), nullptr, kParseOptions);
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
  return absl::InvalidArgumentError(absl::StrCat(source_name_, ":", line(), ": ", what));
}

absl::StatusOr<bool> StreamReader::Next() {
  ReaderError error;
  xmlTextReaderSetStructuredErrorHandler(reader_, CollectReaderError, &error);
  const int rc = xmlTextReaderRead(reader_);
  xmlTextReaderSetStructuredErrorHandler(reader_, nullptr, nullptr);
  if (rc < 0 || !error.message.empty()) {
    if (!input_->error.empty()) return ErrorHere(input_->error);
    return absl::InvalidArgumentError(absl::StrCat(
        source_name_, ":", error.line, ": not well-formed XML: ",
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
    return absl::InvalidArgumentError(
        absl::StrCat(source_name_, ":", error.line, ": not well-formed XML: ", error.message));
  }
  if (absl::Status s = CheckTextLengths(node->children, limits_, source_name_); !s.ok()) return s;
  return node;
}

absl::StatusOr<bool> StreamReader::SkipSubtree() {
  ReaderError error;
  xmlTextReaderSetStructuredErrorHandler(reader_, CollectReaderError, &error);
  const int rc = xmlTextReaderNext(reader_);
  xmlTextReaderSetStructuredErrorHandler(reader_, nullptr, nullptr);
  if (rc < 0 || !error.message.empty()) {
    if (!input_->error.empty()) return ErrorHere(input_->error);
    return absl::InvalidArgumentError(
        absl::StrCat(source_name_, ":", error.line, ": not well-formed XML: ", error.message));
  }
  if (rc == 0) return false;
  if (absl::Status s = CheckCurrent(); !s.ok()) return s;
  return true;
}

uint64_t StreamReader::bytes_read() const { return input_->bytes; }

absl::string_view LocalName(const xmlNode* node) {
  return node && node->name ? reinterpret_cast<const char*>(node->name) : "";
}

absl::string_view NamespaceUri(const xmlNode* node) {
  return node && node->ns && node->ns->href ? reinterpret_cast<const char*>(node->ns->href) : "";
}

xmlNode* FirstChild(const xmlNode* parent, absl::string_view local_name) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && LocalName(c) == local_name) return c;
  }
  return nullptr;
}

std::vector<xmlNode*> Children(const xmlNode* parent, absl::string_view local_name) {
  std::vector<xmlNode*> out;
  if (parent == nullptr) return out;
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && (local_name.empty() || LocalName(c) == local_name)) {
      out.push_back(c);
    }
  }
  return out;
}

std::string ChildText(const xmlNode* parent, absl::string_view local_name) {
  xmlNode* c = FirstChild(parent, local_name);
  if (c == nullptr) return "";
  xmlChar* text = xmlNodeGetContent(c);
  std::string out = text ? reinterpret_cast<const char*>(text) : "";
  xmlFree(text);
  return out;
}

std::string Attribute(const xmlNode* node, const char* name) {
  xmlChar* v = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string Escape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace sbrgate::xml
