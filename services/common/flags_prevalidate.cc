#include "services/common/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, prevalidate, "hold",
          "hold: hold back employee records failing our checks; off: SBR judges everything");

namespace sbrgate::flags {

std::string Prevalidate() { return absl::GetFlag(FLAGS_prevalidate); }

}  // namespace sbrgate::flags
