#include "pipeline/clntcomm/jobs/job_view.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/platform/log/rocks_status.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace sbrgate::comms {

namespace {

constexpr char kJob = 'j';    // + job id -> JobViewEntry
constexpr char kOrder = 'o';  // + sequence (big-endian) + job id -> ""
constexpr char kGeneration[] = "g";

std::string JobKey(const std::string& id) { return std::string(1, kJob) + id; }

std::string OrderKey(int64_t sequence, const std::string& id) {
  std::string k(1, kOrder);
  for (int shift = 56; shift >= 0; shift -= 8) {
    k.push_back(static_cast<char>((static_cast<uint64_t>(sequence) >> shift) & 0xff));
  }
  return k + id;
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  return log::RocksStatus(s, absl::StrCat("job view: ", what));
}

}  // namespace

bool IsFinal(v1::JobState state) { return state == v1::DONE || state == v1::FAILED; }

absl::StatusOr<std::unique_ptr<JobView>> JobView::Open(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(8 << 20);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.write_buffer_size = 4 << 20;
  rocksdb::DB* raw = nullptr;
  if (absl::Status s = FromRocks(rocksdb::DB::Open(options, dir, &raw), absl::StrCat("opening ", dir));
      !s.ok()) {
    return s;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string generation;
  rocksdb::Status got = db->Get(rocksdb::ReadOptions(), kGeneration, &generation);
  if (got.IsNotFound()) {
    generation = absl::StrCat(absl::ToUnixMicros(absl::Now()));
    rocksdb::WriteOptions w;
    w.sync = true;
    got = db->Put(w, kGeneration, generation);
  }
  if (absl::Status s = FromRocks(got, "its generation"); !s.ok()) return s;
  std::unique_ptr<JobView> view(new JobView(std::move(db), std::move(generation)));
  // New jobs go after the last one it has.
  std::unique_ptr<rocksdb::Iterator> last(view->db_->NewIterator(rocksdb::ReadOptions()));
  last->SeekForPrev(std::string(1, kOrder) + std::string(9, '\xff'));
  if (last->Valid() && last->key().starts_with(std::string(1, kOrder)) && last->key().size() >= 9) {
    uint64_t sequence = 0;
    for (int i = 1; i <= 8; ++i) sequence = (sequence << 8) | static_cast<uint8_t>(last->key()[i]);
    absl::MutexLock lock(&view->apply_mu_);
    view->last_sequence_ = static_cast<int64_t>(sequence);
  }
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
    std::optional<JobViewEntry> e = Read(it->key().ToString().substr(1 + 8));
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
