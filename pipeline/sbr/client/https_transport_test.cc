#include "pipeline/sbr/client/https_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/transient.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/platform/common/testing/test_streams.h"

namespace sbrgate::sbr_client {
namespace {

using ::sbrgate::testing::CountingSink;
using ::sbrgate::pki::MakeDevPki;
using ::sbrgate::testing::PseudoRandomSource;
using ::sbrgate::pki::DevPki;

std::string ExpectedHex(uint64_t size, uint64_t seed) {
  PseudoRandomSource src(size, seed);
  return *Sha256HexOfStream(src);
}

// What the server saw of the last request.
struct Seen {
  absl::Mutex mu;
  std::string sha256_hex;
  uint64_t bytes = 0;
  std::string content_length;
  std::string transfer_encoding;
  std::string content_type;
};

// A listening socket that never accepts: TCP connects (the kernel queues the
// connection) but nothing, not even a TLS handshake, ever comes back.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_;
};

// A port on 127.0.0.1 with nothing listening on it.
int ClosedPort() {
  SilentListener probe;
  return probe.port();  // closed again when `probe` goes
}

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  bool tls12_only = false;
  // Without one, an OpenSSL server that verifies client certificates aborts
  // every handshake that resumes a session (httplib sets none).
  bool session_id_context = true;
  time_t keep_alive_timeout_s = 5;  // how long an idle connection stays open
};

// An httplib HTTPS server requiring client certificates from the test CA,
// serving until destroyed.
class RunningServer {
 public:
  RunningServer(const pki::DevPki& pki, const ServerOptions& options,
                const std::function<void(httplib::Server&)>& routes)
      : server_(pki.server_cert.c_str(), pki.server_key.c_str(), pki.ca_cert.c_str()) {
    if (!server_.is_valid()) return;
    SSL_CTX* ctx = server_.ssl_context();
    if (options.tls12_only) SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    if (options.session_id_context) {
      static constexpr unsigned char kContext[] = "https_transport_test";
      SSL_CTX_set_session_id_context(ctx, kContext, sizeof kContext - 1);
    }
    server_.set_keep_alive_max_count(1000);
    server_.set_tcp_nodelay(true);  // else each response waits ~40 ms for a delayed ACK
    server_.set_keep_alive_timeout(options.keep_alive_timeout_s);
    routes(server_);
    if (options.port > 0) {
      port_ = server_.bind_to_port(options.host, options.port) ? options.port : -1;
    } else {
      port_ = server_.bind_to_any_port(options.host);
    }
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the server runs, and the destructor would hang.
    RealClock clock;
    while (!server_.is_running()) clock.SleepFor(absl::Milliseconds(1));
  }
  ~RunningServer() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  int port() const { return port_; }  // <= 0: not serving
  // TLS handshakes begun, and of those the ones that resumed a session.
  long handshakes() const { return SSL_CTX_sess_accept(server_.ssl_context()); }
  long resumptions() const { return SSL_CTX_sess_hits(server_.ssl_context()); }

 private:
  httplib::SSLServer server_;
  int port_ = -1;
  std::thread thread_;
};

// POSTs a 20 kB body to `url` (an /echo route) for a 3 kB response; OK
// only if the exchange went through whole.
absl::Status EchoOnce(const HttpsTransport& transport, const std::string& url, uint64_t seed) {
  constexpr uint64_t kUp = 20000;
  constexpr uint64_t kDown = 3000;
  PseudoRandomSource body(kUp, seed);
  HttpRequest req;
  req.url = url;
  req.headers = {{"X-Want-Bytes", absl::StrCat(kDown)}};
  req.body = &body;
  req.content_length = kUp;
  CountingSink sink;
  absl::StatusOr<HttpResponse> resp = transport.Post(req, sink);
  if (!resp.ok()) return resp.status();
  if (resp->status != 200 || sink.bytes() != kDown ||
      resp->Header("X-Request-SHA256") != ExpectedHex(kUp, seed)) {
    return absl::InternalError(absl::StrCat("unexpected response: HTTP ", resp->status, ", ",
                                            sink.bytes(), " bytes"));
  }
  return absl::OkStatus();
}

