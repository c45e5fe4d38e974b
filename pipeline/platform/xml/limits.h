// Limits: the bounds every hardened XML reader in this folder enforces on
// XML from outside (ebMS3 envelopes, lodgment files, SBR responses).
//
// Every reader (ParseDocument in document.h, StreamReader in
// stream_reader.h, RecordReader in record_reader.h) refuses, with an error
// naming the line:
//   - any DTD (<!DOCTYPE ...>): SOAP forbids them and no SBR document needs
//     one, so external entities and entity-expansion bombs never reach
//     libxml2's entity machinery;
//   - network access of any kind;
//   - nesting deeper than Limits::max_depth;
//   - a text or attribute value longer than Limits::max_text_bytes;
//   - (DOM only) a document larger than Limits::max_document_bytes.
// XSD validation (schema.h) loads schemas from local files only.
//
//   xml::Limits limits;
//   limits.max_text_bytes = 1000;
//   absl::StatusOr<xml::Document> doc = xml::ParseDocument(bytes, "response.xml", limits);
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_LIMITS_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_LIMITS_H_

#include <cstddef>

namespace sbrgate::xml {

struct Limits {
  int max_depth = 64;
  size_t max_text_bytes = 1 << 20;
  size_t max_document_bytes = 64 << 20;
};

}  // namespace sbrgate::xml

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_LIMITS_H_
