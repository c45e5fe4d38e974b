// TopicReader: reads Kafka topics outside any consumer group — one record at
// a given position (a dead letter's source, a replay), or whole topics from
// the first offset to the end (state-store changelog restore, the status view
// at startup, replays), or partitions from a checkpoint on (a state store
// that missed only the end). Reads only committed transactions
// (read_committed).
//
//   absl::StatusOr<std::unique_ptr<TopicReader>> reader = TopicReader::Create(kafka);
//   absl::Status s = (*reader)->ReadAll("sbrgate.lodgments.status",
//       [&](const TopicRecord& r) { view.Apply(r.key, r.value); return absl::OkStatus(); });
//
// A whole read must see a topic's whole history, so it refuses a partition
// whose first record is gone (retention, or the embedded cluster's 5 MiB per
// partition): DataLoss "records were lost: topic X partition P starts at
// offset N". Reading consumes with auto.offset.reset=error, so records
// dropped while reading are DataLoss too, never a silent skip.
//
// Not thread-safe: one reader per thread.
#ifndef SBRGATE_PIPELINE_KAFKA_TOPIC_READER_H_
#define SBRGATE_PIPELINE_KAFKA_TOPIC_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/kafka/config.h"
#include "pipeline/platform/kafka/record.h"

namespace sbrgate::kafka {

struct TopicRecord : Record {
  // The value is null, not merely empty: a deletion in a changelog.
  bool tombstone = false;
};

// A consumed librdkafka message as a record (the message must not be an
// error event).
TopicRecord ToTopicRecord(const rd_kafka_message_t& message);

// Where a read of one partition starts.
struct PartitionStart {
  std::string topic;
  int32_t partition = 0;
  int64_t from = 0;
};

struct Watermarks {
  int64_t low = 0;   // offset of the oldest record still held
  int64_t high = 0;  // offset the next record will get
};

class TopicReader {
 public:
  // `timeout` bounds each broker request, and how long a read may go without
  // progress before it fails with DeadlineExceeded.
  static absl::StatusOr<std::unique_ptr<TopicReader>> Create(
      const KafkaConfig& config, absl::Duration timeout = absl::Seconds(30));

  // NotFound when the topic does not exist (never creates it).
  absl::StatusOr<int> PartitionCount(const std::string& topic);
  absl::StatusOr<Watermarks> GetWatermarks(const std::string& topic, int32_t partition);

  // NotFound when nothing is at `offset` (past the end, or a transaction
  // marker); DataLoss when the record is gone.
  absl::StatusOr<TopicRecord> ReadAt(const std::string& topic, int32_t partition, int64_t offset);

  // `visit` sees the records of each partition in order (partitions
  // interleave); an error from `visit` ends the read and is returned.
  using Visitor = std::function<absl::Status(const TopicRecord&)>;
  // Every partition of `topic`, from offset 0 to the end as of the call.
  absl::Status ReadAll(const std::string& topic, const Visitor& visit);
  // The given partitions, each from its `from` offset to the end as of the
  // call; DataLoss when a partition's records from there are no longer all
  // held.
  absl::Status ReadPartitions(const std::vector<PartitionStart>& partitions,
                              const Visitor& visit);

 private:
  TopicReader(KafkaPtr rk, absl::Duration timeout) : rk_(std::move(rk)), timeout_(timeout) {}
  void Unassign();

  KafkaPtr rk_;
  const absl::Duration timeout_;
};

}  // namespace sbrgate::kafka

#endif  // SBRGATE_PIPELINE_KAFKA_TOPIC_READER_H_