// Long enough for a server with a keep-alive timeout of 1 s to close an idle
// connection (httplib closes it once more than the timeout has passed).
constexpr absl::Duration kPastKeepAlive = absl::Seconds(2);

class HttpsTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto made = MakeDevPki(::testing::TempDir() + "/transport-pki");
    ASSERT_TRUE(made.ok()) << made.status();
    pki_ = new pki::DevPki(*made);
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    server_ = std::make_unique<RunningServer>(*pki_, ServerOptions{},
                                              [this](httplib::Server& s) { AddRoutes(s); });
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }

  void TearDown() override {
    release_.Notify();
    server_.reset();
  }

  void AddRoutes(httplib::Server& server) {
    server.Post("/echo", [this](const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader& read) {
      Sha256 sha;
      uint64_t n = 0;
      read([&](const char* data, size_t len) {
        sha.Update(absl::string_view(data, len));
        n += len;
        return true;
      });
      {
        absl::MutexLock lock(&seen_.mu);
        seen_.sha256_hex = sha.Hex();
        seen_.bytes = n;
        seen_.content_length = req.get_header_value("Content-Length");
        seen_.transfer_encoding = req.get_header_value("Transfer-Encoding");
        seen_.content_type = req.get_header_value("Content-Type");
      }
      uint64_t size = 0;
      if (!absl::SimpleAtoi(req.get_header_value("X-Want-Bytes"), &size)) size = 0;
      res.set_header("X-Request-SHA256", sha.Hex());
      // httplib sends a zero-length provider's response with no length at all.
      if (size == 0) return res.set_content("", "application/octet-stream");
      auto gen = std::make_shared<PseudoRandomSource>(size, 99);
      res.set_content_provider(size, "application/octet-stream",
                               [gen](size_t, size_t length, httplib::DataSink& sink) {
                                 std::string buf(std::min<size_t>(length, 64 << 10), '\0');
                                 const size_t got = *gen->Read(buf.data(), buf.size());
                                 return sink.write(buf.data(), got);
                               });
    });
    server.Post("/ebms-error", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("<S12:Envelope>EBMS:0004</S12:Envelope>", "application/soap+xml");
    });
    server.Post("/busy", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_content("SBR is down for maintenance", "text/plain");
    });
    server.Post("/gateway", [](const httplib::Request&, httplib::Response& res) {
      res.status = 504;
      res.set_content("upstream timed out", "text/plain");
    });
    server.Post("/unauthorised", [](const httplib::Request&, httplib::Response& res) {
      res.status = 403;
      res.set_content("forbidden", "text/plain");
    });
    server.Post("/hang", [this](const httplib::Request&, httplib::Response& res) {
      release_.WaitForNotificationWithTimeout(absl::Seconds(20));
      res.set_content("late", "text/plain");
    });
  }

  std::string Url(absl::string_view path) const {
    return absl::StrCat("https://127.0.0.1:", port_, path);
  }
  TlsConfig GoodTls() const {
    return TlsConfig{pki_->ca_cert, pki_->client_cert, pki_->client_key};
  }

  // A Post to /hang (`given_up` its HttpRequest's), on which `cut` is
  // called once the request is out and its answer awaited; its outcome,
  // expected within 3 s of the cut.
  absl::StatusOr<HttpResponse> PostHangingThenCut(const HttpsTransport& transport,
                                                  const std::atomic<bool>* given_up,
                                                  const std::function<void()>& cut) const {
    absl::StatusOr<HttpResponse> hung;
    std::thread post([&] {
      HttpRequest req;
      req.url = Url("/hang");
      req.given_up = given_up;
      StringSink sink;
      hung = transport.Post(req, sink);
    });
    RealClock clock;
    clock.SleepFor(absl::Milliseconds(300));
    const absl::Time cancelled = clock.Now();
    cut();
    post.join();
    EXPECT_LT(clock.Now() - cancelled, absl::Seconds(3));
    return hung;
  }

  static pki::DevPki* pki_;
  std::unique_ptr<RunningServer> server_;
  int port_ = 0;
  Seen seen_;
  absl::Notification release_;
};

pki::DevPki* HttpsTransportTest::pki_ = nullptr;

