#include "pipeline/platform/xml/schema.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/internal.h"

namespace sbrgate::xml {
namespace {

void CollectSchemaError(void* user, xmlError* error) {
  auto* out = static_cast<std::vector<std::string>*>(user);
  out->push_back(absl::StrCat("line ", error->line, ": ", internal::Trimmed(error->message)));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Schema>> Schema::Load(const std::string& path) {
  internal::InitLibxml();
  xmlSchemaParserCtxt* pctxt = xmlSchemaNewParserCtxt(path.c_str());
  if (pctxt == nullptr) return absl::InternalError("cannot create schema parser for " + path);
  std::vector<std::string> errors;
  xmlSchemaSetParserStructuredErrors(pctxt, CollectSchemaError, &errors);
  xmlSchema* schema = xmlSchemaParse(pctxt);
  xmlSchemaFreeParserCtxt(pctxt);
  if (schema == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot load schema ", path, ": ", errors.empty() ? "unknown error" : errors.front()));
  }
  return std::shared_ptr<const Schema>(new Schema(schema));
}

Schema::~Schema() { xmlSchemaFree(schema_); }

std::vector<std::string> Schema::Validate(xmlDoc* doc) const {
  std::vector<std::string> errors;
  xmlSchemaValidCtxt* vctxt = xmlSchemaNewValidCtxt(schema_);
  xmlSchemaSetValidStructuredErrors(vctxt, CollectSchemaError, &errors);
  const int rc = xmlSchemaValidateDoc(vctxt, doc);
  xmlSchemaFreeValidCtxt(vctxt);
  if (rc != 0 && errors.empty()) errors.push_back("document does not match the schema");
  return errors;
}

std::vector<std::string> Schema::ValidateElement(xmlNode* element) const {
  std::vector<std::string> errors;
  xmlSchemaValidCtxt* vctxt = xmlSchemaNewValidCtxt(schema_);
  xmlSchemaSetValidStructuredErrors(vctxt, CollectSchemaError, &errors);
  const int rc = xmlSchemaValidateOneElement(vctxt, element);
  xmlSchemaFreeValidCtxt(vctxt);
  if (rc != 0 && errors.empty()) errors.push_back("element does not match the schema");
  return errors;
}

}  // namespace sbrgate::xml
