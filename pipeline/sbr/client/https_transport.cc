#include "pipeline/sbr/client/https_transport.h"

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace sbrgate::sbr_client {
namespace {

// How much of a 502/503/504 body goes into the error message.
constexpr size_t kErrorBodySnippet = 512;

bool IsTransientHttpStatus(int status) { return status == 502 || status == 503 || status == 504; }

// Fatal TLS alerts by which a server says it does not accept our certificate.
bool IsClientCertificateAlert(int description) {
  switch (description) {
    case 42:   // bad_certificate
    case 43:   // unsupported_certificate
    case 44:   // certificate_revoked
    case 45:   // certificate_expired
    case 46:   // certificate_unknown
    case 48:   // unknown_ca
    case 49:   // access_denied
    case 116:  // certificate_required (TLS 1.3)
      return true;
    default:
      return false;
  }
}

absl::once_flag curl_init_once;
CURLcode curl_init_result = CURLE_OK;
int ssl_ctx_state_index = -1;

void GlobalInit() {
  absl::call_once(curl_init_once, [] {
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
    ssl_ctx_state_index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  });
}

// Everything the callbacks of one Post share.
struct Exchange {
  ByteSource* body = nullptr;
  std::optional<uint64_t> content_length;
  uint64_t sent = 0;
  absl::Status body_status;

  ByteSink* sink = nullptr;
  absl::Status sink_status;
  std::string error_body;  // start of a 502/503/504 body

  int status = 0;  // of the response whose headers are being read
  std::vector<std::pair<std::string, std::string>> headers;

  int alert_received = -1;   // description of a fatal TLS alert from the server
  bool tls_started = false;  // so TCP had connected
  bool tls_done = false;
  // A connection, new or kept from an earlier Post, was ready for the
  // request (on a kept one there is no handshake to see).
  bool connected = false;
  bool offered_session = false;  // the handshake tried to resume a cached TLS session
  bool cert_requested = false;  // the server asked for our client certificate
  bool have_client_cert = false;

  // Either ends the transfer (CancelAll, HttpRequest::given_up).
  const std::atomic<bool>* stopping = nullptr;
  const std::atomic<bool>* given_up = nullptr;
  bool Cancelled() const { return *stopping || (given_up != nullptr && *given_up); }
};

size_t ReadBody(char* buf, size_t size, size_t nitems, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  size_t n = size * nitems;
  if (ex->content_length)
    n = static_cast<size_t>(std::min<uint64_t>(n, *ex->content_length - ex->sent));
  if (n == 0 || ex->body == nullptr) return 0;
  absl::StatusOr<size_t> got = ex->body->Read(buf, n);
  if (!got.ok()) {
    ex->body_status = got.status();
    return CURL_READFUNC_ABORT;
  }
  if (*got == 0 && ex->content_length) {
    ex->body_status = absl::DataLossError(absl::StrCat(
        "request body ended after ", ex->sent, " of the declared ", *ex->content_length, " bytes"));
    return CURL_READFUNC_ABORT;
  }
  ex->sent += *got;
  return *got;
}

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  const size_t n = size * nmemb;
  if (IsTransientHttpStatus(ex->status)) {
    // Not a response the caller parses: keep the start for the error message.
    ex->error_body.append(
        data, std::min(n, kErrorBodySnippet - std::min(kErrorBodySnippet, ex->error_body.size())));
    return n;
  }
  if (absl::Status s = ex->sink->Write(absl::string_view(data, n)); !s.ok()) {
    ex->sink_status = s;
    return CURL_WRITEFUNC_ERROR;
  }
  return n;
}

size_t ReadHeader(char* data, size_t size, size_t nitems, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  const size_t n = size * nitems;
  absl::string_view line = absl::StripTrailingAsciiWhitespace(absl::string_view(data, n));
  if (absl::StartsWith(line, "HTTP/")) {
    // A new status line: an interim 1xx response's headers are dropped.
    ex->headers.clear();
    ex->status = 0;
    const size_t sp = line.find(' ');
    if (sp != absl::string_view::npos) {
      int code = 0;
      if (absl::SimpleAtoi(line.substr(sp + 1, 3), &code)) ex->status = code;
    }
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    ex->headers.emplace_back(std::string(absl::StripAsciiWhitespace(line.substr(0, colon))),
                             std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  return n;
}

// A curl handle kept between Posts: it keeps its connection (in curl's
// connection cache of the handle), so the next Post on it reuses that.
struct PooledHandle {
  PooledHandle() : curl(curl_easy_init()) {}
  ~PooledHandle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
  PooledHandle(const PooledHandle&) = delete;
  PooledHandle& operator=(const PooledHandle&) = delete;

  CURL* const curl;
  // The Post running on the handle, null while it is idle (or being
  // closed). A connection outlives the Post that opened it, so its TLS
  // callbacks find the Post through the handle, never a pointer of their own.
  Exchange* exchange = nullptr;
};

// CURLOPT_XFERINFOFUNCTION: non-zero ends the transfer.
int StopIfCancelled(void* exchange, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const Exchange*>(exchange)->Cancelled() ? 1 : 0;
}

int OnConnected(void* userp, char*, char*, int, int) {
  static_cast<Exchange*>(userp)->connected = true;
  return CURL_PREREQFUNC_OK;
}

void OnTlsInfo(const SSL* ssl, int where, int ret) {
  const auto* handle =
      static_cast<PooledHandle*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ssl_ctx_state_index));
  if (handle == nullptr || handle->exchange == nullptr) return;
  Exchange* ex = handle->exchange;
  if (where & SSL_CB_HANDSHAKE_START) {
    ex->tls_started = true;
    // Before the ClientHello, the SSL has a session only if curl set one.
    if (SSL_get_session(ssl) != nullptr) ex->offered_session = true;
  }
  if (where & SSL_CB_HANDSHAKE_DONE) ex->tls_done = true;
  if ((where & SSL_CB_LOOP) != 0 && SSL_get_state(ssl) == TLS_ST_CR_CERT_REQ) {
    ex->cert_requested = true;
  }
  // Alerts we send (e.g. on an untrusted server certificate) do not count.
  const bool read_alert = (where & SSL_CB_ALERT) != 0 && (where & SSL_CB_READ) != 0;
  if (read_alert && (ret >> 8) == SSL3_AL_FATAL && ex->alert_received < 0) {
    ex->alert_received = ret & 0xff;
  }
}

// curl makes a fresh SSL_CTX for each new connection; this hooks alert
// reporting into it so that a refused client certificate can be told from
// other handshake failures. `userp` is the PooledHandle, which lives as long
// as its connections.
CURLcode SetUpSslCtx(CURL*, void* ssl_ctx, void* userp) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  SSL_CTX_set_ex_data(ctx, ssl_ctx_state_index, userp);
  SSL_CTX_set_info_callback(ctx, OnTlsInfo);
  return CURLE_OK;
}

struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

// Milliseconds for curl, where 0 means "no limit".
long CurlMillis(absl::Duration d) {
  if (d == absl::InfiniteDuration() || d <= absl::ZeroDuration()) return 0;
  return static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

absl::StatusOr<std::string> HostPort(const std::string& url) {
  std::unique_ptr<CURLU, UrlFree> u(curl_url());
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("HTTPS: malformed URL \"", url, "\""));
  }
  char* scheme = nullptr;
  char* host = nullptr;
  char* port = nullptr;
  curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0);
  curl_url_get(u.get(), CURLUPART_HOST, &host, 0);
  curl_url_get(u.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
  const bool https = scheme != nullptr && absl::EqualsIgnoreCase(scheme, "https");
  std::string result = absl::StrCat(host != nullptr ? host : "", ":", port != nullptr ? port : "");
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  if (!https) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTPS: only https:// URLs are allowed, not \"", url, "\""));
  }
  return result;
}

absl::Status CheckHeader(const std::string& name, const std::string& value) {
  if (name.empty() || name.find_first_of(":\r\n") != std::string::npos ||
      value.find_first_of("\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTPS: malformed request header \"", absl::CHexEscape(name), "\""));
  }
  return absl::OkStatus();
}

absl::Status TimeoutStatus(const Exchange& ex, const HttpRequest& req, const std::string& where,
                           const char* detail) {
  std::string what;
  if (!ex.tls_started && !ex.connected) {
    what = absl::StrCat("connect to ", where, " timed out (connect_timeout ",
                        absl::FormatDuration(req.connect_timeout), ")");
  } else if (!ex.tls_done && !ex.connected) {
    what = absl::StrCat("TLS handshake with ", where, " timed out (connect_timeout ",
                        absl::FormatDuration(req.connect_timeout), ")");
  } else if (absl::StrContains(detail, "too slow")) {
    // curl's wording for the low-speed abort, unchanged since curl 7.x began;
    // elapsed times cannot tell it apart reliably (curl's timers are coarse).
    what = absl::StrCat("transfer with ", where, " stalled: under 1 byte/s for ",
                        absl::FormatDuration(req.low_speed_window));
  } else {
    what = absl::StrCat("POST ", req.url, " exceeded total_timeout ",
                        absl::FormatDuration(req.total_timeout));
  }
  return absl::DeadlineExceededError(absl::StrCat(what, ": ", detail));
}

