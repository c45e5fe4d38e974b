#include "pipeline/platform/stage/commit_batcher.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace sbrgate::stage {

void CommitBatcher::AddOutputs(std::vector<Output> outputs) {
  for (Output& o : outputs) {
    outputs_.push_back({o.topic, -1, std::move(o.key), std::move(o.value), std::move(o.headers)});
  }
}

void CommitBatcher::AddDeadLetter(Output dead_letter) {
  outputs_.push_back({std::move(dead_letter.topic), -1, std::move(dead_letter.key),
                      std::move(dead_letter.value), std::move(dead_letter.headers)});
  ++dead_letters_;
}

void CommitBatcher::Advance(const kafka::TopicRecord& record) {
  advanced_.insert({record.topic, record.partition});
  ++records_;
}

absl::Status CommitBatcher::Commit(kafka::TransactionalProducer& txn, rd_kafka_t* consumer,
                                   const std::map<TopicPartition, PartitionProgress>& progress) {
  std::vector<kafka::OutgoingMessage> messages = std::move(outputs_);
  outputs_.clear();
  stores_->AppendChangelog(&messages);
  kafka::TopicPartitionListPtr offsets(rd_kafka_topic_partition_list_new(advanced_.size()));
  for (const TopicPartition& tp : advanced_) {
    auto it = progress.find(tp);
    if (it == progress.end()) continue;  // revoked meanwhile: not ours to commit
    rd_kafka_topic_partition_t* p =
        rd_kafka_topic_partition_list_add(offsets.get(), tp.first.c_str(), tp.second);
    p->offset = it->second.next();
    const std::string metadata = it->second.Metadata();
    if (!metadata.empty()) {
      // The list frees it (rd_free, which is free()).
      p->metadata = std::malloc(metadata.size());
      std::memcpy(p->metadata, metadata.data(), metadata.size());
      p->metadata_size = metadata.size();
    }
  }
  absl::Status s = txn.Commit(messages, offsets.get(), consumer);
  if (!s.ok()) return s;
  if (mirror_offset_commits_ && offsets->cnt > 0) {
    if (rd_kafka_resp_err_t err = rd_kafka_commit(consumer, offsets.get(), 0); err) {
      probe_->Note(absl::UnavailableError(
          absl::StrCat("mirroring the offset commit: ", rd_kafka_err2str(err))));
    }
  }
  // The transaction stands whatever happens locally: a store that could not
  // keep its changes reads them back from its changelog (needs_restore).
  if (absl::Status local = stores_->Committed(txn.delivered()); !local.ok()) probe_->Note(local);
  probe_->Committed(records_, dead_letters_);
  Discard();
  return absl::OkStatus();
}

void CommitBatcher::Discard() {
  outputs_.clear();
  advanced_.clear();
  records_ = 0;
  dead_letters_ = 0;
  opened_ = absl::InfiniteFuture();
}

}  // namespace sbrgate::stage
