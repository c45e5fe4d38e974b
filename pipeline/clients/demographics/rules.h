// The rules of a CUDEMOGR request (seed 001: Client Update Demographics)
// that both sides check: sbrgate before sending, the simulator on receipt.
// One function for the five services; catalog.h says what each offers.
//
//   std::vector<FieldViolation> v = RequestViolations(request, today);
//   if (!v.empty()) return clntcomm::ViolationsToStatus(v);   // INVALID_ARGUMENT
//
//   agent            ABN (11 digits, check digit) and RAN, as for CLNTCOMM
//   service          one of the five
//   operation        one the service offers (CUASSOC: LIST only; CUAUTHCNTCT:
//                    SUBMIT and VALIDATE; CUDTL: GET, SUBMIT, VALIDATE; ...)
//   client           a TFN, ABN, WPN or ARN of its type's shape and check digit
//   account          ADDRESSES and AUTHORISED_CONTACTS only: empty (client
//                    level) or "IT" / "AS:<number>" (as CUREL names accounts)
//   include_history  LIST only
//   records          reads carry none; SUBMIT and VALIDATE carry records of
//                    the service's kind only, at least one (DETAILS: the
//                    details), one per usage (addresses) or purpose
//                    (accounts), end dates unset (the ATO's to set), start
//                    dates real dates when given
//   address          a usage; 1 to 4 lines of 1 to 38 characters; a locality
//                    of 1 to 46; country empty (AU) or two upper-case
//                    letters; in AU a state of kStates and a 4-digit postcode
//   contact          a name and a role; a phone (8 to 15 digits, spaces and
//                    "()+-", 16 characters at most) or an email
//                    (local@domain.tld), or both
//   details          an entity; INDIVIDUAL: a family name, a date of birth
//                    that is a real date, not after today nor before
//                    1900-01-01, and no organisation fields; NON_INDIVIDUAL:
//                    an organisation name and no individual fields; a
//                    self-managed super fund is a super fund
//   account (FI)     a purpose, BSB of 6 digits, account number of 1 to 9
//                    digits, account name of 1 to 32 characters
// Names and roles are 1 to 200 characters. A value of only spaces is missing. Fields are named as
// in the proto, e.g. "records.addresses[0].postcode".
//
// The lengths are PAYEVNT's for the same kinds of field (address line 38,
// locality 46) and the direct-entry (BECS) account name (32); the state list
// is PAYEVNT's less OTH. All inferred: the CUDEMOGR package is not public.
#ifndef SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_RULES_H_
#define SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_RULES_H_

#include <array>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "pipeline/platform/common/field_violation.h"
#include "proto/demographics.pb.h"

namespace sbrgate::demographics {

inline constexpr std::array<absl::string_view, 8> kStates = {"ACT", "NSW", "NT",  "QLD",
                                                             "SA",  "TAS", "VIC", "WA"};
inline constexpr int kMaxAddressLines = 4;
inline constexpr size_t kMaxAddressLine = 38;
inline constexpr size_t kMaxLocality = 46;
inline constexpr size_t kMaxAccountName = 32;
inline constexpr size_t kMaxName = 200;
inline constexpr absl::CivilDay kEarliestBirth{1900, 1, 1};

// Every broken rule of `r`, in field order, judged as of `today` (the date
// of birth); empty when none.
std::vector<FieldViolation> RequestViolations(const v1::DemographicsRequest& r,
                                              absl::CivilDay today);

// Whether the country of an address is Australia (empty or "AU").
bool IsAustralian(const v1::ClientAddress& address);

}  // namespace sbrgate::demographics

#endif  // SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_RULES_H_
