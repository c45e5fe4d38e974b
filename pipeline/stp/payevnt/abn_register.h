// The ABN register: a deterministic stand-in for the Australian Business
// Register, so the SBR simulator can run the employer check a DSP cannot run
// itself (the employer half of seed 002's rule: the Employer Payroll Event
// must pass channel validation AND backend processing).
//
// The rule (backend, code CMN.ATO.PAYEVNT.000193): a payer whose ABN the
// register lists as cancelled cannot lodge; the lodgment is rejected whole.
// The register is derived, not stored: the cancelled ABNs are the valid ABNs
// whose nine trailing digits start with 99999 (entry i: 99999 followed by i
// as four digits), so lookups are O(1) and tests can name one.
//
//   std::string abn = CancelledAbn(3);         // valid check digits
//   IsCancelledAbn(abn);                       // true
//   std::optional<FieldError> e = CheckAbnRegister(employer);
#ifndef SBRGATE_PIPELINE_PAYEVNT_ABN_REGISTER_H_
#define SBRGATE_PIPELINE_PAYEVNT_ABN_REGISTER_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "pipeline/stp/payevnt/record.h"

namespace sbrgate::payevnt {

inline constexpr int kCancelledAbnCount = 10000;

// Entry `i` (taken modulo kCancelledAbnCount).
std::string CancelledAbn(int i);
bool IsCancelledAbn(absl::string_view abn);
std::optional<FieldError> CheckAbnRegister(const EmployerRecord& employer);

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_PAYEVNT_ABN_REGISTER_H_
