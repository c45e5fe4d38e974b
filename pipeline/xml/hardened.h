// Hardened XML reading on libxml2, shared by every component that reads XML
// from outside (ebMS3 envelopes, lodgment files, SBR responses).
//
// Every reader here refuses, with a clear error naming the line:
//   - any DTD (<!DOCTYPE ...>): SOAP forbids them and no SBR document needs
//     one, so external entities and entity-expansion bombs never reach
//     libxml2's entity machinery;
//   - network access of any kind;
//   - nesting deeper than Limits::max_depth;
//   - a text or attribute value longer than Limits::max_text_bytes;
//   - (DOM only) a document larger than Limits::max_document_bytes.
//
// Whole documents (small: envelopes, responses):
//   absl::StatusOr<xml::Document> doc = xml::ParseDocument(bytes, "envelope");
//   xmlNode* root = xmlDocGetRootElement(doc->get());
//
// Streams (lodgments of any size): see StreamReader.
//
// XSD validation: see Schema.
#ifndef SBRGATE_PIPELINE_XML_HARDENED_H_
#define SBRGATE_PIPELINE_XML_HARDENED_H_

#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/common/byte_stream.h"

namespace sbrgate::xml {

struct Limits {
  int max_depth = 64;
  size_t max_text_bytes = 1 << 20;
  size_t max_document_bytes = 64 << 20;
};

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Document = std::unique_ptr<xmlDoc, DocFree>;

// Parses a whole document held in memory. `source_name` names it in errors.
// Errors are InvalidArgument with the message "<source_name>:<line>: <what>".
absl::StatusOr<Document> ParseDocument(absl::string_view bytes, absl::string_view source_name,
                                       const Limits& limits = Limits());

// A compiled XSD. Thread-safe for concurrent Validate calls (each call makes
// its own validation context).
class Schema {
 public:
  // Loads `path` (and what it imports, from local files only).
  static absl::StatusOr<std::shared_ptr<const Schema>> Load(const std::string& path);
  ~Schema();

  // One message per violation: "line N: <libxml2's message>". Empty if valid.
  std::vector<std::string> Validate(xmlDoc* doc) const;
  // Validates one element subtree (copied into its own document).
  std::vector<std::string> ValidateElement(xmlNode* element) const;

  xmlSchema* raw() const { return schema_; }

 private:
  explicit Schema(xmlSchema* schema) : schema_(schema) {}
  xmlSchema* schema_;
};

// A pull reader over a ByteSource (libxml2 xmlTextReader), for documents too
// large to hold. Next() moves node by node; the accessors describe the
// current node. Limits apply as for ParseDocument, except that the total
// size is unbounded.
//
//   auto reader = xml::StreamReader::Open(std::move(source), "lodgment.xml");
//   while (true) {
//     absl::StatusOr<bool> more = (*reader)->Next();
//     if (!more.ok()) return more.status();   // names the line and the problem
//     if (!*more) break;
//     if ((*reader)->type() == XML_READER_TYPE_ELEMENT) ...
//   }
class StreamReader {
 public:
  static absl::StatusOr<std::unique_ptr<StreamReader>> Open(std::unique_ptr<ByteSource> source,
                                                            absl::string_view source_name,
                                                            const Limits& limits = Limits());
  ~StreamReader();

  absl::StatusOr<bool> Next();
  int type() const;             // XML_READER_TYPE_*
  int depth() const;            // 0 for the document's top level
  bool is_empty_element() const;
  std::string local_name() const;
  std::string namespace_uri() const;
  std::string value() const;    // text of text/CDATA nodes
  // The attribute's value, or nullopt-like empty+false.
  bool attribute(const char* name, std::string* value) const;
  int line() const;
  // Expands the current element into a DOM subtree owned by the reader (valid
  // until the next Next()). Used to validate one record at a time.
  absl::StatusOr<xmlNode*> ExpandCurrent();
  // Skips the current element's subtree.
  absl::StatusOr<bool> SkipSubtree();
  // Bytes consumed from the source so far.
  uint64_t bytes_read() const;
  xmlTextReader* raw() const { return reader_; }

 private:
  struct Input;
  StreamReader() = default;
  absl::Status CheckCurrent();
  absl::Status ErrorHere(absl::string_view what) const;

  std::unique_ptr<Input> input_;
  xmlTextReader* reader_ = nullptr;
  std::string source_name_;
  Limits limits_;
};

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

// Escapes text for use in XML character data and attribute values.
std::string Escape(absl::string_view text);

}  // namespace sbrgate::xml

#endif  // SBRGATE_PIPELINE_XML_HARDENED_H_
