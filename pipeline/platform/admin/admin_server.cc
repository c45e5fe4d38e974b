#include "pipeline/platform/admin/admin_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sbrgate::admin {

absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(const std::string& flag,
                                                               const std::string& value) {
  const size_t colon = value.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(value.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " '", value, "' is not HOST:PORT (e.g. 0.0.0.0:9090)"));
  }
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, port);
}

AdminServer::AdminServer() = default;

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(AdminOptions options) {
  absl::StatusOr<std::pair<std::string, int>> address =
      ParseListenAddress(options.flag, options.listen);
  if (!address.ok()) return address.status();
  std::unique_ptr<AdminServer> s(new AdminServer());
  s->options_ = std::move(options);
  if (const std::optional<MutualTlsFiles>& tls = s->options_.tls; tls.has_value()) {
    // With a client CA, httplib requires and verifies a client certificate.
    auto https = std::make_unique<httplib::SSLServer>(tls->cert.c_str(), tls->key.c_str(),
                                                      tls->client_ca.c_str());
    if (!https->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", s->options_.flag, ": cannot serve HTTPS with certificate ", tls->cert,
                       ", key ", tls->key, " and client CA ", tls->client_ca));
    }
    s->server_ = std::move(https);
  } else {
    s->server_ = std::make_unique<httplib::Server>();
  }
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // process share the port and answer half the scrapes.
  s->server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  AdminServer* self = s.get();
  s->server_->Get("/metrics", [self](const httplib::Request&, httplib::Response& res) {
    res.set_content(self->options_.registry->Exposition(), "text/plain; version=0.0.4");
  });
  s->server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  s->server_->Get("/readyz", [self](const httplib::Request&, httplib::Response& res) {
    const absl::Status ready =
        self->options_.readiness ? self->options_.readiness() : absl::OkStatus();
    if (ready.ok()) {
      res.set_content("ok\n", "text/plain");
      return;
    }
    res.status = 503;
    res.set_content(absl::StrCat(ready.message(), "\n"), "text/plain");
  });
  if (s->options_.add_routes) s->options_.add_routes(*s->server_);
  const auto& [host, port] = *address;
  s->port_ = port == 0 ? s->server_->bind_to_any_port(host)
                       : (s->server_->bind_to_port(host, port) ? port : -1);
  if (s->port_ < 0) {
    return absl::UnavailableError(
        absl::StrCat("--", s->options_.flag, " ", s->options_.listen, ": cannot listen there"));
  }
  s->thread_ = std::thread([self] { self->server_->listen_after_bind(); });
  // stop() does nothing to a server not yet listening: wait until it is.
  while (!s->server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return s;
}

AdminServer::~AdminServer() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sbrgate::admin
