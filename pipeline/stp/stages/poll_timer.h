// PollTimer: lodgments ordered by the time each is next due, in memory, so
// a stage finds the due ones in O(log n) and does nothing between times:
// the resubmit stage's resubmissions (few, and short-lived; the poll stage
// keeps its million pending polls in a store ordered by time instead).
//
//   PollTimer timer;
//   timer.Schedule("lodgment-1", now + absl::Minutes(10));   // again: moves it
//   for (const std::string& id : timer.TakeDue(clock.Now(), 32)) Poll(id);
//   std::optional<absl::Time> next = timer.next();          // when to look again
#ifndef SBRGATE_PIPELINE_LODGMENT_POLL_TIMER_H_
#define SBRGATE_PIPELINE_LODGMENT_POLL_TIMER_H_

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace sbrgate::lodgment {

class PollTimer {
 public:
  void Schedule(const std::string& lodgment_id, absl::Time at);
  void Cancel(const std::string& lodgment_id);
  // Removes and returns up to `max` lodgments due at `now`, earliest first.
  std::vector<std::string> TakeDue(absl::Time now, size_t max);
  std::optional<absl::Time> next() const;
  size_t size() const { return by_id_.size(); }

 private:
  std::set<std::pair<absl::Time, std::string>> queue_;
  std::map<std::string, absl::Time> by_id_;
};

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_POLL_TIMER_H_