TEST_F(HttpsTransportTest, Status200StreamsBodiesBothWays) {
  constexpr uint64_t kUp = 3 << 20;
  constexpr uint64_t kDown = 5 << 20;
  PseudoRandomSource body(kUp, 7);
  HttpRequest req;
  req.url = Url("/echo");
  req.headers = {{"Content-Type", "multipart/related; boundary=x"},
                 {"X-Want-Bytes", absl::StrCat(kDown)}};
  req.body = &body;
  req.content_length = kUp;
  CountingSink counted;
  DigestingSink sink(counted);
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->Header("x-request-sha256"), ExpectedHex(kUp, 7));
  EXPECT_EQ(resp->Header("CONTENT-LENGTH"), absl::StrCat(kDown));
  EXPECT_EQ(resp->Header("X-Absent"), "");
  EXPECT_EQ(sink.bytes(), kDown);
  EXPECT_EQ(sink.hex(), ExpectedHex(kDown, 99));
  EXPECT_FALSE(counted.closed());
  absl::MutexLock lock(&seen_.mu);
  EXPECT_EQ(seen_.bytes, kUp);
  EXPECT_EQ(seen_.content_length, absl::StrCat(kUp));
  EXPECT_EQ(seen_.content_type, "multipart/related; boundary=x");
}

TEST_F(HttpsTransportTest, UnknownLengthIsSentChunked) {
  constexpr uint64_t kUp = (2 << 20) + 12345;
  PseudoRandomSource body(kUp, 8);
  HttpRequest req;
  req.url = Url("/echo");
  req.body = &body;
  StringSink sink;
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 200);
  absl::MutexLock lock(&seen_.mu);
  EXPECT_EQ(seen_.bytes, kUp);
  EXPECT_EQ(seen_.sha256_hex, ExpectedHex(kUp, 8));
  EXPECT_EQ(seen_.transfer_encoding, "chunked");
  EXPECT_EQ(seen_.content_type, "") << "curl's form default must not be sent";
}

TEST_F(HttpsTransportTest, EmptyBody) {
  HttpRequest req;
  req.url = Url("/echo");
  StringSink sink;
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 200);
  absl::MutexLock lock(&seen_.mu);
  EXPECT_EQ(seen_.bytes, 0u);
  EXPECT_EQ(seen_.content_length, "0");
}

TEST_F(HttpsTransportTest, Status500IsAResponseWithItsBody) {
  StringSource body("<env/>");
  HttpRequest req;
  req.url = Url("/ebms-error");
  req.body = &body;
  req.content_length = 6;
  StringSink sink;
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 500);
  EXPECT_EQ(resp->Header("Content-Type"), "application/soap+xml");
  EXPECT_EQ(sink.data(), "<S12:Envelope>EBMS:0004</S12:Envelope>");
}

TEST_F(HttpsTransportTest, Status4xxIsAResponse) {
  HttpRequest req;
  req.url = Url("/unauthorised");
  StringSink sink;
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 403);
  EXPECT_EQ(sink.data(), "forbidden");
}

TEST_F(HttpsTransportTest, Status503And504AreUnavailable) {
  for (const char* path : {"/busy", "/gateway"}) {
    HttpRequest req;
    req.url = Url(path);
    StringSink sink;
    auto resp = HttpsTransport(GoodTls()).Post(req, sink);
    ASSERT_FALSE(resp.ok()) << path;
    EXPECT_EQ(resp.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(IsTransient(resp.status()));
    EXPECT_NE(resp.status().message().find(std::string("HTTP 50") + (path[1] == 'b' ? "3" : "4")),
              std::string::npos)
        << resp.status();
    EXPECT_NE(resp.status().message().find(Url(path)), std::string::npos) << resp.status();
    EXPECT_EQ(sink.data(), "") << "a 5xx gateway page is not a response to parse";
  }
}

TEST_F(HttpsTransportTest, ConnectionRefusedIsUnavailable) {
  const int port = ClosedPort();
  HttpRequest req;
  req.url = absl::StrCat("https://127.0.0.1:", port, "/echo");
  StringSink sink;
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kUnavailable) << resp.status();
  EXPECT_NE(resp.status().message().find(absl::StrCat("connect to 127.0.0.1:", port, " refused")),
            std::string::npos)
      << resp.status();
}

