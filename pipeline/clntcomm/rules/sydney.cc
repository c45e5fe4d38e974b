#include "pipeline/clntcomm/rules/sydney.h"

#include <cstdio>
#include <cstdlib>

namespace sbrgate::clntcomm {

const absl::TimeZone& SydneyTimeZone() {
  static const absl::TimeZone* const tz = [] {
    auto* zone = new absl::TimeZone;
    if (!absl::LoadTimeZone("Australia/Sydney", zone)) {
      std::fprintf(stderr,
                   "sbrgate: time zone Australia/Sydney not found (install tzdata); "
                   "the CLNTCOMM rules cannot be applied\n");
      std::abort();
    }
    return zone;
  }();
  return *tz;
}

std::string SydneyDate(absl::Time t) {
  return absl::FormatCivilTime(absl::ToCivilDay(t, SydneyTimeZone()));
}

}  // namespace sbrgate::clntcomm
