// The embedded SBR2 simulator of sbrgated-sandbox: linked (alwayslink) only
// into that build, it provides embedded_sim.h's simulator: the SBR2
// simulator (pipeline/sim/simulator) behind a development PKI
// (pipeline/sim/dev_pki), with the daemon's SBR client configured to trust
// it and to sign as the PKI's client. Both live in the daemon's data
// directory (pki/, sim/) and are taken back on restart: the simulator keeps
// what it received, and the PKI stays the one its messages were signed with.
#include <memory>
#include <string>

#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/sim/simulator/simulator.h"
#include "services/sbrgated/embedded_sim.h"

namespace sbrgate {
namespace {

class SandboxSim : public EmbeddedSim {
 public:
  explicit SandboxSim(std::unique_ptr<sim::Simulator> sim) : sim_(std::move(sim)) {}
  int admin_port() const override { return sim_->admin_port(); }
  void ClearFaults() override { sim_->SetFaults({}); }

 private:
  std::unique_ptr<sim::Simulator> sim_;
};

absl::StatusOr<std::unique_ptr<EmbeddedSim>> StartSandboxSim(const EmbeddedSimOptions& options,
                                                             PipelineConfig& config,
                                                             Clock* clock) {
  auto pki = pki::OpenOrMakeDevPki(config.data_dir + "/pki");
  if (!pki.ok()) return pki.status();
  sim::SimulatorConfig sc;
  sc.server_cert = pki->server_cert;
  sc.server_key = pki->server_key;
  sc.client_ca = pki->ca_cert;
  sc.data_dir = config.data_dir + "/sim";
  sc.admin_port = options.admin_port;
  sc.processing_base = options.processing_base;
  sc.processing_per_employee = options.processing_per_employee;
  auto started = sim::Simulator::Start(sc, clock);
  if (!started.ok()) return started.status();
  std::unique_ptr<sim::Simulator> sim = *std::move(started);
  if (absl::Status s = sim->SeedFromFiles({options.seed_clntcomm, options.seed_ics}, "--sim-seed-");
      !s.ok()) {
    return s;
  }
  config.sbr.base_url = sim->base_url();
  config.sbr.tls = {pki->ca_cert, pki->client_cert, pki->client_key};
  config.sbr.credential_cert = pki->client_cert;
  config.sbr.credential_key = pki->client_key;
  config.sbr.agency_ca_file = pki->ca_cert;
  return std::make_unique<SandboxSim>(std::move(sim));
}

[[maybe_unused]] const bool kProvided = ProvideEmbeddedSim(&StartSandboxSim);

}  // namespace
}  // namespace sbrgate
