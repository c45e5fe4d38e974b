#include "pipeline/sim/simulator/sim_state_store.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/log/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace sbrgate::sim {
namespace {

constexpr char kCountersKey[] = "counters";
constexpr char kMessagePrefix[] = "message/";  // + MessageId
// A message's parts that never change once set, each written once under its
// own key (+ MessageId) rather than with every save of the message's record.
constexpr char kReceiptPrefix[] = "message_receipt/";
constexpr char kPayloadPrefix[] = "message_payload/";
constexpr char kResponsePrefix[] = "message_response/";
// CLNTCOMM changes: prefix + an 8-byte big-endian number, one sequence for
// both kinds. Each kind keeps its own prefix and record type, so that the
// seeds of a data directory written before correspondence existed read as
// they are.
constexpr absl::string_view kClntcommSeedPrefix = "clntcomm_seed/";
constexpr absl::string_view kClntcommCorrespondencePrefix = "clntcomm_correspondence/";
constexpr absl::string_view kClntcommRelationshipPrefix = "clntcomm_relationship/";
constexpr char kIcsAbnPrefix[] = "ics_abn/";                // + ABN
constexpr char kIcsClientPrefix[] = "ics_client/";          // + client id
constexpr char kIcsRegistrantPrefix[] = "ics_registrant/";  // + agent ABN
constexpr char kIcsNextCcidKey[] = "ics_next_ccid";         // decimal
constexpr char kDemographicsPrefix[] = "demographics/";     // + client type ":" value

std::string NumberedKey(absl::string_view prefix, uint64_t n) {
  std::string key(prefix);
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return key;
}

uint64_t KeyNumber(absl::string_view prefix, rocksdb::Slice key) {
  uint64_t n = 0;
  for (size_t i = prefix.size(); i < key.size(); ++i) {
    n = (n << 8) | static_cast<unsigned char>(key[i]);
  }
  return n;
}

std::string KeySuffix(rocksdb::Slice key, absl::string_view prefix) {
  return std::string(key.data() + prefix.size(), key.size() - prefix.size());
}

bool HasPrefix(rocksdb::Slice key, absl::string_view prefix) {
  return key.starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
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
                                          absl::CHexEscape(key.ToString()), "' is not a ",
                                          Record::descriptor()->full_name()));
}

}  // namespace

SimStateStore::SimStateStore(std::unique_ptr<rocksdb::DB> db, std::string dir,
                             uint64_t next_clntcomm)
    : db_(std::move(db)), dir_(std::move(dir)), next_clntcomm_(next_clntcomm) {}

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
  uint64_t next_clntcomm = 0;
  for (absl::string_view prefix :
       {kClntcommSeedPrefix, kClntcommCorrespondencePrefix, kClntcommRelationshipPrefix}) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekForPrev(NumberedKey(prefix, ~uint64_t{0}));
    if (it->Valid() && HasPrefix(it->key(), prefix)) {
      next_clntcomm = std::max(next_clntcomm, KeyNumber(prefix, it->key()) + 1);
    }
    if (absl::Status s = FromRocks(it->status(), dir, "reading the last CLNTCOMM change");
        !s.ok()) {
      return s;
    }
  }
  return std::unique_ptr<SimStateStore>(new SimStateStore(std::move(db), dir, next_clntcomm));
}

