// Australia/Sydney time for the CLNTCOMM rules: the ATO states its limits
// ("not after today", "8:00pm AEST/AEDT") in Sydney civil time, with daylight
// saving as the time zone database has it.
//
//   const absl::TimeZone& tz = SydneyTimeZone();
//   absl::CivilDay today = absl::ToCivilDay(clock.Now(), tz);
//   std::string d = SydneyDate(clock.Now());   // "2024-10-06"
//
// The zone is loaded once from the system tzdata. A host without
// Australia/Sydney cannot apply the rules (a fixed +10:00 would schedule bulk
// work an hour late all summer), so loading failure aborts the process with
// a message rather than guessing.
#ifndef SBRGATE_PIPELINE_CLNTCOMM_SYDNEY_H_
#define SBRGATE_PIPELINE_CLNTCOMM_SYDNEY_H_

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace sbrgate::clntcomm {

const absl::TimeZone& SydneyTimeZone();

// The Sydney calendar day of `t`, as YYYY-MM-DD (the request date format).
std::string SydneyDate(absl::Time t);

}  // namespace sbrgate::clntcomm

#endif  // SBRGATE_PIPELINE_CLNTCOMM_SYDNEY_H_
