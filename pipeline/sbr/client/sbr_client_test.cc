// SbrClient's pull against an agency that answers what each test makes it
// answer (an httplib HTTPS server with the development PKI): only a response
// signed under the agency CA, for the MessageId pulled, whose document
// decompresses within the cap, is a response.
#include "pipeline/sbr/client/sbr_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/metrics/registry.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sim/dev_pki/dev_pki.h"

namespace sbrgate::sbr_client {
namespace {

using ::testing::HasSubstr;

constexpr char kPushedId[] = "pushed-1@sbrgate.test";

// What the agency answers every pull with: a response to `ref`, signed with
// `signer` (unsigned when null), its one attachment the gzip file `gz`.
struct Answer {
  std::string ref = kPushedId;
  const wssec::Credential* signer = nullptr;
  std::string gz;
};

// An HTTPS server requiring the DSP's client certificate, answering every
// POST with the current Answer, until destroyed.
class FakeAgency {
 public:
  explicit FakeAgency(const pki::DevPki& pki)
      : server_(pki.server_cert.c_str(), pki.server_key.c_str(), pki.ca_cert.c_str()) {
    server_.Post(".*", [this](const httplib::Request&, httplib::Response& res) { Serve(res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    RealClock clock;
    while (!server_.is_running()) clock.SleepFor(absl::Milliseconds(1));
  }
  ~FakeAgency() {
    server_.stop();
    thread_.join();
  }
  std::string base_url() const { return absl::StrCat("https://127.0.0.1:", port_, "/services"); }
  void Set(Answer answer) {
    absl::MutexLock lock(&mu_);
    answer_ = std::move(answer);
  }

 private:
  void Serve(httplib::Response& res) {
    Answer a;
    {
      absl::MutexLock lock(&mu_);
      a = answer_;
    }
    ebms::Envelope envelope;
    ebms::UserMessage& um = envelope.messaging.user_messages.emplace_back();
    um.message_id = ebms::NewMessageId("agency.test");
    um.timestamp = absl::Now();
    um.ref_to_message_id = a.ref;
    um.from = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
    um.to = {"51824753556", ebms::kPartyTypeAbn, "http://sbr.gov.au/agency/Intermediary"};
    um.service = ebms::kServicePayevnt;
    um.action = ebms::kActionPayevntSubmit;
    um.conversation_id = "conversation-1";
    um.parts.push_back({"cid:response-1", {{ebms::kPartPropertyCompressionType, "application/gzip"}}});
    absl::StatusOr<ebms_package::OutboundMessage> out = ebms_package::PackageMessage(
        envelope, a.signer, {{"response-1", "application/gzip", StoredBytes::File(a.gz)}});
    if (!out.ok()) {
      res.status = 500;
      res.set_content(std::string(out.status().message()), "text/plain");
      return;
    }
    std::string body(*out->content_length, '\0');
    size_t filled = 0;
    while (filled < body.size()) {
      absl::StatusOr<size_t> n = out->body->Read(body.data() + filled, body.size() - filled);
      if (!n.ok() || *n == 0) break;
      filled += *n;
    }
    res.status = 200;
    res.set_content(body, out->content_type);
  }

  httplib::SSLServer server_;
  int port_ = -1;
  std::thread thread_;
  absl::Mutex mu_;
  Answer answer_ ABSL_GUARDED_BY(mu_);
};

class SbrClientPullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/spool");
    absl::StatusOr<pki::DevPki> pki = pki::MakeDevPki(dir_ + "/pki");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
    absl::StatusOr<wssec::Credential> agency =
        wssec::Credential::Load(pki_.server_cert, pki_.server_key);
    ASSERT_TRUE(agency.ok()) << agency.status();
    agency_ = *agency;
    absl::StatusOr<wssec::Credential> rogue =
        wssec::Credential::Load(pki_.untrusted_client_cert, pki_.untrusted_client_key);
    ASSERT_TRUE(rogue.ok()) << rogue.status();
    rogue_ = *rogue;
    server_ = std::make_unique<FakeAgency>(pki_);
  }

  ClientConfig Config() const {
    ClientConfig c;
    c.base_url = server_->base_url();
    c.tls = {pki_.ca_cert, pki_.client_cert, pki_.client_key};
    c.credential_cert = pki_.client_cert;
    c.credential_key = pki_.client_key;
    c.agency_ca_file = pki_.ca_cert;
    c.spool_dir = dir_ + "/spool";
    c.connect_timeout = absl::Seconds(5);
    c.pull_timeout = absl::Seconds(30);
    return c;
  }

  // `plain` gzip-compressed into a file of its own.
  std::string Gzip(const std::string& name, const std::string& plain) {
    const std::string path = absl::StrCat(dir_, "/", name, ".gz");
    auto file = FileSink::Create(path);
    EXPECT_TRUE(file.ok()) << file.status();
    GzipSink gz(*std::move(file), 9);
    EXPECT_TRUE(gz.Write(plain).ok());
    EXPECT_TRUE(gz.Close().ok());
    return path;
  }

  absl::StatusOr<PullOutcome> Pull(const ClientConfig& config) {
    absl::StatusOr<std::unique_ptr<SbrClient>> client = SbrClient::Create(config, &clock_);
    if (!client.ok()) return client.status();
    return (*client)->Pull(kPushedId);
  }

  // Files left in the spool (none after a refusal).
  int SpoolFiles() const {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/spool")) {
      (void)e;
      ++n;
    }
    return n;
  }

