#include "pipeline/stp/status/status_view.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/log/rocks_status.h"
#include "pipeline/platform/log/view_db.h"
#include "pipeline/platform/logging/structured_log.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "rocksdb/write_batch.h"

namespace sbrgate::lodgment {

namespace {

// Key prefixes: one kind of record each.
constexpr char kEntry = 'e';        // + id -> StatusViewEntry
constexpr char kCreated = 'c';      // + sequence (big-endian) + id -> ""
constexpr char kIdempotency = 'i';  // + abn \0 bms \0 transaction -> id
constexpr char kRejected = 'r';     // + id -> "" (has rejected or held-back records)
constexpr char kDeadLetter = 'd';   // + partition + offset (big-endian) -> StatusViewDeadLetter
constexpr char kStateCount = 'n';   // + state (decimal) -> lodgments in it; alone: "counted"
constexpr char kSubmission = 's';   // + id -> LodgmentToSubmit of its current attempt

// Entries kept in memory after they are written: the lodgments changed in
// the last seconds at hundreds a second, whose next changes mostly follow
// within them.
constexpr size_t kKnownEntries = 2048;

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string EntryKey(const std::string& id) { return std::string(1, kEntry) + id; }

std::string SubmissionKey(const std::string& id) { return std::string(1, kSubmission) + id; }

std::string CreatedKey(const StatusViewEntry& e) {
  return log::SequenceKey(kCreated, e.sequence(), e.lodgment().lodgment_id());
}

std::string IdempotencyKey(const std::string& abn, const std::string& bms_id,
                           const std::string& transaction_id) {
  return absl::StrCat(std::string(1, kIdempotency), abn, std::string(1, '\0'), bms_id,
                      std::string(1, '\0'), transaction_id);
}

std::string DeadLetterKey(int32_t partition, int64_t offset) {
  std::string k(1, kDeadLetter);
  PutBigEndian(&k, static_cast<uint32_t>(partition), 4);
  PutBigEndian(&k, static_cast<uint64_t>(offset), 8);
  return k;
}

// "<partition>-<offset>" as its key, or nullopt.
std::optional<std::string> DeadLetterKeyOf(const std::string& id) {
  std::vector<std::string> parts = absl::StrSplit(id, '-');
  int32_t partition;
  int64_t offset;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &partition) ||
      !absl::SimpleAtoi(parts[1], &offset) || partition < 0 || offset < 0) {
    return std::nullopt;
  }
  return DeadLetterKey(partition, offset);
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  return log::RocksStatus(s, absl::StrCat("status view: ", what));
}

metrics::Family<metrics::Counter>& Transitions() {
  static auto& family = metrics::Registry::Default().AddCounter(
      "sbrgate_lodgment_transitions_total",
      "Lodgments that entered a state, as this process's status view applied it (a view made "
      "afresh applies its topic's history again).",
      {"state"});
  return family;
}

std::string StateCountKey(int state) { return absl::StrCat(std::string(1, kStateCount), state); }

bool HasRecords(const v1::Lodgment& l) {
  return !l.held_back().empty() || !l.rejected_records().empty();
}

// A push redone after the lodgment's outcome came (SUBMITTED, HELD,
// RECEIPTED again): a stage that stopped after its transaction but before
// its consumer offsets were stored, as on the embedded Kafka cluster
// (stage/commit_batcher.h), reads its records again. The outcome stands: a
// new attempt goes through RECEIVED first (the resubmit stage).
bool IsRedonePush(const v1::Lodgment& current, const events::StatusChange& change) {
  const bool push_state = change.state() == v1::SUBMITTED || change.state() == v1::HELD ||
                          change.state() == v1::RECEIPTED;
  return push_state && IsFinal(current.state());
}

}  // namespace

bool IsFinal(v1::LodgmentState state) {
  switch (state) {
    case v1::ACCEPTED:
    case v1::PARTIALLY_ACCEPTED:
    case v1::REJECTED:
    case v1::SYSTEM_ERROR:
    case v1::ESCALATED:
    case v1::SUPERSEDED:
    case v1::REFUSED:
      return true;
    default:
      return false;
  }
}