TEST_F(HttpsTransportTest, SilentServerTimesOutAsDeadlineExceeded) {
  SilentListener silent;
  HttpRequest req;
  req.url = absl::StrCat("https://127.0.0.1:", silent.port(), "/echo");
  req.connect_timeout = absl::Seconds(1);
  StringSink sink;
  RealClock clock;
  const absl::Time start = clock.Now();
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  const absl::Duration took = clock.Now() - start;
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kDeadlineExceeded) << resp.status();
  EXPECT_TRUE(IsTransient(resp.status()));
  EXPECT_NE(resp.status().message().find("TLS handshake"), std::string::npos) << resp.status();
  EXPECT_LT(took, absl::Seconds(5));
}

TEST_F(HttpsTransportTest, ServerThatNeverRespondsHitsTotalTimeout) {
  HttpRequest req;
  req.url = Url("/hang");
  req.total_timeout = absl::Seconds(1);
  StringSink sink;
  RealClock clock;
  const absl::Time start = clock.Now();
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  const absl::Duration took = clock.Now() - start;
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kDeadlineExceeded) << resp.status();
  EXPECT_NE(resp.status().message().find("total_timeout"), std::string::npos) << resp.status();
  EXPECT_LT(took, absl::Seconds(5));
}

TEST_F(HttpsTransportTest, CancelAllEndsAPostInProgressAndRefusesLaterOnes) {
  HttpsTransport transport(GoodTls());
  const absl::StatusOr<HttpResponse> hung =
      PostHangingThenCut(transport, nullptr, [&] { transport.CancelAll(); });
  ASSERT_FALSE(hung.ok());
  EXPECT_EQ(hung.status().code(), absl::StatusCode::kUnavailable) << hung.status();
  EXPECT_NE(hung.status().message().find("the process is stopping"), std::string::npos)
      << hung.status();
  StringSink sink;
  HttpRequest req;
  req.url = Url("/echo");
  auto later = transport.Post(req, sink);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.status().code(), absl::StatusCode::kUnavailable) << later.status();
  EXPECT_NE(later.status().message().find("not sent"), std::string::npos) << later.status();
}

// A Post given up by its caller ends alone: the transport's other Posts go on.
TEST_F(HttpsTransportTest, AGivenUpPostEndsAndTheOthersGoOn) {
  HttpsTransport transport(GoodTls());
  std::atomic<bool> given_up{false};
  const absl::StatusOr<HttpResponse> hung =
      PostHangingThenCut(transport, &given_up, [&] { given_up = true; });
  ASSERT_FALSE(hung.ok());
  EXPECT_EQ(hung.status().code(), absl::StatusCode::kUnavailable) << hung.status();
  EXPECT_NE(hung.status().message().find("the exchange was given up"), std::string::npos)
      << hung.status();

  HttpRequest req;
  req.url = Url("/echo");
  StringSink sink;
  auto other = transport.Post(req, sink);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->status, 200);
  req.given_up = &given_up;  // already given up: not sent
  auto again = transport.Post(req, sink);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("not sent: the exchange was given up"),
            std::string::npos)
      << again.status();
}

TEST_F(HttpsTransportTest, StalledTransferHitsLowSpeedWindow) {
  HttpRequest req;
  req.url = Url("/hang");
  req.low_speed_window = absl::Seconds(1);
  StringSink sink;
  RealClock clock;
  const absl::Time start = clock.Now();
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  const absl::Duration took = clock.Now() - start;
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kDeadlineExceeded) << resp.status();
  EXPECT_NE(resp.status().message().find("stalled"), std::string::npos) << resp.status();
  EXPECT_LT(took, absl::Seconds(5));
}

