#include "pipeline/sim/simulator/sim_state_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/log/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace sbrgate::sim {
namespace {

constexpr char kCountersKey[] = "counters";
constexpr char kMessagePrefix[] = "message/";             // + MessageId
constexpr char kClntcommSeedPrefix[] = "clntcomm_seed/";  // + 8-byte big-endian number

std::string SeedKey(uint64_t n) {
  std::string key = kClntcommSeedPrefix;
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return key;
}

uint64_t SeedNumber(rocksdb::Slice key) {
  uint64_t n = 0;
  for (size_t i = sizeof(kClntcommSeedPrefix) - 1; i < key.size(); ++i) {
    n = (n << 8) | static_cast<unsigned char>(key[i]);
  }
  return n;
}

// A full or failing disk, or another simulator holding the database, is
// Unavailable.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view dir, absl::string_view what) {
  return log::RocksStatus(s, absl::StrCat("simulator state ", dir, ": ", what));
}

template <typename Record>
absl::Status ParseRecord(rocksdb::Slice key, rocksdb::Slice value, absl::string_view dir,
                         Record* record) {
  if (record->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::OkStatus();
  }
  return absl::DataLossError(absl::StrCat("simulator state ", dir, ": record '",
                                          absl::CHexEscape(key.ToString()),
                                          "' is not a ", Record::descriptor()->full_name()));
}

}  // namespace

SimStateStore::SimStateStore(std::unique_ptr<rocksdb::DB> db, std::string dir, uint64_t next_seed)
    : db_(std::move(db)), dir_(std::move(dir)), next_seed_(next_seed) {}

SimStateStore::~SimStateStore() { db_->Close().PermitUncheckedError(); }

absl::StatusOr<std::unique_ptr<SimStateStore>> SimStateStore::Open(const std::string& dir) {
  if (absl::Status s = MakeDirectoriesDurably(dir); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("opening ", dir, ": ", s.message()));
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (absl::Status s = FromRocks(rocksdb::DB::Open(options, dir, &raw), dir, "opening"); !s.ok()) {
    return s;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  uint64_t next_seed = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekForPrev(SeedKey(~uint64_t{0}));
    if (it->Valid() && it->key().starts_with(kClntcommSeedPrefix)) {
      next_seed = SeedNumber(it->key()) + 1;
    }
    if (absl::Status s = FromRocks(it->status(), dir, "reading the last seed"); !s.ok()) return s;
  }
  return std::unique_ptr<SimStateStore>(new SimStateStore(std::move(db), dir, next_seed));
}

absl::StatusOr<SimStateStore::Saved> SimStateStore::Load() const {
  Saved saved;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::Status s;
    if (it->key() == kCountersKey) {
      s = ParseRecord(it->key(), it->value(), dir_, &saved.counters);
    } else if (it->key().starts_with(kMessagePrefix)) {
      s = ParseRecord(it->key(), it->value(), dir_, &saved.messages.emplace_back());
    } else if (it->key().starts_with(kClntcommSeedPrefix)) {
      // Keys are big-endian numbers: the iteration is the order of adding.
      s = ParseRecord(it->key(), it->value(), dir_, &saved.clntcomm_seeds.emplace_back());
    } else {
      s = absl::DataLossError(absl::StrCat("simulator state ", dir_, ": unknown record '",
                                           absl::CHexEscape(it->key().ToString()), "'"));
    }
    if (!s.ok()) return s;
  }
  if (absl::Status s = FromRocks(it->status(), dir_, "loading"); !s.ok()) return s;
  std::sort(saved.messages.begin(), saved.messages.end(),
            [](const state::Message& a, const state::Message& b) { return a.arrival() < b.arrival(); });
  return saved;
}

struct SimStateStore::Group {
  // Puts in the order queued: of two of the same key, the later wins.
  rocksdb::WriteBatch batch;
  bool done = false;  // written, or failed
  rocksdb::Status status;
};

SimStateStore::Ticket SimStateStore::Queue(const state::Counters& counters,
                                           const state::Message* message) {
  const std::string counters_value = counters.SerializeAsString();
  std::string message_key;
  std::string message_value;
  Ticket ticket;
  if (message != nullptr) {
    message_key = absl::StrCat(kMessagePrefix, message->message_id());
    message_value = message->SerializeAsString();
    ticket.what_ = absl::StrCat("saving message ", message->message_id());
  } else {
    ticket.what_ = "saving the counters";
  }
  absl::MutexLock lock(&mu_);
  if (open_ == nullptr) open_ = std::make_shared<Group>();
  // A WriteBatch applies atomically: the counters never go without the
  // message they were counted with.
  open_->batch.Put(kCountersKey, counters_value);
  if (message != nullptr) open_->batch.Put(message_key, message_value);
  ticket.group_ = open_;
  return ticket;
}

absl::Status SimStateStore::Wait(const Ticket& ticket) {
  if (ticket.group_ == nullptr) return absl::OkStatus();
  Group& mine = *ticket.group_;
  mu_.Lock();
  while (!mine.done) {
    if (syncing_) {
      auto turn = [this, &mine]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return mine.done || !syncing_;
      };
      mu_.Await(absl::Condition(&turn));
      continue;
    }
    // Nothing is being written, so `mine` is the open group: this waiter
    // writes it, and whatever queues meanwhile goes into the next one.
    std::shared_ptr<Group> group = std::move(open_);
    syncing_ = true;
    mu_.Unlock();
    rocksdb::WriteOptions w;
    w.sync = true;
    const rocksdb::Status written = db_->Write(w, &group->batch);
    mu_.Lock();
    group->status = written;
    group->done = true;
    syncing_ = false;
  }
  const rocksdb::Status status = mine.status;
  mu_.Unlock();
  return FromRocks(status, dir_, ticket.what_);
}

absl::Status SimStateStore::Save(const state::Counters& counters) {
  return Wait(Queue(counters, nullptr));
}

absl::Status SimStateStore::Save(const state::Counters& counters, const state::Message& message) {
  return Wait(Queue(counters, &message));
}

absl::Status SimStateStore::AddClntcommSeed(const state::ClntcommSeed& seed) {
  absl::MutexLock lock(&seed_mu_);
  rocksdb::WriteOptions w;
  w.sync = true;
  if (absl::Status s = FromRocks(db_->Put(w, SeedKey(next_seed_), seed.SerializeAsString()), dir_,
                                 "saving a CLNTCOMM seed");
      !s.ok()) {
    return s;
  }
  ++next_seed_;
  return absl::OkStatus();
}

}  // namespace sbrgate::sim
