#include "pipeline/clients/vocabulary/vocabulary.h"

#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/escape.h"

namespace sbrgate::clients {
namespace {

absl::StatusCode StatusFromName(absl::string_view name) {
  for (int c = 0; c <= 16; ++c) {
    if (absl::StatusCodeToString(static_cast<absl::StatusCode>(c)) == name) {
      return static_cast<absl::StatusCode>(c);
    }
  }
  return absl::StatusCode::kUnknown;
}

}  // namespace

std::string Vocabulary::Open(absl::string_view root) const {
  return absl::StrCat("<", prefix, ":", root, " xmlns:", prefix, "=\"", ns, "\"");
}

absl::StatusOr<Body> Vocabulary::Read(absl::string_view text, absl::string_view root_name,
                                      bool answer) const {
  absl::StatusOr<xml::Document> doc = xml::ParseDocument(text, absl::StrCat(name, " ", root_name));
  if (!doc.ok()) return doc.status();
  xmlNode* root = xmlDocGetRootElement(doc->get());
  if (root != nullptr && xml::NamespaceUri(root) == ns) {
    if (answer && xml::LocalName(root) == "Error") {
      return absl::Status(
          StatusFromName(xml::Attribute(root, "status")),
          absl::StrCat(xml::Attribute(root, "code"), ": ", xml::Attribute(root, "message")));
    }
    if (xml::LocalName(root) == root_name) return Body{*std::move(doc), root};
  }
  return absl::InvalidArgumentError(absl::StrCat(name, " ", root_name, ": the root must be ",
                                                 prefix, ":", root_name, " in ", ns));
}

std::string Vocabulary::Error(const absl::Status& status, absl::string_view code) const {
  return absl::StrCat(Open("Error"), " status=\"", absl::StatusCodeToString(status.code()),
                      "\" code=\"", xml::Escape(code), "\" message=\"",
                      xml::Escape(status.message()), "\"/>");
}

}  // namespace sbrgate::clients