// With TLS 1.2 the server's verdict on our certificate is part of the
// handshake, so its alert always reaches us.
TEST_F(HttpsTransportTest, RejectedClientCertificateIsUnauthenticatedWithTls12) {
  RunningServer tls12(*pki_, {.tls12_only = true}, [this](httplib::Server& s) { AddRoutes(s); });
  ASSERT_GT(tls12.port(), 0);
  const std::string url = absl::StrCat("https://127.0.0.1:", tls12.port(), "/echo");
  const TlsConfig no_cert{pki_->ca_cert, "", ""};
  const TlsConfig unknown_ca{pki_->ca_cert, pki_->untrusted_client_cert,
                             pki_->untrusted_client_key};
  for (const TlsConfig& tls : {no_cert, unknown_ca}) {
    HttpRequest req;
    req.url = url;
    StringSink sink;
    auto resp = HttpsTransport(tls).Post(req, sink);
    ASSERT_FALSE(resp.ok());
    EXPECT_EQ(resp.status().code(), absl::StatusCode::kUnauthenticated) << resp.status();
    EXPECT_FALSE(IsTransient(resp.status()));
    EXPECT_NE(resp.status().message().find("rejected our client certificate"), std::string::npos)
        << resp.status();
  }
  HttpRequest req;
  req.url = url;
  StringSink sink;
  auto good = HttpsTransport(GoodTls()).Post(req, sink);
  EXPECT_TRUE(good.ok()) << good.status();
}

// With TLS 1.3 the server's reset may overtake its alert (see the header).
TEST_F(HttpsTransportTest, RejectedClientCertificateWithTls13IsNeverAResponse) {
  const TlsConfig no_cert{pki_->ca_cert, "", ""};
  const TlsConfig unknown_ca{pki_->ca_cert, pki_->untrusted_client_cert,
                             pki_->untrusted_client_key};
  for (const TlsConfig& tls : {no_cert, unknown_ca}) {
    for (uint64_t size : {uint64_t{0}, uint64_t{2} << 20}) {
      PseudoRandomSource body(size, 1);
      HttpRequest req;
      req.url = Url("/echo");
      req.body = &body;
      req.content_length = size;
      StringSink sink;
      auto resp = HttpsTransport(tls).Post(req, sink);
      ASSERT_FALSE(resp.ok());
      if (resp.status().code() == absl::StatusCode::kUnauthenticated) {
        EXPECT_NE(resp.status().message().find("rejected our client certificate"),
                  std::string::npos)
            << resp.status();
      } else {
        EXPECT_EQ(resp.status().code(), absl::StatusCode::kUnavailable) << resp.status();
        EXPECT_NE(resp.status().message().find("rejecting our client certificate"),
                  std::string::npos)
            << resp.status();
      }
      EXPECT_EQ(sink.data(), "");
    }
  }
}

TEST_F(HttpsTransportTest, UntrustedServerIsFailedPrecondition) {
  HttpRequest req;
  req.url = Url("/echo");
  StringSink sink;
  TlsConfig tls = GoodTls();
  tls.ca_file = pki_->untrusted_ca_cert;
  auto resp = HttpsTransport(tls).Post(req, sink);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kFailedPrecondition) << resp.status();
  EXPECT_NE(resp.status().message().find("server certificate"), std::string::npos) << resp.status();
  EXPECT_NE(resp.status().message().find("not trusted"), std::string::npos) << resp.status();
}

TEST_F(HttpsTransportTest, WrongHostNameIsFailedPreconditionUnlessUnchecked) {
  // The server certificate names localhost and 127.0.0.1, not 127.0.0.2.
  RunningServer other(*pki_, {.host = "127.0.0.2"}, [this](httplib::Server& s) { AddRoutes(s); });
  if (other.port() <= 0) GTEST_SKIP() << "cannot listen on 127.0.0.2 here";
  HttpRequest req;
  req.url = absl::StrCat("https://127.0.0.2:", other.port(), "/echo");
  StringSink sink;
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kFailedPrecondition) << resp.status();
  EXPECT_NE(resp.status().message().find("127.0.0.2"), std::string::npos) << resp.status();
  TlsConfig unchecked = GoodTls();
  unchecked.verify_host = false;
  auto relaxed = HttpsTransport(unchecked).Post(req, sink);
  EXPECT_TRUE(relaxed.ok()) << relaxed.status();
}

TEST_F(HttpsTransportTest, LocalhostNameVerifies) {
  HttpRequest req;
  req.url = absl::StrCat("https://localhost:", port_, "/echo");
  StringSink sink;
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  if (resp.status().code() == absl::StatusCode::kUnavailable) {
    GTEST_SKIP() << "localhost does not resolve to 127.0.0.1 here: " << resp.status();
  }
  ASSERT_TRUE(resp.ok()) << resp.status();
}

