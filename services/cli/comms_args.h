// Flag values of `sbrgate comms` (comms_command.cc) into CommunicationService
// requests (proto/communications.proto). Only the flags' syntax is checked
// here: the ATO's limits (date range lengths, 20 clients, one category,
// duplicates, check digits) are the gateway's to enforce, which answers
// INVALID_ARGUMENT with a google.rpc.BadRequest naming each field.
//
//   absl::StatusOr<v1::ClientId> c = ParseClientId("TFN:123456782");
//   absl::StatusOr<std::vector<v1::Channel>> ch =
//       ParseChannels({"paper,mygov", "sms"});          // every --channel
//   absl::StatusOr<v1::ListCommunicationsRequest> r =
//       ListRequestFromFlags(flags, std::getenv("USER"));
//
// Every error is INVALID_ARGUMENT whose message names the flag, e.g.
// "--channel 'fax' is not one of paper, mygov, sms, email, agent-digital,
// ato-online". Names are case-insensitive and take '-' or '_'.
#ifndef SBRGATE_SERVICES_CLI_COMMS_ARGS_H_
#define SBRGATE_SERVICES_CLI_COMMS_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/communications.pb.h"
#include "services/cli/flags.h"

namespace sbrgate::cli {

// --client=TYPE:VALUE, TYPE one of TFN, ABN, WPN, ARN.
absl::StatusOr<v1::ClientId> ParseClientId(absl::string_view text);

// --document=TYPE:VALUE:ID of a bulk get: the client and the document id
// (everything after the second ':').
absl::StatusOr<v1::GetCommunicationRequest> ParseDocumentRef(absl::string_view text);

// Every --channel value, each a comma-separated list, in the order given.
absl::StatusOr<std::vector<v1::Channel>> ParseChannels(const std::vector<std::string>& values);

// --category=NAME: an enum name such as notify or tax-record-statement, or
// all (CATEGORY_ALL).
absl::StatusOr<v1::Category> ParseCategory(absl::string_view text);

// --sort=sent-date|client-name.
absl::StatusOr<v1::SortField> ParseSort(absl::string_view text);

// --abn, --ran (both required) and --user, which defaults to `default_user`
// ($USER; null or empty: --user is required).
absl::StatusOr<v1::AgentContext> AgentFromFlags(const Flags& flags, const char* default_user);

// comms list: the agent, every --client, --from and --to (required, passed
// as given), --channel (required), every --category, --sort and --desc.
absl::StatusOr<v1::ListCommunicationsRequest> ListRequestFromFlags(const Flags& flags,
                                                                   const char* default_user);

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_COMMS_ARGS_H_
