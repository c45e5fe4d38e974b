#include "pipeline/clients/demographics/rules.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/clients/demographics/catalog.h"
#include "pipeline/clients/relationships/rules.h"
#include "pipeline/clntcomm/rules/request_rules.h"
#include "pipeline/platform/common/dates.h"

namespace sbrgate::demographics {
namespace {

using Violations = std::vector<FieldViolation>;

bool Blank(absl::string_view s) { return absl::StripAsciiWhitespace(s).empty(); }

bool AllDigits(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// A required text of at most `max` characters.
void CheckText(absl::string_view value, size_t max, const std::string& field, Violations& out) {
  if (Blank(value)) {
    out.push_back({field, "required"});
  } else if (value.size() > max) {
    out.push_back({field, absl::StrCat("at most ", max, " characters, not ", value.size())});
  }
}

// A start date, when given, is a real date; the end date is the ATO's.
void CheckDates(absl::string_view start, absl::string_view end, const std::string& at,
                Violations& out) {
  if (!start.empty() && !ParseDate(start)) {
    out.push_back({at + ".start_date", absl::StrCat("'", start, "' is not a date (YYYY-MM-DD)")});
  }
  if (!end.empty()) {
    out.push_back({at + ".end_date", "set by the ATO when a newer record supersedes this one"});
  }
}

void CheckAddress(const v1::ClientAddress& a, const std::string& at, Violations& out) {
  if (a.usage() == v1::ClientAddress::USAGE_UNSPECIFIED) {
    out.push_back({at + ".usage", "required: POSTAL, BUSINESS, RESIDENTIAL or REGISTERED_OFFICE"});
  }
  if (a.lines().empty() || a.lines_size() > kMaxAddressLines) {
    out.push_back(
        {at + ".lines", absl::StrCat("1 to ", kMaxAddressLines, " lines, not ", a.lines_size())});
  }
  for (int i = 0; i < a.lines_size(); ++i) {
    CheckText(a.lines(i), kMaxAddressLine, absl::StrCat(at, ".lines[", i, "]"), out);
  }
  CheckText(a.locality(), kMaxLocality, at + ".locality", out);
  const std::string& country = a.country();
  if (!country.empty() && (country.size() != 2 || !absl::ascii_isupper(country[0]) ||
                           !absl::ascii_isupper(country[1]))) {
    out.push_back({at + ".country", absl::StrCat("'", country,
                                                 "' is not an ISO 3166 code of two upper-case "
                                                 "letters (empty: AU)")});
  }
  if (!IsAustralian(a)) return;
  if (std::find(kStates.begin(), kStates.end(), a.state()) == kStates.end()) {
    out.push_back(
        {at + ".state",
         absl::StrCat(a.state().empty() ? "required" : "'" + a.state() + "'",
                      " for an Australian address: one of ", absl::StrJoin(kStates, ", "))});
  }
  if (a.postcode().size() != 4 || !AllDigits(a.postcode())) {
    out.push_back({at + ".postcode",
                   absl::StrCat("'", a.postcode(), "' is not an Australian postcode (4 digits)")});
  }
}

bool IsPhone(absl::string_view p) {
  int digits = 0;
  for (char c : p) {
    if (absl::ascii_isdigit(c)) {
      ++digits;
    } else if (c != ' ' && c != '(' && c != ')' && c != '+' && c != '-') {
      return false;
    }
  }
  return p.size() <= 16 && digits >= 8;
}

bool IsEmail(absl::string_view e) {
  const size_t at = e.find('@');
  if (at == absl::string_view::npos || at == 0 || e.find('@', at + 1) != absl::string_view::npos ||
      e.size() > 200) {
    return false;
  }
  if (std::any_of(e.begin(), e.end(), [](char c) { return absl::ascii_isspace(c); })) return false;
  const absl::string_view domain = e.substr(at + 1);
  const size_t dot = domain.find('.');
  return dot != absl::string_view::npos && dot > 0 && domain.back() != '.';
}

void CheckContact(const v1::AuthorisedContact& c, const std::string& at, Violations& out) {
  CheckText(c.name(), kMaxName, at + ".name", out);
  CheckText(c.role(), kMaxName, at + ".role", out);
  if (c.phone().empty() && c.email().empty()) {
    out.push_back({at + ".phone", "a phone number or an email address is required"});
  }
  if (!c.phone().empty() && !IsPhone(c.phone())) {
    out.push_back({at + ".phone", absl::StrCat("'", c.phone(),
                                               "' is not a phone number (8 to 15 digits, spaces, "
                                               "( ) + -, 16 characters at most)")});
  }
  if (!c.email().empty() && !IsEmail(c.email())) {
    out.push_back({at + ".email", absl::StrCat("'", c.email(), "' is not an email address")});
  }
}

void CheckDetails(const v1::ClientDetails& d, absl::CivilDay today, Violations& out) {
  const std::string at = "records.details";
  auto none = [&](bool set, const char* field, const char* entity) {
    if (set) out.push_back({absl::StrCat(at, ".", field), absl::StrCat("not for ", entity)});
  };
  switch (d.entity()) {
    case v1::ClientDetails::INDIVIDUAL: {
      CheckText(d.family_name(), kMaxName, at + ".family_name", out);
      const std::optional<absl::CivilDay> born = ParseDate(d.date_of_birth());
      if (!born) {
        out.push_back({at + ".date_of_birth",
                       d.date_of_birth().empty()
                           ? "required"
                           : absl::StrCat("'", d.date_of_birth(), "' is not a date (YYYY-MM-DD)")});
      } else if (*born > today || *born < kEarliestBirth) {
        out.push_back({at + ".date_of_birth",
                       absl::StrCat(d.date_of_birth(), " is not between ",
                                    absl::FormatCivilTime(kEarliestBirth), " and today (",
                                    absl::FormatCivilTime(today), ")")});
      }
      none(!d.organisation_name().empty(), "organisation_name", "an individual");
      none(d.not_for_profit(), "not_for_profit", "an individual");
      none(d.super_fund(), "super_fund", "an individual");
      none(d.self_managed_super_fund(), "self_managed_super_fund", "an individual");
      return;
    }
    case v1::ClientDetails::NON_INDIVIDUAL:
      CheckText(d.organisation_name(), kMaxName, at + ".organisation_name", out);
      none(!d.family_name().empty(), "family_name", "a non-individual");
      none(!d.given_name().empty(), "given_name", "a non-individual");
      none(!d.other_given_names().empty(), "other_given_names", "a non-individual");
      none(!d.date_of_birth().empty(), "date_of_birth", "a non-individual");
      if (d.self_managed_super_fund() && !d.super_fund()) {
        out.push_back({at + ".super_fund", "a self-managed super fund is a super fund"});
      }
      return;
    default:
      out.push_back({at + ".entity", "required: INDIVIDUAL or NON_INDIVIDUAL"});
  }
}

void CheckBankAccount(const v1::FinancialInstitutionAccount& a, const std::string& at,
                      Violations& out) {
  if (a.purpose() == v1::FinancialInstitutionAccount::PURPOSE_UNSPECIFIED) {
    out.push_back({at + ".purpose",
                   "required: INCOME_TAX_REFUND, ACTIVITY_STATEMENT_REFUND or SUPERANNUATION"});
  }
  if (a.bsb().size() != 6 || !AllDigits(a.bsb())) {
    out.push_back({at + ".bsb", absl::StrCat("'", a.bsb(), "' is not a BSB (6 digits)")});
  }
  if (a.account_number().empty() || a.account_number().size() > 9 ||
      !AllDigits(a.account_number())) {
    out.push_back({at + ".account_number", absl::StrCat("'", a.account_number(),
                                                        "' is not an account number (1 to 9 "
                                                        "digits)")});
  }
  CheckText(a.account_name(), kMaxAccountName, at + ".account_name", out);
}

// How many records of `field` `records` holds.
int Count(const v1::DemographicRecords& records, const google::protobuf::FieldDescriptor* field) {
  const google::protobuf::Reflection* r = records.GetReflection();
  return field->is_repeated() ? r->FieldSize(records, field)
                              : (r->HasField(records, field) ? 1 : 0);
}

// Records only of the service's kind, and (for a change) at least one.
void CheckRecordKinds(const v1::DemographicsRequest& r, const ServiceSpec& spec, bool change,
                      Violations& out) {
  const google::protobuf::Descriptor* d = v1::DemographicRecords::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    const int n = Count(r.records(), f);
    const std::string field = absl::StrCat("records.", f->name());
    if (!change && n > 0) {
      out.push_back({field, absl::StrCat("a ", v1::CudemogrOperation_Name(r.operation()),
                                         " carries no records")});
    } else if (change && f->name() != spec.records_field && n > 0) {
      out.push_back({field, absl::StrCat(spec.code, " takes records.", spec.records_field)});
    } else if (change && f->name() == spec.records_field && n == 0) {
      out.push_back(
          {field, absl::StrCat("required: what to ",
                               absl::AsciiStrToLower(v1::CudemogrOperation_Name(r.operation())))});
    }
  }
}

// Each submitted record of a kind that is one per usage or purpose, once.
template <typename Record, typename Key>
void CheckOnePer(const google::protobuf::RepeatedPtrField<Record>& records, Key key,
                 const std::string& at, const char* what, Violations& out) {
  std::set<int> seen;
  for (int i = 0; i < records.size(); ++i) {
    if (key(records[i]) != 0 && !seen.insert(key(records[i])).second) {
      out.push_back({absl::StrCat(at, "[", i, "]"), absl::StrCat("a second record of its ", what)});
    }
  }
}

}  // namespace

bool IsAustralian(const v1::ClientAddress& address) {
  return address.country().empty() || address.country() == "AU";
}

std::vector<FieldViolation> RequestViolations(const v1::DemographicsRequest& r,
                                              absl::CivilDay today) {
  Violations out;
  clntcomm::CheckAgent(r.agent(), r.has_agent(), out);
  const ServiceSpec* spec = FindService(r.service());
  if (spec == nullptr) {
    out.push_back({"service",
                   "required: ADDRESSES, ASSOCIATES, AUTHORISED_CONTACTS, DETAILS or "
                   "FINANCIAL_INSTITUTIONS"});
  } else if (!Offers(*spec, r.operation())) {
    out.push_back(
        {"operation",
         absl::StrCat(spec->code, " (", v1::CudemogrService_Name(r.service()), ") offers ",
                      OfferedText(*spec), ", not ", v1::CudemogrOperation_Name(r.operation()))});
  }
  if (!r.has_client()) {
    out.push_back({"client", "required: the client"});
  } else if (auto problem = clntcomm::IdentifierProblem(r.client(), "client")) {
    out.push_back(*std::move(problem));
  }
  if (spec == nullptr || !Offers(*spec, r.operation())) return out;
  if (!r.account().empty() && !spec->account_level) {
    out.push_back({"account", absl::StrCat(spec->code, " works at client level only")});
  } else if (!r.account().empty() && !relationships::IsAccount(r.account())) {
    out.push_back(
        {"account", absl::StrCat("'", r.account(), "' is not \"IT\" or \"AS:<number>\"")});
  }
  if (r.include_history() && r.operation() != v1::LIST) {
    out.push_back({"include_history", "only a LIST has history"});
  }
  const bool change = r.operation() == v1::SUBMIT || r.operation() == v1::VALIDATE;
  CheckRecordKinds(r, *spec, change, out);
  if (!change) return out;
  const v1::DemographicRecords& records = r.records();
  switch (r.service()) {
    case v1::ADDRESSES:
      for (int i = 0; i < records.addresses_size(); ++i) {
        const std::string at = absl::StrCat("records.addresses[", i, "]");
        CheckAddress(records.addresses(i), at, out);
        CheckDates(records.addresses(i).start_date(), records.addresses(i).end_date(), at, out);
      }
      CheckOnePer(
          records.addresses(), [](const v1::ClientAddress& a) { return a.usage(); },
          "records.addresses", "usage", out);
      break;
    case v1::AUTHORISED_CONTACTS:
      for (int i = 0; i < records.authorised_contacts_size(); ++i) {
        CheckContact(records.authorised_contacts(i),
                     absl::StrCat("records.authorised_contacts[", i, "]"), out);
      }
      break;
    case v1::DETAILS:
      if (records.has_details()) CheckDetails(records.details(), today, out);
      break;
    case v1::FINANCIAL_INSTITUTIONS:
      for (int i = 0; i < records.financial_institution_accounts_size(); ++i) {
        const v1::FinancialInstitutionAccount& a = records.financial_institution_accounts(i);
        const std::string at = absl::StrCat("records.financial_institution_accounts[", i, "]");
        CheckBankAccount(a, at, out);
        CheckDates(a.start_date(), a.end_date(), at, out);
      }
      CheckOnePer(
          records.financial_institution_accounts(),
          [](const v1::FinancialInstitutionAccount& a) { return a.purpose(); },
          "records.financial_institution_accounts", "purpose", out);
      break;
    default:  // ASSOCIATES offers no change
      break;
  }
  return out;
}

}  // namespace sbrgate::demographics
