// Tenants and trust across real processes and real TLS: the all-in-one
// daemon serves gRPC over mutual TLS with an access file, and callers with
// no certificate, an untrusted one, one the file does not name, two payroll
// tenants, a practice and an operator try every kind of RPC, and the same
// people use the operator console over HTTPS with their certificates.
#include <csignal>
#include <fstream>
#include <memory>
#include <set>
#include <thread>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/stp/payevnt/generator.h"
#include "proto/communications.grpc.pb.h"
#include "proto/lodgment.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::testing::HasSubstr;

constexpr char kPractice[] = "51824753556";
constexpr char kWpn[] = "123456782";  // a payer with no ABN
constexpr char kBureauTan[] = "87654321";  // a tax agent lodging for three employers

class AccessE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The console's TLS connections refused mid-handshake write to closed
    // sockets (OpenSSL does not ask for MSG_NOSIGNAL).
    std::signal(SIGPIPE, SIG_IGN);
    dir_ = new std::string(absl::StrCat(::testing::TempDir(), "/access"));
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", *dir_, " && mkdir -p ", *dir_).c_str()), 0);
    auto pki = pki::MakeDevPki(*dir_ + "/pki");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = new pki::DevPki(*pki);
    for (const char* name :
         {"payroll-a", "payroll-b", "payroll-w", "bureau", "alice", "ops", "stranger"}) {
      ASSERT_TRUE(pki::IssueClientCert(*pki_, *dir_ + "/pki", name).ok()) << name;
    }
    files_a_ = new std::string(Generate("a", 1, &abn_a_));
    files_b_ = new std::string(Generate("b", 2, &abn_b_));
    std::string no_abn;
    files_w_ = new std::string(Generate("w", 3, &no_abn, kWpn));
    bureau_files_ = new std::vector<std::string>();
    bureau_abns_ = new std::vector<std::string>();
    for (uint64_t seed : {41, 42, 43}) {
      std::string abn;
      bureau_files_->push_back(
          Generate(absl::StrCat("bureau-", seed), seed, &abn, "", kBureauTan));
      bureau_abns_->push_back(abn);
    }
    ASSERT_NE(abn_a_, abn_b_);
    std::ofstream(*dir_ + "/access") << "# identity,role,scope\n"
                                     << "payroll-a,payroll," << abn_a_ << "\n"
                                     << "payroll-b,payroll," << abn_b_ << "\n"
                                     << "payroll-w,payroll," << kWpn << "\n"
                                     << "bureau,payroll," << absl::StrJoin(*bureau_abns_, " ")
                                     << "\n"
                                     << "alice,practice," << kPractice << ":12345678\n"
                                     << "ops,operator,*\n";
    log_ = new std::string(*dir_ + "/daemon.log");
    daemon_ = testing::StartOrFail(
        "services/sbrgated/sbrgated-sandbox",
        {"--embedded-sim", "--grpc-listen=127.0.0.1:0", "--data-dir=" + *dir_ + "/data",
         "--instance-id=access", "--time-scale=3600", "--grpc-cert=" + pki_->server_cert,
         "--grpc-key=" + pki_->server_key, "--grpc-client-ca=" + pki_->ca_cert,
         "--access=" + *dir_ + "/access", "--console-listen=127.0.0.1:0",
         "--admin-listen=127.0.0.1:0"},
        *log_);
    const std::string ready = testing::ReadyLineOrFail(daemon_, *log_);
    grpc_ = new std::string(JsonField(ready, "grpc"));
    console_ = new std::string(JsonField(ready, "console"));
    admin_ = new std::string(JsonField(ready, "admin"));
    sim_admin_ = new std::string(JsonField(ready, "sim_admin"));
  }

  static void TearDownTestSuite() { delete daemon_; }

  static std::string Generate(const std::string& name, uint64_t seed, std::string* abn,
                              const std::string& wpn = "", const std::string& agent_tan = "") {
    payevnt::GeneratorOptions o;
    o.employees = 2;
    o.seed = seed;
    o.payer_wpn = wpn;
    if (!agent_tan.empty()) {
      o.intermediary_abn = kPractice;
      o.intermediary_tan = agent_tan;
    }
    o.message_timestamp = absl::Now();
    const std::string path = absl::StrCat(*dir_, "/", name, ".xml");
    auto sink = FileSink::Create(path);
    EXPECT_TRUE(sink.ok());
    auto generated = payevnt::GenerateLodgment(o, **sink);
    EXPECT_TRUE(generated.ok()) << generated.status();
    EXPECT_TRUE((*sink)->Close().ok());
    *abn = generated->payer_abn;
    return path;
  }

  // A channel presenting `identity`'s certificate (none: no client
  // certificate at all).
  static std::shared_ptr<grpc::Channel> Channel(const std::string& identity,
                                                bool untrusted = false) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = *ReadFileToString(pki_->ca_cert);
    if (untrusted) {
      tls.pem_cert_chain = *ReadFileToString(pki_->untrusted_client_cert);
      tls.pem_private_key = *ReadFileToString(pki_->untrusted_client_key);
    } else if (!identity.empty()) {
      tls.pem_cert_chain = *ReadFileToString(*dir_ + "/pki/" + identity + ".pem");
      tls.pem_private_key = *ReadFileToString(*dir_ + "/pki/" + identity + ".key");
    }
    return grpc::CreateChannel(*grpc_, grpc::SslCredentials(tls));
  }
  static auto Lodgments(const std::string& identity) {
    return v1::LodgmentService::NewStub(Channel(identity));
  }

  static grpc::Status Lodge(const std::string& identity, const std::string& path,
                            v1::Lodgment* out) {
    grpc::ClientContext ctx;
    auto writer = Lodgments(identity)->SubmitPayEvent(&ctx, out);
    v1::SubmitRequest first;
    first.mutable_metadata()->set_prevalidate(v1::PREVALIDATE_HOLD);
    writer->Write(first);
    v1::SubmitRequest chunk;
    chunk.set_chunk(*ReadFileToString(path));
    writer->Write(chunk);
    writer->WritesDone();
    return writer->Finish();
  }

  static grpc::Status Get(const std::string& identity, const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetLodgmentRequest req;
    req.set_lodgment_id(id);
    v1::Lodgment l;
    return Lodgments(identity)->GetLodgment(&ctx, req, &l);
  }

  static std::vector<std::string> Listed(const std::string& identity, grpc::Status* status,
                                         const std::string& abn = "") {
    grpc::ClientContext ctx;
    v1::ListLodgmentsRequest req;
    req.set_abn(abn);
    v1::ListLodgmentsResponse resp;
    *status = Lodgments(identity)->ListLodgments(&ctx, req, &resp);
    std::vector<std::string> abns;
    for (const v1::Lodgment& l : resp.lodgments()) abns.push_back(l.abn());
    return abns;
  }

  // The console's HTTPS port, presenting `identity`'s certificate (none: no
  // client certificate; "untrusted": one from a CA the daemon does not trust).
  static std::unique_ptr<httplib::SSLClient> Console(const std::string& identity) {
    const int port = std::stoi(console_->substr(console_->rfind(':') + 1));
    std::unique_ptr<httplib::SSLClient> client;
    if (identity.empty()) {
      client = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
    } else if (identity == "untrusted") {
      client = std::make_unique<httplib::SSLClient>("127.0.0.1", port, pki_->untrusted_client_cert,
                                                    pki_->untrusted_client_key);
    } else {
      client = std::make_unique<httplib::SSLClient>("127.0.0.1", port,
                                                    *dir_ + "/pki/" + identity + ".pem",
                                                    *dir_ + "/pki/" + identity + ".key");
    }
    client->set_ca_cert_path(pki_->ca_cert.c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(5);
    return client;
  }

  // The simulator's record of message `id` once it has it (null if it
  // never does).
  static nlohmann::json SimMessage(const std::string& id) {
    for (int i = 0; i < 300; ++i) {
      httplib::Result res = httplib::Client(*sim_admin_).Get("/admin/messages/" + id);
      if (res && res->status == 200) return nlohmann::json::parse(res->body);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return nullptr;
  }

  static std::vector<nlohmann::json> Audit() {
    std::ifstream in(*dir_ + "/data/audit.log");
    std::vector<nlohmann::json> out;
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  static inline std::string* dir_ = nullptr;
  static inline std::string* log_ = nullptr;
  static inline std::string* grpc_ = nullptr;
  static inline std::string* console_ = nullptr;  // https://127.0.0.1:PORT
  static inline std::string* admin_ = nullptr;    // http://127.0.0.1:PORT
  static inline std::string* sim_admin_ = nullptr;
  static inline std::string* files_w_ = nullptr;
  static inline std::vector<std::string>* bureau_files_ = nullptr;
  static inline std::vector<std::string>* bureau_abns_ = nullptr;
  static inline std::string* files_a_ = nullptr;
  static inline std::string* files_b_ = nullptr;
  static inline std::string abn_a_;
  static inline std::string abn_b_;
  static inline pki::DevPki* pki_ = nullptr;
  static inline testing::Process* daemon_ = nullptr;
};

TEST_F(AccessE2eTest, CallersWithoutATrustedCertificateOrAGrantAreTurnedAway) {
  for (bool untrusted : {false, true}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetLodgmentRequest req;
    req.set_lodgment_id("x");
    v1::Lodgment l;
    grpc::Status s =
        v1::LodgmentService::NewStub(Channel("", untrusted))->GetLodgment(&ctx, req, &l);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << untrusted << s.error_message();
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetLodgmentRequest req;
  req.set_lodgment_id("x");
  v1::Lodgment l;
  grpc::Status plain = v1::LodgmentService::NewStub(
                           grpc::CreateChannel(*grpc_, grpc::InsecureChannelCredentials()))
                           ->GetLodgment(&ctx, req, &l);
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE);
  grpc::Status stranger = Get("stranger", "x");
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(stranger.error_message(), HasSubstr("identity 'stranger' is not granted"));
}

TEST_F(AccessE2eTest, EachTenantLodgesAndSeesOnlyItsOwnPayersAndTheOperatorSeesAll) {
  v1::Lodgment a, b, refused;
  ASSERT_TRUE(Lodge("payroll-a", *files_a_, &a).ok());
  grpc::Status cross = Lodge("payroll-a", *files_b_, &refused);
  EXPECT_EQ(cross.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(cross.error_message(), HasSubstr("may not lodge for payer " + abn_b_));
  EXPECT_EQ(Lodge("alice", *files_a_, &refused).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Lodge("payroll-b", *files_b_, &b).ok());

  EXPECT_TRUE(Get("payroll-a", a.lodgment_id()).ok());
  EXPECT_EQ(Get("payroll-a", b.lodgment_id()).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("payroll-b", a.lodgment_id()).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("alice", a.lodgment_id()).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get("ops", b.lodgment_id()).ok());

  grpc::Status s;
  EXPECT_EQ(Listed("payroll-a", &s), std::vector<std::string>{abn_a_});
  EXPECT_TRUE(s.ok());
  Listed("payroll-a", &s, abn_b_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Listed("ops", &s).size(), 2u);

  {
    grpc::ClientContext ctx;
    v1::ListRejectedRecordsRequest req;
    req.set_lodgment_id(b.lodgment_id());
    v1::ListRejectedRecordsResponse resp;
    EXPECT_EQ(Lodgments("payroll-a")->ListRejectedRecords(&ctx, req, &resp).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    v1::GetLodgmentRequest req;
    req.set_lodgment_id(b.lodgment_id());
    auto reader = Lodgments("payroll-a")->WatchLodgment(&ctx, req);
    v1::Lodgment seen;
    EXPECT_FALSE(reader->Read(&seen));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  }
  // Operator things are an operator's.
  for (const std::string identity : {"payroll-a", "alice", "ops"}) {
    grpc::ClientContext replay_ctx, dead_ctx;
    v1::ReplayLodgmentsRequest replay;
    replay.add_lodgment_ids(a.lodgment_id());
    v1::ReplayLodgmentsResponse replayed;
    v1::ListDeadLettersRequest dead;
    v1::ListDeadLettersResponse listed;
    const grpc::StatusCode expected =
        identity == "ops" ? grpc::StatusCode::OK : grpc::StatusCode::PERMISSION_DENIED;
    EXPECT_EQ(Lodgments(identity)->ReplayLodgments(&replay_ctx, replay, &replayed).error_code(),
              expected)
        << identity;
    EXPECT_EQ(Lodgments(identity)->ListDeadLetters(&dead_ctx, dead, &listed).error_code(),
              expected)
        << identity;
  }

  // The audit log has each decision that changes something, allowed or not.
  std::vector<std::string> decisions;
  for (const nlohmann::json& e : Audit()) {
    decisions.push_back(absl::StrCat(e["identity"].get<std::string>(), " ",
                                     e["action"].get<std::string>(), " ",
                                     e["tenant"].get<std::string>(), " ",
                                     e["allowed"].get<bool>() ? "allowed" : "denied"));
  }
  EXPECT_THAT(decisions, ::testing::IsSupersetOf(
                             {absl::StrCat("payroll-a lodge ", abn_a_, " allowed"),
                              absl::StrCat("payroll-a lodge ", abn_b_, " denied"),
                              absl::StrCat("payroll-b lodge ", abn_b_, " allowed"),
                              std::string("payroll-a replay * denied"),
                              std::string("ops replay * allowed")}));
}

TEST_F(AccessE2eTest, APracticeActsOnlyForItselfAndPayrollCallersHaveNoClntcomm) {
  auto comms = [](const std::string& identity) {
    return v1::CommunicationService::NewStub(Channel(identity));
  };
  {
    grpc::ClientContext ctx;
    v1::ListJobsRequest req;
    v1::ListJobsResponse resp;
    EXPECT_TRUE(comms("alice")->ListJobs(&ctx, req, &resp).ok());
  }
  {
    grpc::ClientContext ctx;
    v1::ListJobsRequest req;
    req.set_agent_abn("53004085616");
    v1::ListJobsResponse resp;
    EXPECT_EQ(comms("alice")->ListJobs(&ctx, req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    v1::ListJobsRequest req;
    v1::ListJobsResponse resp;
    EXPECT_EQ(comms("payroll-a")->ListJobs(&ctx, req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    v1::ListCommunicationsRequest req;
    req.mutable_agent()->set_agent_abn("53004085616");
    req.mutable_agent()->set_user_id("alice");
    v1::ListCommunicationsResponse resp;
    grpc::Status s = comms("alice")->QuickList(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(s.error_message(), HasSubstr("may not act for agent practice 53004085616"));
  }
  {
    grpc::ClientContext ctx;
    v1::GetJobRequest req;
    req.set_job_id("job-of-nobody");
    v1::Job job;
    EXPECT_EQ(comms("alice")->GetJob(&ctx, req, &job).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  bool audited = false;
  for (const nlohmann::json& e : Audit()) {
    audited |= e["identity"] == "alice" && e["action"] == "clntcomm.quick-list" &&
               e["tenant"] == "53004085616" && e["allowed"] == false;
  }
  EXPECT_TRUE(audited);
}

TEST_F(AccessE2eTest, TheConsoleOverMutualTlsActsAsTheCertificatesHolder) {
  v1::Lodgment a, b;
  // Lodged here unless the tenants' test lodged them already (the same
  // files: the gateway answers with the lodgment it has).
  ASSERT_TRUE(Lodge("payroll-a", *files_a_, &a).ok());
  ASSERT_TRUE(Lodge("payroll-b", *files_b_, &b).ok());
  ASSERT_THAT(*console_, ::testing::StartsWith("https://127.0.0.1:"));

  // No certificate, or one from a CA the daemon does not trust: no TLS
  // connection, so no answer at all.
  for (const char* who : {"", "untrusted"}) {
    httplib::Result res = Console(who)->Get("/api/lodgments");
    EXPECT_FALSE(res) << "'" << who << "' was answered " << res->status;
  }
  // Trusted, but the access file grants it nothing: the gateway's refusal.
  httplib::Result stranger = Console("stranger")->Get("/api/lodgments");
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 403);
  EXPECT_THAT(stranger->body, HasSubstr("identity 'stranger' is not granted"));

  // The pages, and each person's own view through the API.
  httplib::Result page = Console("ops")->Get("/console/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("<html"));
  auto abns_seen = [](const std::string& identity) {
    httplib::Result res = Console(identity)->Get("/api/lodgments");
    EXPECT_TRUE(res && res->status == 200) << identity << (res ? res->body : "");
    std::set<std::string> abns;
    if (!res) return abns;
    const nlohmann::json listed = nlohmann::json::parse(res->body);
    for (const nlohmann::json& l : listed["lodgments"]) {
      abns.insert(l["abn"].get<std::string>());
    }
    return abns;
  };
  EXPECT_EQ(abns_seen("payroll-a"), std::set<std::string>{abn_a_});
  EXPECT_EQ(abns_seen("payroll-b"), std::set<std::string>{abn_b_});
  EXPECT_THAT(abns_seen("ops"), ::testing::IsSupersetOf({abn_a_, abn_b_}));
  httplib::Result other = Console("payroll-a")->Get("/api/lodgments/" + b.lodgment_id());
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);

  // A replay is an operator's: refused for a payroll provider, previewed
  // for the operator, each audited under the person's own identity.
  const std::string replay = "/api/replay?lodgment_id=" + a.lodgment_id() + "&dry_run=true";
  httplib::Result refused = Console("payroll-a")->Post(replay);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  httplib::Result previewed = Console("ops")->Post(replay);
  ASSERT_TRUE(previewed);
  EXPECT_EQ(previewed->status, 200) << previewed->body;
  EXPECT_THAT(previewed->body, HasSubstr(a.lodgment_id()));
  bool ops_previewed = false, payroll_refused = false;
  for (const nlohmann::json& e : Audit()) {
    ops_previewed |= e["identity"] == "ops" && e["action"] == "replay-preview" &&
                     e["allowed"] == true;
    payroll_refused |= e["identity"] == "payroll-a" && e["action"] == "replay-preview" &&
                       e["allowed"] == false;
  }
  EXPECT_TRUE(ops_previewed);
  EXPECT_TRUE(payroll_refused);

  // The plain-HTTP admin port keeps /metrics and says where the console is.
  const int admin_port = std::stoi(admin_->substr(admin_->rfind(':') + 1));
  httplib::Result elsewhere = httplib::Client("127.0.0.1", admin_port).Get("/console");
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 404);
  EXPECT_THAT(elsewhere->body, HasSubstr("on --console-listen"));
}

// A payer with no ABN is lodged, scoped, deduplicated and sent under its
// WPN: the ebMS From party is the WPN, with the WPN party type.
TEST_F(AccessE2eTest, AWpnPayerIsLodgedUnderItsWpnOnce) {
  v1::Lodgment w, again, refused;
  ASSERT_TRUE(Lodge("payroll-w", *files_w_, &w).ok());
  EXPECT_EQ(w.abn(), "");
  EXPECT_EQ(w.wpn(), kWpn);
  ASSERT_TRUE(Lodge("payroll-w", *files_w_, &again).ok());
  EXPECT_EQ(again.lodgment_id(), w.lodgment_id());
  EXPECT_EQ(Lodge("payroll-a", *files_w_, &refused).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Get("payroll-w", w.lodgment_id()).ok());
  EXPECT_EQ(Get("payroll-a", w.lodgment_id()).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::Status s;
  EXPECT_EQ(Listed("payroll-w", &s), std::vector<std::string>{""});  // listed, with no ABN
  EXPECT_TRUE(s.ok()) << s.error_message();
  Listed("payroll-w", &s, kWpn);
  EXPECT_TRUE(s.ok()) << s.error_message();

  // Once pushed, the simulator recorded who sent it.
  const nlohmann::json message = SimMessage(w.message_id());
  ASSERT_FALSE(message.is_null()) << "the simulator never received " << w.message_id();
  EXPECT_EQ(message["from_party"], kWpn);
  EXPECT_EQ(message["from_party_type"], "http://ato.gov.au/PartyIdType/WPN");
}

// A tax agent lodging for three employers under its own credential: each
// lodgment is its employer's (ABN, scope), and each is sent as the agent
// (its TAN, party type TAN), as the PAYEVNT's Int names it.
TEST_F(AccessE2eTest, AnIntermediaryLodgesForThreeEmployersAsItself) {
  std::set<std::string> abns;
  for (const std::string& file : *bureau_files_) {
    v1::Lodgment l;
    ASSERT_TRUE(Lodge("bureau", file, &l).ok());
    abns.insert(l.abn());
    EXPECT_EQ(l.intermediary_tan(), kBureauTan);
    EXPECT_EQ(l.intermediary_abn(), kPractice);
    const nlohmann::json message = SimMessage(l.message_id());
    ASSERT_FALSE(message.is_null()) << "the simulator never received " << l.message_id();
    EXPECT_EQ(message["from_party"], kBureauTan);
    EXPECT_EQ(message["from_party_type"], "http://ato.gov.au/PartyIdType/TAN");
    EXPECT_EQ(Get("payroll-a", l.lodgment_id()).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(abns, std::set<std::string>(bureau_abns_->begin(), bureau_abns_->end()));
  EXPECT_EQ(abns.size(), 3u);
}

// Nobody outside the process can claim a delegated identity: on a call from
// the network, the metadata the console's in-process calls carry count for
// nothing, whatever token they hold; the certificate says who calls.
TEST_F(AccessE2eTest, DelegationMetadataFromTheNetworkAreIgnored) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ctx.AddMetadata("x-sbrgate-delegated-identity", "ops");
  ctx.AddMetadata("x-sbrgate-delegation-token", std::string(64, '0'));
  v1::ListDeadLettersRequest req;
  v1::ListDeadLettersResponse resp;
  grpc::Status s =
      v1::LodgmentService::NewStub(Channel("payroll-a"))->ListDeadLetters(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
}

}  // namespace
}  // namespace sbrgate
