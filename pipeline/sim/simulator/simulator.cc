// The simulator's lifecycle and routing: the HTTPS listener (closed and
// reopened by the refuse_connections fault mode) with its three ebMS3
// endpoints, the admin listener and the back office's workers. What each
// endpoint does lives in its handler: push_handler.h, pull_handler.h,
// single_sync_handler.h, admin_handlers.h; back_office.h processes pushes.
#include "pipeline/sim/simulator/simulator.h"

#include <httplib.h>
#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sbr/wssec/verifier.h"
#include "pipeline/sim/simulator/admin_handlers.h"
#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/back_office.h"
#include "pipeline/sim/simulator/ebms_http.h"
#include "pipeline/sim/simulator/pull_handler.h"
#include "pipeline/sim/simulator/push_handler.h"
#include "pipeline/sim/simulator/single_sync_handler.h"

namespace sbrgate::sim {

class Simulator::Impl {
 public:
  Impl(SimulatorConfig config, Clock* clock, wssec::Verifier verifier, wssec::Credential agency)
      : config_(std::move(config)),
        clntcomm_(clock),
        http_(config_, clock, std::move(verifier), &state_),
        push_(config_, clock, &http_, &state_),
        pull_(clock, &http_, &state_, std::move(agency)),
        single_sync_(clock, &http_, &state_, &clntcomm_),
        back_office_(config_, clock, &state_, &clntcomm_) {}

  // Listens and starts the workers; the admin endpoint serves `sim`.
  absl::Status Begin(Simulator& sim) {
    for (const std::string& dir :
         {config_.data_dir, SpoolDir(config_), PayloadDir(config_), ResponseDir(config_)}) {
      ::mkdir(dir.c_str(), 0755);
    }
    if (absl::Status s = Listen(); !s.ok()) return s;
    if (config_.admin_port >= 0) {
      admin_ = std::make_unique<httplib::Server>();
      RouteAdmin(sim, *admin_);
      admin_port_ = config_.admin_port == 0 ? admin_->bind_to_any_port(config_.host)
                                            : (admin_->bind_to_port(config_.host, config_.admin_port)
                                                   ? config_.admin_port
                                                   : -1);
      if (admin_port_ < 0) {
        return absl::UnavailableError(
            absl::StrCat("cannot listen on admin port ", config_.host, ":", config_.admin_port));
      }
      admin_thread_ = std::thread([this] { admin_->listen_after_bind(); });
    }
    for (int i = 0; i < std::max(1, config_.processing_threads); ++i) {
      workers_.emplace_back([this] { back_office_.Work(); });
    }
    return absl::OkStatus();
  }

  void Shutdown() {
    {
      absl::MutexLock lock(&state_.mu);
      if (state_.stopping) return;
      state_.stopping = true;
    }
    StopListener();
    if (admin_) admin_->stop();
    if (admin_thread_.joinable()) admin_thread_.join();
    for (std::thread& t : workers_) t.join();
  }

  int port() const { return port_; }
  int admin_port() const { return admin_port_; }
  AgencyState& state() { return state_; }
  ClntcommCorpus& clntcomm() { return clntcomm_; }

  void SetFaults(const FaultModes& faults) {
    bool refuse_changed;
    {
      absl::MutexLock lock(&state_.mu);
      refuse_changed = faults.refuse_connections != state_.faults.refuse_connections;
      state_.faults = faults;
    }
    if (refuse_changed) {
      if (faults.refuse_connections) {
        StopListener();
      } else {
        Listen().IgnoreError();
      }
    }
  }

