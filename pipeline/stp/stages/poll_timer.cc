#include "pipeline/stp/stages/poll_timer.h"

namespace sbrgate::lodgment {

void PollTimer::Schedule(const std::string& id, absl::Time at) {
  Cancel(id);
  queue_.insert({at, id});
  by_id_[id] = at;
}

void PollTimer::Cancel(const std::string& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  queue_.erase({it->second, id});
  by_id_.erase(it);
}

std::vector<std::string> PollTimer::TakeDue(absl::Time now, size_t max) {
  std::vector<std::string> due;
  while (!queue_.empty() && due.size() < max && queue_.begin()->first <= now) {
    due.push_back(queue_.begin()->second);
    by_id_.erase(queue_.begin()->second);
    queue_.erase(queue_.begin());
  }
  return due;
}

std::optional<absl::Time> PollTimer::next() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.begin()->first;
}

}  // namespace sbrgate::lodgment