absl::StatusOr<SimStateStore::Saved> SimStateStore::Load() const {
  Saved saved;
  std::vector<std::pair<uint64_t, state::ClntcommChange>> changes;  // by number
  // By MessageId, put back into their records below.
  absl::flat_hash_map<std::string, std::string> receipts, payloads, responses;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::Status s;
    if (it->key() == kCountersKey) {
      s = ParseRecord(it->key(), it->value(), dir_, &saved.counters);
    } else if (it->key().starts_with(kMessagePrefix)) {
      s = ParseRecord(it->key(), it->value(), dir_, &saved.messages.emplace_back());
    } else if (it->key().starts_with(kReceiptPrefix)) {
      receipts[KeySuffix(it->key(), kReceiptPrefix)] = it->value().ToString();
    } else if (it->key().starts_with(kPayloadPrefix)) {
      payloads[KeySuffix(it->key(), kPayloadPrefix)] = it->value().ToString();
    } else if (it->key().starts_with(kResponsePrefix)) {
      responses[KeySuffix(it->key(), kResponsePrefix)] = it->value().ToString();
    } else if (HasPrefix(it->key(), kClntcommSeedPrefix)) {
      auto& [n, change] = changes.emplace_back();
      n = KeyNumber(kClntcommSeedPrefix, it->key());
      s = ParseRecord(it->key(), it->value(), dir_, change.mutable_seed());
    } else if (HasPrefix(it->key(), kClntcommCorrespondencePrefix)) {
      auto& [n, change] = changes.emplace_back();
      n = KeyNumber(kClntcommCorrespondencePrefix, it->key());
      s = ParseRecord(it->key(), it->value(), dir_, change.mutable_correspondence());
    } else if (HasPrefix(it->key(), kClntcommRelationshipPrefix)) {
      auto& [n, change] = changes.emplace_back();
      n = KeyNumber(kClntcommRelationshipPrefix, it->key());
      s = ParseRecord(it->key(), it->value(), dir_, change.mutable_relationship());
    } else if (it->key().starts_with(kIcsAbnPrefix)) {
      s = ParseRecord(it->key(), it->value(), dir_, saved.ics.add_abns());
    } else if (it->key().starts_with(kIcsClientPrefix)) {
      s = ParseRecord(it->key(), it->value(), dir_, saved.ics.add_clients());
    } else if (it->key().starts_with(kIcsRegistrantPrefix)) {
      s = ParseRecord(it->key(), it->value(), dir_, saved.ics.add_registrants());
    } else if (it->key().starts_with(kDemographicsPrefix)) {
      s = ParseRecord(it->key(), it->value(), dir_, &saved.demographics.emplace_back());
    } else if (it->key() == kIcsNextCcidKey) {
      int64_t next = 0;
      if (!absl::SimpleAtoi(it->value().ToString(), &next) || next < 1) {
        s = absl::DataLossError(absl::StrCat("simulator state ", dir_, ": ", kIcsNextCcidKey, " '",
                                             absl::CHexEscape(it->value().ToString()),
                                             "' is not a CCID number"));
      }
      saved.ics.set_next_ccid(next);
    } else {
      s = absl::DataLossError(absl::StrCat("simulator state ", dir_, ": unknown record '",
                                           absl::CHexEscape(it->key().ToString()), "'"));
    }
    if (!s.ok()) return s;
  }
  if (absl::Status s = FromRocks(it->status(), dir_, "loading"); !s.ok()) return s;
  // Into their records (one saved before parts had keys of their own holds
  // its parts itself).
  for (state::Message& m : saved.messages) {
    if (auto r = receipts.find(m.message_id()); r != receipts.end()) {
      m.set_receipt_xml(std::move(r->second));
    }
    if (auto p = payloads.find(m.message_id()); p != payloads.end()) {
      m.set_payload_gzip(std::move(p->second));
    }
    if (auto r = responses.find(m.message_id()); r != responses.end()) {
      m.set_response_gzip(std::move(r->second));
    }
  }
  std::sort(
      saved.messages.begin(), saved.messages.end(),
      [](const state::Message& a, const state::Message& b) { return a.arrival() < b.arrival(); });
  // Each kind comes in its own key order; together, in the order of adding.
  std::sort(changes.begin(), changes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [n, change] : changes) saved.clntcomm_changes.push_back(std::move(change));
  return saved;
}

struct SimStateStore::Group {
  // The latest value queued for each key, keys in the order first queued:
  // a record saved several times before the group is written (the counters
  // with every save) is written once.
  void Put(std::string key, std::string value) {
    auto [it, added] = index.try_emplace(key, puts.size());
    if (added) {
      puts.emplace_back(std::move(key), std::move(value));
    } else {
      puts[it->second].second = std::move(value);
    }
  }

  std::vector<std::pair<std::string, std::string>> puts;
  absl::flat_hash_map<std::string, size_t> index;  // into puts
  bool sync = false;                               // a write of it was queued kSynced
  bool done = false;                               // written, or failed
  rocksdb::Status status;
};

SimStateStore::Ticket SimStateStore::Queue(const state::Counters& counters,
                                           std::optional<state::Message> message,
                                           Durability durability) {
  std::vector<std::pair<std::string, std::string>> puts;
  puts.emplace_back(kCountersKey, counters.SerializeAsString());
  Ticket ticket;
  if (message.has_value()) {
    const std::string& id = message->message_id();
    if (!message->receipt_xml().empty()) {
      puts.emplace_back(absl::StrCat(kReceiptPrefix, id),
                        std::move(*message->mutable_receipt_xml()));
      message->clear_receipt_xml();
    }
    if (message->has_payload_gzip()) {
      puts.emplace_back(absl::StrCat(kPayloadPrefix, id),
                        std::move(*message->mutable_payload_gzip()));
      message->clear_payload_gzip();
    }
    if (message->has_response_gzip()) {
      puts.emplace_back(absl::StrCat(kResponsePrefix, id),
                        std::move(*message->mutable_response_gzip()));
      message->clear_response_gzip();
    }
    puts.emplace_back(absl::StrCat(kMessagePrefix, id), message->SerializeAsString());
    ticket.what_ = absl::StrCat("saving message ", id);
  } else {
    ticket.what_ = "saving the counters";
  }
  absl::MutexLock lock(&mu_);
  if (open_ == nullptr) open_ = std::make_shared<Group>();
  // A group is written in one WriteBatch, which applies atomically: the
  // counters never go without the message they were counted with, nor a
  // record without the parts it was queued with.
  for (auto& [key, value] : puts) open_->Put(std::move(key), std::move(value));
  if (durability == Durability::kSynced) open_->sync = true;
  ticket.group_ = open_;
  return ticket;
}

