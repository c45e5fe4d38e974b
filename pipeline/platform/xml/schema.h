// Schema: a compiled XSD, loaded from local files only (its imports too),
// that validates a parsed document or one element of it and reports each
// violation with its line. It keeps the validation contexts it makes, reset
// between documents, for the validations to come: making one per document
// was a good part of validating a small one.
//
//   absl::StatusOr<std::shared_ptr<const xml::Schema>> schema = xml::Schema::Load(path);
//   if (!schema.ok()) return schema.status();
//   for (const std::string& e : (*schema)->Validate(doc.get())) ...  // "line N: <what>"
//
//   xml::Schema::ValidCtxt ctxt = (*schema)->TakeValidCtxt();  // for many documents
//   xmlSchemaValidateOneElement(ctxt.get(), element);
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_SCHEMA_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_SCHEMA_H_

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace sbrgate::xml {

// Thread-safe: concurrent Validate calls each use a context of their own.
class Schema {
 public:
  // Puts a context back in its schema's pool (or frees it), its error
  // handler unset.
  struct ReturnValidCtxt {
    const Schema* schema;
    void operator()(xmlSchemaValidCtxt* ctxt) const;
  };
  // A validation context of this schema, for one thread at a time. libxml2
  // resets it at the start of every validation, errors included. It must go
  // back before the schema is destroyed.
  using ValidCtxt = std::unique_ptr<xmlSchemaValidCtxt, ReturnValidCtxt>;

  // Loads `path` (and what it imports, from local files only).
  static absl::StatusOr<std::shared_ptr<const Schema>> Load(const std::string& path);
  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  // One message per violation: "line N: <libxml2's message>". Empty if valid.
  std::vector<std::string> Validate(xmlDoc* doc) const;
  // Validates one element subtree (copied into its own document).
  std::vector<std::string> ValidateElement(xmlNode* element) const;

  // A context from the pool, or a new one; null if it cannot be allocated.
  ValidCtxt TakeValidCtxt() const;

 private:
  explicit Schema(xmlSchema* schema) : schema_(schema) {}
  xmlSchema* schema_;
  mutable absl::Mutex mu_;
  // Contexts not in use: at most as many as validate at once, up to a bound.
  mutable std::vector<xmlSchemaValidCtxt*> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate::xml

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_SCHEMA_H_
