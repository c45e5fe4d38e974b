// Renders an ebms::Inspection (pipeline/sbr/ebms/envelope_reader.h) as the
// JSON that `sbrgate ebms inspect FILE --json` prints, for scripts and tests:
//
//   {"valid": true, "soap_version": "1.2",
//    "user_messages": [{"message_id": "...", "ref_to_message_id": null,
//                       "service": "...", "action": "...", "parts": 1}],
//    "receipts": [{"message_id": "...", "ref_to_message_id": "..."}],
//    "errors": [{"code": "EBMS:0001", "severity": "failure",
//                "ref_to_message_in_error": "..."}],
//    "pull_requests": [{"message_id": "...", "mpc": "..."}],
//    "problems": []}
//
// Every key is always present; lists may be empty. soap_version is "1.1",
// "1.2" or null (not a SOAP envelope); ref_to_message_id,
// ref_to_message_in_error and mpc are null when absent. "errors" lists each
// eb:Error, flattened over all error signals.
//
//   std::cout << cli::InspectionToJson(ebms::Inspect(bytes, path)) << "\n";
#ifndef SBRGATE_SERVICES_CLI_EBMS_JSON_H_
#define SBRGATE_SERVICES_CLI_EBMS_JSON_H_

#include <string>

#include "pipeline/sbr/ebms/envelope_reader.h"

namespace sbrgate::cli {

// Pretty-printed (two-space indent), without a trailing newline.
std::string InspectionToJson(const ebms::Inspection& inspection);

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_EBMS_JSON_H_
