#include "pipeline/clntcomm/jobs/job_view.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/log/rocks_status.h"
#include "pipeline/platform/log/view_db.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace sbrgate::comms {

namespace {

constexpr char kJob = 'j';    // + job id -> JobViewEntry
constexpr char kOrder = 'o';  // + sequence (big-endian) + job id -> ""

std::string JobKey(const std::string& id) { return std::string(1, kJob) + id; }

std::string OrderKey(int64_t sequence, const std::string& id) {
  return log::SequenceKey(kOrder, sequence, id);
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  return log::RocksStatus(s, absl::StrCat("job view: ", what));
}

}  // namespace

bool IsFinal(v1::JobState state) { return state == v1::DONE || state == v1::FAILED; }

absl::StatusOr<std::unique_ptr<JobView>> JobView::Open(const std::string& dir) {
  absl::StatusOr<log::ViewDb> opened = log::ViewDb::Open(dir, 8 << 20, "job view");
  if (!opened.ok()) return opened.status();
  const int64_t last = opened->LastSequence(kOrder);
  std::unique_ptr<JobView> view(new JobView(std::move(opened->db), std::move(opened->generation)));
  // New jobs go after the last one it has.
  absl::MutexLock lock(&view->apply_mu_);
  view->last_sequence_ = last;
  return view;
}

JobView::JobView(std::unique_ptr<rocksdb::DB> db, std::string generation)
    : db_(std::move(db)), generation_(std::move(generation)) {}

JobView::~JobView() = default;

absl::Status JobView::Sync() { return FromRocks(db_->SyncWAL(), "syncing"); }

std::optional<JobViewEntry> JobView::Read(const std::string& job_id) const {
  std::string value;
  JobViewEntry e;
  if (!db_->Get(rocksdb::ReadOptions(), JobKey(job_id), &value).ok() || !e.ParseFromString(value)) {
    return std::nullopt;
  }
  return e;
}

absl::Status JobView::Apply(const v1::Job& job) {
  absl::MutexLock apply(&apply_mu_);
  std::optional<JobViewEntry> held = Read(job.job_id());
  if (held.has_value() && job.revision() < held->job().revision()) return absl::OkStatus();
  JobViewEntry e = held.value_or(JobViewEntry());
  rocksdb::WriteBatch batch;
  if (!held.has_value()) {
    e.set_sequence(++last_sequence_);
    batch.Put(OrderKey(e.sequence(), job.job_id()), "");
  }
  *e.mutable_job() = job;
  e.set_version(e.version() + 1);
  batch.Put(JobKey(job.job_id()), e.SerializeAsString());
  // Written through to the operating system; Sync() before the offsets.
  if (absl::Status s = FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "writing"); !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&tick_mu_);
  ++tick_;
  return absl::OkStatus();
}

std::optional<JobView::Versioned> JobView::Get(const std::string& job_id) const {
  std::optional<JobViewEntry> e = Read(job_id);
  if (!e.has_value()) return std::nullopt;
  return Versioned{e->job(), e->version()};
}

std::vector<v1::Job> JobView::List(const std::string& agent_abn) const {
  std::vector<v1::Job> matching;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix(1, kOrder);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::optional<JobViewEntry> e = Read(log::IdOfSequenceKey(it->key().ToString()));
    if (!e.has_value()) continue;
    if (agent_abn.empty() || e->job().agent().agent_abn() == agent_abn) {
      matching.push_back(e->job());
    }
  }
  std::stable_sort(matching.begin(), matching.end(), [](const v1::Job& a, const v1::Job& b) {
    const auto ka = std::make_pair(a.created_at().seconds(), a.created_at().nanos());
    const auto kb = std::make_pair(b.created_at().seconds(), b.created_at().nanos());
    return ka != kb ? ka < kb : a.job_id() < b.job_id();
  });
  return matching;
}

std::optional<JobView::Versioned> JobView::WaitForChange(const std::string& job_id,
                                                         int64_t seen_version,
                                                         absl::Time deadline) const {
  while (true) {
    uint64_t tick;
    {
      absl::MutexLock lock(&tick_mu_);
      tick = tick_;
    }
    std::optional<Versioned> now = Get(job_id);
    if (now.has_value() && now->version > seen_version) return now;
    absl::MutexLock lock(&tick_mu_);
    auto written = [&]() ABSL_SHARED_LOCKS_REQUIRED(tick_mu_) { return tick_ != tick; };
    if (!tick_mu_.AwaitWithDeadline(absl::Condition(&written), deadline)) return now;
  }
}

}  // namespace sbrgate::comms