  std::string dir_;
  pki::DevPki pki_;
  wssec::Credential agency_;
  wssec::Credential rogue_;
  RealClock clock_;
  std::unique_ptr<FakeAgency> server_;
};

TEST_F(SbrClientPullTest, AcceptsTheAgencysSignedResponse) {
  server_->Set({kPushedId, &agency_, Gzip("response", "<event02/>")});
  absl::StatusOr<PullOutcome> pulled = Pull(Config());
  ASSERT_TRUE(pulled.ok()) << pulled.status();
  ASSERT_EQ(pulled->kind, PullOutcome::Kind::kResponse);
  EXPECT_EQ(pulled->response_message.ref_to_message_id, kPushedId);
  EXPECT_TRUE(pulled->response.in_memory()) << "small: no working file";
  EXPECT_EQ(*pulled->response.ReadAll(), "<event02/>");
  EXPECT_EQ(SpoolFiles(), 0);
}

// A response past 1 MiB decompressed is a working file in the spool, the
// caller's to move or remove; the attachment it came in leaves nothing.
TEST_F(SbrClientPullTest, ALargeResponseIsAWorkingFileInTheSpool) {
  const std::string large = absl::StrCat("<event02>", std::string(2 << 20, 'x'), "</event02>");
  server_->Set({kPushedId, &agency_, Gzip("large", large)});
  absl::StatusOr<PullOutcome> pulled = Pull(Config());
  ASSERT_TRUE(pulled.ok()) << pulled.status();
  ASSERT_FALSE(pulled->response.in_memory());
  EXPECT_EQ(std::filesystem::path(pulled->response.path()).parent_path(), dir_ + "/spool");
  EXPECT_EQ(*pulled->response.ReadAll(), large);
  EXPECT_EQ(SpoolFiles(), 1);
}

// The count of pulls that ended as `outcome`, from the process's /metrics.
std::string PullCountLine(const std::string& outcome) {
  const std::string text = metrics::Registry::Default().Exposition();
  const std::string prefix =
      absl::StrCat("sbrgate_sbr_exchange_seconds_count{action=\"pull\",outcome=\"", outcome, "\"} ");
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return "0";
  return text.substr(at + prefix.size(), text.find('\n', at) - at - prefix.size());
}

TEST_F(SbrClientPullTest, EachPullIsTimedByOutcomeOnMetrics) {
  const int responses = std::stoi(PullCountLine("response"));
  const int refused = std::stoi(PullCountLine("unauthenticated"));
  server_->Set({kPushedId, &agency_, Gzip("response", "<event02/>")});
  ASSERT_TRUE(Pull(Config()).ok());
  server_->Set({kPushedId, &rogue_, Gzip("response", "<event02/>")});
  ASSERT_FALSE(Pull(Config()).ok());
  EXPECT_EQ(std::stoi(PullCountLine("response")), responses + 1);
  EXPECT_EQ(std::stoi(PullCountLine("unauthenticated")), refused + 1);
  EXPECT_THAT(metrics::Registry::Default().Exposition(),
              HasSubstr("sbrgate_sbr_exchanges_in_flight{action=\"pull\"} 0\n"));
}

TEST_F(SbrClientPullTest, RefusesAResponseSignedByAnotherKey) {
  server_->Set({kPushedId, &rogue_, Gzip("response", "<event02/>")});
  absl::StatusOr<PullOutcome> pulled = Pull(Config());
  EXPECT_EQ(pulled.status().code(), absl::StatusCode::kUnauthenticated) << pulled.status();
  EXPECT_THAT(pulled.status().message(), HasSubstr("certificate not trusted"));
  EXPECT_EQ(SpoolFiles(), 0);
}

TEST_F(SbrClientPullTest, RefusesAnUnsignedResponse) {
  server_->Set({kPushedId, nullptr, Gzip("response", "<event02/>")});
  absl::StatusOr<PullOutcome> pulled = Pull(Config());
  EXPECT_EQ(pulled.status().code(), absl::StatusCode::kUnauthenticated) << pulled.status();
  EXPECT_EQ(SpoolFiles(), 0);
}

TEST_F(SbrClientPullTest, RefusesAResponseToAnotherMessage) {
  server_->Set({"someone-else@sbrgate.test", &agency_, Gzip("response", "<event02/>")});
  absl::StatusOr<PullOutcome> pulled = Pull(Config());
  EXPECT_EQ(pulled.status().code(), absl::StatusCode::kDataLoss) << pulled.status();
  EXPECT_THAT(pulled.status().message(), HasSubstr(kPushedId));
  EXPECT_THAT(pulled.status().message(), HasSubstr("someone-else@sbrgate.test"));
  EXPECT_EQ(SpoolFiles(), 0);
}

TEST_F(SbrClientPullTest, RefusesAGzipBomb) {
  // 64 MiB of zeros compress to about 64 KiB.
  server_->Set({kPushedId, &agency_, Gzip("bomb", std::string(64 << 20, '\0'))});
  ClientConfig config = Config();
  config.max_response_bytes = 1 << 20;
  absl::StatusOr<PullOutcome> pulled = Pull(config);
  EXPECT_EQ(pulled.status().code(), absl::StatusCode::kResourceExhausted) << pulled.status();
  EXPECT_THAT(pulled.status().message(), HasSubstr("max_response_bytes"));
  EXPECT_EQ(SpoolFiles(), 0);
}

TEST_F(SbrClientPullTest, TheAgencyCaIsRequired) {
  ClientConfig config = Config();
  config.agency_ca_file.clear();
  absl::StatusOr<PullOutcome> pulled = Pull(config);
  EXPECT_EQ(pulled.status().code(), absl::StatusCode::kInvalidArgument) << pulled.status();
  EXPECT_THAT(pulled.status().message(), HasSubstr("agency_ca_file"));
}

TEST_F(SbrClientPullTest, ATlsKeyOthersMayReadIsRefused) {
  ClientConfig config = Config();
  config.tls.key_file = dir_ + "/tls.key";
  ASSERT_TRUE(WriteFileDurably(config.tls.key_file, *ReadFileToString(pki_.client_key)).ok());
  ASSERT_EQ(::chmod(config.tls.key_file.c_str(), 0644), 0);
  absl::StatusOr<PullOutcome> pulled = Pull(config);
  EXPECT_EQ(pulled.status().code(), absl::StatusCode::kPermissionDenied) << pulled.status();
  EXPECT_THAT(pulled.status().message(), HasSubstr(config.tls.key_file + " has mode 0644"));
}

TEST(MaxResponseBytes, DefaultsToTheUploadCap) {
  EXPECT_EQ(ClientConfig().max_response_bytes, kMaxBusinessDocumentBytes);
}

}  // namespace
}  // namespace sbrgate::sbr_client
