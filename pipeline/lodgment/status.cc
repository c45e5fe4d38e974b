#include "pipeline/lodgment/status.h"

#include "pipeline/lodgment/topics.h"

namespace sbrgate::lodgment {

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t nanos = absl::ToUnixNanos(t);
  out.set_seconds(nanos / 1000000000);
  out.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return out;
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

events::StatusChange Change(const std::string& lodgment_id, v1::LodgmentState state, absl::Time at,
                            std::string detail) {
  events::StatusChange c;
  c.set_lodgment_id(lodgment_id);
  c.set_state(state);
  *c.mutable_at() = ToProto(at);
  c.set_detail(std::move(detail));
  return c;
}

stage::Output StatusOutput(const events::StatusChange& change) {
  return {topics::kStatus, change.lodgment_id(), change.SerializeAsString()};
}

events::BlobRef ToRef(const blob::BlobId& id) {
  events::BlobRef ref;
  ref.set_sha256(id.sha256);
  ref.set_size(id.size);
  return ref;
}

absl::StatusOr<events::BlobRef> StoreProblems(const blob::BlobStore& blobs,
                                              const std::vector<v1::RecordProblem>& problems) {
  events::RecordProblems list;
  for (const v1::RecordProblem& p : problems) *list.add_problems() = p;
  absl::StatusOr<blob::BlobId> id = blobs.PutString(list.SerializeAsString());
  if (!id.ok()) return id.status();
  return ToRef(*id);
}

}  // namespace sbrgate::lodgment
