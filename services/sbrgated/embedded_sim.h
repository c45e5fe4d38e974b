// EmbeddedSim: the seam between sbrgated and the SBR2 simulator it can run
// in its own process (--embedded-sim and the --sim-* flags, defined here).
// The production build (//services/sbrgated:sbrgated) links no simulator and
// no development PKI, so it refuses those flags at start-up; the sandbox
// build (:sbrgated-sandbox, for demos, tests and conformance work) links
// :sandbox_sim, which provides the simulator when the program starts.
//
//   absl::StatusOr<std::unique_ptr<EmbeddedSim>> sim =
//       StartEmbeddedSimIfAsked(config, clock.get());
//   if (!sim.ok()) return Fail(sim.status());
//   // Without --embedded-sim *sim is null; with it config.sbr points at it.
//
// Providing one (once, during static initialisation, in an alwayslink
// library):
//
//   const bool kProvided = ProvideEmbeddedSim(&StartSandboxSim);
#ifndef SBRGATE_SERVICES_SBRGATED_EMBEDDED_SIM_H_
#define SBRGATE_SERVICES_SBRGATED_EMBEDDED_SIM_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"
#include "services/common/pipeline.h"

namespace sbrgate {

// A running simulator; it stops when destroyed.
class EmbeddedSim {
 public:
  virtual ~EmbeddedSim() = default;
  // Its admin endpoint's port on 127.0.0.1; 0 or less: none.
  virtual int admin_port() const = 0;
  // Clears its fault modes, so that a stopping daemon does not wait for
  // the receipts and requests they hold (up to their max_hang).
  virtual void ClearFaults() = 0;
};

// What the --sim-* flags ask of the simulator.
struct EmbeddedSimOptions {
  absl::Duration processing_base;
  absl::Duration processing_per_employee;
  int admin_port = 0;         // 0: any free port
  std::string seed_clntcomm;  // a JSON file seeding its CLNTCOMM corpus; empty: none
  std::string seed_ics;       // a JSON file seeding its ICS register; empty: none
};

// Starts a simulator with a development PKI under config.data_dir and points
// config.sbr (endpoint, TLS, credential, agency CA) at it.
using EmbeddedSimStarter = absl::StatusOr<std::unique_ptr<EmbeddedSim>> (*)(
    const EmbeddedSimOptions& options, PipelineConfig& config, Clock* clock);

// Makes `start` the simulator StartEmbeddedSimIfAsked starts (null: none).
// Returns true, so that it can initialise a namespace-scope constant.
bool ProvideEmbeddedSim(EmbeddedSimStarter start);

// With --embedded-sim, starts the provided simulator as the --sim-* flags
// say; without it, null. FailedPrecondition when --embedded-sim or a --sim-*
// flag is given to a build that provides no simulator.
absl::StatusOr<std::unique_ptr<EmbeddedSim>> StartEmbeddedSimIfAsked(PipelineConfig& config,
                                                                      Clock* clock);

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_SBRGATED_EMBEDDED_SIM_H_