std::string AlertName(int description) {
  const char* name = SSL_alert_desc_string_long(description);
  return name != nullptr ? name : absl::StrCat("alert ", description);
}

absl::Status CurlFailure(CURL* curl, CURLcode rc, const Exchange& ex, const HttpRequest& req,
                         const std::string& where, const char* errbuf) {
  const char* detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  if (!ex.body_status.ok()) return ex.body_status;
  if (!ex.sink_status.ok()) return ex.sink_status;
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    const char* why = *ex.stopping ? "the process is stopping" : "the exchange was given up";
    return absl::UnavailableError(absl::StrCat("POST ", req.url, " cut short: ", why));
  }
  if (rc == CURLE_PEER_FAILED_VERIFICATION) {
    return absl::FailedPreconditionError(
        absl::StrCat("TLS: the server certificate of ", where, " is not trusted: ", detail));
  }
  if (ex.alert_received >= 0) {
    // handshake_failure is generic, but after the server asked for our
    // certificate it is how TLS 1.2 servers refuse a missing one.
    constexpr int kHandshakeFailure = 40;
    if (IsClientCertificateAlert(ex.alert_received) ||
        (ex.alert_received == kHandshakeFailure && ex.cert_requested)) {
      return absl::UnauthenticatedError(
          absl::StrCat("TLS: ", where, " rejected our client certificate",
                       ex.have_client_cert ? "" : " (we have none configured)",
                       " (alert: ", AlertName(ex.alert_received), "): ", detail));
    }
    return absl::UnavailableError(
        absl::StrCat("TLS: ", where, " sent alert ", AlertName(ex.alert_received), ": ", detail));
  }
  long os_errno = 0;
  curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
      if (os_errno == ECONNREFUSED) {
        return absl::UnavailableError(absl::StrCat("connect to ", where, " refused: ", detail));
      }
      return absl::UnavailableError(absl::StrCat("connect to ", where, " failed: ", detail));
    case CURLE_COULDNT_RESOLVE_HOST:
      return absl::UnavailableError(
          absl::StrCat("cannot resolve the host of ", where, ": ", detail));
    case CURLE_OPERATION_TIMEDOUT:
      return TimeoutStatus(ex, req, where, detail);
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
      return absl::FailedPreconditionError(
          absl::StrCat("TLS: our TLS configuration cannot be used: ", detail));
    case CURLE_SSL_CONNECT_ERROR:
      return absl::UnavailableError(
          absl::StrCat("TLS: handshake with ", where, " failed: ", detail));
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_SEND_FAIL_REWIND:
    case CURLE_SSL_SHUTDOWN_FAILED:
      if (ex.tls_done && ex.cert_requested && ex.status == 0) {
        // TLS 1.3 servers check the client certificate after the client has
        // finished its handshake, and their refusal often arrives as a reset
        // that overtakes the alert saying why.
        return absl::UnavailableError(absl::StrCat(
            "connection to ", where,
            " closed right after the TLS handshake, before any HTTP response; if this persists,"
            " the server is probably rejecting our client certificate: ",
            detail));
      }
      return absl::UnavailableError(
          absl::StrCat("connection to ", where, " broke during the exchange: ", detail));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(absl::StrCat("HTTPS: bad URL ", req.url, ": ", detail));
    default:
      return absl::InternalError(
          absl::StrCat("HTTPS: POST ", req.url, " failed: curl error ", rc, ": ", detail));
  }
}

}  // namespace