TEST_F(HttpsTransportTest, UnusableClientKeyIsFailedPrecondition) {
  HttpRequest req;
  req.url = Url("/echo");
  StringSink sink;
  TlsConfig tls = GoodTls();
  tls.key_file = pki_->untrusted_client_key;  // does not match client_cert
  auto resp = HttpsTransport(tls).Post(req, sink);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kFailedPrecondition) << resp.status();
  tls.key_file = ::testing::TempDir() + "/no-such.key";
  resp = HttpsTransport(tls).Post(req, sink);
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kFailedPrecondition) << resp.status();
}

TEST_F(HttpsTransportTest, BadRequestsAreInvalidArgument) {
  StringSink sink;
  HttpsTransport transport(GoodTls());
  HttpRequest plain;
  plain.url = absl::StrCat("http://127.0.0.1:", port_, "/echo");
  EXPECT_EQ(transport.Post(plain, sink).status().code(), absl::StatusCode::kInvalidArgument);
  HttpRequest malformed;
  malformed.url = "https://[bad";
  EXPECT_EQ(transport.Post(malformed, sink).status().code(), absl::StatusCode::kInvalidArgument);
  HttpRequest injected;
  injected.url = Url("/echo");
  injected.headers = {{"SOAPAction", "x\r\nX-Evil: 1"}};
  EXPECT_EQ(transport.Post(injected, sink).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HttpsTransportTest, ShortBodyIsDataLoss) {
  StringSource body("only this");
  HttpRequest req;
  req.url = Url("/echo");
  req.body = &body;
  req.content_length = 1000;
  StringSink sink;
  auto resp = HttpsTransport(GoodTls()).Post(req, sink);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kDataLoss) << resp.status();
}

