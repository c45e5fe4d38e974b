// The CLREG rules a registration can be checked against without the ICS
// register (seed 004): sbrgate runs them before SBR is asked, and the
// simulator's agency runs them again on what arrives, so a request either
// side refuses is refused for the same reason, with the same code and field.
//
//   std::vector<v1::RegistrationError> errors = RegistrationErrors(request);
//   if (!errors.empty()) ... refuse, naming each error's field ...
//
// The rules:
//   agent.agent_abn  the practice's ABN, with a valid check digit
//   ccid / abn       exactly one of the two, never both (a CCID created or
//                    an ABN registered, one per request)
//   IND              family name, business address type and address line 1
//                    (the business address details), contact name, contact
//                    address, role names; no organisation name
//   ORG              organisation name, country, business address type,
//                    address line 1, contact name, contact purpose, contact
//                    address, role names; no family or given names
//   ABN              the ABN (11 digits, valid check digit), contact name,
//                    contact purpose, contact address, role names; cac 0
//                    (the lowest-numbered valid one) or a CAC number
//   contact.address  1 to 6 data elements, none empty
//   role_names       at least one, each from KnownRoleNames(), none twice
// A value of only spaces is missing.
//
// The codes are ATO-shaped but inferred (unverified): the ATO's CLREG codes
// are not public. So are the role names. Rules that need the register (ABN
// already registered, the user's roles, the CAC, duplicates) are the
// agency's: pipeline/sim/simulator/ics_register.h.
#ifndef SBRGATE_PIPELINE_CLIENTS_ICS_RULES_REGISTRATION_RULES_H_
#define SBRGATE_PIPELINE_CLIENTS_ICS_RULES_REGISTRATION_RULES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "proto/ics.pb.h"

namespace sbrgate::ics {

// Error codes (unverified).
inline constexpr char kCodeMissing[] = "CMN.ATO.CLREG.000001";           // minimum data
inline constexpr char kCodeCcidOrAbn[] = "CMN.ATO.CLREG.000002";         // exactly one
inline constexpr char kCodeContactAddress[] = "CMN.ATO.CLREG.000003";    // 1 to 6 elements
inline constexpr char kCodeNotForType[] = "CMN.ATO.CLREG.000004";        // another type's field
inline constexpr char kCodeInvalidAbn[] = "CMN.ATO.CLREG.000010";        // "Invalid ABN"
inline constexpr char kCodeAbnRegistered[] = "CMN.ATO.CLREG.000011";     // "ABN already registered"
inline constexpr char kCodeNoValidRole[] = "CMN.ATO.CLREG.000012";       // the user's roles
inline constexpr char kCodeInvalidRoleName[] = "CMN.ATO.CLREG.000013";   // "Invalid Role name"
inline constexpr char kCodeCac[] = "CMN.ATO.CLREG.000014";               // no such valid CAC
inline constexpr char kCodeAbnCancelled[] = "CMN.ATO.CLREG.000015";      // a cancelled ABN
inline constexpr char kCodeNotAuthorised[] = "SBR.GEN.AUTH.006";         // not the sender
inline constexpr char kCodeBadRequest[] = "CMN.ATO.GEN.XML03";           // unreadable request
inline constexpr char kCodeSystemError[] = "SBR.GEN.FAULT.SYSTEMERROR";  // fault mode

inline constexpr int kMinContactAddressElements = 1;
inline constexpr int kMaxContactAddressElements = 6;

// The role names a client may be registered with (unverified: ICS's own
// list is not public), upper case.
const std::vector<std::string>& KnownRoleNames();
bool IsKnownRoleName(absl::string_view name);

// Every broken rule of the list above, in field order; empty when none.
std::vector<v1::RegistrationError> RegistrationErrors(const v1::RegisterClientRequest& request);

// Whether `text` is empty or only spaces.
bool IsBlank(absl::string_view text);

}  // namespace sbrgate::ics

#endif  // SBRGATE_PIPELINE_CLIENTS_ICS_RULES_REGISTRATION_RULES_H_
