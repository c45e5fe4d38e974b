// ToProto / FromProto: absl::Time as a google.protobuf.Timestamp and back,
// for every message that carries a time (events, lodgments, jobs).
//
//   *change.mutable_at() = ToProto(clock.Now());
//   absl::Time at = FromProto(change.at());
#ifndef SBRGATE_PIPELINE_COMMON_PROTO_TIME_H_
#define SBRGATE_PIPELINE_COMMON_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace sbrgate {

google::protobuf::Timestamp ToProto(absl::Time t);
absl::Time FromProto(const google::protobuf::Timestamp& t);

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_COMMON_PROTO_TIME_H_
