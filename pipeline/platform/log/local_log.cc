#include "pipeline/platform/log/local_log.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/log/log_entry.pb.h"
#include "pipeline/platform/log/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace sbrgate::log {
namespace {

// Column families: records by topic, partition and offset; each partition's
// next offset (kept apart from the records, so that it survives trimming);
// consumer groups' offsets; state stores; the topics and their partition
// counts.
constexpr char kRecords[] = "records";
constexpr char kHighWatermarks[] = "high_watermarks";
constexpr char kOffsets[] = "offsets";
constexpr char kStores[] = "stores";
constexpr char kTopics[] = "topics";

// The write-ahead log a restart may have to replay.
constexpr uint64_t kMaxWalBytes = 256 << 20;

void PutBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBigEndian(rocksdb::Slice s) {
  uint64_t v = 0;
  for (size_t i = 0; i < s.size(); ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

std::string PartitionKey(const TopicPartition& tp) {
  std::string k = tp.topic;
  k.push_back('\0');
  PutBigEndian(k, static_cast<uint32_t>(tp.partition), 4);
  return k;
}

std::string RecordKey(const TopicPartition& tp, int64_t offset) {
  std::string k = PartitionKey(tp);
  PutBigEndian(k, static_cast<uint64_t>(offset), 8);
  return k;
}

std::string OffsetKey(const std::string& group, const TopicPartition& tp) {
  std::string k = group;
  k.push_back('\0');
  return k + PartitionKey(tp);
}

std::string StoreKey(const std::string& store, const std::string& key) {
  std::string k = store;
  k.push_back('\0');
  return k + key;
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  return RocksStatus(s, absl::StrCat("local log: ", what));
}

}  // namespace

struct LocalLog::Handles {
  explicit Handles(std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : all(std::move(handles)),
        records(all[1]),
        high_watermarks(all[2]),
        offsets(all[3]),
        stores(all[4]),
        topics(all[5]) {}
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  rocksdb::ColumnFamilyHandle* records;
  rocksdb::ColumnFamilyHandle* high_watermarks;
  rocksdb::ColumnFamilyHandle* offsets;
  rocksdb::ColumnFamilyHandle* stores;
  rocksdb::ColumnFamilyHandle* topics;
};

namespace {

std::vector<rocksdb::ColumnFamilyDescriptor> Families() {
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (const char* name : {rocksdb::kDefaultColumnFamilyName.c_str(), kRecords, kHighWatermarks,
                           kOffsets, kStores, kTopics}) {
    out.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  return out;
}

}  // namespace

LocalLog::LocalLog(std::unique_ptr<rocksdb::DB> db, std::unique_ptr<Handles> handles,
                   const Clock* clock, bool read_only)
    : db_(std::move(db)), handles_(std::move(handles)), clock_(clock), read_only_(read_only) {}

LocalLog::~LocalLog() {
  for (rocksdb::ColumnFamilyHandle* h : handles_->all) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

absl::StatusOr<std::unique_ptr<LocalLog>> LocalLog::Open(const std::string& dir,
                                                         std::vector<LogTopic> topics,
                                                         const Clock* clock) {
  // 0700 before RocksDB makes it 0755; its files follow the umask.
  if (absl::Status s = MakeDirectoriesDurably(dir); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("opening ", dir, ": ", s.message()));
  }
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Opening replays the write-ahead log. Small column families (offsets,
  // watermarks) seldom fill a memtable, so by default the log is kept until
  // it reaches gigabytes and a restart takes seconds per gigabyte; past
  // this size RocksDB flushes them and drops the log they held.
  options.max_total_wal_size = kMaxWalBytes;
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, Families(), &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ", dir));
  auto h = std::make_unique<Handles>(std::move(handles));
  std::unique_ptr<LocalLog> log(
      new LocalLog(std::unique_ptr<rocksdb::DB>(raw), std::move(h), clock, false));
  if (absl::Status t = log->LoadTopics(std::move(topics)); !t.ok()) return t;
  if (absl::Status w = log->LoadWatermarks(); !w.ok()) return w;
  return log;
}

absl::StatusOr<std::unique_ptr<LocalLog>> LocalLog::OpenReadOnly(const std::string& dir,
                                                                 const std::string& scratch_dir) {
  if (absl::Status s = MakeDirectoriesDurably(scratch_dir); !s.ok()) return s;
  rocksdb::Options options;
  options.max_open_files = -1;  // required of a secondary instance
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s =
      rocksdb::DB::OpenAsSecondary(options, dir, scratch_dir, Families(), &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ", dir, " to read"));
  auto h = std::make_unique<Handles>(std::move(handles));
  std::unique_ptr<LocalLog> log(
      new LocalLog(std::unique_ptr<rocksdb::DB>(raw), std::move(h), nullptr, true));
  if (absl::Status t = log->LoadTopics({}); !t.ok()) return t;
  if (absl::Status w = log->LoadWatermarks(); !w.ok()) return w;
  return log;
}

absl::Status LocalLog::CatchUp() {
  if (!read_only_) return absl::OkStatus();
  if (absl::Status s = FromRocks(db_->TryCatchUpWithPrimary(), "catching up"); !s.ok()) return s;
  return LoadWatermarks();
}

namespace {

TopicEntry EntryOf(const LogTopic& t) {
  TopicEntry e;
  e.set_partitions(t.partitions);
  if (t.retention != absl::InfiniteDuration()) {
    e.set_retention_micros(absl::ToInt64Microseconds(t.retention));
  }
  for (const std::string& group : t.consumer_groups) e.add_consumer_groups(group);
  return e;
}

LogTopic TopicOf(const std::string& name, const TopicEntry& e) {
  LogTopic t{name, e.partitions()};
  if (e.has_retention_micros()) t.retention = absl::Microseconds(e.retention_micros());
  t.consumer_groups.assign(e.consumer_groups().begin(), e.consumer_groups().end());
  return t;
}

}  // namespace

absl::Status LocalLog::LoadTopics(std::vector<LogTopic> wanted) {
  std::map<std::string, TopicEntry> stored;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_->topics));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    TopicEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("local log: topic entry '", it->key().ToString(), "' is unreadable"));
    }
    stored[it->key().ToString()] = std::move(e);
  }
  if (absl::Status s = FromRocks(it->status(), "reading topics"); !s.ok()) return s;
  rocksdb::WriteBatch batch;
  absl::MutexLock lock(&mu_);
  for (LogTopic& t : wanted) {
    if (t.partitions < 1 || t.name.empty() || t.name.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("local log: topic '", t.name, "' needs a name and at least one partition"));
    }
    auto found = stored.find(t.name);
    if (found != stored.end() && found->second.partitions() != t.partitions) {
      return absl::FailedPreconditionError(
          absl::StrCat("local log: topic ", t.name, " has ", found->second.partitions(),
                       " partitions on disk but ", t.partitions,
                       " are declared; changing the count would move keys between partitions"));
    }
    // Retention and consumer groups may change between runs; readers see
    // the latest.
    const std::string entry = EntryOf(t).SerializeAsString();
    if (found == stored.end() || found->second.SerializeAsString() != entry) {
      batch.Put(handles_->topics, t.name, entry);
    }
    appended_[t.name];
    topics_[t.name] = std::move(t);
  }
  for (const auto& [name, entry] : stored) {
    if (topics_.count(name)) continue;
    // A reader sees each topic as last declared. The writer keeps topics
    // that nobody declares any more readable, and never trims them.
    topics_[name] = read_only_ ? TopicOf(name, entry) : LogTopic{name, entry.partitions()};
    appended_[name];
  }
  if (batch.Count() == 0) return absl::OkStatus();
  rocksdb::WriteOptions w;
  w.sync = true;
  return FromRocks(db_->Write(w, &batch), "recording topics");
}