// The idle handles of a transport, most recently used on top so that busy
// connections stay busy and the rest age out, and the share through which
// all its handles pool TLS sessions and DNS answers. Connections themselves
// stay with their handle: shared between handles, a connection could
// outlive the handle its TLS callbacks point to.
class HttpsTransport::HandlePool {
 public:
  HandlePool() : share_(curl_share_init()) {
    if (share_ == nullptr) return;  // each handle keeps its own sessions then
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  }
  ~HandlePool() {
    idle_.clear();  // a share in use by a handle cannot be cleaned up
    if (share_ != nullptr) curl_share_cleanup(share_);
  }
  HandlePool(const HandlePool&) = delete;
  HandlePool& operator=(const HandlePool&) = delete;

  // An idle handle, or a new one (whose curl is null if curl cannot make
  // one). Its options are curl's defaults.
  std::unique_ptr<PooledHandle> Take() {
    {
      absl::MutexLock lock(&mu_);
      if (!idle_.empty()) {
        std::unique_ptr<PooledHandle> handle = std::move(idle_.back());
        idle_.pop_back();
        return handle;
      }
    }
    return std::make_unique<PooledHandle>();
  }

  // Keeps `handle`, with its connection, for a later Post; closes it when
  // kMaxIdleHandles are idle already.
  void Give(std::unique_ptr<PooledHandle> handle) {
    // Drops the options, which point into the finished Post; the
    // connection, TLS session and DNS caches stay.
    curl_easy_reset(handle->curl);
    absl::MutexLock lock(&mu_);
    if (idle_.size() < static_cast<size_t>(kMaxIdleHandles)) idle_.push_back(std::move(handle));
  }

  CURLSH* share() const { return share_; }

  // Whether new connections may resume a TLS session; once one that tried
  // failed its handshake, they never do again.
  bool resume_sessions() const { return resume_sessions_.load(std::memory_order_relaxed); }
  void StopResuming() { resume_sessions_.store(false, std::memory_order_relaxed); }

 private:
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* userp) {
    static_cast<HandlePool*>(userp)->share_locks_[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* userp) {
    static_cast<HandlePool*>(userp)->share_locks_[data].unlock();
  }

  CURLSH* const share_;
  std::mutex share_locks_[CURL_LOCK_DATA_LAST];  // curl locks one per kind of data
  std::atomic<bool> resume_sessions_{true};
  absl::Mutex mu_;
  std::vector<std::unique_ptr<PooledHandle>> idle_ ABSL_GUARDED_BY(mu_);
};

