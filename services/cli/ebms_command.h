// The `sbrgate ebms ...` command group (RunEbms of commands.h), on streams
// given by the caller so that tests run it in process:
//
//   sbrgate ebms inspect FILE [--json]
//
// checks an ebMS3 SOAP envelope with ebms::Inspect()
// (pipeline/sbr/ebms/envelope_reader.h) and prints the JSON of ebms_json.h
// (--json) or a readable summary. Files over 64 MiB are refused before
// reading. Exit status: 0 valid, 1 invalid, 2 usage error or unreadable file.
// Errors go to `err`, as {"error": {"code": "...", "message": "..."}} with
// --json.
//
//   int status = cli::RunEbmsCommand({"inspect", "response.xml", "--json"},
//                                    std::cout, std::cerr);
#ifndef SBRGATE_SERVICES_CLI_EBMS_COMMAND_H_
#define SBRGATE_SERVICES_CLI_EBMS_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace sbrgate::cli {

// `args` are the arguments after "ebms".
int RunEbmsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_EBMS_COMMAND_H_
