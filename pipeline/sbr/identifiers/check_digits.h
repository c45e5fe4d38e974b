// Check digits of Australian Business Numbers and Tax File Numbers, by the
// ATO's published rules, plus makers of valid and deliberately invalid ones
// for the lodgment generator and tests.
//
//   IsValidAbn("51824753556");   // true: the ATO's own ABN
//   IsValidTfn("123456782");     // true
//   std::string tfn = MakeValidTfn(/*seed=*/42);        // 9 digits, valid
//   std::string bad = MakeInvalidTfn(/*seed=*/42);      // 9 digits, bad check
//
// Rules (shared/reference/sbr-profile.md):
//   ABN: 11 digits; subtract 1 from the first digit, weight the digits by
//        10,1,3,5,7,9,11,13,15,17,19; the sum must be divisible by 89.
//   TFN: 9 digits weighted 1,4,3,7,5,8,6,9,10, or 8 digits weighted
//        10,7,8,4,6,3,5,1; the sum must be divisible by 11.
// Only ASCII digits are accepted: no spaces, no separators. An ABN never
// starts with 0 (its first digit is the check's tens digit plus one).
#ifndef SBRGATE_PIPELINE_SBR_IDENTIFIERS_CHECK_DIGITS_H_
#define SBRGATE_PIPELINE_SBR_IDENTIFIERS_CHECK_DIGITS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace sbrgate::identifiers {

bool IsValidAbn(absl::string_view abn);
bool IsValidTfn(absl::string_view tfn);

// The codes STP accepts in place of a TFN (000000000 not quoted, 111111111
// applied for, 333333333 under 18, 444444444 pensioner). They do not pass
// the check-digit rule and are not meant to.
bool IsTfnExemptionCode(absl::string_view tfn);

// Valid numbers derived from `seed` (same seed, same number). Generated TFNs
// never start with 8 or 9: the TFN register (tfn_register.h) owns 8xxxxxxxx.
std::string MakeValidAbn(uint64_t seed);
std::string MakeValidTfn(uint64_t seed);   // 9 digits
std::string MakeValidTfn8(uint64_t seed);  // 8 digits (older TFNs)

// Right shape, wrong check digit: they pass the schema, fail the rule.
std::string MakeInvalidAbn(uint64_t seed);
std::string MakeInvalidTfn(uint64_t seed);

// `abn` (11 digits) with its last digit changed so the check fails.
std::string BreakAbnCheckDigit(absl::string_view abn, uint64_t seed);

}  // namespace sbrgate::identifiers

#endif  // SBRGATE_PIPELINE_SBR_IDENTIFIERS_CHECK_DIGITS_H_