absl::Status LocalLog::LoadWatermarks() {
  absl::MutexLock lock(&mu_);
  for (const auto& [name, topic] : topics_) {
    for (int32_t p = 0; p < topic.partitions; ++p) {
      const TopicPartition tp{name, p};
      PartitionInfo info;
      std::string high;
      rocksdb::Status s =
          db_->Get(rocksdb::ReadOptions(), handles_->high_watermarks, PartitionKey(tp), &high);
      if (s.ok()) {
        info.high = static_cast<int64_t>(GetBigEndian(high));
      } else if (!s.IsNotFound()) {
        return FromRocks(s, "reading a high watermark");
      }
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(rocksdb::ReadOptions(), handles_->records));
      const std::string prefix = PartitionKey(tp);
      it->Seek(prefix);
      info.low = info.high;
      if (it->Valid() && it->key().starts_with(prefix)) {
        info.low = static_cast<int64_t>(GetBigEndian(
            rocksdb::Slice(it->key().data() + prefix.size(), it->key().size() - prefix.size())));
      }
      if (absl::Status st = FromRocks(it->status(), "reading a low watermark"); !st.ok()) {
        return st;
      }
      partitions_[tp] = info;
    }
  }
  return absl::OkStatus();
}

int32_t LocalLog::PartitionFor(const std::string& key, int partitions) {
  const uLong crc =
      crc32(0L, reinterpret_cast<const Bytef*>(key.data()), static_cast<uInt>(key.size()));
  return static_cast<int32_t>(crc % static_cast<uLong>(partitions));
}

