// Vocabulary: what the XML bodies of sbrgate's client-management services
// share (CUREL relationships, CUDEMOGR demographics; the ATO's packages are
// not public, so each is a vocabulary of ours in a namespace of its own):
// the root element with its namespace declared, reading a body whose root
// must be one element, and the error answer <p:Error status code message/>
// that stands for a whole request refused.
//
//   constexpr Vocabulary kCurel{"http://sbrgate.dev/ns/curel", "cr", "CUREL"};
//   std::string out = absl::StrCat(kCurel.Open("SearchRequest"), ">", ..., "</cr:SearchRequest>");
//   absl::StatusOr<Body> body = kCurel.Read(text, "SearchResponse", /*answer=*/true);
//   std::string refused = kCurel.Error(absl::NotFoundError("no client"), "CMN.ATO.X");
#ifndef SBRGATE_PIPELINE_CLIENTS_VOCABULARY_VOCABULARY_H_
#define SBRGATE_PIPELINE_CLIENTS_VOCABULARY_VOCABULARY_H_

#include <libxml/tree.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/xml/document.h"

namespace sbrgate::clients {

// A parsed body and its root element.
struct Body {
  xml::Document doc;
  xmlNode* root = nullptr;
};

struct Vocabulary {
  absl::string_view ns;      // its namespace URI
  absl::string_view prefix;  // the prefix written, e.g. "cr"
  absl::string_view name;    // for messages, e.g. "CUREL"

  // "<p:root xmlns:p=\"ns\"": the caller adds attributes and closes it.
  std::string Open(absl::string_view root) const;
  // `text` whose root must be p:`root`; with `answer`, a p:Error root is
  // the error it stands for (its status, "code: message").
  // InvalidArgument naming the element otherwise.
  absl::StatusOr<Body> Read(absl::string_view text, absl::string_view root, bool answer) const;
  // The answer refusing a whole request.
  std::string Error(const absl::Status& status, absl::string_view code) const;
};

}  // namespace sbrgate::clients

#endif  // SBRGATE_PIPELINE_CLIENTS_VOCABULARY_VOCABULARY_H_
