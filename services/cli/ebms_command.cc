// `sbrgate ebms inspect FILE [--json]`: the command lives beside the codec in
// pipeline/sbr/ebms/inspect_command.h, where it is tested.
#include <iostream>

#include "pipeline/sbr/ebms/inspect_command.h"
#include "services/cli/commands.h"

namespace sbrgate::cli {

int RunEbms(const Args& args) { return ebms::RunEbmsCommand(args, std::cout, std::cerr); }

}  // namespace sbrgate::cli
