// ParseDate: the one strict reader of YYYY-MM-DD dates (CLNTCOMM request
// dates, xs:date fields of pay events): four-two-two digits and a real
// calendar day. 2024-02-30 is refused rather than normalised to 1 March, and
// nothing around the date (spaces, a sign, a zone) is accepted.
//
//   std::optional<absl::CivilDay> day = ParseDate("2024-02-29");  // 2024-02-29
//   ParseDate("2023-02-29");                                      // nullopt
#ifndef SBRGATE_PIPELINE_COMMON_DATES_H_
#define SBRGATE_PIPELINE_COMMON_DATES_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace sbrgate {

std::optional<absl::CivilDay> ParseDate(absl::string_view text);

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_COMMON_DATES_H_