const std::string& PayerOf(const v1::Lodgment& l) { return l.abn().empty() ? l.wpn() : l.abn(); }

absl::StatusOr<std::unique_ptr<StatusView>> StatusView::Open(const std::string& dir,
                                                             const blob::BlobStore* blobs) {
  absl::StatusOr<log::ViewDb> opened = log::ViewDb::Open(dir, 32 << 20, "status view");
  if (!opened.ok()) return opened.status();
  const int64_t last = opened->LastSequence(kCreated);
  auto view = std::unique_ptr<StatusView>(
      new StatusView(std::move(opened->db), std::move(opened->generation), blobs));
  // Lodgments new to the view go after the last one it has.
  absl::MutexLock lock(&view->apply_mu_);
  view->last_sequence_ = last;
  if (absl::Status s = view->LoadStateCounts(); !s.ok()) return s;
  return view;
}

absl::Status StatusView::LoadStateCounts() {
  std::string counted;
  rocksdb::Status marker = db_->Get(rocksdb::ReadOptions(), std::string(1, kStateCount), &counted);
  rocksdb::WriteBatch batch;
  std::map<int, int64_t> counts;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  if (marker.ok()) {
    const std::string prefix(1, kStateCount);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      int state = 0;
      int64_t n = 0;
      if (it->key().size() == 1) continue;
      if (!absl::SimpleAtoi(absl::string_view(it->key().data() + 1, it->key().size() - 1),
                            &state) ||
          !absl::SimpleAtoi(absl::string_view(it->value().data(), it->value().size()), &n)) {
        return absl::DataLossError("status view: a lodgment count by state is unreadable");
      }
      counts[state] = n;
    }
  } else if (marker.IsNotFound()) {
    // A view made before the counts were kept: count its lodgments once.
    const std::string prefix(1, kEntry);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      StatusViewEntry e;
      if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError(absl::StrCat("status view: lodgment ",
                                                it->key().ToString().substr(1), " is unreadable"));
      }
      ++counts[e.lodgment().state()];
    }
    for (const auto& [state, n] : counts) batch.Put(StateCountKey(state), absl::StrCat(n));
    batch.Put(std::string(1, kStateCount), "1");
  } else {
    return FromRocks(marker, "reading the lodgment counts");
  }
  if (absl::Status s = FromRocks(it->status(), "reading the lodgment counts"); !s.ok()) return s;
  if (batch.Count() > 0) {
    if (absl::Status s = FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "counting");
        !s.ok()) {
      return s;
    }
  }
  absl::MutexLock lock(&counts_mu_);
  state_counts_ = std::move(counts);
  return absl::OkStatus();
}

metrics::Registration ExposeLodgmentStates(metrics::Registry& registry, const StatusView* view) {
  return registry.AddCollector([view](metrics::Collection& c) {
    for (const auto& [state, n] : view->CountsByState()) {
      c.Gauge("sbrgate_lodgments", "Lodgments in the status view, by state.",
              {{"state", v1::LodgmentState_Name(state)}}, static_cast<double>(n));
    }
  });
}

std::map<v1::LodgmentState, int64_t> StatusView::CountsByState() const {
  absl::MutexLock lock(&counts_mu_);
  std::map<v1::LodgmentState, int64_t> out;
  for (const auto& [state, n] : state_counts_) out[static_cast<v1::LodgmentState>(state)] = n;
  return out;
}

StatusView::StatusView(std::unique_ptr<rocksdb::DB> db, std::string generation,
                       const blob::BlobStore* blobs)
    : db_(std::move(db)),
      generation_(std::move(generation)),
      blobs_(blobs),
      pending_(std::make_unique<rocksdb::WriteBatchWithIndex>(rocksdb::BytewiseComparator(), 0,
                                                              /*overwrite_key=*/true)) {}

