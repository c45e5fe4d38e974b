#include "pipeline/platform/common/dates.h"

#include <algorithm>

namespace sbrgate {
namespace {

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<absl::CivilDay> ParseDate(absl::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2)))
    return std::nullopt;
  auto num = [&](size_t pos, size_t len) {
    int n = 0;
    for (size_t i = pos; i < pos + len; ++i) n = n * 10 + (s[i] - '0');
    return n;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return std::nullopt;
  return day;
}

}  // namespace sbrgate