absl::Status SimStateStore::Wait(const Ticket& ticket) {
  if (ticket.group_ == nullptr) return absl::OkStatus();
  Group& mine = *ticket.group_;
  mu_.Lock();
  while (!mine.done) {
    if (syncing_) {
      auto turn = [this, &mine]()
                      ABSL_SHARED_LOCKS_REQUIRED(mu_) { return mine.done || !syncing_; };
      mu_.Await(absl::Condition(&turn));
      continue;
    }
    // Nothing is being written, so `mine` is the open group: this waiter
    // writes it, and whatever queues meanwhile goes into the next one.
    std::shared_ptr<Group> group = std::move(open_);
    syncing_ = true;
    mu_.Unlock();
    rocksdb::WriteBatch batch;
    for (const auto& [key, value] : group->puts) batch.Put(key, value);
    rocksdb::WriteOptions w;
    w.sync = group->sync;
    const rocksdb::Status written = db_->Write(w, &batch);
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
  return Wait(Queue(counters, std::nullopt));
}

absl::Status SimStateStore::Save(const state::Counters& counters, const state::Message& message) {
  return Wait(Queue(counters, message));
}

absl::Status SimStateStore::AddClntcommSeed(const state::ClntcommSeed& seed) {
  return AddClntcommChange(kClntcommSeedPrefix, seed.SerializeAsString(), "saving a CLNTCOMM seed");
}

absl::Status SimStateStore::AddClntcommCorrespondence(
    const state::ClntcommCorrespondence& correspondence) {
  return AddClntcommChange(
      kClntcommCorrespondencePrefix, correspondence.SerializeAsString(),
      absl::StrCat("saving CLNTCOMM correspondence ", correspondence.document_id()));
}

absl::Status SimStateStore::AddClntcommRelationshipChange(
    const state::ClntcommRelationshipChange& change) {
  return AddClntcommChange(kClntcommRelationshipPrefix, change.SerializeAsString(),
                           absl::StrCat("saving a CUREL change of agent ", change.agent_abn()));
}

absl::Status SimStateStore::AddClntcommChange(absl::string_view prefix, const std::string& value,
                                              absl::string_view what) {
  absl::MutexLock lock(&clntcomm_mu_);
  rocksdb::WriteOptions w;
  w.sync = true;
  if (absl::Status s =
          FromRocks(db_->Put(w, NumberedKey(prefix, next_clntcomm_), value), dir_, what);
      !s.ok()) {
    return s;
  }
  ++next_clntcomm_;
  return absl::OkStatus();
}

absl::Status SimStateStore::SaveIcs(const state::IcsChange& change) {
  rocksdb::WriteBatch batch;
  for (const state::IcsAbn& a : change.abns()) {
    batch.Put(absl::StrCat(kIcsAbnPrefix, a.abn()), a.SerializeAsString());
  }
  for (const v1::IcsClient& c : change.clients()) {
    batch.Put(absl::StrCat(kIcsClientPrefix, c.client_id()), c.SerializeAsString());
  }
  for (const state::IcsRegistrant& r : change.registrants()) {
    batch.Put(absl::StrCat(kIcsRegistrantPrefix, r.agent_abn()), r.SerializeAsString());
  }
  if (change.next_ccid() > 0) batch.Put(kIcsNextCcidKey, absl::StrCat(change.next_ccid()));
  rocksdb::WriteOptions w;
  w.sync = true;
  return FromRocks(db_->Write(w, &batch), dir_, "saving ICS records");
}

absl::Status SimStateStore::SaveDemographics(const state::ClientDemographics& client) {
  const std::string key =
      absl::StrCat(v1::ClientIdType_Name(client.client().type()), ":", client.client().value());
  rocksdb::WriteOptions w;
  w.sync = true;
  return FromRocks(db_->Put(w, absl::StrCat(kDemographicsPrefix, key), client.SerializeAsString()),
                   dir_, absl::StrCat("saving the demographics of ", key));
}

}  // namespace sbrgate::sim
