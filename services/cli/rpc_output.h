// What every gateway command of `sbrgate` shares (lodgment_command.cc,
// comms_command.cc): the exit statuses, errors printed the same way for
// every command, argument parsing with a usage error on failure, and the
// channel to the gateway named by --gateway=HOST:PORT (default
// $SBRGATE_GATEWAY, else 127.0.0.1:50051).
//
//   Flags flags({"json"}, {"gateway"});
//   int exit = 0;
//   if (!ParseArgs(args, flags, 1, 1, "status takes one ID", kUsage, &exit)) return exit;
//   auto lodgments = v1::LodgmentService::NewStub(GatewayChannelOrExit(flags));
//   if (!status.ok()) return RpcError(flags.Has("json"), status);
//
// Errors go to stderr: with --json as one line
// {"error": {"code": "...", "message": "...", "details": [{"field",
// "description"}]}} ("details" only when the gateway sent a
// google.rpc.BadRequest), otherwise as "sbrgate: CODE: message" with one
// indented line per detail.
#ifndef SBRGATE_SERVICES_CLI_RPC_OUTPUT_H_
#define SBRGATE_SERVICES_CLI_RPC_OUTPUT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace sbrgate::cli {

using Json = nlohmann::ordered_json;

inline constexpr int kExitFailed = 1;   // the gateway refused or failed
inline constexpr int kExitUsage = 2;    // bad arguments, or a local I/O error
inline constexpr int kExitTimeout = 3;  // a wait's timeout passed first

// `details`: null, or an array of {"field", "description"}.
void PrintError(bool json, const std::string& code, const std::string& message,
                Json details = nullptr);

// INVALID_ARGUMENT with `message`; without --json also prints `usage`.
// Returns kExitUsage.
int UsageError(bool json, absl::string_view message, absl::string_view usage);

// A local failure (e.g. a file that cannot be read). Returns kExitUsage.
int LocalError(bool json, const absl::Status& status);

// The gRPC code's name, e.g. "INVALID_ARGUMENT".
std::string CodeName(grpc::StatusCode code);

// The gateway's error, with the field violations of a google.rpc.BadRequest
// in its error details. Returns kExitFailed.
int RpcError(bool json, const grpc::Status& status);

// Parses `args` into `flags`; false (with the exit status in *exit, after a
// usage error) when they are wrong or the positional count is outside
// [min, max], which `what` explains.
bool ParseArgs(const Args& args, Flags& flags, size_t min, size_t max, absl::string_view what,
               absl::string_view usage, int* exit);

// A timestamp for people: RFC 3339, or "-" when unset.
std::string TimeText(const google::protobuf::Timestamp& t);

// "--gateway", else $SBRGATE_GATEWAY, else 127.0.0.1:50051.
std::string GatewayAddress(const Flags& flags);

// An insecure channel to GatewayAddress(flags) that accepts large responses.
// The channel to the gateway: mutual TLS with --tls-cert/--tls-key/--tls-ca
// (or $SBRGATE_TLS_CERT, $SBRGATE_TLS_KEY, $SBRGATE_TLS_CA), plain text
// without any; InvalidArgument naming what is missing or unreadable.
absl::StatusOr<std::shared_ptr<grpc::Channel>> GatewayChannel(const Flags& flags);
// GatewayChannel, or the end of the command (exit status 2) with its error:
// a command that cannot reach the gateway has nothing else to do.
std::shared_ptr<grpc::Channel> GatewayChannelOrExit(const Flags& flags);

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_RPC_OUTPUT_H_
