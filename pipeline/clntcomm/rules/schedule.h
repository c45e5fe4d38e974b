// The CLNTCOMM reasonable-use schedule (seed 000, "Reasonable use"), in
// Australia/Sydney time with daylight saving from the time zone database:
//
//   single requests (SRP)   any time
//   bulk work (BBRP)        8:00 pm to 6:00 am Sydney time, every day
//   bulk work limited to    also 10:00 am to 6:00 pm Monday to Friday
//     SMS and/or email
//   checking for new        at most once per 60 minutes per practice, and
//     communications        only for the period since the last check
//   the daily job           the last 24 hours
//
//   absl::Time start = EarliestStart(JobKind::kBulk, {v1::EMAIL}, clock.Now());
//
//   CheckThrottle throttle;
//   CheckWindow w = throttle.Begin(abn, clock.Now());
//   if (!w.allowed) return Retry(w.retry_at);
//   ... list [w.from, w.to) ...; on success:
//   throttle.Record(abn, w.to);
//
// "Business hours" for SMS/email bulk work is read as the ATO's SMS window
// (10 am to 6 pm) on weekdays: the seed says SMS (and some email) is
// processed "during business hours" and names that window; before 10 am
// there is nothing new to fetch, and at weekends the ATO issues little, so
// those jobs wait for the night window. Public holidays are not modelled
// (running in the window on one is harmless). A bulk job naming no channel
// means every channel, so it waits for the night window.
#ifndef SBRGATE_PIPELINE_CLNTCOMM_SCHEDULE_H_
#define SBRGATE_PIPELINE_CLNTCOMM_SCHEDULE_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "proto/communications.pb.h"

namespace sbrgate::clntcomm {

enum class JobKind { kSingle, kBulk };

// Hours (Sydney civil time) of the windows above.
inline constexpr int kBulkWindowStartHour = 20;  // 8:00 pm
inline constexpr int kBulkWindowEndHour = 6;     // 6:00 am
inline constexpr int kSmsWindowStartHour = 10;
inline constexpr int kSmsWindowEndHour = 18;

inline constexpr absl::Duration kMinCheckInterval = absl::Minutes(60);
inline constexpr absl::Duration kDailyPeriod = absl::Hours(24);

// The earliest instant at or after `requested` when a job may run.
absl::Time EarliestStart(JobKind kind, const std::vector<v1::Channel>& channels,
                         absl::Time requested);

// Whether a bulk job over `channels` may use the weekday SMS window (every
// channel is SMS or EMAIL, and there is at least one).
bool SmsOrEmailOnly(const std::vector<v1::Channel>& channels);

struct TimeWindow {
  absl::Time from;
  absl::Time to;
};

// The daily job's period: {now - 24h, now}.
TimeWindow DailyWindow(absl::Time now);

// A check's period, or when to come back.
struct CheckWindow {
  bool allowed = false;
  absl::Time from;      // when allowed: the last check (now - 24h the first time)
  absl::Time to;        // when allowed: now
  absl::Time retry_at;  // when refused: the first instant a check is allowed
};

// Per-practice throttle for checking for new communications. Begin does not
// reserve: call Record once the check has succeeded, with the `to` it
// covered, so a failed check is retried over the same period. Thread-safe.
class CheckThrottle {
 public:
  // absl::InfinitePast() for a practice never checked.
  absl::Time NextAllowedCheck(absl::string_view agent_abn) const;
  CheckWindow Begin(absl::string_view agent_abn, absl::Time now) const;
  // Keeps the latest of the recorded times.
  void Record(absl::string_view agent_abn, absl::Time checked_at);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> last_check_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate::clntcomm

#endif  // SBRGATE_PIPELINE_CLNTCOMM_SCHEDULE_H_
