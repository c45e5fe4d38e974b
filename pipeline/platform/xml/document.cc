#include "pipeline/platform/xml/document.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/internal.h"

namespace sbrgate::xml {
namespace {

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

}  // namespace

absl::StatusOr<Document> ParseDocument(absl::string_view bytes, absl::string_view source_name,
                                       const Limits& limits) {
  internal::InitLibxml();
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
                                  name.c_str(), nullptr, internal::kParseOptions);
  absl::Status status;
  if (!guard.refusal.empty()) {
    status = internal::ErrorAt(source_name, guard.refusal_line, guard.refusal);
  } else if (doc == nullptr || !ctxt->wellFormed) {
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    status = internal::ErrorAt(source_name, e ? e->line : 0,
                     absl::StrCat("not well-formed XML: ", e ? internal::Trimmed(e->message)
                                                              : std::string("unknown error")));
  }
  xmlFreeParserCtxt(ctxt);
  Document result(doc);
  if (!status.ok()) return status;
  if (absl::Status s = internal::CheckTextLengths(xmlDocGetRootElement(doc), limits, source_name);
      !s.ok()) {
    return s;
  }
  return result;
}

}  // namespace sbrgate::xml
