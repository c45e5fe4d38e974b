#include "services/common/grpc_security.h"

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/keys/key_files.h"
#include "services/common/pipeline.h"

ABSL_FLAG(std::string, grpc_cert, "", "gRPC server certificate (PEM), for mutual TLS");
ABSL_FLAG(std::string, grpc_key, "", "gRPC server private key (PEM)");
ABSL_FLAG(std::string, grpc_client_ca, "",
          "CA (PEM) whose client certificates the gRPC server accepts");
ABSL_FLAG(bool, grpc_insecure_loopback, false,
          "serve gRPC in plain text, on a loopback address only, every caller an operator "
          "(development)");
ABSL_FLAG(std::string, access, "",
          "access file: identity,role,scope lines granting callers (reloaded on SIGHUP)");
ABSL_FLAG(std::string, audit_log, "", "audit log (default <data-dir>/audit.log)");
ABSL_FLAG(std::string, console_listen, "",
          "HOST:PORT: the operator console over HTTPS with the gRPC certificates, for browsers "
          "presenting a client certificate (mutual TLS only)");

namespace sbrgate {

bool IsLoopbackAddress(const std::string& address) {
  std::string host = address.substr(0, address.rfind(':'));
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<GrpcSecurity> GrpcSecurityFromFlags(const std::string& listen,
                                                   const std::string& data_dir,
                                                   const Clock* clock) {
  const std::string cert = absl::GetFlag(FLAGS_grpc_cert);
  const std::string key = absl::GetFlag(FLAGS_grpc_key);
  const std::string client_ca = absl::GetFlag(FLAGS_grpc_client_ca);
  const std::string access_file = absl::GetFlag(FLAGS_access);
  const bool tls = !cert.empty() || !key.empty() || !client_ca.empty();
  GrpcSecurity security;
  security.console_listen = absl::GetFlag(FLAGS_console_listen);
  if (absl::GetFlag(FLAGS_grpc_insecure_loopback)) {
    if (!security.console_listen.empty()) {
      return absl::InvalidArgumentError(
          "--console-listen serves the console over mutual TLS: with --grpc-insecure-loopback "
          "the console is on the admin port (--admin-listen), for loopback callers");
    }
    if (tls || !access_file.empty()) {
      return absl::InvalidArgumentError(
          "--grpc-insecure-loopback serves plain text to a single operator: drop "
          "--grpc-cert/--grpc-key/--grpc-client-ca/--access, or drop it");
    }
    if (!IsLoopbackAddress(listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--grpc-insecure-loopback refuses --grpc-listen=", listen,
          ": plain text only on a loopback address (127.0.0.1, ::1, localhost)"));
    }
    security.authenticator = access::Authenticator::LoopbackOperator();
  } else {
    if (cert.empty() || key.empty() || client_ca.empty()) {
      return absl::InvalidArgumentError(
          "gRPC needs mutual TLS: --grpc-cert, --grpc-key and --grpc-client-ca (with --access), "
          "or --grpc-insecure-loopback for development on this machine");
    }
    if (access_file.empty()) {
      return absl::InvalidArgumentError(
          "--access=FILE is required with mutual TLS: it grants each caller's identity a role "
          "and a scope");
    }
    if (absl::Status s = keys::CheckPrivateKeyFile(key); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--grpc-key: ", s.message()));
    }
    grpc::SslServerCredentialsOptions options(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    for (auto [flag, path, out] : {std::make_tuple("--grpc-cert", &cert, &pair.cert_chain),
                                   std::make_tuple("--grpc-key", &key, &pair.private_key),
                                   std::make_tuple("--grpc-client-ca", &client_ca,
                                                   &options.pem_root_certs)}) {
      absl::StatusOr<std::string> pem = ReadFileToString(*path);
      if (!pem.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(flag, "=", *path, ": ", pem.status().message()));
      }
      *out = *std::move(pem);
    }
    options.pem_key_cert_pairs.push_back(std::move(pair));
    security.tls_files = admin::MutualTlsFiles{cert, key, client_ca};
    security.credentials = grpc::SslServerCredentials(options);
    absl::StatusOr<std::unique_ptr<access::Authenticator>> authenticator =
        access::Authenticator::WithAccessFile(access_file);
    if (!authenticator.ok()) return authenticator.status();
    security.authenticator = *std::move(authenticator);
    OnHangup([auth = security.authenticator.get()] {
      absl::Status s = auth->Reload();
      std::fprintf(stderr, "access file %s: %s\n", auth->source().c_str(),
                   s.ok() ? "reloaded" : std::string(s.message()).c_str());
    });
  }
  std::string audit_path = absl::GetFlag(FLAGS_audit_log);
  if (audit_path.empty()) audit_path = data_dir + "/audit.log";
  absl::StatusOr<std::unique_ptr<access::AuditLog>> audit =
      access::AuditLog::Open(audit_path, clock);
  if (!audit.ok()) return audit.status();
  security.audit = *std::move(audit);
  return security;
}

}  // namespace sbrgate
