// ToGrpcStatus: the one mapping of sbrgate's errors (absl::Status) to gRPC
// statuses, for every service. The code is kept and the message cut to
// 1 KiB. Field violations (an upload's problems, a request's broken rules)
// go with it as a google.rpc.BadRequest inside a google.rpc.Status in
// grpc-status-details-bin, which clients decode to show each field.
//
//   if (!s.ok()) return rpc::ToGrpcStatus(s);
//   return rpc::ToGrpcStatus(refused, violations, "the upload");
//
// Error trailers share the peer's metadata limit (8 KiB by default), so a
// long list is cut: each description to 1 KiB, and the violations to about
// 3 KiB, the last one then counting the rest ("and 180 more problems") on
// `rest_field`. Texts are cut at a UTF-8 character boundary and end "..."
// (proto3 strings must stay valid UTF-8).
#ifndef SBRGATE_PIPELINE_RPC_STATUS_H_
#define SBRGATE_PIPELINE_RPC_STATUS_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/field_violation.h"

namespace sbrgate::rpc {

inline constexpr size_t kMaxStatusMessageBytes = 1024;
inline constexpr size_t kMaxStatusDetailsBytes = 3072;

grpc::Status ToGrpcStatus(const absl::Status& status);

// With a google.rpc.BadRequest naming `violations` (none: as above).
grpc::Status ToGrpcStatus(const absl::Status& status, const std::vector<FieldViolation>& violations,
                          absl::string_view rest_field = "the request");

}  // namespace sbrgate::rpc

#endif  // SBRGATE_PIPELINE_RPC_STATUS_H_
