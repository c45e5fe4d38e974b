// The sbrgate command line: one function per command group. Each takes the
// arguments after the group name and returns the process exit status.
// Machine-readable output (--json) goes to stdout; errors to stderr as
// {"error": {"code": "...", "message": "..."}} when --json is given.
#ifndef SBRGATE_SERVICES_CLI_COMMANDS_H_
#define SBRGATE_SERVICES_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace sbrgate::cli {

using Args = std::vector<std::string>;

int RunEbms(const Args& args);     // ebms inspect FILE [--json]
int RunPayevnt(const Args& args);  // payevnt generate|validate ...
int RunSbr(const Args& args);      // sbr push|pull|lodge ...

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_COMMANDS_H_
