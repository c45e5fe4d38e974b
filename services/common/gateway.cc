#include "services/common/gateway.h"

#include <httplib.h>
#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/resources.h"
#include "pipeline/platform/logging/structured_log.h"
#include "pipeline/stp/console/console_api.h"

namespace sbrgate {

absl::StatusOr<v1::PrevalidateMode> ParsePrevalidate(const std::string& text) {
  if (text == "hold") return v1::PREVALIDATE_HOLD;
  if (text == "off") return v1::PREVALIDATE_OFF;
  return absl::InvalidArgumentError(
      absl::StrCat("--prevalidate must be hold or off, not '", text, "'"));
}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(const PipelineConfig& config,
                                                        TopicLog* topics, blob::BlobStore* blobs,
                                                        const Clock* clock,
                                                        const GatewayOptions& options) {
  std::unique_ptr<Gateway> g(new Gateway());
  if (absl::Status s = MakeDirectoriesDurably(config.data_dir); !s.ok()) return s;
  auto view = lodgment::StatusView::Open(config.data_dir + "/view", blobs);
  if (!view.ok()) return view.status();
  g->view_ = *std::move(view);
  g->view_states_ = lodgment::ExposeLodgmentStates(metrics::Registry::Default(), g->view_.get());
  // The view is on disk with the offsets it applied, so its consumer group
  // stays the same across restarts and it reads only what it missed; a view
  // made afresh (a new generation) reads its topics from the start.
  g->view_stage_ = std::make_unique<lodgment::StatusViewStage>(
      g->view_.get(), absl::StrCat(config.instance, "-", g->view_->generation()));
  auto publisher = topics->MakePublisher(absl::StrCat("sbrgate.gateway.", config.instance));
  if (!publisher.ok()) return publisher.status();
  g->publisher_ = *std::move(publisher);
  gateway::LodgmentServiceOptions so;
  so.view = g->view_.get();
  so.publisher = g->publisher_.get();
  so.blobs = blobs;
  so.clock = clock;
  so.default_prevalidate = options.prevalidate;
  so.message_id_domain = config.message_id_domain;
  so.spool_dir = config.data_dir + "/spool";
  so.view_ready = [g = g.get()] { return g->view_ready_.load(); };
  so.authenticator = options.authenticator;
  so.audit = options.audit;
  so.max_upload_bytes = options.limits.max_upload_bytes;
  so.max_employees = options.limits.max_employees;
  so.max_uploads_per_caller = options.limits.max_uploads_per_caller;
  so.max_watches_per_caller = options.limits.max_watches_per_caller;
  g->service_ = std::make_unique<gateway::LodgmentServiceImpl>(so);
  rpc::ServerOptions server_options;
  server_options.address = options.grpc_listen;
  server_options.serving = false;
  server_options.credentials = options.credentials;
  g->plain_text_ = options.credentials == nullptr;
  std::vector<grpc::Service*> services = {g->service_.get()};
  services.insert(services.end(), options.extra_services.begin(), options.extra_services.end());
  auto server = rpc::StartServer(services, server_options);
  if (!server.ok()) return server.status();
  g->server_ = *std::move(server);
  if (!g->plain_text_ && !options.console_listen.empty()) {
    absl::StatusOr<std::string> pages = ResourcePath("pipeline/stp/console/static");
    if (!pages.ok()) return pages.status();
    admin::AdminOptions console;
    console.listen = options.console_listen;
    console.flag = "console-listen";
    console.tls = options.console_tls;
    console.readiness = [g = g.get()]() -> absl::Status {
      if (g->view_ready_) return absl::OkStatus();
      return absl::UnavailableError("starting: the status view is catching up");
    };
    console.add_routes = [g = g.get(), pages = *pages,
                          authenticator = options.authenticator](httplib::Server& server) {
      console::ConsoleOptions routes;
      // In process: the calls carry the person's delegated identity, which
      // the authenticator honours only on a call with no TLS peer.
      routes.gateway = g->server_.server->InProcessChannel(grpc::ChannelArguments());
      routes.static_dir = pages;
      routes.admit = console::CertificateCallers(authenticator);
      console::AddConsoleRoutes(server, routes);
    };
    absl::StatusOr<std::unique_ptr<admin::AdminServer>> started =
        admin::AdminServer::Start(std::move(console));
    if (!started.ok()) return started.status();
    g->console_ = *std::move(started);
  }
  return g;
}

std::string Gateway::ConsoleJson() const {
  if (console_ == nullptr) return "null";
  return absl::StrCat("\"https://127.0.0.1:", console_->port(), "\"");
}

void Gateway::SetViewReady() {
  view_->SetCaughtUp();
  view_ready_ = true;
  rpc::SetServing(server_, true);
}

std::function<void(httplib::Server&)> Gateway::ConsoleRoutes() const {
  if (!plain_text_) {
    const std::string where =
        console_ == nullptr
            ? std::string("this process was started without --console-listen")
            : absl::StrCat("this process serves it on port ", console_->port());
    return [where](httplib::Server& server) {
      server.Get("/console", [where](const httplib::Request&, httplib::Response& res) {
        res.status = 404;
        res.set_content(absl::StrCat("under mutual TLS the console is served over HTTPS on "
                                     "--console-listen, to browsers presenting a client "
                                     "certificate: ",
                                     where, "\n"),
                        "text/plain");
      });
    };
  }
  const int port = server_.port;
  return [port](httplib::Server& server) {
    absl::StatusOr<std::string> pages = ResourcePath("pipeline/stp/console/static");
    console::ConsoleOptions options;
    options.gateway = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                          grpc::InsecureChannelCredentials());
    options.static_dir = pages.ok() ? *pages : "";
    options.admit = console::LoopbackCallers();
    if (!pages.ok() || !console::AddConsoleRoutes(server, options)) {
      logging::Log(logging::Level::kError, "console", "unavailable")
          .Message("the console's pages (pipeline/stp/console/static) are not installed");
    }
  };
}

}  // namespace sbrgate