StatusView::~StatusView() = default;

absl::StatusOr<std::vector<v1::RecordProblem>> StatusView::LoadProblems(
    const events::BlobRef& ref) const {
  absl::StatusOr<std::string> bytes = blob::ReadRef(*blobs_, ref);
  if (!bytes.ok()) return bytes.status();
  events::RecordProblems problems;
  if (!problems.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("blob ", ref.sha256(), " is not a RecordProblems"));
  }
  return std::vector<v1::RecordProblem>(problems.problems().begin(), problems.problems().end());
}

absl::StatusOr<std::optional<StatusViewEntry>> StatusView::ReadEntry(const std::string& id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EntryKey(id), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (absl::Status st = FromRocks(s, absl::StrCat("reading lodgment ", id)); !st.ok()) return st;
  StatusViewEntry e;
  if (!e.ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat("status view: lodgment ", id, " is unreadable"));
  }
  return e;
}

std::optional<StatusViewEntry> StatusView::EntryOrNothing(const std::string& id) const {
  absl::StatusOr<std::optional<StatusViewEntry>> e = ReadEntry(id);
  return e.ok() ? *std::move(e) : std::nullopt;
}

absl::StatusOr<StatusView::Known*> StatusView::Find(const std::string& id) {
  if (auto it = known_.find(id); it != known_.end()) return &it->second;
  absl::StatusOr<std::optional<StatusViewEntry>> read = ReadEntry(id);
  if (!read.ok()) return read.status();
  if (!read->has_value()) return nullptr;
  Known& k = known_[id];
  known_order_.push_back(id);
  k.written_state = (*read)->lodgment().state();
  k.entry = **std::move(read);
  return &k;
}

void StatusView::Store(const std::string& id, StatusViewEntry entry, Known* known) {
  const int was = known != nullptr ? known->entry.lodgment().state() : kNotWritten;
  const int now = entry.lodgment().state();
  if (was != now) {
    pending_changes_.push_back({id, PayerOf(entry.lodgment()), entry.lodgment().message_id(),
                                static_cast<v1::LodgmentState>(now), entry.lodgment().detail()});
  }
  if (known == nullptr) {
    known = &known_[id];
    known_order_.push_back(id);
  }
  if (!known->unwritten) {
    known->unwritten = true;
    unwritten_.push_back(id);
  }
  known->entry = std::move(entry);
}

rocksdb::Status StatusView::GetPending(const std::string& key, std::string* value) {
  return pending_->GetFromBatchAndDB(db_.get(), rocksdb::ReadOptions(), key, value);
}

absl::Status StatusView::Atomically(const std::function<absl::Status()>& fold) {
  pending_->SetSavePoint();
  absl::Status s = fold();
  if (s.ok()) {
    pending_->PopSavePoint();
  } else {
    // A fold Stores its entries after every step that can fail: only the
    // other keys are to take back.
    pending_->RollbackToSavePoint();
  }
  return s;
}

