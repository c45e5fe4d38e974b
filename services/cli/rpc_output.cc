// Shared output, argument and channel helpers of the gateway commands; see
// rpc_output.h.
#include "services/cli/rpc_output.h"

#include <cstdlib>
#include <iostream>

#include "pipeline/stp/gateway/lodgment_json.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace sbrgate::cli {
namespace {

constexpr char kDefaultGateway[] = "127.0.0.1:50051";
// A lodgment with its held-back and rejected records, or a job with every
// item it listed, can be large.
constexpr int kMaxResponseBytes = 512 << 20;

}  // namespace

void PrintError(bool json, const std::string& code, const std::string& message, Json details) {
  if (json) {
    Json error{{"code", code}, {"message", message}};
    if (!details.is_null()) error["details"] = std::move(details);
    std::cerr << Json{{"error", std::move(error)}}.dump() << "\n";
    return;
  }
  std::cerr << "sbrgate: " << code << ": " << message << "\n";
  if (details.is_array()) {
    for (const Json& d : details) {
      std::cerr << "  " << d["field"].get<std::string>() << ": "
                << d["description"].get<std::string>() << "\n";
    }
  }
}

int UsageError(bool json, absl::string_view message, absl::string_view usage) {
  PrintError(json, "INVALID_ARGUMENT", std::string(message));
  if (!json) std::cerr << usage;
  return kExitUsage;
}

int LocalError(bool json, const absl::Status& status) {
  PrintError(json, absl::StatusCodeToString(status.code()), std::string(status.message()));
  return kExitUsage;
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

int RpcError(bool json, const grpc::Status& status) {
  Json details = nullptr;
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    details = Json::array();
    for (const google::protobuf::Any& any : rich.details()) {
      google::rpc::BadRequest bad;
      if (!any.UnpackTo(&bad)) continue;
      for (const auto& v : bad.field_violations()) {
        details.push_back({{"field", v.field()}, {"description", v.description()}});
      }
    }
  }
  PrintError(json, CodeName(status.error_code()), status.error_message(), std::move(details));
  return kExitFailed;
}

bool ParseArgs(const Args& args, Flags& flags, size_t min, size_t max, absl::string_view what,
               absl::string_view usage, int* exit) {
  const absl::Status parsed = flags.Parse(args);
  const bool json = flags.Has("json");
  if (!parsed.ok()) {
    *exit = UsageError(json, parsed.message(), usage);
    return false;
  }
  const size_t n = flags.positional().size();
  if (n < min || n > max) {
    *exit = UsageError(json, what, usage);
    return false;
  }
  return true;
}

std::string GatewayAddress(const Flags& flags) {
  const char* env = std::getenv("SBRGATE_GATEWAY");
  return flags.Get("gateway", env != nullptr && *env != '\0' ? env : kDefaultGateway);
}

std::shared_ptr<grpc::Channel> GatewayChannel(const Flags& flags) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kMaxResponseBytes);
  return grpc::CreateCustomChannel(GatewayAddress(flags), grpc::InsecureChannelCredentials(),
                                   arguments);
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  const Json j = gateway::TimestampJson(t);
  return j.is_null() ? "-" : j.get<std::string>();
}

}  // namespace sbrgate::cli
