// The `sbrgate ebms ...` command group (services/cli/ebms_command.cc hands
// its arguments here, so the command is tested beside the codec):
//
//   sbrgate ebms inspect FILE [--json]
//
// checks an ebMS3 SOAP envelope with Inspect() (envelope_reader.h) and prints
// the JSON of inspect_json.h (--json) or a readable summary. Files over
// 64 MiB are refused before reading. Exit status: 0 valid, 1 invalid, 2 usage
// error or unreadable file. Errors go to `err`, as
// {"error": {"code": "...", "message": "..."}} with --json.
//
//   int status = ebms::RunEbmsCommand({"inspect", "response.xml", "--json"},
//                                     std::cout, std::cerr);
#ifndef SBRGATE_PIPELINE_EBMS_INSPECT_COMMAND_H_
#define SBRGATE_PIPELINE_EBMS_INSPECT_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace sbrgate::ebms {

// `args` are the arguments after "ebms".
int RunEbmsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace sbrgate::ebms

#endif  // SBRGATE_PIPELINE_EBMS_INSPECT_COMMAND_H_
