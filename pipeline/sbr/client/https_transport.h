// HttpsTransport: the HTTPS client sbrgate talks to SBR2 with (libcurl). One
// POST per call, authenticated by a client certificate, with the request body
// pulled from a ByteSource and the response body pushed into a ByteSink, so a
// multi-gigabyte lodgment is never buffered whole.
//
//   HttpsTransport transport(TlsConfig{"/etc/sbrgate/ato-ca.pem",
//                                      "/etc/sbrgate/m2m.pem", "/etc/sbrgate/m2m.key"});
//   mime::MultipartSource body(...);
//   HttpRequest req;
//   req.url = "https://sbr.example/services/BulkBatch-async-push";
//   req.headers = {{"Content-Type", body.content_type_header()}};
//   req.body = &body;
//   req.content_length = body.content_length();
//   StringSink response_body;
//   absl::StatusOr<HttpResponse> resp = transport.Post(req, response_body);
//   if (IsTransient(resp.status())) { /* resend later, same MessageId (transient.h) */ }
//   else if (!resp.ok()) { /* fix configuration; do not resend blindly */ }
//   else { /* parse response_body whatever resp->status is (200, 500 ebMS Error, 4xx) */ }
//
// Outcomes, and what the caller does with them:
//   - An HttpResponse: any HTTP status except 502/503/504, its body written to
//     the sink. The server has spoken; parse the body, never blind-retry.
//   - Unavailable: the exchange failed in transit (connection refused, reset
//     or closed early, DNS failure, TLS handshake failure that names no
//     certificate problem, HTTP 502/503/504). Retry later with the same
//     MessageId.
//   - DeadlineExceeded: connect_timeout, total_timeout or low_speed_window ran
//     out. Also transient; retry with the same MessageId (the server may have
//     received the message: ebMS duplicate detection covers that).
//   - FailedPrecondition: our TLS setup is wrong or the server is not who it
//     should be: the server certificate does not verify against ca_file or
//     does not match the host, or our own certificate/key/CA files cannot be
//     used. Retrying cannot help until an operator acts.
//   - Unauthenticated: the server refused our client certificate (a fatal TLS
//     alert such as certificate_required, bad_certificate, unknown_ca,
//     certificate_expired/revoked). Needs an operator: renew or register the
//     credential. Always so with TLS 1.2. With TLS 1.3 the server judges the
//     certificate after our side of the handshake is done, and its reset often
//     overtakes the alert; that case is Unavailable, with a message saying the
//     connection closed right after a handshake in which the server asked for
//     our certificate (retrying is harmless; a retry budget surfaces it).
//   - InvalidArgument: a malformed or non-https URL, a header with a line break.
//   - DataLoss: the body gave fewer bytes than content_length promised.
//   - Errors of the body source or the response sink are returned as they are.
// After any error status the sink may hold part of a body; discard it.
//
// Connections are kept: each Post borrows an idle curl handle of the
// transport (or makes one) and gives it back after a response, so the next
// Post to the same server reuses its connection without a TLS handshake. Up
// to kMaxIdleHandles are kept. A handle whose Post ended in an error status
// is closed with its connection, so a failure never carries over to a later
// Post. A kept connection that the server has closed meanwhile is not used
// again; if the server closes it just as a request goes out, that request is
// Unavailable (as any connection closed early). All handles of a transport
// share one TLS session cache, so a new connection resumes a session instead
// of a full handshake; should a server abort a handshake that offers one (as
// an OpenSSL server asking for client certificates without a session ID
// context does), that Post is Unavailable and the transport makes full
// handshakes from then on.
//
// Thread-safe: Post may run on many threads at once, each on its own handle
// and connection.
#ifndef SBRGATE_PIPELINE_SBR_CLIENT_HTTPS_TRANSPORT_H_
#define SBRGATE_PIPELINE_SBR_CLIENT_HTTPS_TRANSPORT_H_

#include <cstdint>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::sbr_client {

struct TlsConfig {
  std::string ca_file;      // PEM trust anchors for the server; empty: the system store
  std::string cert_file;    // our client certificate (chain), PEM; empty: none
  std::string key_file;     // its private key, PEM, unencrypted
  bool verify_host = true;  // check the server certificate names the URL's host
};

struct HttpRequest {
  std::string url;  // https:// only
  std::vector<std::pair<std::string, std::string>> headers;
  ByteSource* body = nullptr;  // not owned; null sends an empty body
  // Exact body length: sent as Content-Length. Unset: chunked encoding.
  std::optional<uint64_t> content_length;
  absl::Duration connect_timeout = absl::Seconds(30);  // TCP and TLS handshake
  absl::Duration total_timeout = absl::Hours(12);      // the whole exchange
  // Abort when less than 1 byte/s moves, on average, over this window.
  absl::Duration low_speed_window = absl::Minutes(5);
  // Not owned; when set and it turns true, this Post ends as CancelAll ends
  // every Post (within about a second, Unavailable): its caller gave it up.
  const std::atomic<bool>* given_up = nullptr;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // of the final response
  // The first header named `name` (case-insensitive), or "" when absent.
  std::string Header(absl::string_view name) const;
};

class HttpsTransport {
 public:
  // Idle handles (each with its connection) kept for later Posts; more
  // Posts than this at once still run, their handles closed afterwards.
  static constexpr int kMaxIdleHandles = 64;

  explicit HttpsTransport(TlsConfig tls);
  ~HttpsTransport();
  HttpsTransport(const HttpsTransport&) = delete;
  HttpsTransport& operator=(const HttpsTransport&) = delete;

  // POSTs `request` and writes the response body to `response_body` (which
  // it does not Close()). See the file comment for what each outcome means.
  absl::StatusOr<HttpResponse> Post(const HttpRequest& request, ByteSink& response_body) const;

  // For a process that is stopping: the Posts in progress end within about
  // a second, and later ones at once, Unavailable (a push or pull cut short
  // is sent again, with its MessageId, after the restart). From any thread.
  void CancelAll() const { cancelled_ = true; }

 private:
  class HandlePool;  // https_transport.cc

  TlsConfig tls_;
  std::unique_ptr<HandlePool> pool_;
  mutable std::atomic<bool> cancelled_{false};
};

}  // namespace sbrgate::sbr_client

#endif  // SBRGATE_PIPELINE_SBR_CLIENT_HTTPS_TRANSPORT_H_
