#include "services/common/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, comms_permissions, "",
          "practice users' permissions (agent_abn,user_id,permission per line); "
          "without it nobody may list or get client communications");

namespace sbrgate::flags {

std::string CommsPermissions() { return absl::GetFlag(FLAGS_comms_permissions); }

}  // namespace sbrgate::flags