absl::Status LocalLog::Commit(const LogTransaction& tx) {
  if (read_only_) return absl::FailedPreconditionError("local log: opened read-only");
  QueuedCommit mine{&tx};
  commits_.Commit(&mine).IgnoreError();  // WriteGroup sets mine.status
  return mine.status;
}

absl::Status LocalLog::CheckAppends(const LogTransaction& tx) const {
  for (const log::Append& a : tx.appends_) {
    auto topic = topics_.find(a.topic);
    if (topic == topics_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("local log: no topic '", a.topic, "' is declared"));
    }
    if (a.partition && (*a.partition < 0 || *a.partition >= topic->second.partitions)) {
      return absl::InvalidArgumentError(
          absl::StrCat("local log: ", a.topic, " has no partition ", *a.partition));
    }
  }
  return absl::OkStatus();
}

void LocalLog::WriteGroup(const std::vector<QueuedCommit*>& group) {
  absl::MutexLock commit_lock(&commit_mu_);
  rocksdb::WriteBatch batch;
  std::map<TopicPartition, int64_t> highs;
  std::map<std::string, uint64_t> appended;
  std::vector<QueuedCommit*> written;
  {
    absl::MutexLock lock(&mu_);
    const int64_t now_micros = absl::ToUnixMicros(clock_->Now());
    for (QueuedCommit* c : group) {
      c->status = CheckAppends(*c->tx);
      if (!c->status.ok()) continue;
      written.push_back(c);
      for (const log::Append& a : c->tx->appends_) {
        const int partitions = topics_.at(a.topic).partitions;
        const TopicPartition tp{a.topic,
                                a.partition ? *a.partition : PartitionFor(a.key, partitions)};
        auto h = highs.find(tp);
        if (h == highs.end()) h = highs.emplace(tp, partitions_[tp].high).first;
        LogEntry e;
        e.set_key(a.key);
        e.set_value(a.value);
        e.set_timestamp_micros(now_micros);
        for (const auto& [name, value] : a.headers) {
          Header* header = e.add_headers();
          header->set_name(name);
          header->set_value(value);
        }
        batch.Put(handles_->records, RecordKey(tp, h->second), e.SerializeAsString());
        ++h->second;
        ++appended[a.topic];
      }
    }
  }
  if (written.empty()) return;
  for (const auto& [tp, high] : highs) {
    std::string v;
    PutBigEndian(v, static_cast<uint64_t>(high), 8);
    batch.Put(handles_->high_watermarks, PartitionKey(tp), v);
  }
  // In commit order, so that a later commit's change of a key wins.
  for (const QueuedCommit* c : written) {
    for (const LogTransaction::StoreChange& change : c->tx->store_changes_) {
      if (change.value) {
        batch.Put(handles_->stores, StoreKey(change.store, change.key), *change.value);
      } else {
        batch.Delete(handles_->stores, StoreKey(change.store, change.key));
      }
    }
    for (const auto& [group_tp, committed] : c->tx->offsets_) {
      std::string v;
      PutBigEndian(v, static_cast<uint64_t>(committed.offset), 8);
      v += committed.metadata;
      batch.Put(handles_->offsets, OffsetKey(group_tp.first, group_tp.second), v);
    }
  }
  rocksdb::WriteOptions w;
  w.sync = std::any_of(written.begin(), written.end(),
                       [](const QueuedCommit* c) { return !c->tx->offsets_only(); });
  const absl::Status s = FromRocks(db_->Write(w, &batch), "committing");
  for (QueuedCommit* c : written) c->status = s;
  if (!s.ok()) return;
  absl::MutexLock lock(&mu_);
  for (const auto& [tp, high] : highs) partitions_[tp].high = high;
  for (const auto& [topic, n] : appended) appended_[topic] += n;
}

