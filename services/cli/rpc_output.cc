// Shared output, argument and channel helpers of the gateway commands; see
// rpc_output.h.
#include "services/cli/rpc_output.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/keys/key_files.h"
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

absl::StatusOr<std::shared_ptr<grpc::Channel>> GatewayChannel(const Flags& flags) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kMaxResponseBytes);
  // --tls-X, else $SBRGATE_TLS_X; none of the three: plain text (a gateway
  // started with --grpc-insecure-loopback).
  auto setting = [&](const char* flag, const char* env) {
    const char* value = std::getenv(env);
    return flags.Get(flag, value != nullptr ? value : "");
  };
  const std::string cert = setting("tls-cert", "SBRGATE_TLS_CERT");
  const std::string key = setting("tls-key", "SBRGATE_TLS_KEY");
  const std::string ca = setting("tls-ca", "SBRGATE_TLS_CA");
  if (cert.empty() && key.empty() && ca.empty()) {
    return grpc::CreateCustomChannel(GatewayAddress(flags), grpc::InsecureChannelCredentials(),
                                     arguments);
  }
  grpc::SslCredentialsOptions tls;
  for (auto [name, path, out] : {std::make_tuple("--tls-cert", &cert, &tls.pem_cert_chain),
                                 std::make_tuple("--tls-key", &key, &tls.pem_private_key),
                                 std::make_tuple("--tls-ca", &ca, &tls.pem_root_certs)}) {
    if (path->empty()) {
      return absl::InvalidArgumentError(
          "mutual TLS needs --tls-cert, --tls-key and --tls-ca (or SBRGATE_TLS_CERT, "
          "SBRGATE_TLS_KEY, SBRGATE_TLS_CA)");
    }
    if (out == &tls.pem_private_key) {
      if (absl::Status s = keys::CheckPrivateKeyFile(*path); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(name, ": ", s.message()));
      }
    }
    absl::StatusOr<std::string> pem = ReadFileToString(*path);
    if (!pem.ok()) return absl::InvalidArgumentError(absl::StrCat(name, "=", *path, ": ",
                                                                  pem.status().message()));
    *out = *std::move(pem);
  }
  return grpc::CreateCustomChannel(GatewayAddress(flags), grpc::SslCredentials(tls), arguments);
}

std::shared_ptr<grpc::Channel> GatewayChannelOrExit(const Flags& flags) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = GatewayChannel(flags);
  if (!channel.ok()) {
    std::fprintf(stderr, "sbrgate: %s\n", std::string(channel.status().message()).c_str());
    std::exit(2);
  }
  return *std::move(channel);
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  const Json j = gateway::TimestampJson(t);
  return j.is_null() ? "-" : j.get<std::string>();
}

}  // namespace sbrgate::cli
