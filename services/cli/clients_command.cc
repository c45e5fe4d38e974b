// sbrgate clients: a client of the gateway's gRPC RelationshipService
// (proto/relationships.proto) at --gateway=HOST:PORT, through which an agent
// practice (or payroll provider), or an operator naming one, manages its
// links with clients in ATO systems (CUREL, seed 001):
//
//   clients search --client=TYPE:VALUE              the client before linking
//   clients add|validate|remove|validate-remove --client=TYPE:VALUE
//           [--level=client|account|role] [--account=ACCOUNT] [--role=ROLE]
//   clients list [--client=TYPE:VALUE]              every link, or one client's
//   each: [--abn=ABN --ran=RAN] (a practice caller's own by default; operators
//         name it) [--user=USER_ID] [--json]
//
// validate and validate-remove change nothing: they say whether the link
// would be added or removed. Exit status 0; 1 when the gateway or the ATO
// refused (NOT_FOUND: no such client or link, ALREADY_EXISTS: the link
// stands, a broken rule names its field); 2 for bad arguments.
//
// The client's demographics (`clients details|addresses|associates|contacts|
// banking ...`) are clients_demographics.cc's.
#include "services/cli/clients_command.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proto/relationships.grpc.pb.h"
#include "services/cli/commands.h"
#include "services/cli/comms_args.h"
#include "services/cli/flags.h"
#include "services/cli/rpc_output.h"

namespace sbrgate::cli {
namespace {

// Each waits on SBR's single request processor.
constexpr std::chrono::minutes kDeadline(2);

constexpr char kUsage[] =
    "usage: sbrgate [--gateway=HOST:PORT] clients COMMAND ... [--json]\n"
    "  clients search --client=TYPE:VALUE\n"
    "  clients add|validate|remove|validate-remove --client=TYPE:VALUE\n"
    "          [--level=client|account|role] [--account=IT|AS:NNN] [--role=ROLE]\n"
    "  clients list [--client=TYPE:VALUE]\n"
    "  clients details|addresses|associates|contacts|banking OPERATION --client=TYPE:VALUE ...\n"
    "          the client's demographics (each alone: its usage)\n"
    "  each: [--abn=ABN --ran=RAN] [--user=USER_ID]   the practice (a practice caller's\n"
    "        own by default; operators name it) and its user\n"
    "  TYPE is TFN, ABN, WPN or ARN; ROLE is TAX_AGENT, BAS_AGENT or PAYROLL_PROVIDER.\n"
    "Exit status: 0 done; 1 refused; 2 bad arguments.\n";

absl::StatusOr<v1::RelationshipLevel> ParseLevel(const std::string& text) {
  v1::RelationshipLevel level;
  if (!v1::RelationshipLevel_Parse(absl::AsciiStrToUpper(text), &level) ||
      level == v1::RELATIONSHIP_LEVEL_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("--level is client, account or role, not '", text, "'"));
  }
  return level;
}

std::string RelationshipText(const v1::Relationship& r) {
  return absl::StrCat(v1::ClientIdType_Name(r.client().type()), ":", r.client().value(), "  ",
                      r.client_name(), "  ", v1::RelationshipLevel_Name(r.level()),
                      r.account().empty() ? "" : absl::StrCat("  ", r.account()),
                      r.role().empty() ? "" : absl::StrCat("  ", r.role()));
}

}  // namespace

v1::AgentContext ClientsAgent(const Flags& flags) {
  v1::AgentContext agent;
  agent.set_agent_abn(flags.Get("abn"));
  agent.set_ran(flags.Get("ran"));
  const char* user = std::getenv("USER");
  agent.set_user_id(flags.Get("user", user != nullptr ? user : ""));
  return agent;
}

int PrintAnswer(bool json, const google::protobuf::Message& response, const std::string& text) {
  if (json) {
    std::string out;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    if (!google::protobuf::util::MessageToJsonString(response, &out, options).ok()) {
      return RpcError(json, grpc::Status(grpc::StatusCode::INTERNAL, "cannot write the answer"));
    }
    std::cout << out << "\n";
  } else {
    std::cout << text;
  }
  return 0;
}

void SetClientsDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + kDeadline);
}

