#include "pipeline/platform/stage/state_stores.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/kafka/limits.h"
#include "pipeline/platform/log/rocks_status.h"
#include "pipeline/platform/log/view_db.h"
#include "pipeline/platform/stage/overlay_scan.h"
#include "pipeline/platform/stage/runner.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace sbrgate::stage {

namespace {

// Local keys: "d<store>\0<key>" an entry's versions, "c<changelog>\0<4-byte
// partition>" a changelog partition's checkpoint (the next offset to read).
constexpr char kEntryPrefix = 'd';
constexpr char kCheckpointPrefix = 'c';
// Restored records written per batch.
constexpr int kRestoreBatch = 10000;
constexpr size_t kCacheBytes = 8 << 20;

void AppendUint32(uint32_t v, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t ReadUint32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string CheckpointKey(const std::string& changelog, int32_t partition) {
  std::string key = absl::StrCat(std::string(1, kCheckpointPrefix), changelog);
  key.push_back('\0');
  AppendUint32(static_cast<uint32_t>(partition), &key);
  return key;
}

// A key's versions, one per changelog partition that holds it: a row of
// <4-byte partition><4-byte size><value>.
using Versions = std::map<int32_t, std::string>;

std::string EncodeVersions(const Versions& versions) {
  std::string row;
  for (const auto& [partition, value] : versions) {
    AppendUint32(static_cast<uint32_t>(partition), &row);
    AppendUint32(static_cast<uint32_t>(value.size()), &row);
    row += value;
  }
  return row;
}

absl::StatusOr<Versions> DecodeVersions(const std::string& row, const std::string& where) {
  Versions versions;
  for (size_t at = 0; at < row.size();) {
    if (row.size() - at < 8) break;
    const int32_t partition = static_cast<int32_t>(ReadUint32(row.data() + at));
    const uint32_t size = ReadUint32(row.data() + at + 4);
    at += 8;
    if (row.size() - at < size) break;
    versions[partition] = row.substr(at, size);
    at += size;
    if (at == row.size()) return versions;
  }
  if (row.empty()) return versions;
  return absl::DataLossError(absl::StrCat(where, ": a malformed local entry"));
}

}  // namespace

class StateStores::LoggedStore final : public StateStore {
 public:
  LoggedStore(std::string name, std::string changelog, StateStores* owner)
      : name_(std::move(name)),
        changelog_(std::move(changelog)),
        prefix_(absl::StrCat(std::string(1, kEntryPrefix), name_, std::string(1, '\0'))),
        owner_(owner) {}

  std::optional<std::string> Get(const std::string& key) const override {
    std::optional<Entry> e = Find(key);
    if (!e) return std::nullopt;
    return std::move(e->value);
  }
  void Put(const std::string& key, std::string value) override {
    PutIn(std::nullopt, key, std::move(value));
  }
  void PutBeside(const std::string& owner_store, const std::string& owner_key,
                 const std::string& key, std::string value) override {
    std::optional<int32_t> partition;
    if (auto store = owner_->stores_.find(owner_store); store != owner_->stores_.end()) {
      if (std::optional<Entry> owner = store->second->Find(owner_key)) {
        partition = owner->partition;
      }
    }
    PutIn(partition, key, std::move(value));
  }
  void Delete(const std::string& key) override {
    if (!Find(key)) return;
    Change(key, std::nullopt);
  }
  void ForEachFrom(const std::string& from,
                   const std::function<bool(const std::string& key, const std::string& value)>&
                       visit) const override {
    absl::Status s = ScanWithOverlay<Entry>(
        overlay_, from,
        [&](const std::string& start,
            const std::function<bool(const std::string&, const Entry&)>& fn) {
          return ScanCommitted(start, fn);
        },
        [&](const std::string& key, const Entry& e) { return visit(key, e.value); });
    if (!s.ok()) Fail(s);
  }
  // Counts by scanning: for tests and tools, not for a stage's hot path.
  size_t size() const override {
    size_t n = 0;
    ForEach([&](const std::string&, const std::string&) { ++n; });
    return n;
  }

