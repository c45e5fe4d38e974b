// JobView: the latest state of every client-communication job, folded from
// the jobs topic; the CommunicationService answers GetJob, ListJobs and
// WatchJob from it. JobViewStage keeps it current: every service instance
// runs its own (its own consumer group), so each holds the whole view.
//
//   absl::StatusOr<std::unique_ptr<JobView>> view = JobView::Open(dir);
//   (*view)->Apply(job);                                // from the topic
//   std::optional<JobView::Versioned> j = (*view)->Get(id);
//   (*view)->WaitForChange(id, j->version, deadline);   // for watchers
//
// It lives on disk, in a RocksDB of its own in `dir`, like the lodgments'
// StatusView: a restart reads only the jobs topic's records it missed (its
// consumer group is stable: the instance and generation()), and a view made
// afresh reads the topic from the start. A snapshot older than the one held
// (Job.revision) is ignored, so the service may apply its own first snapshot
// whenever the topic echoes it, and a record read twice changes nothing.
// Thread-safe; changes are applied one at a time.
#ifndef SBRGATE_PIPELINE_COMMS_JOB_VIEW_H_
#define SBRGATE_PIPELINE_COMMS_JOB_VIEW_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/clntcomm/jobs/job_view_entry.pb.h"
#include "absl/time/time.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/topology/topology.h"
#include "proto/communications.pb.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace sbrgate::comms {

bool IsFinal(v1::JobState state);

class JobView {
 public:
  struct Versioned {
    v1::Job job;
    int64_t version = 0;  // changes seen for this job
  };

  // Opens (creating) the view in `dir`.
  static absl::StatusOr<std::unique_ptr<JobView>> Open(const std::string& dir);
  ~JobView();
  JobView(const JobView&) = delete;
  JobView& operator=(const JobView&) = delete;

  // Made when the view's directory was created.
  const std::string& generation() const { return generation_; }
  // Makes every change applied so far durable (an fsync).
  absl::Status Sync();

  absl::Status Apply(const v1::Job& job);
  std::optional<Versioned> Get(const std::string& job_id) const;
  // The jobs of practice `agent_abn` (every practice when empty), oldest first.
  std::vector<v1::Job> List(const std::string& agent_abn) const;
  // Blocks until the job's version passes `seen_version` or `deadline`.
  std::optional<Versioned> WaitForChange(const std::string& job_id, int64_t seen_version,
                                         absl::Time deadline) const;

 private:
  JobView(std::unique_ptr<rocksdb::DB> db, std::string generation);
  std::optional<JobViewEntry> Read(const std::string& job_id) const;

  std::unique_ptr<rocksdb::DB> db_;
  const std::string generation_;
  absl::Mutex apply_mu_;
  int64_t last_sequence_ ABSL_GUARDED_BY(apply_mu_) = 0;
  // Bumped after every write, for WaitForChange.
  mutable absl::Mutex tick_mu_;
  uint64_t tick_ ABSL_GUARDED_BY(tick_mu_) = 0;
};

class JobViewStage : public stage::Stage {
 public:
  JobViewStage(JobView* view, std::string instance)
      : view_(view), instance_(std::move(instance)) {}
  std::string name() const override { return std::string(stages::kJobView) + "-" + instance_; }
  absl::Status Process(const stage::Record& input, stage::Context&) override {
    v1::Job job;
    if (!job.ParseFromString(input.value)) return absl::DataLossError("not a Job");
    return view_->Apply(job);
  }
  // The view's writes are on disk before the offsets that cover them.
  absl::Status Flush() override { return view_->Sync(); }

 private:
  JobView* view_;
  const std::string instance_;
};

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_COMMS_JOB_VIEW_H_
