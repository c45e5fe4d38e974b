#include "pipeline/platform/common/mask.h"
#include "pipeline/stp/payevnt/record_checks.h"

#include <libxml/xmlerror.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/dates.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/sbr/identifiers/check_digits.h"
#include "pipeline/stp/payevnt/error_catalogue.h"

namespace sbrgate::payevnt {
namespace {

std::string Trim(const char* message) {
  return std::string(absl::StripAsciiWhitespace(message == nullptr ? "" : message));
}

// xs:date (no zone; the schemas require that shape), whitespace collapsed.
bool ParseDay(absl::string_view text, absl::CivilDay* day) {
  text = absl::StripAsciiWhitespace(text);
  if (text.size() != 10) return false;
  if (std::optional<absl::CivilDay> d = ParseDate(text)) {
    *day = *d;
    return true;
  }
  // Other ten-character xs:dates (a signed year) as absl reads them; absl
  // refuses the days ParseDate does (2023-02-29) too.
  return absl::ParseCivilTime(text, day);
}

// xs:decimal with at most two fraction digits, to cents.
bool ParseCents(absl::string_view text, int64_t* cents) {
  text = absl::StripAsciiWhitespace(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view frac =
      dot == absl::string_view::npos ? absl::string_view() : text.substr(dot + 1);
  if ((whole.empty() && frac.empty()) || whole.size() > 15 || frac.size() > 2) return false;
  int64_t value = 0;
  for (char c : whole) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  for (size_t i = 0; i < 2; ++i) {
    const char c = i < frac.size() ? frac[i] : '0';
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  *cents = negative ? -value : value;
  return true;
}

std::string FormatCents(int64_t cents) {
  const bool negative = cents < 0;
  const uint64_t v = negative ? -static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  return absl::StrCat(negative ? "-" : "", v / 100, ".", v % 100 < 10 ? "0" : "", v % 100);
}

// XPath of `node` within the record rooted at `root`, in SBR's style:
// /tns:PAYEVNTEMP/tns:Payee/.../tns:GrossA, with [n] where a name repeats.
std::string NodePath(const xmlNode* node, const xmlNode* root, absl::string_view ns) {
  std::string attribute;
  if (node != nullptr && node->type == XML_ATTRIBUTE_NODE) {
    attribute = absl::StrCat("/@", reinterpret_cast<const char*>(node->name));
    node = node->parent;
  }
  std::vector<std::string> steps;
  for (const xmlNode* n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    std::string step = std::string(xml::NamespaceUri(n) == ns ? "tns:" : "");
    step += std::string(xml::LocalName(n));
    if (n != root && n->parent != nullptr) {
      int index = 0, count = 0;
      for (const xmlNode* s = n->parent->children; s != nullptr; s = s->next) {
        if (s->type != XML_ELEMENT_NODE || xml::LocalName(s) != xml::LocalName(n) ||
            xml::NamespaceUri(s) != xml::NamespaceUri(n)) {
          continue;
        }
        ++count;
        if (s == n) index = count;
      }
      if (count > 1) absl::StrAppend(&step, "[", index, "]");
    }
    steps.push_back(std::move(step));
    if (n == root) break;
  }
  std::string path;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) absl::StrAppend(&path, "/", *it);
  return path + attribute;
}

struct SchemaProblem {
  std::string message;
  const xmlNode* node;
};

void CollectSchemaProblem(void* user, xmlError* error) {
  static_cast<std::vector<SchemaProblem>*>(user)->push_back(
      {Trim(error->message), static_cast<const xmlNode*>(error->node)});
}

}  // namespace

std::vector<FieldError> SchemaErrors(xmlSchemaValidCtxt* ctxt, xmlNode* root,
                                     const std::string& document_id, absl::string_view ns) {
  std::vector<SchemaProblem> problems;
  xmlSchemaSetValidStructuredErrors(ctxt, CollectSchemaProblem, &problems);
  const int rc = xmlSchemaValidateOneElement(ctxt, root);
  xmlSchemaSetValidStructuredErrors(ctxt, nullptr, nullptr);
  if (rc == 0 && problems.empty()) return {};
  if (problems.empty()) problems.push_back({"the document does not match the schema", root});
  std::vector<FieldError> errors;
  std::vector<const xmlNode*> reported;
  const std::string qualified = absl::StrCat("{", ns, "}");
  for (SchemaProblem& p : problems) {
    // libxml2 often follows a facet error with a generic one on the same
    // node; SBR reports one error per field.
    const xmlNode* node = p.node != nullptr ? p.node : root;
    if (std::find(reported.begin(), reported.end(), node) != reported.end()) continue;
    reported.push_back(node);
    std::string message = absl::StrReplaceAll(p.message, {{qualified, "tns:"}});
    if (node->type == XML_ELEMENT_NODE && xml::LocalName(node) == "TaxFileNumberId") {
      const std::string tfn = xml::NodeText(node);
      if (!tfn.empty()) {
        message = absl::StrReplaceAll(
            message, {{absl::StrCat("'", tfn, "'"), absl::StrCat("'", MaskIdentifier(tfn), "'")}});
      }
    }
    errors.push_back(MakeFieldError(codes::kSchemaViolation, document_id, NodePath(node, root, ns),
                                    {{"Message", std::move(message)}}));
  }
  return errors;
}

bool CheckEmployer(const xmlNode* root, int max_payment_days_ahead, Record& rec) {
  EmployerRecord& e = rec.employer;
  const std::string& id = rec.document_id;
  const absl::string_view ns = kPayevntNamespace;
  e.document_id = id;
  const xmlNode* rp = xml::FirstChild(root, "Rp");
  e.bms_id = xml::ChildText(rp, "SoftwareInformationBusinessManagementSystemId");
  e.abn = xml::ChildText(rp, "AustralianBusinessNumberId");
  e.wpn = xml::ChildText(rp, "WithholdingPayerNumberId");
  e.branch = xml::ChildText(rp, "OrganisationDetailsOrganisationBranchC");
  e.organisation_name =
      xml::ChildText(xml::FirstChild(rp, "OrganisationName"), "DetailsOrganisationalNameT");
  const xmlNode* payroll = xml::FirstChild(rp, "Payroll");
  e.interaction_transaction_id = xml::ChildText(payroll, "InteractionTransactionId");

  auto check_abn = [&](const xmlNode* parent) {
    const xmlNode* node = xml::FirstChild(parent, "AustralianBusinessNumberId");
    const std::string abn = xml::NodeText(node);
    if (node != nullptr && abn.size() == 11 && absl::c_all_of(abn, absl::ascii_isdigit) &&
        !identifiers::IsValidAbn(abn)) {
      rec.errors.push_back(
          MakeFieldError(codes::kInvalidPayerAbn, id, NodePath(node, root, ns), {{"Value", abn}}));
    }
  };
  if (rp != nullptr) {
    check_abn(rp);
    if (e.abn.empty() && e.wpn.empty()) {
      rec.errors.push_back(
          MakeFieldError(codes::kPayerIdentifierMissing, id, NodePath(rp, root, ns)));
    }
  }
  const xmlNode* intermediary = xml::FirstChild(root, "Int");
  e.intermediary_abn = xml::ChildText(intermediary, "AustralianBusinessNumberId");
  e.intermediary_tan = xml::ChildText(intermediary, "TaxAgentNumberId");
  check_abn(intermediary);

  const xmlNode* count = xml::FirstChild(payroll, "InteractionRecordCt");
  const bool record_count_known =
      count != nullptr &&
      absl::SimpleAtoi(absl::StripAsciiWhitespace(xml::NodeText(count)),
                       &e.interaction_record_count) &&
      e.interaction_record_count >= 0;

  const xmlNode* stamp = xml::FirstChild(payroll, "MessageTimestampGenerationDt");
  const std::string stamp_text(absl::StripAsciiWhitespace(xml::NodeText(stamp)));
  bool stamp_ok = false;
  if (absl::ParseTime(absl::RFC3339_full, stamp_text, &e.message_timestamp, nullptr)) {
    stamp_ok = true;
    if (!absl::EndsWith(stamp_text, "Z") && !absl::EndsWith(stamp_text, "+00:00")) {
      rec.errors.push_back(MakeFieldError(codes::kTimestampNotUtc, id, NodePath(stamp, root, ns),
                                          {{"Value", stamp_text}}));
    }
  } else if (absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S", stamp_text, absl::UTCTimeZone(),
                             &e.message_timestamp, nullptr)) {
    stamp_ok = true;  // no zone at all: read as UTC, reported as not UTC
    rec.errors.push_back(MakeFieldError(codes::kTimestampNotUtc, id, NodePath(stamp, root, ns),
                                        {{"Value", stamp_text}}));
  }