absl::Status StatusView::WritePending(bool sync) {
  std::map<int, int64_t> deltas;
  for (const std::string& id : unwritten_) {
    const Known& k = known_.at(id);
    const StatusViewEntry& e = k.entry;
    pending_->Put(EntryKey(id), e.SerializeAsString());
    if (k.written_state == kNotWritten) pending_->Put(CreatedKey(e), "");
    const int now = e.lodgment().state();
    if (k.written_state != now) {
      if (k.written_state != kNotWritten) --deltas[k.written_state];
      ++deltas[now];
    }
    if (HasRecords(e.lodgment())) pending_->Put(std::string(1, kRejected) + id, "");
  }
  {
    absl::MutexLock lock(&counts_mu_);
    for (const auto& [state, delta] : deltas) {
      auto written = state_counts_.find(state);
      const int64_t count = (written == state_counts_.end() ? 0 : written->second);
      pending_->Put(StateCountKey(state), absl::StrCat(count + delta));
    }
  }
  rocksdb::WriteOptions options;
  // Unsynced, still through to the operating system (safe from kill -9);
  // Sync makes it safe from power loss before the stage's offsets commit.
  options.sync = sync;
  absl::Status written = FromRocks(db_->Write(options, pending_->GetWriteBatch()), "writing");
  pending_->Clear();
  std::vector<std::string> ids = std::move(unwritten_);
  unwritten_.clear();
  std::vector<StateChange> changes = std::move(pending_changes_);
  pending_changes_.clear();
  if (!written.ok()) {
    // What memory holds may now be ahead of the disk: read it again.
    known_.clear();
    known_order_.clear();
    return written;
  }
  unsynced_ = !sync;
  for (const std::string& id : ids) {
    Known& k = known_.at(id);
    k.written_state = k.entry.lodgment().state();
    k.unwritten = false;
  }
  while (known_.size() > kKnownEntries) {
    known_.erase(known_order_.front());
    known_order_.pop_front();
  }
  {
    absl::MutexLock lock(&counts_mu_);
    for (const auto& [state, delta] : deltas) state_counts_[state] += delta;
  }
  for (const StateChange& c : changes) {
    Transitions().With({v1::LodgmentState_Name(c.state)}).Increment();
    logging::Log(caught_up_ ? logging::Level::kInfo : logging::Level::kDebug, "status-view",
                 "state_change")
        .Field("lodgment_id", c.lodgment_id)
        .Field("abn", c.abn)
        .Field("message_id", c.message_id)
        .Field("state", v1::LodgmentState_Name(c.state))
        .Message(c.detail);
  }
  absl::MutexLock lock(&tick_mu_);
  ++tick_;
  return absl::OkStatus();
}

absl::Status StatusView::Sync() {
  absl::MutexLock apply(&apply_mu_);
  if (!unwritten_.empty() || pending_->GetWriteBatch()->Count() > 0) return WritePending(true);
  if (!unsynced_) return absl::OkStatus();
  absl::Status s = FromRocks(db_->SyncWAL(), "syncing");
  if (s.ok()) unsynced_ = false;
  return s;
}

absl::Status StatusView::Apply(const events::StatusChange& change, int64_t offset) {
  absl::MutexLock apply(&apply_mu_);
  if (absl::Status s = Atomically([&] { return Fold(change, offset); }); !s.ok()) return s;
  return WritePending(/*sync=*/false);
}

absl::Status StatusView::ApplyDeferred(const events::StatusChange& change, int64_t offset) {
  absl::MutexLock apply(&apply_mu_);
  return Atomically([&] { return Fold(change, offset); });
}