std::string HttpResponse::Header(absl::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

HttpsTransport::HttpsTransport(TlsConfig tls) : tls_(std::move(tls)) {
  GlobalInit();
  pool_ = std::make_unique<HandlePool>();
}

HttpsTransport::~HttpsTransport() = default;

absl::StatusOr<HttpResponse> HttpsTransport::Post(const HttpRequest& req,
                                                  ByteSink& response_body) const {
  if (curl_init_result != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("HTTPS: curl_global_init failed: ", curl_easy_strerror(curl_init_result)));
  }
  absl::StatusOr<std::string> where = HostPort(req.url);
  if (!where.ok()) return where.status();
  if (cancelled_) {
    return absl::UnavailableError(absl::StrCat("POST ", req.url, " not sent: the process is stopping"));
  }
  if (req.given_up != nullptr && *req.given_up) {
    return absl::UnavailableError(
        absl::StrCat("POST ", req.url, " not sent: the exchange was given up"));
  }

  std::unique_ptr<curl_slist, SlistFree> headers;
  auto add_header = [&headers](const std::string& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  bool has_content_type = false;
  for (const auto& [name, value] : req.headers) {
    if (absl::Status s = CheckHeader(name, value); !s.ok()) return s;
    if (absl::EqualsIgnoreCase(name, "Content-Type")) has_content_type = true;
    add_header(absl::StrCat(name, ": ", value));
  }
  // curl would otherwise label the body application/x-www-form-urlencoded.
  if (!has_content_type) add_header("Content-Type:");
  if (!req.content_length && req.body != nullptr) add_header("Transfer-Encoding: chunked");

  Exchange ex;
  ex.body = req.body;
  ex.content_length = req.body != nullptr ? req.content_length : std::optional<uint64_t>(0);
  ex.sink = &response_body;
  ex.have_client_cert = !tls_.cert_file.empty();
  ex.stopping = &cancelled_;
  ex.given_up = req.given_up;
  char errbuf[CURL_ERROR_SIZE] = "";
  // Declared after what its options point to, so that closing it on an
  // error never meets them gone.
  std::unique_ptr<PooledHandle> handle = pool_->Take();
  if (handle->curl == nullptr) return absl::InternalError("HTTPS: curl_easy_init failed");
  CURL* curl = handle->curl;
  handle->exchange = &ex;

  if (pool_->share() != nullptr) curl_easy_setopt(curl, CURLOPT_SHARE, pool_->share());
  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
  curl_easy_setopt(curl, CURLOPT_READDATA, &ex);
  if (ex.content_length) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(*ex.content_length));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_PREREQFUNCTION, OnConnected);
  curl_easy_setopt(curl, CURLOPT_PREREQDATA, &ex);

  // Called about once a second, also while waiting for the answer.
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, StopIfCancelled);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &ex);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CurlMillis(req.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, CurlMillis(req.total_timeout));
  const long window_s = CurlMillis(req.low_speed_window) == 0
                            ? 0
                            : std::max<long>(1, absl::ToInt64Seconds(req.low_speed_window));
  if (window_s > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, window_s);
  }

  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, tls_.verify_host ? 2L : 0L);
  if (!tls_.ca_file.empty()) {
    // Only these anchors: the system's CA directory must not widen the trust.
    curl_easy_setopt(curl, CURLOPT_CAINFO, tls_.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
  }
  if (!tls_.cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, tls_.cert_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!tls_.key_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLKEY, tls_.key_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (!pool_->resume_sessions()) curl_easy_setopt(curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, SetUpSslCtx);
  curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, handle.get());

  const CURLcode rc = curl_easy_perform(curl);
  handle->exchange = nullptr;
  if (rc != CURLE_OK && ex.offered_session && !ex.tls_done) {
    // An OpenSSL server that asks for client certificates but has no session
    // ID context (cpp-httplib's, for one) aborts every resuming handshake,
    // and curl would offer it the same session on each new connection.
    pool_->StopResuming();
  }
  // On an error the handle goes, and its connection with it.
  if (rc != CURLE_OK) return CurlFailure(curl, rc, ex, req, *where, errbuf);

  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (IsTransientHttpStatus(static_cast<int>(status))) {
    return absl::UnavailableError(absl::StrCat("HTTP ", status, " from ", req.url,
                                               ex.error_body.empty() ? "" : ": ",
                                               absl::CHexEscape(ex.error_body)));
  }
  HttpResponse resp;
  resp.status = static_cast<int>(status);
  resp.headers = std::move(ex.headers);
  pool_->Give(std::move(handle));
  return resp;
}

}  // namespace sbrgate::sbr_client