absl::StatusOr<std::vector<LogRecord>> LocalLog::Read(const TopicPartition& tp, int64_t from,
                                                      int max_records) const {
  PartitionInfo info;
  {
    absl::MutexLock lock(&mu_);
    auto found = partitions_.find(tp);
    if (found == partitions_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("local log: no partition ", tp.partition, " of topic '", tp.topic, "'"));
    }
    info = found->second;
  }
  if (from < info.low || from > info.high) {
    return absl::OutOfRangeError(absl::StrCat("local log: offset ", from, " of ", tp.topic, "/",
                                              tp.partition, " is outside [", info.low, ", ",
                                              info.high, "]"));
  }
  std::vector<LogRecord> out;
  if (from == info.high) return out;
  rocksdb::ReadOptions ro;
  const std::string upper = RecordKey(tp, info.high);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_->records));
  const size_t prefix = PartitionKey(tp).size();
  int64_t expected = from;
  for (it->Seek(RecordKey(tp, from)); it->Valid() && static_cast<int>(out.size()) < max_records;
       it->Next()) {
    const int64_t offset = static_cast<int64_t>(
        GetBigEndian(rocksdb::Slice(it->key().data() + prefix, it->key().size() - prefix)));
    if (offset != expected) {
      // Trimmed under our feet: the caller was past the low watermark when
      // it asked, so this is a reader that fell behind a retention.
      return absl::OutOfRangeError(absl::StrCat("local log: offset ", expected, " of ", tp.topic,
                                                "/", tp.partition, " is gone"));
    }
    LogEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("local log: record ", offset, " of ", tp.topic, "/",
                                              tp.partition, " is unreadable"));
    }
    LogRecord r;
    r.topic = tp.topic;
    r.partition = tp.partition;
    r.offset = offset;
    r.key = std::move(*e.mutable_key());
    r.value = std::move(*e.mutable_value());
    r.timestamp = absl::FromUnixMicros(e.timestamp_micros());
    for (Header& h : *e.mutable_headers()) {
      r.headers.emplace_back(std::move(*h.mutable_name()), std::move(*h.mutable_value()));
    }
    out.push_back(std::move(r));
    ++expected;
  }
  if (absl::Status s = FromRocks(it->status(), "reading"); !s.ok()) return s;
  return out;
}

absl::StatusOr<int64_t> LocalLog::CommittedOffset(const std::string& group,
                                                  const TopicPartition& tp) const {
  absl::StatusOr<OffsetAndMetadata> committed = Committed(group, tp);
  if (!committed.ok()) return committed.status();
  return committed->offset;
}

absl::StatusOr<OffsetAndMetadata> LocalLog::Committed(const std::string& group,
                                                      const TopicPartition& tp) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_->offsets, OffsetKey(group, tp), &v);
  if (s.IsNotFound()) return OffsetAndMetadata{};
  if (!s.ok()) return FromRocks(s, "reading a committed offset");
  // The offset's 8 bytes, then the metadata (none in logs written before it).
  if (v.size() < 8) {
    return absl::DataLossError(absl::StrCat("the committed offset of group ", group, " for ",
                                            tp.topic, "/", tp.partition, " is ", v.size(),
                                            " bytes, not 8 or more"));
  }
  return OffsetAndMetadata{static_cast<int64_t>(GetBigEndian(rocksdb::Slice(v.data(), 8))),
                           v.substr(8)};
}

absl::StatusOr<std::optional<std::string>> LocalLog::Get(const std::string& store,
                                                         const std::string& key) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_->stores, StoreKey(store, key), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading store ", store));
  return std::optional<std::string>(std::move(v));
}