absl::Status StatusView::Fold(const events::StatusChange& change, int64_t offset) {
  if (!change.redriven_dead_letter().empty()) {
    if (std::optional<std::string> key = DeadLetterKeyOf(change.redriven_dead_letter())) {
      std::string value;
      StatusViewDeadLetter d;
      if (GetPending(*key, &value).ok() && d.ParseFromString(value)) {
        d.mutable_info()->set_redriven(true);
        pending_->Put(*key, d.SerializeAsString());
      }
    }
    if (change.lodgment_id().empty()) return absl::OkStatus();
  }
  absl::StatusOr<Known*> found = Find(change.lodgment_id());
  if (!found.ok()) return found.status();
  Known* const known = *found;
  if (known != nullptr && offset >= 0 && offset <= known->entry.applied_offset()) {
    return absl::OkStatus();  // applied before the stage's offset was committed
  }
  if (known != nullptr && IsRedonePush(known->entry.lodgment(), change)) return absl::OkStatus();
  StatusViewEntry e = known != nullptr ? known->entry : StatusViewEntry();
  if (known == nullptr) {
    e.set_applied_offset(-1);
    e.set_sequence(++last_sequence_);
    e.mutable_lodgment()->set_lodgment_id(change.lodgment_id());
  }

  std::optional<std::vector<v1::RecordProblem>> held, rejected, sent;
  if (!change.held_back().sha256().empty()) {
    auto p = LoadProblems(change.held_back());
    if (!p.ok()) return p.status();
    held = *std::move(p);
  }
  if (!change.rejected_records().sha256().empty()) {
    auto p = LoadProblems(change.rejected_records());
    if (!p.ok()) return p.status();
    rejected = *std::move(p);
  }
  v1::Lodgment& l = *e.mutable_lodgment();
  std::vector<std::string> open(e.open_dead_letters().begin(), e.open_dead_letters().end());
  open.erase(std::remove(open.begin(), open.end(), change.redriven_dead_letter()), open.end());
  e.clear_open_dead_letters();
  for (const std::string& id : open) e.add_open_dead_letters(id);
  const bool needs_attention = !open.empty();
  const v1::Lodgment& update = change.lodgment();
  if (!update.lodgment_errors().empty()) l.clear_lodgment_errors();
  l.MergeFrom(update);
  l.set_lodgment_id(change.lodgment_id());
  if (needs_attention) {
    l.set_state(v1::NEEDS_ATTENTION);
    if (change.state() != v1::STATE_UNSPECIFIED) e.set_state_before_attention(change.state());
  } else {
    if (change.state() != v1::STATE_UNSPECIFIED) l.set_state(change.state());
    if (!change.detail().empty()) l.set_detail(change.detail());
  }
  if (change.has_at()) {
    *l.mutable_updated_at() = change.at();
    if (!l.has_created_at()) *l.mutable_created_at() = change.at();
  }
  if (held) {
    l.clear_held_back();
    for (auto& p : *held) *l.add_held_back() = std::move(p);
  }
  if (!change.sent_records().sha256().empty()) *e.mutable_sent_records() = change.sent_records();
  // The sent records are needed only to name rejected records and, when an
  // update event is accepted, to resolve what it corrected.
  const bool accepted = change.state() == v1::ACCEPTED || change.state() == v1::PARTIALLY_ACCEPTED;
  if ((rejected || (accepted && l.kind() == "Update")) && !e.sent_records().sha256().empty()) {
    auto p = LoadProblems(e.sent_records());
    if (!p.ok()) return p.status();
    sent = *std::move(p);
  }
  if (rejected) {
    // SBR names records by DocumentID; add who they are from what was sent.
    std::map<std::string, const v1::RecordProblem*> by_id;
    if (sent) {
      for (const v1::RecordProblem& s : *sent) by_id[s.document_id()] = &s;
    }
    l.clear_rejected_records();
    for (auto& p : *rejected) {
      auto it = by_id.find(p.document_id());
      if (it != by_id.end()) {
        if (p.payroll_id().empty()) p.set_payroll_id(it->second->payroll_id());
        if (p.family_name().empty()) p.set_family_name(it->second->family_name());
        if (p.tfn_masked().empty()) p.set_tfn_masked(it->second->tfn_masked());
      }
      *l.add_rejected_records() = std::move(p);
    }
  }
  if (change.has_poll()) *l.add_polls() = change.poll();
  if (change.has_submission()) {
    // Once per attempt, not with each change (an inline payload is kilobytes).
    pending_->Put(SubmissionKey(change.lodgment_id()), change.submission().SerializeAsString());
    e.clear_submission();
  }
  if (!PayerOf(l).empty() && !l.bms_id().empty() && !l.interaction_transaction_id().empty() &&
      l.kind() != "Update") {
    const std::string key = IdempotencyKey(PayerOf(l), l.bms_id(), l.interaction_transaction_id());
    std::string existing;
    if (GetPending(key, &existing).IsNotFound()) pending_->Put(key, change.lodgment_id());
  }
  if (l.kind() == "Update" && accepted) {
    if (absl::Status s = ResolveCorrected(e, sent ? *sent : std::vector<v1::RecordProblem>());
        !s.ok()) {
      return s;
    }
  }
  e.set_version(e.version() + 1);
  if (offset >= 0) e.set_applied_offset(offset);
  Store(change.lodgment_id(), std::move(e), known);
  return absl::OkStatus();
}

