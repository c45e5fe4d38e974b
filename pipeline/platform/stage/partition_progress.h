// PartitionProgress: how far a stage instance is through one input
// partition when its records finish out of order (a stage whose Process
// runs concurrently: a slow record must not hold back the commits of those
// read after it). Kafka's committed offset says only "everything before
// this is done"; the progress adds which records past it are still not
// done, committed with the offset as its metadata, so that whoever reads
// the partition next starts at the offset and skips the records done
// after it. This is the scheme of Confluent's parallel consumer, except
// that the records not done are listed, not those done: offsets that hold
// no record (Kafka's transaction markers) need no entry.
//
//   PartitionProgress p = *PartitionProgress::Decode(committed, metadata);
//   if (p.Done(record.offset)) skip it;      // done before the restart
//   p.Started(record.offset);                // in process
//   ...
//   p.Finished(record.offset);               // its outputs are in the batch
//   commit(p.next(), p.Metadata());          // with the batch
//
// The metadata is empty when nothing past the offset is done (every
// in-order stage), so such commits read as before.
#ifndef SBRGATE_PIPELINE_PLATFORM_STAGE_PARTITION_PROGRESS_H_
#define SBRGATE_PIPELINE_PLATFORM_STAGE_PARTITION_PROGRESS_H_

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sbrgate::stage {

class PartitionProgress {
 public:
  // Nothing past `next` started.
  explicit PartitionProgress(int64_t next = 0) : end_(next) {}

  // From a committed offset and its metadata (Metadata()); an error names
  // what in the metadata is wrong.
  static absl::StatusOr<PartitionProgress> Decode(int64_t next, absl::string_view metadata);

  // The offset to commit: every record before it is done.
  int64_t next() const { return started_.empty() ? end_ : *started_.begin(); }
  // One past the last record started.
  int64_t end() const { return end_; }
  // Records started and not finished.
  size_t unfinished() const { return started_.size(); }
  // Whether a runner should read no further in this partition: it is
  // kMaxAhead records past one still in process (a push that takes hours),
  // and whoever reads the partition next reads them all again to skip
  // those done.
  bool far_ahead() const { return end_ - next() >= kMaxAhead; }
  static constexpr int64_t kMaxAhead = 100'000;

  // Whether the record at `offset` needs no processing: it is before next(),
  // or it finished after next() and before end().
  bool Done(int64_t offset) const {
    return offset < next() || (offset < end_ && started_.count(offset) == 0);
  }

  // The record at `offset` is in process (again, if it was already).
  void Started(int64_t offset);
  // The record at `offset`, started, is done.
  void Finished(int64_t offset);

  // What to commit beside next(): "" when no record past next() is done.
  std::string Metadata() const;

  bool operator==(const PartitionProgress& o) const {
    return next() == o.next() && end_ == o.end_ && started_ == o.started_;
  }

 private:
  std::set<int64_t> started_;  // started, not finished
  int64_t end_;                // one past the last started
};

// Whether any partition of a runner's progress (a map of them, by
// partition) is far_ahead().
template <typename ProgressByPartition>
bool AnyFarAhead(const ProgressByPartition& progress) {
  for (const auto& [partition, p] : progress) {
    if (p.far_ahead()) return true;
  }
  return false;
}

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_PLATFORM_STAGE_PARTITION_PROGRESS_H_