 private:
  absl::Status Listen() {
    std::unique_ptr<httplib::SSLServer> server;
    {
      absl::MutexLock lock(&state_.mu);
      if (state_.stopping || server_ != nullptr) return absl::OkStatus();
    }
    server = std::make_unique<httplib::SSLServer>(config_.server_cert.c_str(),
                                                  config_.server_key.c_str(),
                                                  config_.client_ca.c_str());
    if (!server->is_valid()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot set up TLS with certificate ", config_.server_cert, ", key ",
          config_.server_key, " and client CA ", config_.client_ca));
    }
    server->set_read_timeout(std::chrono::minutes(10));
    server->set_write_timeout(std::chrono::minutes(10));
    Route(*server);
    int port;
    if (port_ > 0 || config_.port > 0) {
      port = port_ > 0 ? port_ : config_.port;
      if (!server->bind_to_port(config_.host, port)) port = -1;
    } else {
      port = server->bind_to_any_port(config_.host);
    }
    if (port < 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.host, ":",
                                                 port_ > 0 ? port_ : config_.port));
    }
    port_ = port;
    httplib::SSLServer* raw = server.get();
    absl::MutexLock lock(&state_.mu);
    server_ = std::move(server);
    server_thread_ = std::thread([raw] { raw->listen_after_bind(); });
    return absl::OkStatus();
  }

  void StopListener() {
    std::unique_ptr<httplib::SSLServer> server;
    std::thread thread;
    {
      absl::MutexLock lock(&state_.mu);
      server = std::move(server_);
      thread = std::move(server_thread_);
    }
    if (server) server->stop();
    if (thread.joinable()) thread.join();
  }

  void Route(httplib::SSLServer& server) {
    server.Post("/services/BulkBatch-async-push",
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { push_.Handle(req, res, reader); });
    server.Post("/services/BulkBatch-async-pull",
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { pull_.Handle(req, res, reader); });
    server.Post("/services/Single-sync",
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) {
                  single_sync_.Handle(req, res, reader);
                });
  }

  const SimulatorConfig config_;
  AgencyState state_;
  ClntcommCorpus clntcomm_;
  EbmsHttp http_;
  PushHandler push_;
  PullHandler pull_;
  SingleSyncHandler single_sync_;
  BackOffice back_office_;

  std::unique_ptr<httplib::SSLServer> server_ ABSL_GUARDED_BY(state_.mu);
  std::thread server_thread_ ABSL_GUARDED_BY(state_.mu);
  int port_ = 0;
  int admin_port_ = -1;
  std::unique_ptr<httplib::Server> admin_;
  std::thread admin_thread_;
  std::vector<std::thread> workers_;
};

absl::StatusOr<std::unique_ptr<Simulator>> Simulator::Start(SimulatorConfig config, Clock* clock) {
  if (config.data_dir.empty()) return absl::InvalidArgumentError("simulator needs a data_dir");
  absl::StatusOr<wssec::Verifier> verifier = wssec::Verifier::Create(config.client_ca, clock);
  if (!verifier.ok()) return verifier.status();
  absl::StatusOr<wssec::Credential> agency =
      wssec::Credential::Load(config.server_cert, config.server_key);
  if (!agency.ok()) return agency.status();
  std::unique_ptr<Simulator> sim(new Simulator(std::make_unique<Impl>(
      std::move(config), clock, *std::move(verifier), *std::move(agency))));
  if (absl::Status s = sim->impl_->Begin(*sim); !s.ok()) return s;
  return sim;
}

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
// The admin endpoint calls back into this Simulator: stop it while the
// whole object is still there.
Simulator::~Simulator() { impl_->Shutdown(); }
int Simulator::port() const { return impl_->port(); }
int Simulator::admin_port() const { return impl_->admin_port(); }
std::string Simulator::base_url() const {
  return absl::StrCat("https://127.0.0.1:", impl_->port(), "/services");
}
void Simulator::SetFaults(const FaultModes& faults) { impl_->SetFaults(faults); }
FaultModes Simulator::faults() const { return impl_->state().Faults(); }
SimulatorStats Simulator::Stats() const { return impl_->state().Stats(); }
std::optional<MessageReport> Simulator::Message(const std::string& id) const {
  return impl_->state().Message(id);
}
void Simulator::WaitUntilIdle() const { impl_->state().WaitUntilIdle(); }
ClntcommCorpus& Simulator::clntcomm() { return impl_->clntcomm(); }

absl::StatusOr<std::vector<SeedResult>> Simulator::SeedClntcommJson(const std::string& json) {
  absl::StatusOr<std::vector<ClntcommSeed>> seeds = ParseSeedJson(json);
  if (!seeds.ok()) return seeds.status();
  std::vector<SeedResult> out;
  for (size_t i = 0; i < seeds->size(); ++i) {
    absl::StatusOr<SeedResult> r = impl_->clntcomm().SeedClient((*seeds)[i]);
    if (!r.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("clntcomm seed [", i, "]: ", r.status().message()));
    }
    out.push_back(*std::move(r));
  }
  return out;
}

}  // namespace sbrgate::sim