absl::Status StatusView::ResolveCorrected(const StatusViewEntry& update,
                                          const std::vector<v1::RecordProblem>& sent) {
  const std::string& original_id = update.lodgment().corrects_lodgment_id();
  absl::StatusOr<Known*> found = Find(original_id);
  if (!found.ok()) return found.status();
  if (*found == nullptr) return absl::OkStatus();
  StatusViewEntry o = (*found)->entry;
  std::set<std::string> still_rejected;
  for (const v1::RecordProblem& p : update.lodgment().rejected_records()) {
    still_rejected.insert(p.payroll_id());
  }
  std::set<std::string> corrected;
  for (const v1::RecordProblem& p : sent) {
    if (still_rejected.count(p.payroll_id()) == 0) corrected.insert(p.payroll_id());
  }
  std::set<std::string> resolved(o.resolved().begin(), o.resolved().end());
  for (const auto* list : {&o.lodgment().rejected_records(), &o.lodgment().held_back()}) {
    for (const v1::RecordProblem& p : *list) {
      if (corrected.count(p.payroll_id()) > 0) resolved.insert(p.document_id());
    }
  }
  o.clear_resolved();
  for (const std::string& d : resolved) o.add_resolved(d);
  o.set_version(o.version() + 1);
  Store(original_id, std::move(o), *found);
  return absl::OkStatus();
}

absl::Status StatusView::ApplyDeadLetter(int32_t partition, int64_t offset,
                                         const events::DeadLetter& dead_letter, bool lodgment) {
  absl::MutexLock apply(&apply_mu_);
  if (absl::Status s =
          Atomically([&] { return FoldDeadLetter(partition, offset, dead_letter, lodgment); });
      !s.ok()) {
    return s;
  }
  return WritePending(/*sync=*/false);
}

absl::Status StatusView::ApplyDeadLetterDeferred(int32_t partition, int64_t offset,
                                                 const events::DeadLetter& dead_letter,
                                                 bool lodgment) {
  absl::MutexLock apply(&apply_mu_);
  return Atomically([&] { return FoldDeadLetter(partition, offset, dead_letter, lodgment); });
}

absl::Status StatusView::FoldDeadLetter(int32_t partition, int64_t offset,
                                        const events::DeadLetter& dead_letter, bool lodgment) {
  const std::string key = DeadLetterKey(partition, offset);
  std::string existing;
  if (GetPending(key, &existing).ok()) {
    return absl::OkStatus();  // read again after a restart of the view
  }
  const std::string id = absl::StrCat(partition, "-", offset);
  StatusViewDeadLetter d;
  v1::DeadLetterInfo& info = *d.mutable_info();
  info.set_id(id);
  info.set_stage(dead_letter.stage());
  info.set_topic(dead_letter.topic());
  info.set_partition(dead_letter.partition());
  info.set_offset(dead_letter.offset());
  info.set_error(dead_letter.error());
  info.set_error_code(dead_letter.error_code());
  info.set_attempts(dead_letter.attempts());
  *info.mutable_at() = dead_letter.at();
  info.set_redrivable(!dead_letter.value().empty());
  *d.mutable_record() = dead_letter;
  if (lodgment && !dead_letter.key().empty()) {
    info.set_lodgment_id(dead_letter.key());
    absl::StatusOr<Known*> found = Find(dead_letter.key());
    if (!found.ok()) return found.status();
    StatusViewEntry e = *found != nullptr ? (*found)->entry : StatusViewEntry();
    if (*found == nullptr) {
      e.set_applied_offset(-1);
      e.set_sequence(++last_sequence_);
    }
    v1::Lodgment& l = *e.mutable_lodgment();
    if (e.open_dead_letters().empty()) e.set_state_before_attention(l.state());
    e.add_open_dead_letters(id);
    l.set_lodgment_id(dead_letter.key());
    l.set_state(v1::NEEDS_ATTENTION);
    l.set_detail(absl::StrCat("stage ", dead_letter.stage(), " could not process its record from ",
                              dead_letter.topic(), " (", dead_letter.error(),
                              "): fix the cause, then redrive dead letter ", id,
                              " (sbrgate deadletters redrive --id=", id, ")"));
    if (dead_letter.has_at()) *l.mutable_updated_at() = dead_letter.at();
    e.set_version(e.version() + 1);
    Store(dead_letter.key(), std::move(e), *found);
  }
  pending_->Put(key, d.SerializeAsString());
  return absl::OkStatus();
}

