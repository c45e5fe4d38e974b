// StatusView: the materialized state of every lodgment, folded from the
// status topic's StatusChange records (and the dead-letter topic's records).
// The gateway serves GetLodgment, ListLodgments, WatchLodgment,
// ListRejectedRecords, dead letters and the idempotency check from it;
// StatusViewStage (status_view_stage.h) keeps it current.
//
//   absl::StatusOr<std::unique_ptr<StatusView>> view = StatusView::Open(dir, &blobs);
//   (*view)->Apply(change, record.offset);         // from the topic, written at once
//   (*view)->ApplyDeferred(change, record.offset); // or written by the next Sync
//   std::optional<v1::Lodgment> l = (*view)->Get(id);
//   (*view)->WaitForChange(id, seen_version, deadline);  // for watchers
//
// It lives on disk, in a RocksDB of its own in `dir` (a million lodgments
// cost their bytes on disk and a small cache in memory, and a restart reads
// nothing again): one entry per lodgment, plus indexes by creation time, by
// idempotency key and of lodgments with rejected or held-back records.
// Each entry remembers the last status-topic offset applied to it, so a
// record read again after a crash (its offset not yet committed) is not
// applied twice. generation() names this copy of the view: a view made
// afresh (its directory lost) reads its topics under a new consumer group,
// from the start.
//
// Record lists (held back, rejected) arrive as blobs and are loaded when the
// change is applied. A lodgment's current submission (its payload may be
// inline, kilobytes) is kept under a key of its own, written once per
// attempt rather than with each change. The entries of lodgments changed
// lately stay in memory for the changes that follow (a lodgment's come
// close together), so applying one seldom reads the database.
// Thread-safe; changes are applied one at a time.
#ifndef SBRGATE_PIPELINE_LODGMENT_STATUS_VIEW_H_
#define SBRGATE_PIPELINE_LODGMENT_STATUS_VIEW_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/metrics/registry.h"
#include "pipeline/stp/status/status_view_entry.pb.h"
#include "proto/events.pb.h"
#include "proto/lodgment.pb.h"

namespace rocksdb {
class DB;
class Status;
class WriteBatchWithIndex;
}  // namespace rocksdb

namespace sbrgate::lodgment {

bool IsFinal(v1::LodgmentState state);

// Who the lodgment is for: its payer's ABN, else its WPN.
const std::string& PayerOf(const v1::Lodgment& l);

struct ListFilter {
  std::string abn;  // a payer: its ABN or WPN
  // Only these payers' lodgments (a caller's scope); nullopt: any payer's.
  std::optional<std::set<std::string>> abns;
  v1::LodgmentState state = v1::STATE_UNSPECIFIED;
  absl::Time created_after = absl::InfinitePast();
  absl::Time created_before = absl::InfiniteFuture();
};

class StatusView {
 public:
  // Opens (creating) the view in `dir`; `blobs` must outlive it.
  static absl::StatusOr<std::unique_ptr<StatusView>> Open(const std::string& dir,
                                                          const blob::BlobStore* blobs);
  ~StatusView();
  StatusView(const StatusView&) = delete;
  StatusView& operator=(const StatusView&) = delete;

  // Writes what ApplyDeferred applied since the last Sync, and makes every
  // change applied so far durable (an fsync). Apply writes at once but does
  // not sync.
  absl::Status Sync();

  // Made when the view's directory was created.
  const std::string& generation() const { return generation_; }

  // `offset`: the change's offset on the status topic, or -1 (always applied).
  // Each change of state is logged (event state_change): at debug level
  // while the view catches up with history, at info once SetCaughtUp.
  absl::Status Apply(const events::StatusChange& change, int64_t offset = -1);
  // Apply, written (and shown to readers) only by the next Sync, in one
  // synced batch with every change deferred since: for the status-view
  // stage, which syncs before its offsets commit. Changes applied after it
  // see it at once. Should that write fail, every deferred change since the
  // last Sync is dropped (their records are read again).
  absl::Status ApplyDeferred(const events::StatusChange& change, int64_t offset);
  // The view has read the status topic up to where it stood at the start:
  // what it applies from now on is news.
  void SetCaughtUp() { caught_up_ = true; }
  // A record a stage could not process: the dead-letter topic's record at
  // `partition`/`offset` (its id "<partition>-<offset>"). When it is a
  // lodgment's (`lodgment`: its key is a lodgment id), the lodgment shows
  // NEEDS_ATTENTION until every such dead letter is redriven; what the
  // stages report meanwhile is kept for then.
  absl::Status ApplyDeadLetter(int32_t partition, int64_t offset,
                               const events::DeadLetter& dead_letter, bool lodgment);
  // ApplyDeadLetter, written by the next Sync (as ApplyDeferred).
  absl::Status ApplyDeadLetterDeferred(int32_t partition, int64_t offset,
                                       const events::DeadLetter& dead_letter, bool lodgment);

  std::optional<v1::Lodgment> Get(const std::string& lodgment_id) const;
  // Lodgments matching `filter`, oldest first, from `page_token` (opaque).
  std::vector<v1::Lodgment> List(const ListFilter& filter, int page_size,
                                 const std::string& page_token, std::string* next_page_token) const;
  std::vector<std::string> Matching(const ListFilter& filter) const;
  // The lodgment already lodged under this payer (PayerOf) + BMS id +
  // InteractionTransactionId.
  std::optional<std::string> FindByIdempotencyKey(const std::string& abn, const std::string& bms_id,
                                                  const std::string& transaction_id) const;
  // Employee records rejected or held back and not yet resolved by an
  // accepted update event.
  std::vector<v1::RejectedRecord> Rejected(const std::string& abn,
                                           const std::string& lodgment_id) const;
  // The submission of the lodgment's current attempt (for replays).
  std::optional<events::LodgmentToSubmit> Submission(const std::string& lodgment_id) const;

