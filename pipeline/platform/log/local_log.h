// LocalLog: sbrgate's durable local log, the embedded default's stand-in for
// a Kafka cluster. Topics are split into partitions by key, each partition
// an append-only sequence of records with offsets from 0, as in Kafka; all
// of it lives in one RocksDB database in the data directory, so it survives
// kill -9 and restarts.
//
// A LogTransaction gathers a stage's outputs, its state-store changes and
// its consumer offsets; Commit writes them as ONE RocksDB write batch
// (fsynced), so exactly-once between stages holds by construction: either a
// record's effects and its consumption are all on disk, or none is. A
// transaction of consumer offsets alone (a stage whose records changed
// nothing in the log: the status view's) is not fsynced: written through to
// the operating system it survives kill -9, and the next synced write makes
// it durable; a power cut before then is a crash before that commit, whose
// records are read again.
//
//   absl::StatusOr<std::unique_ptr<LocalLog>> log =
//       LocalLog::Open(data_dir + "/log", {{"sbrgate.lodgments.received", 8}, ...}, &clock);
//   LogTransaction tx;
//   tx.Append({"sbrgate.lodgments.submitted", lodgment_id, value});
//   tx.Put("poll.pending", lodgment_id, timer);
//   tx.CommitOffset("sbrgate.submit", {"sbrgate.lodgments.received", 3}, 1042);
//   absl::Status s = (*log)->Commit(tx);
//   absl::StatusOr<std::vector<LogRecord>> more =
//       (*log)->Read({"sbrgate.lodgments.received", 3}, /*from=*/1042, /*max_records=*/500);
//
// Records are removed (Trim) once every consumer group that reads their
// topic has committed past them and the topic's retention has run out; a
// retention of zero keeps them only until every group has passed them, and
// an infinite one keeps them for replay.
//
// Storage errors (ENOSPC, EIO) come back as Unavailable: nothing was
// written, and the caller holds and retries as it would for an unreachable
// broker. Corruption is DataLoss.
#ifndef SBRGATE_PIPELINE_PLATFORM_LOG_LOCAL_LOG_H_
#define SBRGATE_PIPELINE_PLATFORM_LOG_LOCAL_LOG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/group_commit.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace sbrgate::log {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  friend bool operator<(const TopicPartition& a, const TopicPartition& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  }
  friend bool operator==(const TopicPartition& a, const TopicPartition& b) {
    return a.topic == b.topic && a.partition == b.partition;
  }
};

struct LogTopic {
  std::string name;
  int partitions = 1;
  // How long a record is kept after every consumer group passed it;
  // absl::InfiniteDuration(): until removed by hand (replayable history).
  absl::Duration retention = absl::InfiniteDuration();
  // The consumer groups that read this topic; a record is removed only once
  // each has committed past it.
  std::vector<std::string> consumer_groups;
};

struct LogRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  absl::Time timestamp;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Append {
  std::string topic;
  std::string key;  // decides the partition
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set only to place a record on a chosen partition (a dead letter's
  // redrive goes back where it came from); otherwise by key.
  std::optional<int32_t> partition;
};

// A consumer group's committed offset in a partition, and what it committed
// with it.
struct OffsetAndMetadata {
  int64_t offset = 0;
  std::string metadata;
};

// What one Commit writes, all or nothing.
class LogTransaction {
 public:
  void Append(log::Append record) { appends_.push_back(std::move(record)); }
  void Put(const std::string& store, std::string key, std::string value) {
    store_changes_.push_back({store, std::move(key), std::move(value)});
  }
  void Delete(const std::string& store, std::string key) {
    store_changes_.push_back({store, std::move(key), std::nullopt});
  }
  // The group has consumed `tp` up to (not including) `next_offset`;
  // `metadata` is kept with it, as Kafka keeps an offset commit's.
  void CommitOffset(const std::string& group, const TopicPartition& tp, int64_t next_offset,
                    std::string metadata = "") {
    offsets_[{group, tp}] = {next_offset, std::move(metadata)};
  }
  bool empty() const { return appends_.empty() && store_changes_.empty() && offsets_.empty(); }
  // Consumer offsets and nothing else: the commit needs no fsync.
  bool offsets_only() const { return appends_.empty() && store_changes_.empty(); }
  void Clear() {
    appends_.clear();
    store_changes_.clear();
    offsets_.clear();
  }