TEST_F(HttpsTransportTest, SourceAndSinkErrorsPassThrough) {
  class Broken : public ByteSource {
   public:
    absl::StatusOr<size_t> Read(char*, size_t) override {
      return absl::NotFoundError("spool file vanished");
    }
  };
  Broken broken;
  HttpRequest req;
  req.url = Url("/echo");
  req.body = &broken;
  StringSink sink;
  EXPECT_EQ(HttpsTransport(GoodTls()).Post(req, sink).status().code(), absl::StatusCode::kNotFound);

  class Full : public ByteSink {
   public:
    absl::Status Write(absl::string_view) override {
      return absl::ResourceExhaustedError("disk full");
    }
    absl::Status Close() override { return absl::OkStatus(); }
  };
  Full full;
  HttpRequest req2;
  req2.url = Url("/echo");
  req2.headers = {{"X-Want-Bytes", "100000"}};
  EXPECT_EQ(HttpsTransport(GoodTls()).Post(req2, full).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(HttpsTransportTest, SequentialPostsReuseOneConnection) {
  HttpsTransport transport(GoodTls());
  for (uint64_t i = 0; i < 5; ++i) {
    absl::Status s = EchoOnce(transport, Url("/echo"), i);
    ASSERT_TRUE(s.ok()) << "post " << i << ": " << s;
  }
  EXPECT_EQ(server_->handshakes(), 1);
}

TEST_F(HttpsTransportTest, ConcurrentPostsShareOneTransport) {
  constexpr int kThreads = 6;
  constexpr int kPostsEach = 10;
  HttpsTransport transport(GoodTls());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPostsEach; ++i) {
        if (EchoOnce(transport, Url("/echo"), t * kPostsEach + i).ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kPostsEach);
  // A connection per Post running at once, at most, each kept for later ones.
  EXPECT_LE(server_->handshakes(), kThreads);
}

TEST_F(HttpsTransportTest, ConnectionTheServerClosedIsNotReused) {
  RunningServer server(*pki_, {.keep_alive_timeout_s = 1},
                       [this](httplib::Server& s) { AddRoutes(s); });
  ASSERT_GT(server.port(), 0);
  const std::string url = absl::StrCat("https://127.0.0.1:", server.port(), "/echo");
  HttpsTransport transport(GoodTls());
  ASSERT_TRUE(EchoOnce(transport, url, 1).ok());
  RealClock().SleepFor(kPastKeepAlive);
  absl::Status again = EchoOnce(transport, url, 2);
  EXPECT_TRUE(again.ok()) << again;
  EXPECT_EQ(server.handshakes(), 2);
  EXPECT_EQ(server.resumptions(), 1) << "the new connection resumes the first one's session";
}

TEST_F(HttpsTransportTest, ServerRestartedOnTheSamePort) {
  auto routes = [this](httplib::Server& s) { AddRoutes(s); };
  auto first = std::make_unique<RunningServer>(*pki_, ServerOptions{.keep_alive_timeout_s = 1},
                                               routes);
  const int port = first->port();
  ASSERT_GT(port, 0);
  const std::string url = absl::StrCat("https://127.0.0.1:", port, "/echo");
  HttpsTransport transport(GoodTls());
  ASSERT_TRUE(EchoOnce(transport, url, 1).ok());
  first.reset();  // closes the kept connection
  RunningServer second(*pki_, {.port = port, .keep_alive_timeout_s = 1}, routes);
  ASSERT_EQ(second.port(), port);
  absl::Status again = EchoOnce(transport, url, 2);
  EXPECT_TRUE(again.ok()) << again;
  EXPECT_EQ(second.resumptions(), 0) << "a new server knows no session of the old one";
}

TEST_F(HttpsTransportTest, ServerThatCannotResumeSessionsCostsOneUnavailable) {
  RunningServer server(*pki_, {.session_id_context = false, .keep_alive_timeout_s = 1},
                       [this](httplib::Server& s) { AddRoutes(s); });
  ASSERT_GT(server.port(), 0);
  const std::string url = absl::StrCat("https://127.0.0.1:", server.port(), "/echo");
  HttpsTransport transport(GoodTls());
  ASSERT_TRUE(EchoOnce(transport, url, 1).ok());
  RealClock().SleepFor(kPastKeepAlive);
  // The new connection offers the first one's session, and the server aborts.
  absl::Status refused = EchoOnce(transport, url, 2);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_TRUE(IsTransient(refused));
  absl::Status full_handshake = EchoOnce(transport, url, 3);
  EXPECT_TRUE(full_handshake.ok()) << full_handshake;
  RealClock().SleepFor(kPastKeepAlive);
  absl::Status still = EchoOnce(transport, url, 4);
  EXPECT_TRUE(still.ok()) << still;
  EXPECT_EQ(server.resumptions(), 0);
}

TEST_F(HttpsTransportTest, FailedPostLeavesNothingBehindForTheNext) {
  HttpsTransport transport(GoodTls());
  ASSERT_TRUE(EchoOnce(transport, Url("/echo"), 1).ok());

  // On the kept connection the timeout is the exchange's, not the connect's.
  HttpRequest hang;
  hang.url = Url("/hang");
  hang.total_timeout = absl::Seconds(1);
  StringSink hang_sink;
  auto timed_out = transport.Post(hang, hang_sink);
  EXPECT_EQ(timed_out.status().code(), absl::StatusCode::kDeadlineExceeded) << timed_out.status();
  EXPECT_NE(timed_out.status().message().find("total_timeout"), std::string::npos)
      << timed_out.status();
  absl::Status after_timeout = EchoOnce(transport, Url("/echo"), 2);
  EXPECT_TRUE(after_timeout.ok()) << after_timeout;

  class Full : public ByteSink {
   public:
    absl::Status Write(absl::string_view) override {
      return absl::ResourceExhaustedError("disk full");
    }
    absl::Status Close() override { return absl::OkStatus(); }
  };
  Full full;
  HttpRequest big;
  big.url = Url("/echo");
  big.headers = {{"X-Want-Bytes", "1000000"}};
  EXPECT_EQ(transport.Post(big, full).status().code(), absl::StatusCode::kResourceExhausted);
  absl::Status after_sink_error = EchoOnce(transport, Url("/echo"), 3);
  EXPECT_TRUE(after_sink_error.ok()) << after_sink_error;

  HttpRequest busy;
  busy.url = Url("/busy");
  StringSink busy_sink;
  EXPECT_EQ(transport.Post(busy, busy_sink).status().code(), absl::StatusCode::kUnavailable);
  absl::Status after_503 = EchoOnce(transport, Url("/echo"), 4);
  EXPECT_TRUE(after_503.ok()) << after_503;
}

}  // namespace
}  // namespace sbrgate::sbr_client
