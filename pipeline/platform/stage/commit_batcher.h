// CommitBatcher: the open transaction of a stage instance. It gathers the
// outputs of the records processed since the last commit, their consumer
// offsets and (through StateStores) their store changes, and commits them
// all in one Kafka transaction; with mirror_offset_commits the offsets are
// then committed again with a plain OffsetCommit (the embedded cluster does
// not store transactional ones, see runner.h).
//
//   CommitBatcher batch(&stores, &probe, /*mirror_offset_commits=*/true);
//   batch.Open(now);
//   batch.AddOutputs(ctx.TakeEmits());
//   batch.Advance(record);                        // its offset commits too
//   absl::Status s = batch.Commit(txn, consumer);
//   if (!s.ok()) {                                // aborted: nothing was written
//     stores.Undo(0);
//     ...seek back to batch.first()..., then batch.Discard();
//   }
#ifndef SBRGATE_PIPELINE_STAGE_COMMIT_BATCHER_H_
#define SBRGATE_PIPELINE_STAGE_COMMIT_BATCHER_H_

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/platform/kafka/transactional_producer.h"
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
  bool open() const { return !outputs_.empty() || !next_.empty() || stores_->changed(); }
  // Starts the batch's clock unless it runs already. Not open(): a record's
  // store changes come before its Open, and they must not read as an old
  // batch (every record then committed alone).
  void Open(absl::Time now) {
    if (opened_ == absl::InfiniteFuture()) opened_ = now;
  }
  absl::Time opened() const { return opened_; }
  // Input records in the batch, dead letters included.
  int64_t records() const { return records_; }
  // The first offset read per input partition: where to seek back to when
  // the transaction is aborted.
  const std::map<TopicPartition, int64_t>& first() const { return first_; }

  void AddOutputs(std::vector<Output> outputs);
  void AddDeadLetter(Output dead_letter);
  // `record` is done: its offset commits with the batch.
  void Advance(const kafka::TopicRecord& record);

  // Commits the batch in one transaction of `txn`, the consumer offsets for
  // `consumer`'s group. OK: the batch is empty again and the store changes
  // committed. Otherwise (the transaction was aborted) the caller undoes the
  // store changes, rewinds and Discard()s.
  absl::Status Commit(kafka::TransactionalProducer& txn, rd_kafka_t* consumer);
  void Discard();

 private:
  StateStores* const stores_;
  RunnerProbe* const probe_;
  const bool mirror_offset_commits_;
  std::vector<kafka::OutgoingMessage> outputs_;
  std::map<TopicPartition, int64_t> first_;  // first offset read per partition
  std::map<TopicPartition, int64_t> next_;   // offset to commit per partition
  int64_t records_ = 0;
  int64_t dead_letters_ = 0;
  absl::Time opened_ = absl::InfiniteFuture();  // no clock running
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_COMMIT_BATCHER_H_
