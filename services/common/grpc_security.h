// GrpcSecurity: how a process that serves gRPC (gateway, clntcomm,
// sbrgated) authenticates and authorises its callers, from its flags:
//
//   --grpc-cert=PEM --grpc-key=PEM --grpc-client-ca=PEM --access=FILE
//       mutual TLS (the default): callers present a certificate signed by
//       the client CA, and the access file (pipeline/platform/access) grants
//       each identity a role and a scope; reloaded on SIGHUP;
//   --grpc-insecure-loopback
//       plain text, refused on any listen address but loopback; every caller
//       is an operator of a single tenant (development only);
//   --audit-log=FILE   where lodges, replays, redrives and CLNTCOMM requests
//       are audited (default <data-dir>/audit.log);
//   --console-listen=HOST:PORT   with mutual TLS, the operator console over
//       HTTPS with the same certificates: each person's browser presents a
//       client certificate, and the console acts as that identity. (On
//       plain-text loopback the console is on the admin port.)
//
//   absl::StatusOr<GrpcSecurity> security =
//       GrpcSecurityFromFlags(flags::GrpcListen(), config.data_dir, clock.get());
//   server_options.credentials = security->credentials;
#ifndef SBRGATE_SERVICES_COMMON_GRPC_SECURITY_H_
#define SBRGATE_SERVICES_COMMON_GRPC_SECURITY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "pipeline/platform/access/audit_log.h"
#include "pipeline/platform/admin/admin_server.h"
#include "pipeline/platform/access/authenticator.h"
#include "pipeline/platform/common/clock.h"

namespace sbrgate {

struct GrpcSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials;  // null: plain text
  // The files of `credentials`, for the console's HTTPS port; with
  // mutual TLS only.
  std::optional<admin::MutualTlsFiles> tls_files;
  std::string console_listen;  // --console-listen, with mutual TLS only
  std::unique_ptr<access::Authenticator> authenticator;
  std::unique_ptr<access::AuditLog> audit;
};

// InvalidArgument naming the flags when they are incomplete or contradict
// each other, or when plain text is asked for on a non-loopback address.
// Reloads the access file on SIGHUP (OnHangup, pipeline.h) for as long as
// the process runs: keep the result until then.
absl::StatusOr<GrpcSecurity> GrpcSecurityFromFlags(const std::string& listen,
                                                   const std::string& data_dir,
                                                   const Clock* clock);

// Whether `address` (HOST:PORT) listens on loopback only.
bool IsLoopbackAddress(const std::string& address);

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_GRPC_SECURITY_H_
