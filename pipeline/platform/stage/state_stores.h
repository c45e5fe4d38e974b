// StateStores: the state stores of one stage instance (StateStore, stage.h),
// each an in-memory map logged to its changelog topic. Changes are kept
// until the runner commits them (their changelog records then go into the
// transaction) or undoes them (a failed, retried or aborted record).
//
//   std::string violation;                      // why the record must fail
//   StateStores stores(&violation);
//   stores.Add("pending", "sbrgate.poll.pending.changelog");
//   stores.Restore(reader, {0, 3}, &restored);  // the assigned partitions
//   stores.set_record_partition(record.partition);
//   const size_t mark = stores.mark();
//   ... stage.Process(record, ctx) uses stores.store("pending") ...
//   if (failed) stores.Undo(mark);
//   stores.AppendChangelog(&messages);          // then commit, and:
//   stores.Committed();
//
// An entry belongs to the input partition of the record that wrote it and
// is logged to that partition of the changelog, so that after a rebalance an
// instance restores exactly its new partitions' entries. Entries written
// outside Process (Init, Punctuate) keep their partition, or take the
// partition of the entry they are put beside (PutBeside), or, when new, the
// default partition (the first assigned).
#ifndef SBRGATE_PIPELINE_STAGE_STATE_STORES_H_
#define SBRGATE_PIPELINE_STAGE_STATE_STORES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/platform/kafka/transactional_producer.h"
#include "pipeline/platform/stage/runner.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/undeclared_store.h"

namespace sbrgate::stage {

class StateStores {
 public:
  // `violation` receives the first misuse (an oversized value, an undeclared
  // store) while it is empty; the runner fails the record when it is set.
  explicit StateStores(std::string* violation);
  ~StateStores();
  StateStores(const StateStores&) = delete;
  StateStores& operator=(const StateStores&) = delete;

  void Add(const std::string& name, const std::string& changelog);
  bool empty() const { return stores_.empty(); }
  // The store `name`; for a name never added, a store whose every use is a
  // violation.
  StateStore& store(const std::string& name);

  // The partition of the record being processed, or -1 outside Process.
  void set_record_partition(int32_t partition) { record_partition_ = partition; }
  void set_default_partition(int32_t partition) { default_partition_ = partition; }

  // Changes since the last Committed(); Undo(mark) takes back those after it.
  size_t mark() const { return changes_.size(); }
  bool changed() const { return !changes_.empty(); }
  void Undo(size_t mark);
  // The changelog records of the changes since the last Committed(): per key,
  // its value now (or nothing when deleted), and a tombstone where the key
  // was before when it was deleted or moved to another partition.
  void AppendChangelog(std::vector<kafka::OutgoingMessage>* messages) const;
  void Committed() { changes_.clear(); }

  // Drops every entry and change (the partitions were revoked).
  void Clear();
  // Clears, then reads the changelogs' `partitions` to their ends. Counts the
  // records read in `restored`, also when it fails.
  absl::Status Restore(kafka::TopicReader& reader, const std::set<int32_t>& partitions,
                       int64_t* restored);

 private:
  class LoggedStore;
  // A store entry and the input partition it belongs to (its changelog
  // partition).
  struct Entry {
    std::string value;
    int32_t partition = 0;
  };
  // One store change since the last commit: undone when the transaction is
  // not committed, and, by key, what the changelog must record when it is.
  struct Change {
    LoggedStore* store;
    std::string key;
    std::optional<Entry> before;
  };

  std::string* const violation_;
  std::map<std::string, std::unique_ptr<LoggedStore>> stores_;  // by name
  std::vector<Change> changes_;
  int32_t record_partition_ = -1;
  int32_t default_partition_ = 0;
  std::unique_ptr<UndeclaredStore> missing_;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_STATE_STORES_H_