  const std::string& changelog() const { return changelog_; }
  const std::string& prefix() const { return prefix_; }

  // The entry as the stage sees it: uncommitted, else committed.
  std::optional<Entry> Find(const std::string& key) const {
    if (auto it = overlay_.find(key); it != overlay_.end()) return it->second;
    return Committed(key);
  }
  void Revert(const std::string& key, std::optional<std::optional<Entry>> before) {
    if (before) {
      overlay_[key] = *std::move(before);
    } else {
      overlay_.erase(key);
    }
  }
  void AppendChangelog(std::vector<kafka::OutgoingMessage>* messages) const {
    for (const auto& [key, now] : overlay_) {
      const std::optional<Entry>& was = committed_.at(key);
      if (now) messages->push_back({changelog_, now->partition, key, now->value});
      if (was && (!now || now->partition != was->partition)) {
        messages->push_back({changelog_, was->partition, key, std::nullopt});
      }
    }
  }
  // Adds the overlay to `batch`: what AppendChangelog logged, done to the
  // keys' local versions.
  absl::Status AddTo(rocksdb::WriteBatch* batch) const {
    for (const auto& [key, now] : overlay_) {
      absl::StatusOr<Versions> versions = ReadVersions(key);
      if (!versions.ok()) return versions.status();
      if (const std::optional<Entry>& was = committed_.at(key)) versions->erase(was->partition);
      if (now) (*versions)[now->partition] = now->value;
      WriteVersions(key, *versions, batch);
    }
    return absl::OkStatus();
  }
  void Clear() {
    overlay_.clear();
    committed_.clear();
  }

  absl::StatusOr<Versions> ReadVersions(const std::string& key) const {
    std::string row;
    rocksdb::Status got = owner_->db_->Get(rocksdb::ReadOptions(), prefix_ + key, &row);
    if (got.IsNotFound()) return Versions();
    if (absl::Status s = log::RocksStatus(got, Where()); !s.ok()) return s;
    return DecodeVersions(row, Where());
  }
  void WriteVersions(const std::string& key, const Versions& versions,
                     rocksdb::WriteBatch* batch) const {
    if (versions.empty()) {
      batch->Delete(prefix_ + key);
    } else {
      batch->Put(prefix_ + key, EncodeVersions(versions));
    }
  }
  std::string Where() const { return absl::StrCat("state store ", name_); }

 private:
  // The record's partition in Process; elsewhere `partition` when given,
  // else the entry's own, else the default one.
  void PutIn(std::optional<int32_t> partition, const std::string& key, std::string value) {
    if (value.size() > kafka::kMaxMessageBytes) {
      if (owner_->violation_->empty()) {
        *owner_->violation_ = OversizeMessage(
            absl::StrCat("value for key ", key, " in store ", name_), value.size());
      }
      return;
    }
    if (owner_->record_partition_ >= 0) {
      partition = owner_->record_partition_;
    } else if (!partition) {
      std::optional<Entry> before = Find(key);
      partition = before ? before->partition : owner_->default_partition_;
    }
    Change(key, Entry{std::move(value), *partition});
  }
  void Change(const std::string& key, std::optional<Entry> now) {
    if (!committed_.count(key)) committed_[key] = Committed(key);
    std::optional<std::optional<Entry>> before;
    if (auto it = overlay_.find(key); it != overlay_.end()) before = it->second;
    owner_->changes_.push_back({this, key, std::move(before)});
    overlay_[key] = std::move(now);
  }
  // The committed version of an assigned partition, if any.
  std::optional<Entry> Committed(const std::string& key) const {
    absl::StatusOr<Versions> versions = ReadVersions(key);
    if (!versions.ok()) {
      Fail(versions.status());
      return std::nullopt;
    }
    return Visible(*versions);
  }
  std::optional<Entry> Visible(const Versions& versions) const {
    for (const auto& [partition, value] : versions) {
      if (owner_->assigned_.count(partition)) return Entry{value, partition};
    }
    return std::nullopt;
  }
  absl::Status ScanCommitted(const std::string& from,
                             const std::function<bool(const std::string&, const Entry&)>& fn) const {
    std::unique_ptr<rocksdb::Iterator> it(owner_->db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(prefix_ + from); it->Valid() && it->key().starts_with(prefix_); it->Next()) {
      absl::StatusOr<Versions> versions = DecodeVersions(it->value().ToString(), Where());
      if (!versions.ok()) return versions.status();
      std::optional<Entry> e = Visible(*versions);
      if (e && !fn(it->key().ToString().substr(prefix_.size()), *e)) return absl::OkStatus();
    }
    return log::RocksStatus(it->status(), Where());
  }
  void Fail(const absl::Status& s) const {
    if (owner_->storage_error_->ok()) {
      *owner_->storage_error_ =
          absl::UnavailableError(absl::StrCat("reading ", Where(), ": ", s.message()));
    }
  }

