// The simulator's lifecycle and routing: the HTTPS listener (closed and
// reopened by the refuse_connections fault mode) with its three ebMS3
// endpoints, the admin listener and the back office's workers. What each
// endpoint does lives in its handler: push_handler.h, pull_handler.h,
// single_sync_handler.h (with a SingleSyncService per ebMS Service:
// clntcomm_single_sync.h, curel_single_sync.h, ics_single_sync.h, and
// demographics_single_sync.h for each CUDEMOGR service),
// admin_handlers.h;
// back_office.h processes pushes.
// What the agency received is kept in the data directory (sim_state_store.h)
// and taken back here when the simulator starts.
#include "pipeline/sim/simulator/simulator.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/dates.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/common/thread_name.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sbr/wssec/verifier.h"
#include "pipeline/sim/simulator/admin_handlers.h"
#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/back_office.h"
#include "pipeline/sim/simulator/clntcomm_single_sync.h"
#include "pipeline/sim/simulator/curel_single_sync.h"
#include "pipeline/sim/simulator/demographics_single_sync.h"
#include "pipeline/sim/simulator/ebms_http.h"
#include "pipeline/sim/simulator/ics_single_sync.h"
#include "pipeline/sim/simulator/pull_handler.h"
#include "pipeline/sim/simulator/push_handler.h"
#include "pipeline/sim/simulator/sim_state_store.h"
#include "pipeline/sim/simulator/single_sync_handler.h"

