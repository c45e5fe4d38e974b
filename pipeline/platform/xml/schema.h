// Schema: a compiled XSD, loaded from local files only (its imports too),
// that validates a parsed document or one element of it and reports each
// violation with its line.
//
//   absl::StatusOr<std::shared_ptr<const xml::Schema>> schema = xml::Schema::Load(path);
//   if (!schema.ok()) return schema.status();
//   for (const std::string& e : (*schema)->Validate(doc.get())) ...  // "line N: <what>"
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_SCHEMA_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_SCHEMA_H_

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sbrgate::xml {

// Thread-safe for concurrent Validate calls (each call makes its own
// validation context).
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

}  // namespace sbrgate::xml

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_SCHEMA_H_
