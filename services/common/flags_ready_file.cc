#include "services/common/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, ready_file, "", "write the ready line to this file too");

namespace sbrgate::flags {

std::string ReadyFile() { return absl::GetFlag(FLAGS_ready_file); }

}  // namespace sbrgate::flags
