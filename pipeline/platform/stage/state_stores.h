// StateStores: the state stores of one stage instance run by the
// KafkaStageRunner, kept as Kafka Streams keeps them: every entry in a local
// RocksDB in the instance's state directory, every change logged to the
// store's changelog topic in the transaction that makes it, and, per
// changelog partition, a checkpoint saying up to which offset the local copy
// holds the changelog. A restart or a rebalance then reads a changelog only
// from its checkpoint on; it reads it whole only when the local copy is gone
// (or belongs to another cluster's changelog).
//
//   std::string violation;                      // a misuse: the record fails
//   absl::Status storage_error;                 // a failed read: it is retried
//   StateStores stores(&violation, &storage_error);
//   stores.Add("pending", "sbrgate.poll.pending.changelog");
//   stores.Open(dir);
//   stores.Restore(reader, {0, 3}, &restored);  // the assigned partitions
//   stores.set_record_partition(record.partition);
//   const size_t mark = stores.mark();
//   ... stage.Process(record, ctx) uses stores.store("pending") ...
//   if (failed) stores.Undo(mark);
//   stores.AppendChangelog(&messages);          // then commit, and:
//   stores.Committed(txn.delivered());
//
// Uncommitted changes sit in memory (an overlay over the database) until
// the transaction commits; only then are they written locally, with the
// changelog offsets the brokers gave them, in one RocksDB write batch. The
// local copy therefore never holds what the changelog does not, and a
// checkpoint is never past what the copy holds. A checkpoint may lag (a
// crash between the commit and the local write): reading the changelog
// again from it sets each key to its latest value again, which is harmless.
//
// An entry belongs to the input partition of the record that wrote it and
// is logged to that partition of the changelog, so that after a rebalance an
// instance restores exactly its new partitions' entries. Entries written
// outside Process (Init, Punctuate) keep their partition, or take the
// partition of the entry they are put beside (PutBeside), or, when new, the
// default partition (the first assigned).
//
// Locally a key holds one version per changelog partition that has it, as
// the changelogs do, so that restoring one partition never disturbs what
// another wrote, whatever order their records are read in. The stage sees
// the version of an assigned partition (there is one once the changelogs
// are read: a move writes a tombstone to the old partition). Versions of
// partitions not assigned stay on disk, unseen, for the next time they are.
#ifndef SBRGATE_PIPELINE_STAGE_STATE_STORES_H_
#define SBRGATE_PIPELINE_STAGE_STATE_STORES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/platform/kafka/transactional_producer.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/undeclared_store.h"

namespace rocksdb {
class DB;
class WriteBatch;
}

namespace sbrgate::stage {

class StateStores {
 public:
  // `violation` receives the first misuse (an oversized value, an undeclared
  // store) while it is empty; `storage_error` the first failed read while
  // it is OK (the runner retries the record).
  StateStores(std::string* violation, absl::Status* storage_error);
  ~StateStores();
  StateStores(const StateStores&) = delete;
  StateStores& operator=(const StateStores&) = delete;

  void Add(const std::string& name, const std::string& changelog);
  bool empty() const { return stores_.empty(); }
  // Opens (creating) the local copy in `dir`, whose parent must exist.
  absl::Status Open(const std::string& dir);
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
  // The transaction holding AppendChangelog's records committed, and
  // `delivered` (TransactionalProducer::delivered) says where they went:
  // writes the changes and the new checkpoints to the local copy. When that
  // fails the copy misses committed changes: needs_restore() until Restore.
  absl::Status Committed(
      const std::map<std::pair<std::string, int32_t>, int64_t>& delivered);
  bool needs_restore() const { return needs_restore_; }

  // Drops the uncommitted changes and forgets the assigned partitions (the
  // partitions were revoked; their entries stay on disk).
  void Clear();
  // Assigns `partitions` and brings their entries up to date: reads each
  // changelog partition from its checkpoint to its end, or, without a
  // checkpoint it can trust, from the start after dropping what the local
  // copy held of it. Counts the records read in `restored`, also when it
  // fails.
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
  // One store change since the last commit, with the key's overlay entry
  // before it (none: the key was not in the overlay), to undo it.
  struct Change {
    LoggedStore* store;
    std::string key;
    std::optional<std::optional<Entry>> before;
  };

  // Drops what the local copy holds of `store`'s changelog `partition`,
  // and its checkpoint.
  absl::Status Forget(const LoggedStore& store, int32_t partition);
  absl::Status Write(rocksdb::WriteBatch* batch, const std::string& what);

  std::string* const violation_;
  absl::Status* const storage_error_;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, std::unique_ptr<LoggedStore>> stores_;  // by name
  std::vector<Change> changes_;
  std::set<int32_t> assigned_;
  int32_t record_partition_ = -1;
  int32_t default_partition_ = 0;
  bool needs_restore_ = false;
  std::unique_ptr<UndeclaredStore> missing_;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_STATE_STORES_H_
