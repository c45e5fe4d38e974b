// Flag values of `sbrgate ics register` (ics_command.cc) into a
// RegisterClientRequest (proto/ics.proto). Only the flags' syntax and which
// flags go with which --type are checked here: the gateway checks the
// registration rules (minimum data, the ABN's check digit, role names) and
// names each broken one, and the ATO the rest.
//
//   Flags flags(booleans, IcsRegisterFlagNames());
//   absl::StatusOr<v1::RegisterClientRequest> r =
//       RegisterRequestFromFlags(flags, std::getenv("USER"));
//
// Every error is INVALID_ARGUMENT naming the flag, e.g. "--org-name goes
// with --type=org, not ind". Role names are case-insensitive and take '-'
// or '_' (--role=customs-broker is CUSTOMS_BROKER); --role may be repeated
// and take a comma-separated list.
#ifndef SBRGATE_SERVICES_CLI_ICS_ARGS_H_
#define SBRGATE_SERVICES_CLI_ICS_ARGS_H_

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "proto/ics.pb.h"
#include "services/cli/flags.h"

namespace sbrgate::cli {

// The valued flags `ics register` takes (besides the gateway's).
const std::set<std::string>& IcsRegisterFlagNames();

// --type=ind|org|abn and the flags of that type:
//   --abn=ABN --ran=RAN --user=USER   the practice (both optional: a practice
//                                     caller's own by default) and its user
//                                     (default `default_user`, $USER)
//   ind: --family-name [--given-names]      org: --org-name
//   ind, org: --address-type --address-line... [--locality --state --postcode
//        --country]
//   abn: --client-abn [--cac=N]
//   every type: --contact-name [--contact-purpose] --contact-address...
//        --role=ROLE[,ROLE...]...
absl::StatusOr<v1::RegisterClientRequest> RegisterRequestFromFlags(const Flags& flags,
                                                                   const char* default_user);

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_ICS_ARGS_H_
