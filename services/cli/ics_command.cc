// sbrgate ics register: a client of the gateway's gRPC
// ClientRegistrationService (proto/ics.proto) at --gateway=HOST:PORT, through
// which an agent practice, or an operator naming one, registers a client in
// the ATO's ICS register (seed 004): a CCID for an individual (--type=ind)
// or an organisation (--type=org), or an ABN (--type=abn). Flags as
// ics_args.h lists them.
//
// Prints the outcome: REGISTERED with the client as ICS holds it (its CCID
// or ABN, and the business address, an ABN's from its CAC), REJECTED with
// the ATO's errors, or DUPLICATE with the existing clients that match
// (--json: {"outcome", "message_id", "client", "cac", "errors",
// "duplicates"}, the last four as they apply). Exit status 0 when
// registered; 1 when the ATO rejected it or found duplicates (the outcome
// is still printed, on stdout), or the gateway refused or failed (a broken
// rule names its field); 2 for bad arguments (rpc_output.h).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proto/ics.grpc.pb.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/ics_args.h"
#include "services/cli/rpc_output.h"

namespace sbrgate::cli {
namespace {

using Response = v1::RegisterClientResponse;

// A registration waits on SBR's single request processor.
constexpr std::chrono::minutes kRegisterDeadline(5);

constexpr char kUsage[] =
    "usage: sbrgate [--gateway=HOST:PORT] ics register --type=ind|org|abn ... [--json]\n"
    "  [--abn=ABN --ran=RAN] [--user=USER_ID]   the practice (a practice caller's own by\n"
    "                                           default; operators name it) and its user\n"
    "  --type=ind  --family-name=NAME [--given-names=NAMES]\n"
    "  --type=org  --org-name=NAME --country=CC\n"
    "     ind, org: --address-type=TYPE --address-line=LINE... [--locality=L] [--state=S]\n"
    "               [--postcode=P] [--country=CC]   (the business address, line 1 first)\n"
    "  --type=abn  --client-abn=ABN [--cac=N]   (the business address from CAC N, else the\n"
    "                                           lowest-numbered valid CAC)\n"
    "  every type: --contact-name=NAME [--contact-purpose=PURPOSE] (org, abn: required)\n"
    "              --contact-address=ELEMENT... (1 to 6) --role=ROLE[,ROLE...]...\n"
    "Exit status: 0 registered; 1 rejected, duplicate or refused; 2 bad arguments.\n";

Json AddressJson(const v1::IcsAddress& a) {
  return Json{{"type", a.type()},   {"lines", a.lines()},       {"locality", a.locality()},
              {"state", a.state()}, {"postcode", a.postcode()}, {"country", a.country()}};
}

Json ClientJson(const v1::IcsClient& c) {
  Json out = {{"client_id", c.client_id()},
              {"type", v1::IcsClient::Type_Name(c.type())},
              {"name", c.name()},
              {"status", v1::IcsClient::Status_Name(c.status())},
              {"address", AddressJson(c.address())}};
  if (!c.abn().empty()) out["abn"] = c.abn();
  return out;
}

Json ResponseJson(const Response& r) {
  Json out = {{"outcome", Response::Outcome_Name(r.outcome())}, {"message_id", r.message_id()}};
  if (r.outcome() == Response::REGISTERED) {
    out["client"] = ClientJson(r.client());
    if (r.cac() > 0) out["cac"] = r.cac();
  }
  if (r.errors_size() > 0) {
    Json errors = Json::array();
    for (const v1::RegistrationError& e : r.errors()) {
      errors.push_back({{"code", e.code()}, {"field", e.field()}, {"message", e.message()}});
    }
    out["errors"] = std::move(errors);
  }
  if (r.duplicates_size() > 0) {
    Json duplicates = Json::array();
    for (const v1::IcsClient& c : r.duplicates()) duplicates.push_back(ClientJson(c));
    out["duplicates"] = std::move(duplicates);
  }
  return out;
}

std::string AddressText(const v1::IcsAddress& a) {
  std::vector<std::string> parts(a.lines().begin(), a.lines().end());
  for (const std::string* p : {&a.locality(), &a.state(), &a.postcode(), &a.country()}) {
    if (!p->empty()) parts.push_back(*p);
  }
  return absl::StrJoin(parts, ", ");
}

std::string ClientText(const v1::IcsClient& c) {
  return absl::StrCat(c.client_id(), "  ", v1::IcsClient::Type_Name(c.type()), "  ", c.name(), "  ",
                      v1::IcsClient::Status_Name(c.status()), "  ", AddressText(c.address()));
}

void PrintText(const Response& r) {
  switch (r.outcome()) {
    case Response::REGISTERED:
      std::cout << "registered " << ClientText(r.client()) << "\n";
      if (r.cac() > 0) std::cout << "  business address from CAC " << r.cac() << "\n";
      break;
    case Response::DUPLICATE:
      std::cout << "not registered: " << r.duplicates_size()
                << " existing client(s) match the name and address\n";
      for (const v1::IcsClient& c : r.duplicates()) std::cout << "  " << ClientText(c) << "\n";
      break;
    default:
      std::cout << "rejected by the ATO\n";
      for (const v1::RegistrationError& e : r.errors()) {
        std::cout << "  " << e.code() << "  " << (e.field().empty() ? "-" : e.field()) << "  "
                  << e.message() << "\n";
      }
  }
  std::cout << "  SBR message " << r.message_id() << "\n";
}

int Register(const Flags& flags) {
  const bool json = flags.Has("json");
  absl::StatusOr<v1::RegisterClientRequest> request =
      RegisterRequestFromFlags(flags, std::getenv("USER"));
  if (!request.ok()) return UsageError(json, request.status().message(), kUsage);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kRegisterDeadline);
  Response response;
  const grpc::Status status = v1::ClientRegistrationService::NewStub(GatewayChannelOrExit(flags))
                                  ->Register(&context, *request, &response);
  if (!status.ok()) return RpcError(json, status);
  if (json) {
    std::cout << ResponseJson(response).dump() << "\n";
  } else {
    PrintText(response);
  }
  return response.outcome() == Response::REGISTERED ? 0 : kExitFailed;
}

}  // namespace

int RunIcs(const Args& args) {
  const bool json = std::find(args.begin(), args.end(), "--json") != args.end();
  std::set<std::string> valued = IcsRegisterFlagNames();
  valued.insert({"gateway", "tls-cert", "tls-key", "tls-ca"});
  Flags flags({"json"}, valued);
  if (absl::Status parsed = flags.Parse(args); !parsed.ok()) {
    return UsageError(json, parsed.message(), kUsage);
  }
  if (flags.positional().empty()) return UsageError(json, "ics needs a command: register", kUsage);
  if (flags.positional()[0] != "register") {
    return UsageError(json, absl::StrCat("unknown ics command '", flags.positional()[0], "'"),
                      kUsage);
  }
  if (flags.positional().size() > 1) {
    return UsageError(json, "ics register takes no arguments, only options", kUsage);
  }
  return Register(flags);
}

}  // namespace sbrgate::cli
