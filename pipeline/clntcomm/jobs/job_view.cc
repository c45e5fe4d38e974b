#include "pipeline/clntcomm/jobs/job_view.h"

#include <algorithm>
#include <utility>

namespace sbrgate::comms {

bool IsFinal(v1::JobState state) { return state == v1::DONE || state == v1::FAILED; }

void JobView::Apply(const v1::Job& job) {
  absl::MutexLock lock(&mu_);
  Versioned& held = jobs_[job.job_id()];
  if (held.version > 0 && job.revision() < held.job.revision()) return;
  held.job = job;
  ++held.version;
}

std::optional<JobView::Versioned> JobView::Get(const std::string& job_id) const {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

std::vector<v1::Job> JobView::List(const std::string& agent_abn) const {
  absl::MutexLock lock(&mu_);
  std::vector<const v1::Job*> matching;
  for (const auto& [id, v] : jobs_) {
    if (agent_abn.empty() || v.job.agent().agent_abn() == agent_abn) matching.push_back(&v.job);
  }
  std::sort(matching.begin(), matching.end(), [](const v1::Job* a, const v1::Job* b) {
    const auto ka = std::make_pair(a->created_at().seconds(), a->created_at().nanos());
    const auto kb = std::make_pair(b->created_at().seconds(), b->created_at().nanos());
    return ka != kb ? ka < kb : a->job_id() < b->job_id();
  });
  std::vector<v1::Job> out;
  for (const v1::Job* j : matching) out.push_back(*j);
  return out;
}

std::optional<JobView::Versioned> JobView::WaitForChange(const std::string& job_id,
                                                         int64_t seen_version,
                                                         absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto changed = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    auto it = jobs_.find(job_id);
    return it != jobs_.end() && it->second.version > seen_version;
  };
  mu_.AwaitWithDeadline(absl::Condition(&changed), deadline);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sbrgate::comms