  const std::string name_;
  const std::string changelog_;
  const std::string prefix_;
  StateStores* const owner_;
  // Uncommitted changes by key (nullopt: deleted), and each changed key's
  // committed entry before them.
  std::map<std::string, std::optional<Entry>> overlay_;
  std::map<std::string, std::optional<Entry>> committed_;
};

StateStores::StateStores(std::string* violation, absl::Status* storage_error)
    : violation_(violation),
      storage_error_(storage_error),
      missing_(std::make_unique<UndeclaredStore>(violation)) {}

StateStores::~StateStores() = default;

void StateStores::Add(const std::string& name, const std::string& changelog) {
  stores_[name] = std::make_unique<LoggedStore>(name, changelog, this);
}

absl::Status StateStores::Open(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db =
      log::OpenBoundedDb(dir, kCacheBytes, "state stores");
  if (!db.ok()) return db.status();
  db_ = *std::move(db);
  return absl::OkStatus();
}

StateStore& StateStores::store(const std::string& name) {
  auto it = stores_.find(name);
  if (it != stores_.end()) return *it->second;
  missing_->set_name(name);
  return *missing_;
}

void StateStores::Undo(size_t mark) {
  while (changes_.size() > mark) {
    Change& c = changes_.back();
    c.store->Revert(c.key, std::move(c.before));
    changes_.pop_back();
  }
}

void StateStores::AppendChangelog(std::vector<kafka::OutgoingMessage>* messages) const {
  for (const auto& [name, store] : stores_) store->AppendChangelog(messages);
}

absl::Status StateStores::Committed(
    const std::map<std::pair<std::string, int32_t>, int64_t>& delivered) {
  if (stores_.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  absl::Status s;
  for (const auto& [name, store] : stores_) {
    if (s.ok()) s = store->AddTo(&batch);
    for (int32_t p : assigned_) {
      auto it = delivered.find({store->changelog(), p});
      if (it != delivered.end()) {
        batch.Put(CheckpointKey(store->changelog(), p), absl::StrCat(it->second));
      }
    }
  }
  if (s.ok()) s = Write(&batch, "writing committed changes");
  for (auto& [name, store] : stores_) store->Clear();
  changes_.clear();
  // The changelog has what the local copy missed: read it again from the
  // checkpoints, which did not move.
  if (!s.ok()) needs_restore_ = true;
  return s;
}

void StateStores::Clear() {
  for (auto& [name, store] : stores_) store->Clear();
  changes_.clear();
  assigned_.clear();
}

absl::Status StateStores::Write(rocksdb::WriteBatch* batch, const std::string& what) {
  // Not synced: a lost tail leaves a checkpoint that lags, which a restore
  // from the changelog makes good.
  return log::RocksStatus(db_->Write(rocksdb::WriteOptions(), batch),
                          absl::StrCat("state stores: ", what));
}

absl::Status StateStores::Forget(const LoggedStore& store, int32_t partition) {
  rocksdb::WriteBatch batch;
  batch.Delete(CheckpointKey(store.changelog(), partition));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(store.prefix()); it->Valid() && it->key().starts_with(store.prefix());
       it->Next()) {
    absl::StatusOr<Versions> versions = DecodeVersions(it->value().ToString(), store.Where());
    if (!versions.ok()) return versions.status();
    if (versions->erase(partition) == 0) continue;
    const std::string key = it->key().ToString().substr(store.prefix().size());
    store.WriteVersions(key, *versions, &batch);
  }
  if (absl::Status s = log::RocksStatus(it->status(), store.Where()); !s.ok()) return s;
  return Write(&batch, absl::StrCat("dropping partition ", partition, " of ", store.changelog()));
}

absl::Status StateStores::Restore(kafka::TopicReader& reader,
                                  const std::set<int32_t>& partitions, int64_t* restored) {
  Clear();
  assigned_ = partitions;
  if (stores_.empty()) return absl::OkStatus();
  needs_restore_ = true;
  std::vector<kafka::PartitionStart> starts;
  std::map<std::pair<std::string, int32_t>, int64_t> ends;
  std::map<std::string, LoggedStore*> by_changelog;
  for (auto& [name, store] : stores_) {
    by_changelog[store->changelog()] = store.get();
    for (int32_t p : partitions) {
      absl::StatusOr<kafka::Watermarks> w = reader.GetWatermarks(store->changelog(), p);
      if (!w.ok()) return w.status();
      std::string text;
      rocksdb::Status got =
          db_->Get(rocksdb::ReadOptions(), CheckpointKey(store->changelog(), p), &text);
      if (!got.IsNotFound()) {
        if (absl::Status s = log::RocksStatus(got, "state stores: a checkpoint"); !s.ok()) return s;
      }
      int64_t from = 0;
      // Without a checkpoint the partition is read whole (over what a
      // restore cut short may have left: reading again from the start makes
      // that good). A checkpoint past the end is of another changelog by this
      // name (a new cluster), one before the start missed what is gone: the
      // local copy of the partition is dropped.
      if (got.ok() && (!absl::SimpleAtoi(text, &from) || from > w->high || from < w->low)) {
        if (absl::Status s = Forget(*store, p); !s.ok()) return s;
        from = 0;
      }
      starts.push_back({store->changelog(), p, from});
      ends[{store->changelog(), p}] = std::max(w->high, from);
    }
  }
  // Each record sets its partition's version of its key; rows read or
  // written in this batch are kept until it is written.
  std::map<std::string, std::pair<LoggedStore*, Versions>> rows;
  auto flush = [&]() -> absl::Status {
    rocksdb::WriteBatch batch;
    for (const auto& [local_key, row] : rows) {
      row.first->WriteVersions(local_key.substr(row.first->prefix().size()), row.second, &batch);
    }
    rows.clear();
    return Write(&batch, "restoring");
  };
  int pending = 0;
  absl::Status s = reader.ReadPartitions(starts, [&](const kafka::TopicRecord& r) -> absl::Status {
    LoggedStore* store = by_changelog.at(r.topic);
    const std::string local_key = store->prefix() + r.key;
    auto row = rows.find(local_key);
    if (row == rows.end()) {
      absl::StatusOr<Versions> versions = store->ReadVersions(r.key);
      if (!versions.ok()) return versions.status();
      row = rows.emplace(local_key, std::make_pair(store, *std::move(versions))).first;
    }
    if (r.tombstone) {
      row->second.second.erase(r.partition);
    } else {
      row->second.second[r.partition] = r.value;
    }
    ++*restored;
    if (++pending < kRestoreBatch) return absl::OkStatus();
    pending = 0;
    return flush();
  });
  if (s.ok()) s = flush();
  if (!s.ok()) return s;
  rocksdb::WriteBatch checkpoints;
  for (const auto& [tp, end] : ends) {
    checkpoints.Put(CheckpointKey(tp.first, tp.second), absl::StrCat(end));
  }
  if (absl::Status w = Write(&checkpoints, "checkpointing the restore"); !w.ok()) return w;
  needs_restore_ = false;
  return absl::OkStatus();
}

}  // namespace sbrgate::stage
