// JobView: the latest state of every client-communication job, folded from
// the jobs topic; the CommunicationService answers GetJob, ListJobs and
// WatchJob from it. JobViewStage keeps it current: every service instance
// runs its own (its own consumer group), so each holds the whole view.
//
//   JobView view;
//   view.Apply(job);                                 // from the topic
//   std::optional<JobView::Versioned> j = view.Get(id);
//   view.WaitForChange(id, j->version, deadline);    // for watchers
//
// A snapshot older than the one held (Job.revision) is ignored, so the
// service may apply its own first snapshot whenever the topic echoes it.
// Thread-safe.
#ifndef SBRGATE_PIPELINE_COMMS_JOB_VIEW_H_
#define SBRGATE_PIPELINE_COMMS_JOB_VIEW_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/topology/topology.h"
#include "proto/communications.pb.h"

namespace sbrgate::comms {

bool IsFinal(v1::JobState state);

class JobView {
 public:
  struct Versioned {
    v1::Job job;
    int64_t version = 0;  // changes seen for this job
  };

  void Apply(const v1::Job& job);
  std::optional<Versioned> Get(const std::string& job_id) const;
  // The jobs of practice `agent_abn` (every practice when empty), oldest first.
  std::vector<v1::Job> List(const std::string& agent_abn) const;
  // Blocks until the job's version passes `seen_version` or `deadline`.
  std::optional<Versioned> WaitForChange(const std::string& job_id, int64_t seen_version,
                                         absl::Time deadline) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, Versioned> jobs_ ABSL_GUARDED_BY(mu_);
};

class JobViewStage : public stage::Stage {
 public:
  JobViewStage(JobView* view, std::string instance)
      : view_(view), instance_(std::move(instance)) {}
  std::string name() const override { return std::string(stages::kJobView) + "-" + instance_; }
  absl::Status Process(const stage::Record& input, stage::Context&) override {
    v1::Job job;
    if (!job.ParseFromString(input.value)) return absl::DataLossError("not a Job");
    view_->Apply(job);
    return absl::OkStatus();
  }

 private:
  JobView* view_;
  const std::string instance_;
};

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_COMMS_JOB_VIEW_H_