 private:
  friend class LocalLog;
  struct StoreChange {
    std::string store;
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };
  std::vector<log::Append> appends_;
  std::vector<StoreChange> store_changes_;
  std::map<std::pair<std::string, TopicPartition>, OffsetAndMetadata> offsets_;
};

struct PartitionInfo {
  int64_t low = 0;   // first offset still held
  int64_t high = 0;  // the next offset to be written
};

class LocalLog {
 public:
  // Opens (creating if needed) the log in `dir`. A topic not yet in the log
  // is added; one already there must keep its partition count
  // (FailedPrecondition otherwise: keys would move between partitions).
  // Each topic's retention and consumer groups are recorded as declared,
  // for readers.
  // `clock` stamps appended records and decides retention; it must outlive
  // the log.
  static absl::StatusOr<std::unique_ptr<LocalLog>> Open(const std::string& dir,
                                                        std::vector<LogTopic> topics,
                                                        const Clock* clock);
  // Opens an existing log for reading beside the process that writes it
  // (`sbrgate log tail`): it sees what was committed when it opened, and
  // more after each CatchUp; its topics() are as the writer last declared
  // them. `scratch_dir` holds the reader's own files.
  static absl::StatusOr<std::unique_ptr<LocalLog>> OpenReadOnly(const std::string& dir,
                                                                const std::string& scratch_dir);
  ~LocalLog();
  LocalLog(const LocalLog&) = delete;
  LocalLog& operator=(const LocalLog&) = delete;

  // Writes the transaction as one batch, fsynced unless it holds offsets
  // alone, then wakes readers.
  // Appended records get their offsets here. InvalidArgument for an unknown
  // topic or partition. Transactions committed while one is being written
  // are written next, all in one batch (one fsync for the group), each
  // still all or nothing and in the order they came.
  absl::Status Commit(const LogTransaction& tx);

  // Up to `max_records` records of `tp` from offset `from`. OutOfRange if
  // `from` is below the partition's low watermark (records were trimmed: a
  // consumer that far behind has lost data) or past its high watermark.
  absl::StatusOr<std::vector<LogRecord>> Read(const TopicPartition& tp, int64_t from,
                                              int max_records) const;

  // The offset `group` committed for `tp`, or 0 when it never committed.
  absl::StatusOr<int64_t> CommittedOffset(const std::string& group, const TopicPartition& tp) const;
  // The same with its metadata ("" when it never committed, or none).
  absl::StatusOr<OffsetAndMetadata> Committed(const std::string& group,
                                              const TopicPartition& tp) const;
  absl::StatusOr<std::optional<std::string>> Get(const std::string& store,
                                                 const std::string& key) const;
  // Entries of `store` with keys in [from, to) in key order ("" for `to`:
  // to the end), until `visit` returns false.
  absl::Status Scan(
      const std::string& store, const std::string& from, const std::string& to,
      const std::function<bool(const std::string& key, const std::string& value)>& visit) const;

  PartitionInfo Partition(const TopicPartition& tp) const;
  std::vector<LogTopic> topics() const;
  // The partition of `key` in a topic of `partitions` (CRC-32 of the key, as
  // librdkafka's consistent partitioner).
  static int32_t PartitionFor(const std::string& key, int partitions);

  // How many records were appended to `topics` so far (unknown topics count
  // none): for WaitForAppend.
  uint64_t Appended(const std::vector<std::string>& topics) const;
  // Blocks until records are appended to `topics` after Appended(topics)
  // was `seen`, or until `deadline`; returns Appended(topics) then. Commits
  // to other topics do not wake it (a reader idles through the commits of
  // the stages it does not read).
  uint64_t WaitForAppend(const std::vector<std::string>& topics, uint64_t seen,
                         absl::Time deadline) const;

  // Removes records every consumer group has passed whose retention has run
  // out; returns how many.
  absl::StatusOr<int64_t> Trim();
  // Read-only logs: sees what the writer committed since.
  absl::Status CatchUp();

 private:
  struct Handles;
  LocalLog(std::unique_ptr<rocksdb::DB> db, std::unique_ptr<Handles> handles, const Clock* clock,
           bool read_only);
  absl::Status LoadTopics(std::vector<LogTopic> wanted);
  absl::Status LoadWatermarks();

  // A transaction waiting to be written, on its committer's stack.
  struct QueuedCommit {
    const LogTransaction* tx;
    absl::Status status;  // set by WriteGroup
  };
  absl::Status CheckAppends(const LogTransaction& tx) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Writes `group` in one batch (synced unless every one holds offsets
  // alone) and sets each one's status.
  void WriteGroup(const std::vector<QueuedCommit*>& group) ABSL_LOCKS_EXCLUDED(mu_);

  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<Handles> handles_;
  const Clock* clock_;
  const bool read_only_;

  mutable absl::Mutex mu_;
  std::map<std::string, LogTopic> topics_ ABSL_GUARDED_BY(mu_);
  std::map<TopicPartition, PartitionInfo> partitions_ ABSL_GUARDED_BY(mu_);
  // Records appended so far, by topic; every topic has its counter from
  // Open on, so that waiters may hold pointers to them.
  std::map<std::string, uint64_t> appended_ ABSL_GUARDED_BY(mu_);
  // Serialises writes (a group's, Trim's) so that offsets become visible in order.
  absl::Mutex commit_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // Concurrent commits are written in one group (WriteGroup).
  GroupCommit<QueuedCommit*> commits_{[this](std::vector<QueuedCommit*>& group) {
    WriteGroup(group);
    return absl::OkStatus();  // each commit's own status is in it
  }};
};

}  // namespace sbrgate::log

#endif  // SBRGATE_PIPELINE_PLATFORM_LOG_LOCAL_LOG_H_
