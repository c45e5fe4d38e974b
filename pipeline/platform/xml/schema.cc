#include "pipeline/platform/xml/schema.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/internal.h"

namespace sbrgate::xml {
namespace {

// Idle contexts a schema keeps: more than validate at once on two cores
// (gateway threads, stage workers, the simulator's), a few KiB each.
constexpr size_t kIdleValidCtxts = 8;

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

Schema::~Schema() {
  for (xmlSchemaValidCtxt* ctxt : idle_) xmlSchemaFreeValidCtxt(ctxt);
  xmlSchemaFree(schema_);
}

Schema::ValidCtxt Schema::TakeValidCtxt() const {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      ValidCtxt ctxt(idle_.back(), ReturnValidCtxt{this});
      idle_.pop_back();
      return ctxt;
    }
  }
  return ValidCtxt(xmlSchemaNewValidCtxt(schema_), ReturnValidCtxt{this});
}

void Schema::ReturnValidCtxt::operator()(xmlSchemaValidCtxt* ctxt) const {
  // The handler's data is the last user's, gone once it returns.
  xmlSchemaSetValidStructuredErrors(ctxt, nullptr, nullptr);
  {
    absl::MutexLock lock(&schema->mu_);
    if (schema->idle_.size() < kIdleValidCtxts) {
      schema->idle_.push_back(ctxt);
      return;
    }
  }
  xmlSchemaFreeValidCtxt(ctxt);
}

std::vector<std::string> Schema::Validate(xmlDoc* doc) const {
  std::vector<std::string> errors;
  ValidCtxt vctxt = TakeValidCtxt();
  if (vctxt == nullptr) return {"cannot allocate a schema validation context"};
  xmlSchemaSetValidStructuredErrors(vctxt.get(), CollectSchemaError, &errors);
  const int rc = xmlSchemaValidateDoc(vctxt.get(), doc);
  vctxt.reset();
  if (rc != 0 && errors.empty()) errors.push_back("document does not match the schema");
  return errors;
}

std::vector<std::string> Schema::ValidateElement(xmlNode* element) const {
  std::vector<std::string> errors;
  ValidCtxt vctxt = TakeValidCtxt();
  if (vctxt == nullptr) return {"cannot allocate a schema validation context"};
  xmlSchemaSetValidStructuredErrors(vctxt.get(), CollectSchemaError, &errors);
  const int rc = xmlSchemaValidateOneElement(vctxt.get(), element);
  vctxt.reset();
  if (rc != 0 && errors.empty()) errors.push_back("element does not match the schema");
  return errors;
}

}  // namespace sbrgate::xml
