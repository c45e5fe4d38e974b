// A throw-away development PKI for tests and for the daemon's embedded
// simulator (sbrgated-sandbox --embedded-sim), which need TLS with client
// certificates (the HTTPS transport, the SBR simulator) or X.509 signing keys
// (WS-Security); never for production credentials:
// a CA, a server certificate for localhost/127.0.0.1, a client certificate,
// and a client certificate from a second CA that the first does not trust.
// All keys are RSA 2048 (what SBR signs with), unencrypted PKCS#8 PEM; all
// certificates are PEM, valid from a day ago for a year. Every file is 0600
// in a 0700 directory.
//
//   absl::StatusOr<DevPki> pki = MakeDevPki(::testing::TempDir() + "/pki");
//   // or, keeping the PKI across restarts: OpenOrMakeDevPki(data_dir + "/pki")
//   httplib::SSLServer server(pki->server_cert.c_str(), pki->server_key.c_str(),
//                             pki->ca_cert.c_str());   // verifies client certs
//   TlsConfig tls{pki->ca_cert, pki->client_cert, pki->client_key};
#ifndef SBRGATE_PIPELINE_PKI_DEV_PKI_H_
#define SBRGATE_PIPELINE_PKI_DEV_PKI_H_

#include <string>

#include "absl/status/statusor.h"

namespace sbrgate::pki {

// Paths of the files MakeDevPki wrote.
struct DevPki {
  std::string ca_cert;  // trust anchor for both the server and the client certs
  std::string ca_key;
  std::string server_cert;  // CN=localhost, SAN DNS:localhost, IP:127.0.0.1; serverAuth
  std::string server_key;
  std::string client_cert;  // CN=sbrgate test client, issued by ca_cert; clientAuth
  std::string client_key;
  std::string untrusted_ca_cert;      // a second CA, trusted by nothing
  std::string untrusted_client_cert;  // issued by untrusted_ca_cert; clientAuth
  std::string untrusted_client_key;
};

// Creates `dir` if needed and writes fresh keys and certificates into it
// (ca.pem, ca.key, server.pem, server.key, client.pem, client.key,
// untrusted-ca.pem, untrusted-client.pem, untrusted-client.key).
absl::StatusOr<DevPki> MakeDevPki(const std::string& dir);

// The PKI in `dir` when every file MakeDevPki writes is there, otherwise a
// fresh one (MakeDevPki). For a daemon restarted on its data directory: its
// embedded simulator answers a pull only from the certificate that signed
// the push, and sbrgate pins the CA, so both must stay what they were.
absl::StatusOr<DevPki> OpenOrMakeDevPki(const std::string& dir);

// A client certificate for identity (CN) `name`, issued by the CA of `pki`:
// written to <dir>/<name>.pem and <dir>/<name>.key. For the gRPC API's
// callers (mutual TLS, pipeline/platform/access).
struct ClientCert {
  std::string cert;
  std::string key;
};
absl::StatusOr<ClientCert> IssueClientCert(const DevPki& pki, const std::string& dir,
                                           const std::string& name);

}  // namespace sbrgate::pki

#endif  // SBRGATE_PIPELINE_PKI_DEV_PKI_H_
