// Reading a libxml2 DOM, whichever reader built it (ParseDocument,
// StreamReader::ExpandCurrent, RecordReader::TakeRecord): elements by local
// name, their text and attributes, and an element back as XML.
//
//   xmlNode* payee = xml::FirstChild(root, "Payee");
//   std::string tfn = xml::ChildText(xml::FirstChild(payee, "Identifiers"), "TaxFileNumberId");
//   for (xmlNode* item : xml::Children(list, "Item")) Use(xml::Attribute(item, "id"));
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_DOM_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_DOM_H_

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sbrgate::xml {

// Owns an element detached from its document.
struct NodeFree {
  void operator()(xmlNode* n) const { xmlFreeNode(n); }
};
using NodePtr = std::unique_ptr<xmlNode, NodeFree>;

// Text content of `node` (the text of its whole subtree), or empty for nullptr.
std::string NodeText(const xmlNode* node);
// Text content of the first child element of `parent` named `local_name`
// (any namespace), or empty if absent.
std::string ChildText(const xmlNode* parent, absl::string_view local_name);
// First child element of `parent` with this local name, or nullptr.
xmlNode* FirstChild(const xmlNode* parent, absl::string_view local_name);
// All child elements of `parent` with this local name ("" for all).
std::vector<xmlNode*> Children(const xmlNode* parent, absl::string_view local_name = "");
// The attribute (no namespace) or empty.
std::string Attribute(const xmlNode* node, const char* name);
// Local name and namespace of an element.
absl::string_view LocalName(const xmlNode* node);
absl::string_view NamespaceUri(const xmlNode* node);

// The element and its subtree as XML, UTF-8 (no XML declaration; namespaces
// declared above it are not added). Empty if it cannot be serialised.
std::string NodeXml(xmlNode* node);

}  // namespace sbrgate::xml

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_DOM_H_
