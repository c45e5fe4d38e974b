#include "pipeline/clntcomm/rules/schedule.h"

#include <algorithm>

#include "absl/time/civil_time.h"
#include "pipeline/clntcomm/rules/sydney.h"

namespace sbrgate::clntcomm {
namespace {

bool IsWeekday(absl::CivilDay day) {
  const absl::Weekday wd = absl::GetWeekday(day);
  return wd != absl::Weekday::saturday && wd != absl::Weekday::sunday;
}

// The instant of `hour`:00 on Sydney day `day`. The windows open at 10:00 and
// 20:00, hours daylight saving never skips or repeats in Sydney.
absl::Time SydneyAt(absl::CivilDay day, int hour) {
  return SydneyTimeZone()
      .At(absl::CivilSecond(day.year(), day.month(), day.day(), hour, 0, 0))
      .pre;
}

}  // namespace

bool SmsOrEmailOnly(const std::vector<v1::Channel>& channels) {
  if (channels.empty()) return false;
  return std::all_of(channels.begin(), channels.end(),
                     [](v1::Channel c) { return c == v1::SMS || c == v1::EMAIL; });
}

absl::Time EarliestStart(JobKind kind, const std::vector<v1::Channel>& channels,
                         absl::Time requested) {
  if (kind == JobKind::kSingle) return requested;
  const absl::CivilSecond local = absl::ToCivilSecond(requested, SydneyTimeZone());
  const int hour = local.hour();
  if (hour >= kBulkWindowStartHour || hour < kBulkWindowEndHour) return requested;

  // Between 6:00 am and 8:00 pm: tonight's window, or the SMS window today.
  const absl::CivilDay today(local);
  const absl::Time tonight = SydneyAt(today, kBulkWindowStartHour);
  if (!SmsOrEmailOnly(channels) || !IsWeekday(today)) return tonight;
  if (hour >= kSmsWindowStartHour && hour < kSmsWindowEndHour) return requested;
  if (hour < kSmsWindowStartHour) return SydneyAt(today, kSmsWindowStartHour);
  return tonight;
}

TimeWindow DailyWindow(absl::Time now) { return {now - kDailyPeriod, now}; }

absl::Time CheckThrottle::NextAllowedCheck(absl::string_view agent_abn) const {
  absl::MutexLock lock(&mu_);
  auto it = last_check_.find(agent_abn);
  if (it == last_check_.end()) return absl::InfinitePast();
  return it->second + kMinCheckInterval;
}

CheckWindow CheckThrottle::Begin(absl::string_view agent_abn, absl::Time now) const {
  absl::MutexLock lock(&mu_);
  CheckWindow w;
  auto it = last_check_.find(agent_abn);
  if (it == last_check_.end()) {
    w.allowed = true;
    w.from = now - kDailyPeriod;
    w.to = now;
    return w;
  }
  const absl::Time next = it->second + kMinCheckInterval;
  if (now < next) {
    w.retry_at = next;
    return w;
  }
  w.allowed = true;
  w.from = it->second;
  w.to = now;
  return w;
}

void CheckThrottle::Record(absl::string_view agent_abn, absl::Time checked_at) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = last_check_.try_emplace(std::string(agent_abn), checked_at);
  if (!inserted) it->second = std::max(it->second, checked_at);
}

}  // namespace sbrgate::clntcomm
