#include "services/common/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(double, time_scale, 1, "simulated seconds per real second (tests and demos only)");
ABSL_FLAG(int64_t, clock_epoch, 0,
          "unix seconds the scaled clock runs from (share it between sbrgate and the "
          "simulator); 0: now");
ABSL_FLAG(std::string, clock_start, "",
          "RFC 3339 time the clock reads at --clock-epoch (share it); empty: the epoch itself "
          "(tests and demos place the system at a chosen local time)");

namespace sbrgate::flags {

double TimeScale() { return absl::GetFlag(FLAGS_time_scale); }

int64_t ClockEpoch() { return absl::GetFlag(FLAGS_clock_epoch); }

std::string ClockStart() { return absl::GetFlag(FLAGS_clock_start); }

}  // namespace sbrgate::flags
