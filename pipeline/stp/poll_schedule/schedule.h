// The STP polling schedule (seed 002, "SLA up to 72 hours"): when a DSP may
// pull for the channel-validation response of a pay event, counted from the
// technical receipt.
//
//   employees     first poll   second poll      then every   give up
//   1 - 100       1 min        1 min later      5 min        72 h
//   101 - 200     2 min        2 min later      10 min       72 h
//   201 - 1000    10 min       10 min later     20 min       72 h
//   1001 and up   1 h          30 min later     1 h          72 h
//
// Both sides use it: the poll stage never pulls earlier than it allows, and
// the simulator counts pulls that come early.
//
//   PollPlan plan = PollPlan::ForEmployees(250);
//   absl::Time first = plan.NextPoll(receipt_time, /*polls_done=*/0, {});
//   std::vector<absl::Duration> offsets = plan.Offsets(10);
#ifndef SBRGATE_PIPELINE_POLL_SCHEDULE_H_
#define SBRGATE_PIPELINE_POLL_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"

namespace sbrgate::poll {

// After this long without a final response the lodgment is escalated: the
// DSP stops polling and contacts the ATO.
inline constexpr absl::Duration kGiveUpAfter = absl::Hours(72);

class PollPlan {
 public:
  // The band for a lodgment of `employees` employee records (0 counts as 1:
  // an update event always carries at least one record).
  static PollPlan ForEmployees(int64_t employees);

  absl::Duration first() const { return first_; }
  absl::Duration second() const { return second_; }
  absl::Duration repeat() const { return repeat_; }

  // The wait before poll number `index` (0-based): from the receipt for the
  // first, from the previous poll after that.
  absl::Duration IntervalBefore(int index) const;

  // Offset from the receipt of poll `index` when every poll is on time.
  absl::Duration Offset(int index) const;

  // The first `count` poll offsets that fall within the give-up window.
  std::vector<absl::Duration> Offsets(int count) const;

  // When poll number `polls_done` (0-based) may happen: never before its
  // place in the schedule, and never sooner after the previous poll than the
  // schedule's interval (so a late poll does not let the next one come
  // early). nullopt once that time would be past the give-up deadline.
  std::optional<absl::Time> NextPoll(absl::Time receipt, int polls_done,
                                     std::optional<absl::Time> last_poll) const;

  // Whether a pull at `at` is earlier than allowed, given the polls before it.
  bool IsEarly(absl::Time receipt, int polls_done, std::optional<absl::Time> last_poll,
               absl::Time at) const;

 private:
  PollPlan(absl::Duration first, absl::Duration second, absl::Duration repeat)
      : first_(first), second_(second), repeat_(repeat) {}
  absl::Duration first_, second_, repeat_;
};

}  // namespace sbrgate::poll

#endif  // SBRGATE_PIPELINE_POLL_SCHEDULE_H_
