// StatusView: the materialized state of every lodgment, folded from the
// status topic's StatusChange records. The gateway serves GetLodgment,
// ListLodgments, WatchLodgment, ListRejectedRecords and the idempotency check
// from it; StatusViewStage (status_view_stage.h) keeps it current.
//
//   StatusView view(&blobs);
//   view.Apply(change);                          // from the topic
//   std::optional<v1::Lodgment> l = view.Get(id);
//   view.WaitForChange(id, seen_version, deadline);  // for watchers
//
// Record lists (held back, rejected) arrive as blobs and are loaded when the
// change is applied. Thread-safe.
#ifndef SBRGATE_PIPELINE_LODGMENT_STATUS_VIEW_H_
#define SBRGATE_PIPELINE_LODGMENT_STATUS_VIEW_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/platform/blob/blob_store.h"
#include "proto/events.pb.h"
#include "proto/lodgment.pb.h"

namespace sbrgate::lodgment {

bool IsFinal(v1::LodgmentState state);

struct ListFilter {
  std::string abn;
  v1::LodgmentState state = v1::STATE_UNSPECIFIED;
  absl::Time created_after = absl::InfinitePast();
  absl::Time created_before = absl::InfiniteFuture();
};

class StatusView {
 public:
  explicit StatusView(const blob::BlobStore* blobs) : blobs_(blobs) {}

  absl::Status Apply(const events::StatusChange& change);
  // A record a stage could not process: the dead-letter topic's record at
  // `partition`/`offset` (its id "<partition>-<offset>"). When it is a
  // lodgment's (`lodgment`: its key is a lodgment id), the lodgment shows
  // NEEDS_ATTENTION until every such dead letter is redriven; what the
  // stages report meanwhile is kept for then.
  void ApplyDeadLetter(int32_t partition, int64_t offset, const events::DeadLetter& dead_letter,
                       bool lodgment);

  std::optional<v1::Lodgment> Get(const std::string& lodgment_id) const;
  // Lodgments matching `filter`, oldest first, from `page_token` (opaque).
  std::vector<v1::Lodgment> List(const ListFilter& filter, int page_size,
                                 const std::string& page_token, std::string* next_page_token) const;
  std::vector<std::string> Matching(const ListFilter& filter) const;
  // The lodgment already lodged under this ABN + BMS id + InteractionTransactionId.
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

  // How many changes the lodgment has seen (0: unknown).
  int64_t Version(const std::string& lodgment_id) const;
  // Blocks until the lodgment's version exceeds `seen` or `deadline` (real
  // time) passes; returns the version then.
  int64_t WaitForChange(const std::string& lodgment_id, int64_t seen, absl::Time deadline) const;

 private:
  struct Entry {
    v1::Lodgment lodgment;
    int64_t version = 0;
    events::LodgmentToSubmit submission;
    std::set<std::string> resolved;  // DocumentIDs fixed by an accepted update
    // Who each sent record is, as a blob: read only to name SBR's rejections
    // and to resolve an update's corrections, so a view of many large
    // lodgments does not hold every employee in memory.
    events::BlobRef sent_records;
    // Dead letters of this lodgment not yet redriven; while there are any
    // it shows NEEDS_ATTENTION, and the stages' states wait here.
    std::set<std::string> open_dead_letters;
    v1::LodgmentState state_before_attention = v1::STATE_UNSPECIFIED;
  };
  struct DeadLetterEntry {
    v1::DeadLetterInfo info;
    events::DeadLetter record;
  };
  absl::StatusOr<std::vector<v1::RecordProblem>> LoadProblems(const events::BlobRef& ref) const;
  void ResolveCorrected(const Entry& update, const std::vector<v1::RecordProblem>& sent)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static bool Matches(const v1::Lodgment& l, const ListFilter& f);

  const blob::BlobStore* blobs_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);  // by creation
  std::map<std::string, DeadLetterEntry> dead_letters_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> dead_letter_order_ ABSL_GUARDED_BY(mu_);
  std::map<std::tuple<std::string, std::string, std::string>, std::string> idempotency_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_STATUS_VIEW_H_
