// The records of an STP pay event as sbrgate reads them (the employer's
// PAYEVNT and each employee's PAYEVNTEMP), and FieldError, the one error
// model every check on them reports in. FieldError has the shape of an SBR
// event.02 EventItem, so a simulator can answer with it unchanged and a
// client can show the ATO's errors and ours the same way.
//
//   FieldError e = MakeFieldError(codes::kInvalidTfn, "1.7", kTfnPath,
//                                 {{"Value", "*****6782"}});  // error_catalogue.h
//   std::string text = Substitute(e);   // detailed description, filled in
//   std::string line = ToString(e);     // "1.7 VR.ATO... /tns:...: text"
#ifndef SBRGATE_PIPELINE_PAYEVNT_RECORD_H_
#define SBRGATE_PIPELINE_PAYEVNT_RECORD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace sbrgate::payevnt {

inline constexpr char kPayevntNamespace[] = "http://www.sbr.gov.au/ato/payevnt";
inline constexpr char kPayevntempNamespace[] = "http://www.sbr.gov.au/ato/payevntemp";
// sbrgate's own wrapper around a lodgment file (see lodgment_reader.h).
inline constexpr char kLodgmentNamespace[] = "http://sbrgate.dev/ns/lodgment";

struct FieldError {
  std::string code;  // e.g. CMN.ATO.PAYEVNTEMP.000180, CMN.ATO.GEN.XML03
  std::string severity = "Error";
  std::string document_id;  // Record_Delimiter DocumentID, e.g. "1.7"
  // XPath of the field, e.g.
  // /tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId
  std::string path;
  std::string short_description;
  std::string detailed_description;  // may contain {Identifier} references
  std::vector<std::pair<std::string, std::string>> parameters;  // identifier, text
};

// The detailed description (or the short one when there is none) with each
// {Identifier} replaced by its parameter's text; unknown references stay.
std::string Substitute(const FieldError& error);

// One line for logs and the CLI: "<document_id> <code> <path>: <description>"
// ("-" when there is no DocumentID; the path is left out when empty).
std::string ToString(const FieldError& error);

// The employer's document (PAYEVNT). Fields the document lacks stay empty.
struct EmployerRecord {
  std::string document_id;
  std::string abn;
  std::string wpn;
  std::string branch;
  std::string bms_id;
  std::string interaction_transaction_id;
  absl::CivilDay payment_date;
  absl::Time message_timestamp = absl::InfinitePast();
  int64_t interaction_record_count = 0;
  std::string organisation_name;
  // The intermediary (Int) lodging on the payer's behalf, when there is one:
  // its ABN and its tax agent number (TAN).
  std::string intermediary_abn;
  std::string intermediary_tan;
};

// The 9-digit WPN in PAYEVNT's 11-digit WithholdingPayerNumberId, which
// carries it zero-padded like the ATO's other ABN-or-WPN fields
// ("00123456789" -> "123456789"; an 8-digit WPN keeps one leading zero):
// how access files, lodgments and the ebMS From party name the payer. A
// field of another shape is returned as it is.
std::string UnpaddedWpn(absl::string_view field);

// One employee's document (PAYEVNTEMP). Amounts are year-to-date, summed
// over the payee's income streams, in cents.
struct EmployeeRecord {
  std::string document_id;
  std::string related_document_id;  // the employer's DocumentID
  std::string tfn;
  std::string abn;
  std::string payroll_id;
  std::string family_name;
  std::string given_name;
  int64_t gross_cents = 0;
  int64_t paygw_cents = 0;
  absl::CivilDay period_start;
  absl::CivilDay period_end;
};

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_PAYEVNT_RECORD_H_
