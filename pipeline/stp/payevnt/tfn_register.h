// The TFN register: a deterministic stand-in for the ATO's own records, so
// the SBR simulator can run a backend check that a DSP cannot run itself.
//
// The rule (backend, code CMN.ATO.PAYEVNTEMP.000180): a payee whose TFN is
// on the register must carry the registered family name (compared ignoring
// ASCII case and surrounding spaces); otherwise the record fails to match
// ("Payee name does not match the TFN register"). TFNs not on the register
// pass. A matching failure does not reject the record: as seed 002 has it,
// the simulator posts it to the employer as correspondence
// (pipeline/sim/simulator/lodgment_processor.h).
//
// The register is derived, not stored: entry i (0 <= i < kRegisterSize) is
// the 9-digit TFN "8" + i as six digits + an adjustment digit + the check
// digit, and its family name is picked from i. No generator of ordinary TFNs
// produces a leading 8 (check_digits.h), so only lodgments that mean to use
// the register hit it. Lookup is O(1).
//
//   std::string tfn = RegisteredTfn(42);                 // "800004205"-like
//   std::string name = RegisteredFamilyName(42);
//   LookupRegisteredFamilyName(tfn);                     // == name
//   std::optional<FieldError> e = CheckTfnRegister(employee);
#ifndef SBRGATE_PIPELINE_PAYEVNT_TFN_REGISTER_H_
#define SBRGATE_PIPELINE_PAYEVNT_TFN_REGISTER_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "pipeline/stp/payevnt/record.h"

namespace sbrgate::payevnt {

inline constexpr int kRegisterSize = 1000000;

// Entry `i`, taken modulo kRegisterSize (negative i counts from the end).
std::string RegisteredTfn(int i);
std::string RegisteredFamilyName(int i);

// The register index of `tfn`, or nullopt when it is not on the register.
std::optional<int> RegisterIndex(absl::string_view tfn);
std::optional<std::string> LookupRegisteredFamilyName(absl::string_view tfn);

// A family name that differs from entry i's (for making deliberate
// mismatches); deterministic in i and `variant`.
std::string OtherFamilyName(int i, int variant);

// The backend rule on one employee record: the FieldError (path of
// FamilyNameT, DocumentID of the record) when it fails, else nullopt.
std::optional<FieldError> CheckTfnRegister(const EmployeeRecord& employee);

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_PAYEVNT_TFN_REGISTER_H_
