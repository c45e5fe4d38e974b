#include "pipeline/platform/xml/dom.h"

#include <libxml/xmlIO.h>

namespace sbrgate::xml {

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

std::string NodeText(const xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* text = xmlNodeGetContent(node);
  std::string out = text ? reinterpret_cast<const char*>(text) : "";
  xmlFree(text);
  return out;
}

std::string ChildText(const xmlNode* parent, absl::string_view local_name) {
  return NodeText(FirstChild(parent, local_name));
}

std::string Attribute(const xmlNode* node, const char* name) {
  xmlChar* v = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string NodeXml(xmlNode* node) {
  std::string text;
  xmlBuffer* buffer = xmlBufferCreate();
  if (buffer == nullptr) return text;
  xmlOutputBuffer* out = xmlOutputBufferCreateBuffer(buffer, nullptr);
  if (out != nullptr) {
    xmlNodeDumpOutput(out, node->doc, node, 0, 0, "UTF-8");
    xmlOutputBufferFlush(out);
    text.assign(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                static_cast<size_t>(xmlBufferLength(buffer)));
    xmlOutputBufferClose(out);
  }
  xmlBufferFree(buffer);
  return text;
}

}  // namespace sbrgate::xml