  // Dead letters, oldest first; those redriven too when asked.
  std::vector<v1::DeadLetterInfo> DeadLetters(bool include_redriven) const;
  // Dead letter `id` and the record it holds.
  struct HeldDeadLetter {
    v1::DeadLetterInfo info;
    events::DeadLetter record;
    // For a lodgment's: the state to return to once it is redriven.
    v1::LodgmentState resume_state = v1::STATE_UNSPECIFIED;
  };
  std::optional<HeldDeadLetter> DeadLetter(const std::string& id) const;

  // Blocks until `done` (checked after each write to the view) holds or
  // `deadline` (real time) passes; whether it held.
  bool WaitUntil(const std::function<bool()>& done, absl::Time deadline) const;

  // How many lodgments are in each state (states with none may be absent).
  std::map<v1::LodgmentState, int64_t> CountsByState() const;

  // How many changes the lodgment has seen (0: unknown).
  int64_t Version(const std::string& lodgment_id) const;
  // Blocks until the lodgment's version exceeds `seen` or `deadline` (real
  // time) passes; returns the version then.
  int64_t WaitForChange(const std::string& lodgment_id, int64_t seen, absl::Time deadline) const;

 private:
  static constexpr int kNotWritten = -1;  // a lodgment not yet on disk
  // A lodgment's entry as the changes applied so far left it.
  struct Known {
    StatusViewEntry entry;
    int written_state = kNotWritten;  // its state on disk
    bool unwritten = false;           // changed since it was last written
  };

  StatusView(std::unique_ptr<rocksdb::DB> db, std::string generation, const blob::BlobStore* blobs);
  absl::StatusOr<std::vector<v1::RecordProblem>> LoadProblems(const events::BlobRef& ref) const;
  absl::StatusOr<std::optional<StatusViewEntry>> ReadEntry(const std::string& id) const;
  std::optional<StatusViewEntry> EntryOrNothing(const std::string& id) const;
  // The lodgment as applied so far (nullptr: none such), read from disk
  // unless it is in memory.
  absl::StatusOr<Known*> Find(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // `entry` is lodgment `id`'s now (`known`: as Find gave it), to be
  // written by the next WritePending.
  void Store(const std::string& id, StatusViewEntry entry, Known* known)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // A key other than an entry's, as the changes applied so far left it.
  rocksdb::Status GetPending(const std::string& key, std::string* value)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Apply and ApplyDeadLetter up to their write; a failure leaves nothing
  // behind.
  absl::Status Fold(const events::StatusChange& change, int64_t offset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  absl::Status FoldDeadLetter(int32_t partition, int64_t offset,
                              const events::DeadLetter& dead_letter, bool lodgment)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Runs `fold`, keeping what it applied only when it succeeds.
  absl::Status Atomically(const std::function<absl::Status()>& fold)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Writes every change applied since the last write in one batch, with the
  // entries' indexes and the counts by state.
  absl::Status WritePending(bool sync) ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Marks the original of an accepted update's corrections resolved.
  absl::Status ResolveCorrected(const StatusViewEntry& update,
                                const std::vector<v1::RecordProblem>& sent)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Every lodgment in creation order from `from_key`, until `visit` is false.
  void ForEachByCreation(
      const std::string& from_key,
      const std::function<bool(const std::string& key, const StatusViewEntry& entry)>& visit) const;
  static bool Matches(const v1::Lodgment& l, const ListFilter& f);
  // Reads the counts by state, counting the entries once in a view made
  // before they were kept.
  absl::Status LoadStateCounts();

  std::unique_ptr<rocksdb::DB> db_;
  const std::string generation_;
  const blob::BlobStore* blobs_;
  // One change at a time (each reads, folds and writes its entries).
  absl::Mutex apply_mu_;
  int64_t last_sequence_ ABSL_GUARDED_BY(apply_mu_) = 0;
  // Entries of lodgments changed lately, and the order they came in (the
  // oldest leave first); pointer-stable, for a change that updates two.
  absl::node_hash_map<std::string, Known> known_ ABSL_GUARDED_BY(apply_mu_);
  std::deque<std::string> known_order_ ABSL_GUARDED_BY(apply_mu_);
  // Lodgments whose entries changed since the last write, in order.
  std::vector<std::string> unwritten_ ABSL_GUARDED_BY(apply_mu_);
  // The other keys changed since the last write (read through by
  // GetPending).
  std::unique_ptr<rocksdb::WriteBatchWithIndex> pending_ ABSL_GUARDED_BY(apply_mu_);
  // A write since the last sync was not synced.
  bool unsynced_ ABSL_GUARDED_BY(apply_mu_) = false;
  // The state changes since the last write, logged once it is written.
  struct StateChange {
    std::string lodgment_id;
    std::string abn;
    std::string message_id;
    v1::LodgmentState state;
    std::string detail;
  };
  std::vector<StateChange> pending_changes_ ABSL_GUARDED_BY(apply_mu_);
  // Lodgments by state (v1::LodgmentState), as written.
  mutable absl::Mutex counts_mu_;
  std::map<int, int64_t> state_counts_ ABSL_GUARDED_BY(counts_mu_);
  std::atomic<bool> caught_up_{false};
  // Bumped after every write, for WaitForChange.
  mutable absl::Mutex tick_mu_;
  uint64_t tick_ ABSL_GUARDED_BY(tick_mu_) = 0;
};

// /metrics: sbrgate_lodgments{state} from `view`, which must outlive the
// registration.
[[nodiscard]] metrics::Registration ExposeLodgmentStates(metrics::Registry& registry,
                                                         const StatusView* view);

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_STATUS_VIEW_H_