int RunClients(const Args& args) {
  if (IsDemographicsCommand(args)) return RunClientDemographics(args);
  const bool json = std::find(args.begin(), args.end(), "--json") != args.end();
  Flags flags({"json"}, {"gateway", "tls-cert", "tls-key", "tls-ca", "abn", "ran", "user", "client",
                         "level", "account", "role"});
  if (absl::Status parsed = flags.Parse(args); !parsed.ok()) {
    return UsageError(json, parsed.message(), kUsage);
  }
  if (flags.positional().size() != 1) {
    return UsageError(json,
                      "clients needs one command: search, add, validate, remove, "
                      "validate-remove or list",
                      kUsage);
  }
  const std::string command = flags.positional()[0];
  const std::set<std::string> changes = {"add", "validate", "remove", "validate-remove"};
  if (command != "search" && command != "list" && changes.count(command) == 0) {
    return UsageError(json, absl::StrCat("unknown clients command '", command, "'"), kUsage);
  }
  std::optional<v1::ClientId> client;
  if (flags.Has("client")) {
    absl::StatusOr<v1::ClientId> parsed = ParseClientId(flags.Get("client"));
    if (!parsed.ok()) return UsageError(json, parsed.status().message(), kUsage);
    client = *parsed;
  } else if (command != "list") {
    return UsageError(json, absl::StrCat("clients ", command, " needs --client=TYPE:VALUE"),
                      kUsage);
  }
  auto relationships = v1::RelationshipService::NewStub(GatewayChannelOrExit(flags));
  grpc::ClientContext context;
  SetClientsDeadline(context);

  if (command == "search") {
    v1::SearchClientRequest request;
    *request.mutable_agent() = ClientsAgent(flags);
    *request.mutable_client() = *client;
    v1::SearchClientResponse found;
    const grpc::Status status = relationships->SearchClient(&context, request, &found);
    if (!status.ok()) return RpcError(json, status);
    return PrintAnswer(
        json, found,
        absl::StrCat(v1::ClientIdType_Name(found.client().type()), ":", found.client().value(),
                     "  ", found.name(), "  accounts ", absl::StrJoin(found.accounts(), ", "),
                     found.linked() ? "  (linked)" : "", "\n"));
  }
  if (command == "list") {
    v1::ListRelationshipsRequest request;
    *request.mutable_agent() = ClientsAgent(flags);
    if (client.has_value()) *request.mutable_client() = *client;
    v1::ListRelationshipsResponse listed;
    const grpc::Status status = relationships->ListRelationships(&context, request, &listed);
    if (!status.ok()) return RpcError(json, status);
    std::string text;
    for (const v1::Relationship& r : listed.relationships()) {
      absl::StrAppend(&text, RelationshipText(r), "\n");
    }
    if (listed.relationships().empty()) text = "no relationships\n";
    return PrintAnswer(json, listed, text);
  }
  v1::RelationshipRequest request;
  *request.mutable_agent() = ClientsAgent(flags);
  v1::Relationship* relationship = request.mutable_relationship();
  *relationship->mutable_client() = *client;
  absl::StatusOr<v1::RelationshipLevel> level = ParseLevel(flags.Get("level", "client"));
  if (!level.ok()) return UsageError(json, level.status().message(), kUsage);
  relationship->set_level(*level);
  relationship->set_account(flags.Get("account"));
  relationship->set_role(flags.Get("role"));
  v1::RelationshipResponse response;
  grpc::Status status;
  if (command == "add") {
    status = relationships->AddRelationship(&context, request, &response);
  } else if (command == "validate") {
    status = relationships->ValidateRelationship(&context, request, &response);
  } else if (command == "remove") {
    status = relationships->RemoveRelationship(&context, request, &response);
  } else {
    status = relationships->ValidateRemoveRelationship(&context, request, &response);
  }
  if (!status.ok()) return RpcError(json, status);
  const bool removing = command == "remove" || command == "validate-remove";
  return PrintAnswer(json, response,
                     absl::StrCat(response.changed() ? (removing ? "removed " : "added ")
                                                     : (removing ? "would remove " : "would add "),
                                  RelationshipText(response.relationship()), "\n"));
}

}  // namespace sbrgate::cli
