// LocalStores: the state stores of a stage run by the LocalStageRunner, kept
// in the local log's RocksDB (LocalLog::Get/Scan) rather than in memory:
// nothing is restored on start, and a store larger than RAM costs only its
// cache. Changes made while a record is processed sit in an overlay until
// the runner commits them in the same write batch as the outputs and the
// offsets (AddTo), or undoes them.
//
//   std::string violation;       // a misuse (oversized value, undeclared store)
//   absl::Status storage_error;  // a failed read: the record must be retried
//   LocalStores stores(&log, &violation, &storage_error);
//   stores.Add("pending", "sbrgate.poll.pending");
//   const size_t mark = stores.mark();
//   ... stage.Process(record, ctx) uses stores.store("pending") ...
//   if (failed) stores.Undo(mark);
//   stores.AddTo(&tx);  log.Commit(tx);  stores.Committed();
#ifndef SBRGATE_PIPELINE_STAGE_LOCAL_STORES_H_
#define SBRGATE_PIPELINE_STAGE_LOCAL_STORES_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "pipeline/platform/log/local_log.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/undeclared_store.h"

namespace sbrgate::stage {

class LocalStores {
 public:
  // `log` must outlive the stores. `violation` receives the first misuse
  // while it is empty, `storage_error` the first failed read while it is OK.
  LocalStores(log::LocalLog* log, std::string* violation, absl::Status* storage_error);
  ~LocalStores();
  LocalStores(const LocalStores&) = delete;
  LocalStores& operator=(const LocalStores&) = delete;

  // Store `name` of the stage, kept in the log as store `log_store`.
  void Add(const std::string& name, std::string log_store);
  // The store `name`; for a name never added, a store whose every use is a
  // violation.
  StateStore& store(const std::string& name);

  size_t mark() const { return changes_.size(); }
  bool changed() const { return !changes_.empty(); }
  // Takes back the changes after `mark`.
  void Undo(size_t mark);
  // Adds every change since the last Committed() to `tx`.
  void AddTo(log::LogTransaction* tx) const;
  // The changes are on disk: reads go to the log again.
  void Committed();

 private:
  class LogStore;
  struct Change {
    LogStore* store;
    std::string key;
    // The overlay's entry for the key before the change: none, or a value
    // (nullopt inside: a deletion).
    std::optional<std::optional<std::string>> before;
  };

  log::LocalLog* const log_;
  std::string* const violation_;
  absl::Status* const storage_error_;
  std::map<std::string, std::unique_ptr<LogStore>> stores_;  // by name
  std::vector<Change> changes_;
  std::unique_ptr<UndeclaredStore> missing_;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_LOCAL_STORES_H_
