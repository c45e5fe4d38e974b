// AdminServer: the operators' HTTP port of a sbrgate process
// (--admin-listen=HOST:PORT): /metrics (the registry's Prometheus text
// exposition), /healthz (alive: answers while the process runs) and /readyz
// (ready for traffic: the readiness check says OK; 503 with its reason
// otherwise), for Prometheus and orchestrators' probes.
//
//   AdminOptions options;
//   options.listen = "0.0.0.0:9090";
//   options.readiness = [&] { return views_caught_up ? absl::OkStatus()
//                                                     : absl::UnavailableError("..."); };
//   absl::StatusOr<std::unique_ptr<AdminServer>> admin = AdminServer::Start(options);
//   (*admin)->port();   // the bound port (useful with ":0")
//
// Plain HTTP: it serves no payroll or tax data, only counts and states, and
// sits on an address the deployment keeps inside the cluster. With `tls` it
// is HTTPS and every caller must present a certificate from the client CA:
// for routes that act for a person (the console under mutual TLS).
#ifndef SBRGATE_PIPELINE_PLATFORM_ADMIN_ADMIN_SERVER_H_
#define SBRGATE_PIPELINE_PLATFORM_ADMIN_ADMIN_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pipeline/platform/metrics/registry.h"

namespace httplib {
class Server;
}

namespace sbrgate::admin {

// PEM files: the server's certificate and key, and the CA whose client
// certificates it accepts.
struct MutualTlsFiles {
  std::string cert;
  std::string key;
  std::string client_ca;
};

struct AdminOptions {
  std::string listen;  // HOST:PORT, [IPv6]:PORT; port 0 picks a free one
  std::string flag = "admin-listen";  // where `listen` came from, for errors
  std::optional<MutualTlsFiles> tls;
  metrics::Registry* registry = &metrics::Registry::Default();
  // OK when the process is ready for traffic; its message says why not.
  // Called on the server's threads. Unset: ready once started.
  std::function<absl::Status()> readiness;
  // Adds the process's own routes (an operator console) before serving.
  std::function<void(httplib::Server&)> add_routes;
};

// Splits "HOST:PORT" (or "[IPv6]:PORT"); InvalidArgument naming `flag` and
// the value when it is not one.
absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(const std::string& flag,
                                                                const std::string& value);

class AdminServer {
 public:
  // Unavailable when the address cannot be bound; InvalidArgument when the
  // TLS files cannot be used.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(AdminOptions options);
  ~AdminServer();  // stops serving
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  int port() const { return port_; }

 private:
  AdminServer();
  AdminOptions options_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace sbrgate::admin

#endif  // SBRGATE_PIPELINE_PLATFORM_ADMIN_ADMIN_SERVER_H_
