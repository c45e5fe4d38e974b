#include "pipeline/clients/ics/rules/registration_rules.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/sbr/identifiers/check_digits.h"

namespace sbrgate::ics {
namespace {

using Errors = std::vector<v1::RegistrationError>;

void Add(Errors& out, absl::string_view code, std::string field, std::string message) {
  v1::RegistrationError& e = out.emplace_back();
  e.set_code(std::string(code));
  e.set_field(std::move(field));
  e.set_message(std::move(message));
}

void Require(Errors& out, absl::string_view value, std::string field, absl::string_view what,
             absl::string_view type) {
  if (IsBlank(value)) {
    Add(out, kCodeMissing, std::move(field),
        absl::StrCat(what, " is required for ", type, " clients"));
  }
}

void Forbid(Errors& out, absl::string_view value, std::string field, absl::string_view what,
            absl::string_view type) {
  if (!value.empty()) {
    Add(out, kCodeNotForType, std::move(field), absl::StrCat(type, " clients have no ", what));
  }
}

bool AllDigits(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
}

// Why `abn` is not a valid ABN, or empty.
std::string AbnProblem(absl::string_view abn) {
  if (abn.size() != 11 || !AllDigits(abn)) return "an ABN is 11 digits";
  if (!identifiers::IsValidAbn(abn)) return "Invalid ABN: the check digit is wrong";
  return "";
}

void CheckCcid(const v1::CcidRegistration& c, Errors& out) {
  const v1::IcsAddress& a = c.business_address();
  const std::string line1 = a.lines().empty() ? "" : a.lines(0);
  switch (c.client_type()) {
    case v1::IcsClient::IND:
      Require(out, c.family_name(), "ccid.family_name", "a family name", "IND");
      Forbid(out, c.organisation_name(), "ccid.organisation_name", "organisation name", "IND");
      Require(out, a.type(), "ccid.business_address.type", "a business address type", "IND");
      Require(out, line1, "ccid.business_address.lines[0]", "business address line 1", "IND");
      return;
    case v1::IcsClient::ORG:
      Require(out, c.organisation_name(), "ccid.organisation_name", "an organisation name", "ORG");
      Forbid(out, c.family_name(), "ccid.family_name", "family name", "ORG");
      Forbid(out, c.given_names(), "ccid.given_names", "given names", "ORG");
      Require(out, a.country(), "ccid.business_address.country", "a country", "ORG");
      Require(out, a.type(), "ccid.business_address.type", "a business address type", "ORG");
      Require(out, line1, "ccid.business_address.lines[0]", "business address line 1", "ORG");
      return;
    default:
      Add(out, kCodeMissing, "ccid.client_type",
          absl::StrCat("a CCID's client type is IND or ORG, got ",
                       v1::IcsClient::Type_Name(c.client_type())));
  }
}

}  // namespace

const std::vector<std::string>& KnownRoleNames() {
  static const std::vector<std::string>* const kNames = new std::vector<std::string>{
      "AIRLINE",        "CARGO_REPORTER",    "CUSTOMS_BROKER", "DEPOT_OPERATOR",
      "EXPORTER",       "FREIGHT_FORWARDER", "IMPORTER",       "OWNER",
      "SHIPPING_AGENT", "WAREHOUSE_OPERATOR"};
  return *kNames;
}

bool IsKnownRoleName(absl::string_view name) {
  const std::vector<std::string>& names = KnownRoleNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool IsBlank(absl::string_view text) { return absl::StripAsciiWhitespace(text).empty(); }

std::vector<v1::RegistrationError> RegistrationErrors(const v1::RegisterClientRequest& r) {
  Errors out;
  if (IsBlank(r.agent().agent_abn())) {
    Add(out, kCodeMissing, "agent.agent_abn", "the practice's ABN is required");
  } else if (std::string problem = AbnProblem(r.agent().agent_abn()); !problem.empty()) {
    Add(out, kCodeInvalidAbn, "agent.agent_abn", problem);
  }

  // What the client is, and the minimum data of its type.
  absl::string_view type;
  if (r.has_ccid() && r.has_abn()) {
    Add(out, kCodeCcidOrAbn, "ccid",
        "a registration is of a CCID or of an ABN, never both: give ccid or abn");
  } else if (!r.has_ccid() && !r.has_abn()) {
    Add(out, kCodeCcidOrAbn, "ccid", "a registration is of a CCID or of an ABN: give ccid or abn");
  } else if (r.has_ccid()) {
    CheckCcid(r.ccid(), out);
    type = r.ccid().client_type() == v1::IcsClient::ORG ? "ORG" : "IND";
  } else {
    type = "ABN";
    if (IsBlank(r.abn().abn())) {
      Add(out, kCodeMissing, "abn.abn", "the ABN is required for ABN clients");
    } else if (std::string problem = AbnProblem(r.abn().abn()); !problem.empty()) {
      Add(out, kCodeInvalidAbn, "abn.abn", problem);
    }
    if (r.abn().cac() < 0) {
      Add(out, kCodeCac, "abn.cac",
          absl::StrCat("a CAC number is 1 or more (0: the lowest valid), got ", r.abn().cac()));
    }
  }

  // The contact and roles, which every type has; a purpose for ORG and ABN.
  const absl::string_view who = type.empty() ? "all" : type;
  Require(out, r.contact().name(), "contact.name", "a contact name", who);
  if (type == "ORG" || type == "ABN") {
    Require(out, r.contact().purpose(), "contact.purpose", "a contact purpose", type);
  }
  const int elements = r.contact().address_size();
  if (elements < kMinContactAddressElements || elements > kMaxContactAddressElements) {
    Add(out, kCodeContactAddress, "contact.address",
        absl::StrCat("a contact address has ", kMinContactAddressElements, " to ",
                     kMaxContactAddressElements, " data elements, got ", elements));
  }
  for (int i = 0; i < elements; ++i) {
    if (IsBlank(r.contact().address(i))) {
      Add(out, kCodeContactAddress, absl::StrCat("contact.address[", i, "]"),
          "a contact address data element is empty");
    }
  }
  if (r.role_names().empty()) {
    Add(out, kCodeMissing, "role_names", "at least one role name is required");
  }
  std::set<std::string> seen;
  for (int i = 0; i < r.role_names_size(); ++i) {
    const std::string& name = r.role_names(i);
    const std::string field = absl::StrCat("role_names[", i, "]");
    if (!IsKnownRoleName(name)) {
      Add(out, kCodeInvalidRoleName, field,
          absl::StrCat("Invalid Role name '", name, "': one of ",
                       absl::StrJoin(KnownRoleNames(), ", ")));
    } else if (!seen.insert(name).second) {
      Add(out, kCodeInvalidRoleName, field, absl::StrCat("role name ", name, " is named twice"));
    }
  }
  return out;
}

}  // namespace sbrgate::ics