std::vector<v1::DeadLetterInfo> StatusView::DeadLetters(bool include_redriven) const {
  std::vector<v1::DeadLetterInfo> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix(1, kDeadLetter);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    StatusViewDeadLetter d;
    if (!d.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
    if (include_redriven || !d.info().redriven()) out.push_back(d.info());
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return FromProto(a.at()) < FromProto(b.at());
  });
  return out;
}

std::optional<StatusView::HeldDeadLetter> StatusView::DeadLetter(const std::string& id) const {
  std::optional<std::string> key = DeadLetterKeyOf(id);
  if (!key.has_value()) return std::nullopt;
  std::string value;
  StatusViewDeadLetter d;
  if (!db_->Get(rocksdb::ReadOptions(), *key, &value).ok() || !d.ParseFromString(value)) {
    return std::nullopt;
  }
  HeldDeadLetter held{d.info(), d.record()};
  if (std::optional<StatusViewEntry> e = EntryOrNothing(d.info().lodgment_id())) {
    held.resume_state = e->state_before_attention();
  }
  return held;
}

std::optional<v1::Lodgment> StatusView::Get(const std::string& id) const {
  std::optional<StatusViewEntry> e = EntryOrNothing(id);
  if (!e.has_value()) return std::nullopt;
  return std::move(*e->mutable_lodgment());
}

bool StatusView::Matches(const v1::Lodgment& l, const ListFilter& f) {
  if (!f.abn.empty() && l.abn() != f.abn && l.wpn() != f.abn) return false;
  if (f.abns && f.abns->count(l.abn()) == 0 && f.abns->count(l.wpn()) == 0) return false;
  if (f.state != v1::STATE_UNSPECIFIED && l.state() != f.state) return false;
  const absl::Time created = FromProto(l.created_at());
  return created >= f.created_after && created < f.created_before;
}

void StatusView::ForEachByCreation(
    const std::string& from_key,
    const std::function<bool(const std::string& key, const StatusViewEntry& entry)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix(1, kCreated);
  for (it->Seek(from_key.empty() ? prefix : from_key); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    const std::string key = it->key().ToString();
    std::optional<StatusViewEntry> e = EntryOrNothing(log::IdOfSequenceKey(key));
    if (e.has_value() && !visit(key, *e)) return;
  }
}

std::vector<std::string> StatusView::Matching(const ListFilter& filter) const {
  std::vector<std::string> out;
  ForEachByCreation("", [&](const std::string&, const StatusViewEntry& e) {
    if (Matches(e.lodgment(), filter)) out.push_back(e.lodgment().lodgment_id());
    return true;
  });
  return out;
}

std::vector<v1::Lodgment> StatusView::List(const ListFilter& filter, int page_size,
                                           const std::string& page_token,
                                           std::string* next_page_token) const {
  page_size = page_size <= 0 ? 50 : std::min(page_size, 1000);
  std::string from;
  // The token is the creation-index key to go on from, in hex.
  if (!page_token.empty()) {
    const bool hex =
        page_token.size() % 2 == 0 && std::all_of(page_token.begin(), page_token.end(),
                                                  [](char c) { return absl::ascii_isxdigit(c); });
    // A token that is not one of ours matches nothing.
    from = hex ? absl::HexStringToBytes(page_token) : std::string(1, '\xff');
  }
  std::vector<v1::Lodgment> out;
  next_page_token->clear();
  ForEachByCreation(from, [&](const std::string& key, const StatusViewEntry& e) {
    if (!Matches(e.lodgment(), filter)) return true;
    if (static_cast<int>(out.size()) == page_size) {
      *next_page_token = absl::BytesToHexString(key);
      return false;
    }
    out.push_back(e.lodgment());
    return true;
  });
  return out;
}