  const xmlNode* date = xml::FirstChild(payroll, "PaymentRecordTransactionD");
  if (ParseDay(xml::NodeText(date), &e.payment_date) && stamp_ok) {
    const absl::CivilDay stamp_day = absl::ToCivilDay(e.message_timestamp, absl::UTCTimeZone());
    if (e.payment_date - stamp_day > max_payment_days_ahead) {
      rec.errors.push_back(
          MakeFieldError(codes::kPaymentDateTooFar, id, NodePath(date, root, ns),
                         {{"Date", absl::FormatCivilTime(e.payment_date)},
                          {"Timestamp", stamp_text},
                          {"Days", absl::StrCat(max_payment_days_ahead)}}));
    }
  }

  for (const xmlNode* amount :
       xml::Children(xml::FirstChild(payroll, "IncomeTaxAndRemuneration"))) {
    int64_t cents = 0;
    if (ParseCents(xml::NodeText(amount), &cents) && cents < 0) {
      rec.errors.push_back(MakeFieldError(codes::kPayerAmountOutOfRange, id,
                                          NodePath(amount, root, ns),
                                          {{"Value", FormatCents(cents)}}));
    }
  }
  return record_count_known;
}

void CheckEmployee(const xmlNode* root, Record& rec) {
  EmployeeRecord& e = rec.employee;
  const std::string& id = rec.document_id;
  const absl::string_view ns = kPayevntempNamespace;
  e.document_id = id;
  e.related_document_id = rec.related_document_id;
  const xmlNode* payee = xml::FirstChild(root, "Payee");
  const xmlNode* ids = xml::FirstChild(payee, "Identifiers");
  const xmlNode* names = xml::FirstChild(payee, "PersonNameDetails");
  e.tfn = xml::ChildText(ids, "TaxFileNumberId");
  e.abn = xml::ChildText(ids, "AustralianBusinessNumberId");
  e.payroll_id = xml::ChildText(ids, "EmploymentPayrollNumberId");
  e.family_name = xml::ChildText(names, "FamilyNameT");
  e.given_name = xml::ChildText(names, "GivenNameT");

  auto all_digits = [](const std::string& s) { return absl::c_all_of(s, absl::ascii_isdigit); };
  if ((e.tfn.size() == 8 || e.tfn.size() == 9) && all_digits(e.tfn) && !identifiers::IsTfnExemptionCode(e.tfn) &&
      !identifiers::IsValidTfn(e.tfn)) {
    rec.errors.push_back(MakeFieldError(codes::kInvalidTfn, id,
                                        NodePath(xml::FirstChild(ids, "TaxFileNumberId"), root, ns),
                                        {{"Value", MaskIdentifier(e.tfn)}}));
  }
  if (e.abn.size() == 11 && all_digits(e.abn) && !identifiers::IsValidAbn(e.abn)) {
    rec.errors.push_back(
        MakeFieldError(codes::kInvalidPayeeAbn, id,
                       NodePath(xml::FirstChild(ids, "AustralianBusinessNumberId"), root, ns),
                       {{"Value", e.abn}}));
  }

  auto check_dates = [&](const xmlNode* parent, const char* start_name, const char* end_name,
                         absl::CivilDay* start_out, absl::CivilDay* end_out) {
    const xmlNode* start = xml::FirstChild(parent, start_name);
    const xmlNode* end = xml::FirstChild(parent, end_name);
    absl::CivilDay s, f;
    const bool have_start = ParseDay(xml::NodeText(start), &s);
    const bool have_end = ParseDay(xml::NodeText(end), &f);
    if (start_out != nullptr && have_start) *start_out = s;
    if (end_out != nullptr && have_end) *end_out = f;
    if (have_start && have_end && f < s) {
      rec.errors.push_back(MakeFieldError(
          codes::kEndBeforeStart, id, NodePath(end, root, ns),
          {{"StartDate", absl::FormatCivilTime(s)}, {"EndDate", absl::FormatCivilTime(f)}}));
    }
  };
  check_dates(xml::FirstChild(payee, "EmployerConditions"), "EmploymentStartD", "EmploymentEndD",
              nullptr, nullptr);
  const xmlNode* period = xml::FirstChild(payee, "PayrollPeriod");
  check_dates(period, "StartD", "EndD", &e.period_start, &e.period_end);

  for (const xmlNode* rem :
       xml::Children(xml::FirstChild(period, "RemunerationCollection"), "Remuneration")) {
    for (auto [name, total] :
         {std::make_pair("GrossA", &e.gross_cents),
          std::make_pair("IncomeTaxPayAsYouGoWithholdingTaxWithheldA", &e.paygw_cents)}) {
      const xmlNode* amount = xml::FirstChild(rem, name);
      int64_t cents = 0;
      if (!ParseCents(xml::NodeText(amount), &cents)) continue;
      *total += cents;
      if (cents < 0) {
        rec.errors.push_back(MakeFieldError(codes::kPayeeAmountOutOfRange, id,
                                            NodePath(amount, root, ns),
                                            {{"Value", FormatCents(cents)}}));
      }
    }
  }
}

}  // namespace sbrgate::payevnt
