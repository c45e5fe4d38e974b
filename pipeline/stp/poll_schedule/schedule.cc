#include "pipeline/stp/poll_schedule/schedule.h"

#include <algorithm>

namespace sbrgate::poll {

PollPlan PollPlan::ForEmployees(int64_t employees) {
  if (employees <= 100) return PollPlan(absl::Minutes(1), absl::Minutes(1), absl::Minutes(5));
  if (employees <= 200) return PollPlan(absl::Minutes(2), absl::Minutes(2), absl::Minutes(10));
  if (employees <= 1000) return PollPlan(absl::Minutes(10), absl::Minutes(10), absl::Minutes(20));
  return PollPlan(absl::Hours(1), absl::Minutes(30), absl::Hours(1));
}

absl::Duration PollPlan::IntervalBefore(int index) const {
  if (index <= 0) return first_;
  if (index == 1) return second_;
  return repeat_;
}

absl::Duration PollPlan::Offset(int index) const {
  if (index <= 0) return first_;
  return first_ + second_ + repeat_ * (index - 1);
}

std::vector<absl::Duration> PollPlan::Offsets(int count) const {
  std::vector<absl::Duration> out;
  for (int i = 0; i < count && Offset(i) <= kGiveUpAfter; ++i) out.push_back(Offset(i));
  return out;
}

std::optional<absl::Time> PollPlan::NextPoll(absl::Time receipt, int polls_done,
                                             std::optional<absl::Time> last_poll) const {
  absl::Time at = receipt + Offset(polls_done);
  if (last_poll.has_value()) at = std::max(at, *last_poll + IntervalBefore(polls_done));
  if (at > receipt + kGiveUpAfter) return std::nullopt;
  return at;
}

bool PollPlan::IsEarly(absl::Time receipt, int polls_done, std::optional<absl::Time> last_poll,
                       absl::Time at) const {
  // Judged by the intervals only: a poll is early if it comes sooner after the
  // receipt (first poll) or after the previous poll than the schedule allows.
  const absl::Time since = last_poll.has_value() && polls_done > 0 ? *last_poll : receipt;
  return at < since + IntervalBefore(polls_done);
}

}  // namespace sbrgate::poll
