#include "services/common/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, grpc_listen, "127.0.0.1:50051", "gRPC API address");

namespace sbrgate::flags {

std::string GrpcListen() { return absl::GetFlag(FLAGS_grpc_listen); }

void SetGrpcListenDefault(const std::string& address) {
  absl::SetFlag(&FLAGS_grpc_listen, address);
}

}  // namespace sbrgate::flags
