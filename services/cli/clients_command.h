// What `sbrgate clients` (clients_command.cc: relationships, CUREL) and its
// demographics commands (clients_demographics.cc: CUDEMOGR) share: the
// practice named by the flags, the answer printed, the deadline, and which
// commands are the demographics'.
#ifndef SBRGATE_SERVICES_CLI_CLIENTS_COMMAND_H_
#define SBRGATE_SERVICES_CLI_CLIENTS_COMMAND_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <string>

#include "proto/communications.pb.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace sbrgate::cli {

// --abn and --ran as given (empty: a practice caller's own), --user (default
// $USER).
v1::AgentContext ClientsAgent(const Flags& flags);

// `response` as protobuf JSON with --json, else `text`, on stdout. Returns 0.
int PrintAnswer(bool json, const google::protobuf::Message& response, const std::string& text);

void SetClientsDeadline(grpc::ClientContext& context);

// Whether `args` (after "clients") name a demographics command: details,
// addresses, associates, contacts or banking.
bool IsDemographicsCommand(const Args& args);
int RunClientDemographics(const Args& args);

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_CLIENTS_COMMAND_H_
