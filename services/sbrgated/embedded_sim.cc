#include "services/sbrgated/embedded_sim.h"

#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

ABSL_FLAG(bool, embedded_sim, false, "run the SBR2 simulator in this process");
ABSL_FLAG(absl::Duration, sim_processing_base, absl::Seconds(45),
          "embedded simulator: processing time of any lodgment");
ABSL_FLAG(absl::Duration, sim_processing_per_employee, absl::Milliseconds(20),
          "embedded simulator: added processing time per employee");
ABSL_FLAG(std::string, sim_seed_clntcomm, "",
          "embedded simulator: seed its client-communication corpus from this JSON file "
          "(pipeline/sim/simulator/clntcomm_corpus.h describes it)");
ABSL_FLAG(std::string, sim_seed_ics, "",
          "embedded simulator: seed its ICS client register from this JSON file at every start "
          "(pipeline/sim/simulator/ics_register.h describes it)");
ABSL_FLAG(int, sim_admin_port, 0, "embedded simulator's admin port on 127.0.0.1 (0: any)");

namespace sbrgate {
namespace {

EmbeddedSimStarter& ProvidedStarter() {
  static EmbeddedSimStarter start = nullptr;
  return start;
}

// The simulator flags set on the command line, as the user spells them. A
// --sim-* flag counts when it differs from its default.
std::vector<std::string> SimFlagsGiven() {
  std::vector<std::string> given;
  if (absl::GetFlag(FLAGS_embedded_sim)) given.push_back("--embedded-sim");
  for (const absl::CommandLineFlag* flag :
       {&absl::GetFlagReflectionHandle(FLAGS_sim_processing_base),
        &absl::GetFlagReflectionHandle(FLAGS_sim_processing_per_employee),
        &absl::GetFlagReflectionHandle(FLAGS_sim_seed_clntcomm),
        &absl::GetFlagReflectionHandle(FLAGS_sim_seed_ics),
        &absl::GetFlagReflectionHandle(FLAGS_sim_admin_port)}) {
    if (flag->CurrentValue() != flag->DefaultValue()) {
      given.push_back(absl::StrCat("--", absl::StrReplaceAll(flag->Name(), {{"_", "-"}})));
    }
  }
  return given;
}

}  // namespace

bool ProvideEmbeddedSim(EmbeddedSimStarter start) {
  ProvidedStarter() = start;
  return true;
}

absl::StatusOr<std::unique_ptr<EmbeddedSim>> StartEmbeddedSimIfAsked(PipelineConfig& config,
                                                                      Clock* clock) {
  const EmbeddedSimStarter start = ProvidedStarter();
  if (start == nullptr) {
    const std::vector<std::string> given = SimFlagsGiven();
    if (given.empty()) return nullptr;
    return absl::FailedPreconditionError(absl::StrCat(
        absl::StrJoin(given, ", "),
        ": this sbrgated was built without the embedded SBR2 simulator; use sbrgated-sandbox "
        "(tools/sbrgated) or point --sbr-endpoint at SBR2"));
  }
  if (!absl::GetFlag(FLAGS_embedded_sim)) return nullptr;
  EmbeddedSimOptions options;
  options.processing_base = absl::GetFlag(FLAGS_sim_processing_base);
  options.processing_per_employee = absl::GetFlag(FLAGS_sim_processing_per_employee);
  options.admin_port = absl::GetFlag(FLAGS_sim_admin_port);
  options.seed_clntcomm = absl::GetFlag(FLAGS_sim_seed_clntcomm);
  options.seed_ics = absl::GetFlag(FLAGS_sim_seed_ics);
  return start(options, config, clock);
}

}  // namespace sbrgate
