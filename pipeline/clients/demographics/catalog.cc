#include "pipeline/clients/demographics/catalog.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sbrgate::demographics {
namespace {

constexpr unsigned kListChange =
    OperationBit(v1::LIST) | OperationBit(v1::SUBMIT) | OperationBit(v1::VALIDATE);
constexpr unsigned kChange = OperationBit(v1::SUBMIT) | OperationBit(v1::VALIDATE);

constexpr ServiceSpec kServices[] = {
    {v1::ADDRESSES, "CUADDR", "addresses", "http://sbr.gov.au/ato/cuaddr/2016", "003.00",
     kListChange, true, "addresses"},
    {v1::ASSOCIATES, "CUASSOC", "associates", "http://sbr.gov.au/ato/cuassoc/2017", "001.00",
     OperationBit(v1::LIST), false, "associates"},
    {v1::AUTHORISED_CONTACTS, "CUAUTHCNTCT", "contacts", "http://sbr.gov.au/ato/cuauthcntct/2017",
     "001.00", kChange, true, "authorised_contacts"},
    {v1::DETAILS, "CUDTL", "details", "http://sbr.gov.au/ato/cudtl/2017", "003.00",
     OperationBit(v1::GET) | kChange, false, "details"},
    {v1::FINANCIAL_INSTITUTIONS, "CUFI", "banking", "http://sbr.gov.au/ato/cufi/2016", "003.00",
     kListChange, false, "financial_institution_accounts"},
};

constexpr v1::CudemogrOperation kOperations[] = {v1::LIST, v1::GET, v1::SUBMIT, v1::VALIDATE};

// "Submit" for SUBMIT: how an action names its operation.
std::string ActionVerb(v1::CudemogrOperation op) {
  std::string name = absl::AsciiStrToLower(v1::CudemogrOperation_Name(op));
  name[0] = absl::ascii_toupper(name[0]);
  return name;
}

}  // namespace

absl::Span<const ServiceSpec> Services() { return kServices; }

const ServiceSpec* FindService(v1::CudemogrService service) {
  for (const ServiceSpec& s : kServices) {
    if (s.service == service) return &s;
  }
  return nullptr;
}

const ServiceSpec* FindServiceByEbms(absl::string_view ebms_service) {
  for (const ServiceSpec& s : kServices) {
    if (s.ebms_service == ebms_service) return &s;
  }
  return nullptr;
}

bool Offers(const ServiceSpec& spec, v1::CudemogrOperation op) {
  return op != v1::CUDEMOGR_OPERATION_UNSPECIFIED && (spec.operations & OperationBit(op)) != 0;
}

std::string OfferedText(const ServiceSpec& spec) {
  std::vector<std::string> names;
  for (v1::CudemogrOperation op : kOperations) {
    if (Offers(spec, op)) names.push_back(v1::CudemogrOperation_Name(op));
  }
  if (names.size() == 1) return names[0];
  const std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
}

std::string Action(const ServiceSpec& spec, v1::CudemogrOperation op) {
  return absl::StrCat(ActionVerb(op), ".", spec.version);
}

std::optional<v1::CudemogrOperation> OperationOf(const ServiceSpec& spec,
                                                 absl::string_view action) {
  for (v1::CudemogrOperation op : kOperations) {
    if (Offers(spec, op) && Action(spec, op) == action) return op;
  }
  return std::nullopt;
}

std::string AuditAction(v1::CudemogrService service, v1::CudemogrOperation op) {
  const ServiceSpec* spec = FindService(service);
  const bool known_op =
      op != v1::CUDEMOGR_OPERATION_UNSPECIFIED && v1::CudemogrOperation_IsValid(op);
  return absl::StrCat("cudemogr.", spec != nullptr ? spec->name : "unknown", ".",
                      known_op ? absl::AsciiStrToLower(v1::CudemogrOperation_Name(op)) : "unknown");
}

}  // namespace sbrgate::demographics
