#include "pipeline/stp/status/status.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::lodgment {

events::StatusChange Change(const std::string& lodgment_id, v1::LodgmentState state, absl::Time at,
                            std::string detail) {
  events::StatusChange c;
  c.set_lodgment_id(lodgment_id);
  c.set_state(state);
  *c.mutable_at() = ToProto(at);
  c.set_detail(std::move(detail));
  return c;
}

kafka::Output StatusOutput(const events::StatusChange& change) {
  return {topics::kStatus, change.lodgment_id(), change.SerializeAsString()};
}

absl::StatusOr<ProblemsBlobWriter> ProblemsBlobWriter::Create(const blob::BlobStore& blobs) {
  absl::StatusOr<std::unique_ptr<blob::BlobStore::Writer>> writer =
      blobs.NewWriter(blob::BlobStore::Placement::kInlineIfSmall);
  if (!writer.ok()) return writer.status();
  return ProblemsBlobWriter(*std::move(writer));
}

absl::Status ProblemsBlobWriter::Add(const v1::RecordProblem& problem) {
  // RecordProblems.problems is field 1: each element is its tag, its length
  // and its bytes, so the concatenation is the serialized list.
  frame_.clear();
  {
    google::protobuf::io::StringOutputStream out(&frame_);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
        events::RecordProblems::kProblemsFieldNumber,
        google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint32(static_cast<uint32_t>(problem.ByteSizeLong()));
    problem.SerializeWithCachedSizes(&coded);
  }
  return writer_->Write(frame_);
}

absl::StatusOr<events::BlobRef> ProblemsBlobWriter::Commit() {
  absl::StatusOr<blob::BlobId> id = writer_->Commit();
  if (!id.ok()) return id.status();
  return blob::ToRef(*id);
}

absl::StatusOr<events::BlobRef> StoreProblems(const blob::BlobStore& blobs,
                                              const std::vector<v1::RecordProblem>& problems) {
  absl::StatusOr<ProblemsBlobWriter> writer = ProblemsBlobWriter::Create(blobs);
  if (!writer.ok()) return writer.status();
  for (const v1::RecordProblem& p : problems) {
    if (absl::Status s = writer->Add(p); !s.ok()) return s;
  }
  return writer->Commit();
}

}  // namespace sbrgate::lodgment
