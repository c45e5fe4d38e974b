// ParseDocument: a whole XML document from outside, held in memory (small
// documents: ebMS3 envelopes, SBR responses), parsed into a libxml2 DOM
// under the hardened rules of limits.h: no DTD, no network, bounded depth,
// text and size.
//
//   absl::StatusOr<xml::Document> doc = xml::ParseDocument(bytes, "envelope");
//   if (!doc.ok()) return doc.status();  // "envelope:<line>: <what>"
//   xmlNode* root = xmlDocGetRootElement(doc->get());
//
// Reading the DOM: dom.h. Documents too large to hold: stream_reader.h and
// record_reader.h.
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_DOCUMENT_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_DOCUMENT_H_

#include <libxml/tree.h>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/xml/limits.h"

namespace sbrgate::xml {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Document = std::unique_ptr<xmlDoc, DocFree>;

// Parses a whole document held in memory. `source_name` names it in errors.
// Errors are InvalidArgument with the message "<source_name>:<line>: <what>".
absl::StatusOr<Document> ParseDocument(absl::string_view bytes, absl::string_view source_name,
                                       const Limits& limits = Limits());

}  // namespace sbrgate::xml

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_DOCUMENT_H_
