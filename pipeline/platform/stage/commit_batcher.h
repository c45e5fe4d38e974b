// CommitBatcher: the open transaction of a stage instance. It gathers the
// outputs of the records processed since the last commit, the progress of
// their partitions (offset and PartitionProgress metadata) and, through
// StateStores, their store changes, and commits them all in one Kafka
// transaction; with mirror_offset_commits the offsets are then committed
// again with a plain OffsetCommit (the embedded cluster does not store
// transactional ones, see runner.h).
//
//   CommitBatcher batch(&stores, &probe, /*mirror_offset_commits=*/true);
//   batch.Open(now);
//   batch.AddOutputs(ctx.TakeEmits());
//   progress[tp].Finished(record.offset);
//   batch.Advance(record);                        // its partition's progress commits too
//   absl::Status s = batch.Commit(txn, consumer, progress);
//   if (!s.ok()) {                                // aborted: nothing was written
//     stores.Undo(0);
//     ...seek back to what was committed..., then batch.Discard();
//   }
#ifndef SBRGATE_PIPELINE_STAGE_COMMIT_BATCHER_H_
#define SBRGATE_PIPELINE_STAGE_COMMIT_BATCHER_H_

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/platform/kafka/transactional_producer.h"
#include "pipeline/platform/stage/partition_progress.h"
#include "pipeline/platform/stage/runner_probe.h"
#include "pipeline/platform/stage/state_stores.h"
#include "pipeline/platform/stage/stage.h"

namespace sbrgate::stage {

using TopicPartition = std::pair<std::string, int32_t>;

class CommitBatcher {
 public:
  // `stores` and `probe` must outlive the batcher.
  CommitBatcher(StateStores* stores, RunnerProbe* probe, bool mirror_offset_commits)
      : stores_(stores), probe_(probe), mirror_offset_commits_(mirror_offset_commits) {}

  // Something waits for a commit: outputs, offsets or store changes.
  bool open() const { return !outputs_.empty() || !advanced_.empty() || stores_->changed(); }
  // Starts the batch's clock unless it runs already. Not open(): a record's
  // store changes come before its Open, and they must not read as an old
  // batch (every record then committed alone).
  void Open(absl::Time now) {
    if (opened_ == absl::InfiniteFuture()) opened_ = now;
  }
  absl::Time opened() const { return opened_; }
  // Input records in the batch, dead letters included.
  int64_t records() const { return records_; }
  // The partitions whose progress the batch commits.
  const std::set<TopicPartition>& advanced() const { return advanced_; }

  void AddOutputs(std::vector<Output> outputs);
  void AddDeadLetter(Output dead_letter);
  // `record` is done: its partition's progress commits with the batch.
  void Advance(const kafka::TopicRecord& record);

  // Commits the batch in one transaction of `txn`, with the consumer
  // offsets for `consumer`'s group of the advanced partitions as `progress`
  // has them. OK: the batch is empty again and the store changes committed.
  // Otherwise (the transaction was aborted) the caller undoes the store
  // changes, rewinds and Discard()s.
  absl::Status Commit(kafka::TransactionalProducer& txn, rd_kafka_t* consumer,
                      const std::map<TopicPartition, PartitionProgress>& progress);
  void Discard();

 private:
  StateStores* const stores_;
  RunnerProbe* const probe_;
  const bool mirror_offset_commits_;
  std::vector<kafka::OutgoingMessage> outputs_;
  std::set<TopicPartition> advanced_;
  int64_t records_ = 0;
  int64_t dead_letters_ = 0;
  absl::Time opened_ = absl::InfiniteFuture();  // no clock running
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_COMMIT_BATCHER_H_