std::optional<std::string> StatusView::FindByIdempotencyKey(
    const std::string& abn, const std::string& bms_id, const std::string& transaction_id) const {
  std::string id;
  if (!db_->Get(rocksdb::ReadOptions(), IdempotencyKey(abn, bms_id, transaction_id), &id).ok()) {
    return std::nullopt;
  }
  return id;
}

std::vector<v1::RejectedRecord> StatusView::Rejected(const std::string& abn,
                                                     const std::string& lodgment_id) const {
  std::vector<std::pair<absl::Time, std::vector<v1::RejectedRecord>>> found;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix(1, kRejected);
  for (it->Seek(prefix + lodgment_id); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string id = it->key().ToString().substr(1);
    if (!lodgment_id.empty() && id != lodgment_id) break;
    std::optional<StatusViewEntry> e = EntryOrNothing(id);
    if (!e.has_value()) continue;
    const v1::Lodgment& l = e->lodgment();
    if ((!abn.empty() && l.abn() != abn && l.wpn() != abn) || l.state() == v1::SUPERSEDED) {
      continue;
    }
    const std::set<std::string> resolved(e->resolved().begin(), e->resolved().end());
    std::vector<v1::RejectedRecord> records;
    auto add = [&](const v1::RecordProblem& p, bool held) {
      if (resolved.count(p.document_id()) > 0) return;
      v1::RejectedRecord r;
      r.set_lodgment_id(id);
      r.set_abn(PayerOf(l));
      *r.mutable_problem() = p;
      r.set_held_back(held);
      records.push_back(std::move(r));
    };
    for (const v1::RecordProblem& p : l.held_back()) add(p, true);
    for (const v1::RecordProblem& p : l.rejected_records()) add(p, false);
    if (!records.empty()) found.emplace_back(FromProto(l.created_at()), std::move(records));
  }
  // Oldest lodgment first, as they were lodged.
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<v1::RejectedRecord> out;
  for (auto& [created, records] : found) {
    for (auto& r : records) out.push_back(std::move(r));
  }
  return out;
}

std::optional<events::LodgmentToSubmit> StatusView::Submission(const std::string& id) const {
  std::string value;
  if (db_->Get(rocksdb::ReadOptions(), SubmissionKey(id), &value).ok()) {
    events::LodgmentToSubmit submission;
    if (submission.ParseFromString(value)) return submission;
  }
  // Kept in the entry by views written before submissions had keys of their own.
  std::optional<StatusViewEntry> e = EntryOrNothing(id);
  if (!e.has_value() || e->submission().lodgment_id().empty()) return std::nullopt;
  return e->submission();
}

int64_t StatusView::Version(const std::string& id) const {
  std::optional<StatusViewEntry> e = EntryOrNothing(id);
  return e.has_value() ? e->version() : 0;
}

bool StatusView::WaitUntil(const std::function<bool()>& done, absl::Time deadline) const {
  while (true) {
    uint64_t tick;
    {
      absl::MutexLock lock(&tick_mu_);
      tick = tick_;
    }
    if (done()) return true;
    absl::MutexLock lock(&tick_mu_);
    auto written = [&]() ABSL_SHARED_LOCKS_REQUIRED(tick_mu_) { return tick_ != tick; };
    if (!tick_mu_.AwaitWithDeadline(absl::Condition(&written), deadline)) return false;
  }
}

int64_t StatusView::WaitForChange(const std::string& id, int64_t seen, absl::Time deadline) const {
  int64_t version = 0;
  WaitUntil(
      [&] {
        version = Version(id);
        return version > seen;
      },
      deadline);
  return version;
}

}  // namespace sbrgate::lodgment
