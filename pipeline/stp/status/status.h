// Helpers every lodgment stage shares: building StatusChange records for the
// status topic, and record lists spilled to blobs (a topic message stays
// under 64 KiB however many records a lodgment names; a short list travels
// inline in its BlobRef, pipeline/platform/blob/blob_ref.h).
#ifndef SBRGATE_PIPELINE_LODGMENT_STATUS_H_
#define SBRGATE_PIPELINE_LODGMENT_STATUS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/stage/stage.h"
#include "proto/events.pb.h"
#include "proto/lodgment.pb.h"

namespace sbrgate::lodgment {

// A status change for `lodgment_id` at `at`.
events::StatusChange Change(const std::string& lodgment_id, v1::LodgmentState state, absl::Time at,
                            std::string detail);

// The StatusChange as a record on the status topic.
stage::Output StatusOutput(const events::StatusChange& change);

// Writes an events::RecordProblems blob one record at a time, in the
// message's wire format, so a list of 200,000 records is never held twice.
//
//   absl::StatusOr<ProblemsBlobWriter> w = ProblemsBlobWriter::Create(blobs);
//   for (...) if (absl::Status s = w->Add(problem); !s.ok()) return s;
//   absl::StatusOr<events::BlobRef> ref = w->Commit();
class ProblemsBlobWriter {
 public:
  static absl::StatusOr<ProblemsBlobWriter> Create(const blob::BlobStore& blobs);
  absl::Status Add(const v1::RecordProblem& problem);
  absl::StatusOr<events::BlobRef> Commit();

 private:
  explicit ProblemsBlobWriter(std::unique_ptr<blob::BlobStore::Writer> writer)
      : writer_(std::move(writer)) {}
  std::unique_ptr<blob::BlobStore::Writer> writer_;
  std::string frame_;
};

// Stores `problems` as an events::RecordProblems blob.
absl::StatusOr<events::BlobRef> StoreProblems(const blob::BlobStore& blobs,
                                              const std::vector<v1::RecordProblem>& problems);

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_LODGMENT_STATUS_H_