absl::Status LocalLog::Scan(
    const std::string& store, const std::string& from, const std::string& to,
    const std::function<bool(const std::string& key, const std::string& value)>& visit) const {
  const std::string prefix = StoreKey(store, "");
  std::string upper = to.empty() ? store : StoreKey(store, to);
  if (to.empty()) upper.push_back('\1');  // just past every "<store>\0..." key
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_->stores));
  for (it->Seek(StoreKey(store, from)); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    if (!visit(std::string(k.data() + prefix.size(), k.size() - prefix.size()),
               it->value().ToString())) {
      break;
    }
  }
  return FromRocks(it->status(), absl::StrCat("scanning store ", store));
}

PartitionInfo LocalLog::Partition(const TopicPartition& tp) const {
  absl::MutexLock lock(&mu_);
  auto found = partitions_.find(tp);
  return found == partitions_.end() ? PartitionInfo{} : found->second;
}

std::vector<LogTopic> LocalLog::topics() const {
  absl::MutexLock lock(&mu_);
  std::vector<LogTopic> out;
  for (const auto& [name, t] : topics_) out.push_back(t);
  return out;
}

uint64_t LocalLog::Appended(const std::vector<std::string>& topics) const {
  absl::MutexLock lock(&mu_);
  uint64_t n = 0;
  for (const std::string& topic : topics) {
    if (auto it = appended_.find(topic); it != appended_.end()) n += it->second;
  }
  return n;
}

uint64_t LocalLog::WaitForAppend(const std::vector<std::string>& topics, uint64_t seen,
                                 absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  // The committer evaluates this on each release of mu_: pointers, not lookups.
  std::vector<const uint64_t*> counters;
  for (const std::string& topic : topics) {
    if (auto it = appended_.find(topic); it != appended_.end()) counters.push_back(&it->second);
  }
  auto appended = [&counters]() {
    uint64_t n = 0;
    for (const uint64_t* c : counters) n += *c;
    return n;
  };
  auto moved = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return appended() != seen; };
  mu_.AwaitWithDeadline(absl::Condition(&moved), deadline);
  return appended();
}

absl::StatusOr<int64_t> LocalLog::Trim() {
  if (read_only_) return absl::FailedPreconditionError("local log: opened read-only");
  absl::MutexLock commit_lock(&commit_mu_);
  std::vector<LogTopic> topics = this->topics();
  const absl::Time now = clock_->Now();
  int64_t removed = 0;
  for (const LogTopic& t : topics) {
    if (t.retention == absl::InfiniteDuration() || t.consumer_groups.empty()) continue;
    for (int32_t p = 0; p < t.partitions; ++p) {
      const TopicPartition tp{t.name, p};
      int64_t passed = std::numeric_limits<int64_t>::max();
      for (const std::string& group : t.consumer_groups) {
        absl::StatusOr<int64_t> o = CommittedOffset(group, tp);
        if (!o.ok()) return o.status();
        passed = std::min(passed, *o);
      }
      const PartitionInfo info = Partition(tp);
      int64_t keep_from = info.low;
      // Oldest first: stop at the first record still inside its retention.
      while (keep_from < passed) {
        absl::StatusOr<std::vector<LogRecord>> r = Read(tp, keep_from, 256);
        if (!r.ok()) return r.status();
        bool stop = r->empty();
        for (const LogRecord& rec : *r) {
          if (rec.offset >= passed || rec.timestamp + t.retention > now) {
            stop = true;
            break;
          }
          keep_from = rec.offset + 1;
        }
        if (stop) break;
      }
      if (keep_from == info.low) continue;
      rocksdb::WriteOptions w;
      w.sync = true;
      rocksdb::Status s =
          db_->DeleteRange(w, handles_->records, RecordKey(tp, info.low), RecordKey(tp, keep_from));
      if (absl::Status st = FromRocks(s, "trimming"); !st.ok()) return st;
      removed += keep_from - info.low;
      absl::MutexLock lock(&mu_);
      partitions_[tp].low = keep_from;
    }
  }
  return removed;
}

}  // namespace sbrgate::log