namespace sbrgate::sim {
namespace {

// Connections the kernel queues for the HTTPS listener until the simulator
// accepts them (the kernel caps it at net.core.somaxconn).
constexpr int kListenBacklog = 1024;

// httplib's thread pool, its threads named `name` (as ps and perf show
// them) when they take their first connection.
class NamedThreadPool : public httplib::TaskQueue {
 public:
  NamedThreadPool(size_t threads, std::string name) : pool_(threads), name_(std::move(name)) {}
  void enqueue(std::function<void()> fn) override {
    pool_.enqueue([this, fn = std::move(fn)] {
      thread_local bool named = false;
      if (!named) {
        NameThisThread(name_);
        named = true;
      }
      fn();
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  const std::string name_;
};

state::ClntcommSeed SeedRecord(const ClntcommSeed& s) {
  state::ClntcommSeed r;
  r.set_agent_abn(s.agent_abn);
  r.set_ran(s.ran);
  *r.mutable_client() = s.client;
  r.set_name(s.name);
  r.set_count(s.count);
  r.set_seed(s.seed);
  r.set_account_level(s.level == clntcomm::LinkLevel::kAccount);
  for (const std::string& a : s.accounts) r.add_accounts(a);
  for (const std::string& a : s.item_accounts) r.add_item_accounts(a);
  r.set_from(absl::FormatCivilTime(s.from));
  if (s.to) r.set_to(absl::FormatCivilTime(*s.to));
  return r;
}

absl::StatusOr<ClntcommSeed> SeedFromRecord(const state::ClntcommSeed& r) {
  ClntcommSeed s;
  s.agent_abn = r.agent_abn();
  s.ran = r.ran();
  s.client = r.client();
  s.name = r.name();
  s.count = r.count();
  s.seed = r.seed();
  s.level = r.account_level() ? clntcomm::LinkLevel::kAccount : clntcomm::LinkLevel::kClient;
  s.accounts.assign(r.accounts().begin(), r.accounts().end());
  s.item_accounts.assign(r.item_accounts().begin(), r.item_accounts().end());
  std::optional<absl::CivilDay> from = ParseDate(r.from());
  if (!from) return absl::DataLossError(absl::StrCat("from '", r.from(), "' is not a date"));
  s.from = *from;
  if (!r.to().empty()) {
    s.to = ParseDate(r.to());
    if (!s.to) return absl::DataLossError(absl::StrCat("to '", r.to(), "' is not a date"));
  }
  return s;
}

state::ClntcommCorrespondence CorrespondenceRecord(const Correspondence& c) {
  state::ClntcommCorrespondence r;
  r.set_document_id(c.document_id);
  *r.mutable_client() = c.client;
  r.set_client_name(c.client_name);
  r.set_channel(c.channel);
  r.set_category(c.category);
  r.set_title(c.title);
  *r.mutable_sent_at() = ToProto(c.sent_at);
  for (const std::string& line : c.lines) r.add_lines(line);
  return r;
}

Correspondence CorrespondenceFromRecord(const state::ClntcommCorrespondence& r) {
  Correspondence c;
  c.document_id = r.document_id();
  c.client = r.client();
  c.client_name = r.client_name();
  c.channel = r.channel();
  c.category = r.category();
  c.title = r.title();
  c.sent_at = FromProto(r.sent_at());
  c.lines.assign(r.lines().begin(), r.lines().end());
  return c;
}

// Takes one recorded change again, as it was taken when recorded.
absl::Status Replay(const state::ClntcommChange& change, ClntcommCorpus& corpus) {
  if (change.has_correspondence()) {
    return corpus.Post(CorrespondenceFromRecord(change.correspondence())).status();
  }
  if (change.has_relationship()) {
    const state::ClntcommRelationshipChange& r = change.relationship();
    return corpus.ChangeRelationship(r.agent_abn(), r.relationship(), r.removed(), false).status();
  }
  absl::StatusOr<ClntcommSeed> seed = SeedFromRecord(change.seed());
  return seed.ok() ? corpus.SeedClient(*seed).status() : seed.status();
}

// `services`, then each of `more`.
std::vector<SingleSyncService*> Joined(
    std::vector<SingleSyncService*> services,
    const std::vector<std::unique_ptr<DemographicsSingleSync>>& more) {
  for (const auto& s : more) services.push_back(s.get());
  return services;
}

}  // namespace

class Simulator::Impl {
 public:
  Impl(SimulatorConfig config, Clock* clock, wssec::Verifier verifier, wssec::Credential agency,
       std::unique_ptr<SimStateStore> store)
      : config_(std::move(config)),
        store_(std::move(store)),
        state_(store_.get()),
        clntcomm_(clock),
        demographics_(&clntcomm_),
        http_(config_, clock, std::move(verifier), &state_),
        push_(config_, clock, &http_, &state_),
        pull_(clock, &http_, &state_, std::move(agency)),
        clntcomm_single_sync_(&state_, &clntcomm_),
        curel_single_sync_(&state_, &clntcomm_),
        ics_single_sync_(&state_, &ics_),
        demographics_single_sync_(
            DemographicsSingleSync::ForEveryService(&state_, &clntcomm_, &demographics_)),
        single_sync_(clock, &http_, &state_,
                     Joined({&clntcomm_single_sync_, &curel_single_sync_, &ics_single_sync_},
                            demographics_single_sync_)),
        back_office_(config_, clock, &state_, &clntcomm_) {}

  // Takes back what the store holds, listens and starts the workers; the
  // admin endpoint serves `sim`.
  absl::Status Begin(Simulator& sim) {
    if (absl::Status s = Restore(); !s.ok()) return s;
    if (absl::Status s = Listen(); !s.ok()) return s;
    if (config_.admin_port >= 0) {
      admin_ = std::make_unique<httplib::Server>();
      RouteAdmin(sim, *admin_);
      admin_port_ =
          config_.admin_port == 0
              ? admin_->bind_to_any_port(config_.host)
              : (admin_->bind_to_port(config_.host, config_.admin_port) ? config_.admin_port : -1);
      if (admin_port_ < 0) {
        return absl::UnavailableError(
            absl::StrCat("cannot listen on admin port ", config_.host, ":", config_.admin_port));
      }
      admin_thread_ = std::thread([this] { admin_->listen_after_bind(); });
    }
    for (int i = 0; i < config_.processing_threads; ++i) {
      workers_.emplace_back([this] {
        NameThisThread("sim-office");
        back_office_.Work();
      });
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
    if (admin_) StopWhenListening(*admin_);
    if (admin_thread_.joinable()) admin_thread_.join();
    for (std::thread& t : workers_) t.join();
  }

  int port() const { return port_; }
  int admin_port() const { return admin_port_; }
  AgencyState& state() { return state_; }
  ClntcommCorpus& clntcomm() { return clntcomm_; }
  IcsRegister& ics() { return ics_; }

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
  absl::Status Restore() {
    absl::StatusOr<SimStateStore::Saved> saved = store_->Load();
    if (!saved.ok()) return saved.status();
    if (absl::Status s = state_.Restore(*saved, config_); !s.ok()) return s;
    // Seeds, posted correspondence and relationship changes in the order
    // taken: a client's name is the one it was first given, and a
    // relationship is changed after the seed that made its client.
    for (size_t i = 0; i < saved->clntcomm_changes.size(); ++i) {
      if (absl::Status s = Replay(saved->clntcomm_changes[i], clntcomm_); !s.ok()) {
        return absl::DataLossError(absl::StrCat("simulator state ", StateDir(config_),
                                                ": CLNTCOMM change ", i, ": ", s.message()));
      }
    }
    clntcomm_.RecordSeedsWith(
        [this](const ClntcommSeed& seed) { return store_->AddClntcommSeed(SeedRecord(seed)); });
    clntcomm_.RecordPostsWith([this](const Correspondence& c) {
      return store_->AddClntcommCorrespondence(CorrespondenceRecord(c));
    });
    clntcomm_.RecordRelationshipsWith(
        [this](absl::string_view agent_abn, const v1::Relationship& relationship, bool removed) {
          state::ClntcommRelationshipChange change;
          change.set_agent_abn(std::string(agent_abn));
          *change.mutable_relationship() = relationship;
          change.set_removed(removed);
          return store_->AddClntcommRelationshipChange(change);
        });
    if (absl::Status s = ics_.Restore(saved->ics); !s.ok()) return s;
    ics_.RecordChangesWith(
        [this](const state::IcsChange& change) { return store_->SaveIcs(change); });
    demographics_.Restore(saved->demographics);
    demographics_.RecordChangesWith(
        [this](const state::ClientDemographics& c) { return store_->SaveDemographics(c); });
    return absl::OkStatus();
  }

  absl::Status Listen() {
    std::unique_ptr<httplib::SSLServer> server;
    {
      absl::MutexLock lock(&state_.mu);
      if (state_.stopping || server_ != nullptr) return absl::OkStatus();
    }
    server = std::make_unique<httplib::SSLServer>(
        config_.server_cert.c_str(), config_.server_key.c_str(), config_.client_ca.c_str());
    if (!server->is_valid()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot set up TLS with certificate ", config_.server_cert, ", key ",
                       config_.server_key, " and client CA ", config_.client_ca));
    }
    // Without one, OpenSSL aborts every handshake that resumes a TLS session
    // on a server that verifies client certificates, as this one does.
    static constexpr unsigned char kSessionIdContext[] = "sbr-sim";
    SSL_CTX_set_session_id_context(server->ssl_context(), kSessionIdContext,
                                   sizeof kSessionIdContext - 1);
    // Sessions stay in the server's cache and a ticket only names one: a
    // self-contained ticket is decoded again at each resumption, the
    // client's certificate in it through OpenSSL 3's decoder lookups (about
    // 1 ms of CPU a connection here).
    SSL_CTX_set_options(server->ssl_context(), SSL_OP_NO_TICKET);
    server->set_read_timeout(std::chrono::minutes(10));
    server->set_write_timeout(std::chrono::minutes(10));
    // httplib's defaults (5 requests a connection, 8 threads on a small
    // machine) would make clients that keep connections reconnect often and
    // wait for a thread.
    const size_t threads = static_cast<size_t>(std::max(1, config_.https_threads));
    server->new_task_queue = [threads] { return new NamedThreadPool(threads, "sim-https"); };
    server->set_keep_alive_max_count(static_cast<size_t>(std::max(1, config_.keep_alive_requests)));
    server->set_keep_alive_timeout(
        std::max<time_t>(1, absl::ToInt64Seconds(config_.keep_alive_timeout)));
    // With Nagle's algorithm a response's later TLS records wait for the
    // client's delayed ACK of the first: some 40 ms a request.
    server->set_tcp_nodelay(true);
    // httplib listens with a backlog of 5. A burst of new connections (a
    // poll stage's first punctuation opens dozens) overflowed it now and
    // then, and a connection whose SYN was dropped waited a second for it
    // to be sent again: one pull took 1.04 s, and its punctuation with it.
    // The backlog is raised once httplib has bound the socket (listen on a
    // listening socket sets its backlog anew).
    auto listening = std::make_shared<socket_t>(-1);
    server->set_socket_options([listening](socket_t sock) {
      httplib::default_socket_options(sock);
      *listening = sock;
    });
    Route(*server);
    int port;
    if (port_ > 0 || config_.port > 0) {
      port = port_ > 0 ? port_ : config_.port;
      if (!server->bind_to_port(config_.host, port)) port = -1;
    } else {
      port = server->bind_to_any_port(config_.host);
    }
    if (port < 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", config_.host, ":", port_ > 0 ? port_ : config_.port));
    }
    if (::listen(*listening, kListenBacklog) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("listening on ", config_.host, ":", port));
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
    if (server) StopWhenListening(*server);
    if (thread.joinable()) thread.join();
  }

  // httplib's stop() does nothing to a server whose listen thread has not
  // started its loop yet, which would then listen for ever: wait for it.
  static void StopWhenListening(httplib::Server& server) {
    for (int i = 0; i < 500 && !server.is_running(); ++i) absl::SleepFor(absl::Milliseconds(10));
    server.stop();
  }

  void Route(httplib::SSLServer& server) {
    server.Post("/services/BulkBatch-async-push",
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { push_.Handle(req, res, reader); });
    server.Post("/services/BulkBatch-async-pull",
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { pull_.Handle(req, res, reader); });
    server.Post("/services/Single-sync", [this](const httplib::Request& req, httplib::Response& res,
                                                const httplib::ContentReader& reader) {
      single_sync_.Handle(req, res, reader);
    });
  }

  const SimulatorConfig config_;
  const std::unique_ptr<SimStateStore> store_;
  AgencyState state_;
  ClntcommCorpus clntcomm_;
  DemographicsRegister demographics_;
  IcsRegister ics_;
  EbmsHttp http_;
  PushHandler push_;
  PullHandler pull_;
  ClntcommSingleSync clntcomm_single_sync_;
  CurelSingleSync curel_single_sync_;
  IcsSingleSync ics_single_sync_;
  std::vector<std::unique_ptr<DemographicsSingleSync>> demographics_single_sync_;
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
  for (const std::string& dir :
       {config.data_dir, SpoolDir(config), PayloadDir(config), ResponseDir(config)}) {
    if (absl::Status s = MakeDirectoriesDurably(dir); !s.ok()) return s;
  }
  absl::StatusOr<std::unique_ptr<SimStateStore>> store = SimStateStore::Open(StateDir(config));
  if (!store.ok()) return store.status();
  std::unique_ptr<Simulator> sim(new Simulator(std::make_unique<Impl>(
      std::move(config), clock, *std::move(verifier), *std::move(agency), *std::move(store))));
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
IcsRegister& Simulator::ics() { return impl_->ics(); }

absl::StatusOr<state::IcsChange> Simulator::SeedIcsJson(const std::string& json) {
  absl::StatusOr<state::IcsSeed> seed = ParseIcsSeedJson(json);
  if (!seed.ok()) return seed.status();
  return impl_->ics().Seed(*seed);
}

absl::Status Simulator::SeedFromFiles(const SeedFiles& files, absl::string_view flag_prefix) {
  auto seed = [flag_prefix](absl::string_view name, const std::string& path,
                            const std::function<absl::Status(const std::string&)>& take) {
    if (path.empty()) return absl::OkStatus();
    absl::StatusOr<std::string> json = ReadFileToString(path);
    absl::Status s = json.ok() ? take(*json) : json.status();
    if (s.ok()) return s;
    return absl::Status(s.code(), absl::StrCat(flag_prefix, name, "=", path, ": ", s.message()));
  };
  if (absl::Status s =
          seed("clntcomm", files.clntcomm,
               [this](const std::string& json) { return SeedClntcommJson(json).status(); });
      !s.ok()) {
    return s;
  }
  return seed("ics", files.ics,
              [this](const std::string& json) { return SeedIcsJson(json).status(); });
}

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
