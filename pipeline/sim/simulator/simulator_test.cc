// The simulator across the real pieces: HTTPS with mutual TLS (libcurl
// client, cpp-httplib server), WS-Security (xmlsec), MIME, gzip and the
// PAYEVNT validation, driven through the same SbrClient the pipeline uses.
#include "pipeline/sim/simulator/simulator.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/transient.h"
#include "pipeline/platform/common/uuid.h"
#include "pipeline/sbr/client/https_transport.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/event02/event02.h"
#include "pipeline/sbr/identifiers/check_digits.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/sim/simulator/lodgment_processor.h"
#include "pipeline/sim/simulator/sim_state_store.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "pipeline/stp/payevnt/sender.h"

namespace sbrgate::sim {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

std::string Describe(const std::vector<ebms::Error>& errors) {
  std::string out;
  for (const ebms::Error& e : errors)
    absl::StrAppend(&out, e.error_code, ": ", e.description, "; ");
  return out;
}

class SimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_, "/spool").c_str()),
              0);
    auto pki = pki::MakeDevPki(dir_ + "/pki");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
    config_.server_cert = pki_.server_cert;
    config_.server_key = pki_.server_key;
    config_.client_ca = pki_.ca_cert;
    config_.data_dir = dir_ + "/sim";
    config_.processing_base = absl::Seconds(30);
    config_.processing_per_employee = absl::ZeroDuration();
    Restart(config_);
  }

  // Stops the simulator (if one runs) and starts one with `config`, and a
  // client for it (the port changes).
  void Restart(const SimulatorConfig& config) {
    StopSimulator();
    auto sim = Simulator::Start(config, &clock_);
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = *std::move(sim);
    client_ = MakeClient(pki_.client_cert, pki_.client_key);
  }

  // Stops the simulator after the client, whose kept connections would hold
  // the stop up until the simulator's keep-alive timeout.
  void StopSimulator() {
    client_.reset();
    sim_.reset();
  }

  std::unique_ptr<sbr_client::SbrClient> MakeClient(const std::string& cert,
                                                    const std::string& key) {
    sbr_client::ClientConfig c;
    c.base_url = sim_->base_url();
    c.tls = {pki_.ca_cert, cert, key};
    c.credential_cert = cert;
    c.credential_key = key;
    c.agency_ca_file = pki_.ca_cert;
    c.spool_dir = dir_ + "/spool";
    c.connect_timeout = absl::Seconds(5);
    c.push_timeout = absl::Seconds(30);
    c.pull_timeout = absl::Seconds(30);
    auto client = sbr_client::SbrClient::Create(c, &clock_);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  // A generated lodgment, gzip-compressed as it travels.
  std::string Lodgment(const std::string& name, payevnt::GeneratorOptions options,
                       payevnt::GeneratedLodgment* info = nullptr) {
    options.message_timestamp = clock_.Now();
    const std::string path = absl::StrCat(dir_, "/", name, ".xml.gz");
    auto file = FileSink::Create(path);
    EXPECT_TRUE(file.ok());
    GzipSink gz(std::unique_ptr<ByteSink>(std::move(*file)));
    auto generated = payevnt::GenerateLodgment(options, gz);
    EXPECT_TRUE(generated.ok()) << generated.status();
    EXPECT_TRUE(gz.Close().ok());
    if (info != nullptr) *info = *generated;
    return path;
  }

  sbr_client::LodgmentPush Push(const std::string& payload) {
    sbr_client::LodgmentPush p;
    p.message_id = ebms::NewMessageId("test.sbrgate");
    p.timestamp = clock_.Now();
    p.conversation_id = NewUuid();
    p.from = SenderOfPayload(payload);
    p.payload_gzip = StoredBytes::File(payload);
    return p;
  }

  // As sbrgate sends a generated lodgment: its intermediary, else its payer;
  // a business of our own for a payload with no readable PAYEVNT.
  static ebms::Party SenderOfPayload(const std::string& payload) {
    const ebms::Party unreadable{"51824753556", ebms::kPartyTypeAbn, ebms::kRoleBusiness};
    auto file = FileSource::Open(payload);
    if (!file.ok()) return unreadable;
    auto reader = payevnt::LodgmentReader::Open(
        std::make_unique<GunzipSource>(std::unique_ptr<ByteSource>(std::move(*file))), payload);
    if (!reader.ok()) return unreadable;
    absl::StatusOr<std::optional<payevnt::Record>> first = (*reader)->Next();
    if (!first.ok() || !first->has_value() || (*first)->kind != payevnt::Record::Kind::kEmployer) {
      return unreadable;
    }
    return payevnt::SenderOf((*first)->employer);
  }

  // The employee records of a generated lodgment, by DocumentID.
  static std::map<std::string, payevnt::EmployeeRecord> Employees(const std::string& payload) {
    std::map<std::string, payevnt::EmployeeRecord> out;
    auto file = FileSource::Open(payload);
    EXPECT_TRUE(file.ok());
    if (!file.ok()) return out;
    auto reader = payevnt::LodgmentReader::Open(
        std::make_unique<GunzipSource>(std::unique_ptr<ByteSource>(std::move(*file))), payload);
    EXPECT_TRUE(reader.ok()) << reader.status();
    if (!reader.ok()) return out;
    for (;;) {
      absl::StatusOr<std::optional<payevnt::Record>> r = (*reader)->Next();
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok() || !r->has_value()) return out;
      if ((*r)->kind == payevnt::Record::Kind::kEmployee) out[(*r)->document_id] = (*r)->employee;
    }
  }

  // Pushes, lets processing finish, waits the schedule's first minute and
  // pulls; returns the response's severity and the DocumentIDs it names
  // (and the MessageId pushed, if asked).
  // Sent as sbrgate sends it, or From `from` when given.
  void LodgeAndPull(const std::string& payload, event02::Severity* severity,
                    std::vector<std::string>* ids, std::string* message_id = nullptr,
                    const ebms::Party* from = nullptr) {
    sbr_client::LodgmentPush p = Push(payload);
    if (from != nullptr) p.from = *from;
    if (message_id != nullptr) *message_id = p.message_id;
    auto pushed = client_->Push(p);
    ASSERT_TRUE(pushed.ok()) << pushed.status();
    ASSERT_TRUE(pushed->receipt.has_value()) << Describe(pushed->errors);
    sim_->WaitUntilIdle();
    clock_.Advance(absl::Minutes(1));
    auto pulled = client_->Pull(p.message_id);
    ASSERT_TRUE(pulled.ok()) << pulled.status();
    ASSERT_EQ(pulled->kind, sbr_client::PullOutcome::Kind::kResponse);
    EXPECT_EQ(pulled->response_message.ref_to_message_id, p.message_id);
    auto source = pulled->response.Open();
    ASSERT_TRUE(source.ok());
    auto reader = event02::ResponseReader::Open(*std::move(source), "response");
    ASSERT_TRUE(reader.ok());
    for (;;) {
      auto item = (*reader)->Next();
      ASSERT_TRUE(item.ok()) << item.status();
      if (!item->has_value()) break;
      for (const event02::Location& l : (*item)->locations) {
        if (std::find(ids->begin(), ids->end(), l.instance_identifier) == ids->end()) {
          ids->push_back(l.instance_identifier);
        }
      }
    }
    ASSERT_TRUE((*reader)->maximum_severity().has_value());
    *severity = *(*reader)->maximum_severity();
  }

  std::string dir_;
  pki::DevPki pki_;
  SimulatorConfig config_;
  // Certificates are valid from a day ago: the clock starts at the real time.
  ManualClock clock_{absl::Now()};
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<sbr_client::SbrClient> client_;
};

TEST_F(SimulatorTest, AServerKeyOthersMayReadIsRefused) {
  sim_.reset();
  ASSERT_EQ(::chmod(pki_.server_key.c_str(), 0640), 0);
  SimulatorConfig config = config_;
  config.data_dir = dir_ + "/sim2";
  absl::StatusOr<std::unique_ptr<Simulator>> sim = Simulator::Start(config, &clock_);
  EXPECT_EQ(sim.status().code(), absl::StatusCode::kPermissionDenied) << sim.status();
  EXPECT_THAT(sim.status().message(), HasSubstr(pki_.server_key + " has mode 0640"));
}

// A TLS handshake as sbrgate's client makes it (its certificate, the dev
// CA), on a new connection, resuming `session` if not null; returns the
// session, once the server's ticket for it has arrived.
struct TlsConnection {
  SSL_SESSION* session = nullptr;  // owned: SSL_SESSION_free
  bool resumed = false;
};

TlsConnection ConnectTls(const pki::DevPki& pki, int port, SSL_SESSION* session) {
  TlsConnection out;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  EXPECT_EQ(SSL_CTX_use_certificate_file(ctx, pki.client_cert.c_str(), SSL_FILETYPE_PEM), 1);
  EXPECT_EQ(SSL_CTX_use_PrivateKey_file(ctx, pki.client_key.c_str(), SSL_FILETYPE_PEM), 1);
  EXPECT_EQ(SSL_CTX_load_verify_locations(ctx, pki.ca_cert.c_str(), nullptr), 1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (session != nullptr) SSL_set_session(ssl, session);
  EXPECT_EQ(SSL_connect(ssl), 1);
  // TLS 1.3 sends tickets after the handshake: read an answer to get them.
  const std::string request = "GET /nothing HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n";
  EXPECT_GT(SSL_write(ssl, request.data(), static_cast<int>(request.size())), 0);
  char buf[4096];
  while (SSL_read(ssl, buf, sizeof buf) > 0) {
  }
  out.resumed = SSL_session_reused(ssl) == 1;
  out.session = SSL_get1_session(ssl);
  SSL_shutdown(ssl);  // freed without it, the session could not be resumed
  SSL_free(ssl);
  ::close(fd);
  SSL_CTX_free(ctx);
  return out;
}

TEST_F(SimulatorTest, ANewConnectionResumesTheTlsSessionOfAnEarlierOne) {
  const TlsConnection first = ConnectTls(pki_, sim_->port(), nullptr);
  ASSERT_NE(first.session, nullptr);
  EXPECT_FALSE(first.resumed);
  const unsigned char* ticket = nullptr;
  size_t ticket_bytes = 0;
  SSL_SESSION_get0_ticket(first.session, &ticket, &ticket_bytes);
  EXPECT_GT(ticket_bytes, 0u);
  // It names the session the server keeps; a self-contained one holds the
  // session, the client's certificate with it, and is over 1 KB.
  EXPECT_LT(ticket_bytes, 256u);
  const TlsConnection second = ConnectTls(pki_, sim_->port(), first.session);
  EXPECT_TRUE(second.resumed);
  SSL_SESSION_free(first.session);
  SSL_SESSION_free(second.session);
}

// The backlog the kernel keeps for the TCP listener on `port` (for a
// listening socket, sock_diag reports it as idiag_wqueue), or -1.
int ListenBacklog(int port) {
  const int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -1;
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } ask{};
  ask.header.nlmsg_len = sizeof ask;
  ask.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  ask.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  ask.request.sdiag_family = AF_INET;
  ask.request.sdiag_protocol = IPPROTO_TCP;
  ask.request.idiag_states = 1 << 10;  // TCP_LISTEN
  int backlog = -1;
  if (send(fd, &ask, sizeof ask, 0) == static_cast<ssize_t>(sizeof ask)) {
    alignas(nlmsghdr) char buf[16384];
    for (bool done = false; !done;) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
          done = true;
          break;
        }
        const auto* m = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
        if (ntohs(m->id.idiag_sport) == port) backlog = static_cast<int>(m->idiag_wqueue);
      }
    }
  }
  close(fd);
  return backlog;
}

// httplib listens with a backlog of 5: a burst of new connections
// overflowed it, and each one dropped waited a second to connect.
TEST_F(SimulatorTest, ItsListenerQueuesABurstOfConnections) {
  const int backlog = ListenBacklog(sim_->port());
  ASSERT_NE(backlog, -1) << "sock_diag does not list the listener";
  // The kernel caps it at net.core.somaxconn, 128 or more on every Linux.
  EXPECT_GE(backlog, 128);
}

TEST_F(SimulatorTest, ReceiptEchoesTheSignedDigests) {
  payevnt::GeneratorOptions o;
  o.employees = 5;
  const sbr_client::LodgmentPush p = Push(Lodgment("clean", o));
  auto pushed = client_->Push(p);
  ASSERT_TRUE(pushed.ok()) << pushed.status();
  ASSERT_TRUE(pushed->receipt.has_value());
  EXPECT_EQ(pushed->receipt->ref_to_message_id, p.message_id);
  std::vector<std::string> uris;
  for (const auto& r : pushed->receipt->references) uris.push_back(r.uri);
  EXPECT_THAT(uris, UnorderedElementsAre("#messaging", "#body",
                                         absl::StrCat("cid:payload-", p.message_id)));
  ASSERT_EQ(pushed->sent_digests.size(), 3u);
  // The client checked every digest already; prove the check bites.
  ebms::Receipt altered = *pushed->receipt;
  altered.references[0].digest_value = "AAAA" + altered.references[0].digest_value.substr(4);
  EXPECT_EQ(sbr_client::CheckReceipt(altered, p.message_id, pushed->sent_digests).code(),
            absl::StatusCode::kDataLoss);
}

// Its threads say what they run, as ps and perf show them.
std::multiset<std::string> ThreadNames() {
  std::multiset<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name)) names.insert(name);
  }
  return names;
}

TEST_F(SimulatorTest, ItsThreadsAreNamedForWhatTheyRun) {
  payevnt::GeneratorOptions o;
  o.employees = 2;
  ASSERT_TRUE(client_->Push(Push(Lodgment("named", o))).ok());
  const std::multiset<std::string> names = ThreadNames();
  EXPECT_GE(names.count("sim-https"), 1u);   // the connection's
  EXPECT_GE(names.count("sim-office"), 1u);  // the processing's
}

TEST_F(SimulatorTest, EarlyPullGetsNothingYetAndIsCounted) {
  payevnt::GeneratorOptions o;
  o.employees = 5;
  const sbr_client::LodgmentPush p = Push(Lodgment("early", o));
  ASSERT_TRUE(client_->Push(p).ok());
  sim_->WaitUntilIdle();
  auto pulled = client_->Pull(p.message_id);
  ASSERT_TRUE(pulled.ok()) << pulled.status();
  EXPECT_EQ(pulled->kind, sbr_client::PullOutcome::Kind::kNothingYet);
  ASSERT_EQ(pulled->errors.size(), 1u);
  EXPECT_EQ(pulled->errors[0].error_code, "EBMS:0006");
  EXPECT_EQ(sim_->Stats().early_pulls, 1);

  clock_.Advance(absl::Minutes(1));
  auto on_time = client_->Pull(p.message_id);
  ASSERT_TRUE(on_time.ok());
  EXPECT_EQ(on_time->kind, sbr_client::PullOutcome::Kind::kResponse);
  EXPECT_EQ(sim_->Stats().early_pulls, 1);
}

TEST_F(SimulatorTest, ResponseNotReadyBeforeProcessingDelay) {
  SimulatorStats before = sim_->Stats();
  payevnt::GeneratorOptions o;
  o.employees = 5;
  const sbr_client::LodgmentPush p = Push(Lodgment("slow", o));
  sim_->SetFaults({.slow_factor = 4});  // 30 s * 4 = 2 min
  ASSERT_TRUE(client_->Push(p).ok());
  sim_->WaitUntilIdle();
  clock_.Advance(absl::Minutes(1));
  auto first = client_->Pull(p.message_id);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->kind, sbr_client::PullOutcome::Kind::kNothingYet);
  clock_.Advance(absl::Minutes(1));
  auto second = client_->Pull(p.message_id);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->kind, sbr_client::PullOutcome::Kind::kResponse);
  EXPECT_EQ(sim_->Stats().early_pulls, before.early_pulls);
}

TEST_F(SimulatorTest, PartialNamesExactlyTheInvalidEmployees) {
  payevnt::GeneratorOptions o;
  o.employees = 50;
  o.invalid_tfns = 3;
  payevnt::GeneratedLodgment info;
  const std::string payload = Lodgment("partial", o, &info);
  ASSERT_EQ(info.invalid_document_ids.size(), 3u);
  event02::Severity severity;
  std::vector<std::string> ids;
  LodgeAndPull(payload, &severity, &ids);
  EXPECT_EQ(severity, event02::Severity::kPartial);
  EXPECT_THAT(ids, ElementsAreArray(info.invalid_document_ids));
}

TEST_F(SimulatorTest, NameMismatchesAreAcceptedAndPostedToTheEmployer) {
  payevnt::GeneratorOptions o;
  o.employees = 20;
  o.name_mismatches = 2;
  payevnt::GeneratedLodgment info;
  const std::string payload = Lodgment("mismatch", o, &info);
  ASSERT_EQ(info.name_mismatch_document_ids.size(), 2u);
  const absl::Time processed_at = clock_.Now();  // the clock stands still until the pull
  event02::Severity severity;
  std::vector<std::string> ids;
  std::string message_id;
  LodgeAndPull(payload, &severity, &ids, &message_id);
  // Seed 002: matching failures are no rejections and no items.
  EXPECT_EQ(severity, event02::Severity::kInformation);
  EXPECT_TRUE(ids.empty());
  EXPECT_TRUE(sim_->Message(message_id)->rejected_document_ids.empty());

  // They are one communication to the employer, seen by an agent linked to
  // it at client level.
  const std::string agent = "51824753556";
  v1::ClientId employer;
  employer.set_type(v1::ABN);
  employer.set_value(info.payer_abn);
  ClntcommSeed link;
  link.agent_abn = agent;
  link.ran = "12345678";
  link.client = employer;
  link.count = 0;
  ASSERT_TRUE(sim_->clntcomm().SeedClient(link).ok());
  v1::ListCommunicationsRequest list;
  *list.add_clients() = employer;
  absl::StatusOr<v1::ListCommunicationsResponse> page = sim_->clntcomm().List(agent, list, 0);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items_size(), 1);
  const v1::CommunicationItem& item = page->items(0);
  EXPECT_EQ(item.document_id(), MatchingFailureDocumentId(message_id));
  EXPECT_EQ(item.title(), "Payroll event: TFN matching failures");
  EXPECT_EQ(item.sent_at().seconds(), absl::ToUnixSeconds(processed_at));
  EXPECT_EQ(item.account(), "");  // posted against the employer, not one of its accounts
  absl::StatusOr<clntcomm::Document> doc =
      sim_->clntcomm().Get(agent, employer, item.document_id());
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_THAT(doc->content, HasSubstr(message_id));
  EXPECT_THAT(doc->content,
              HasSubstr(absl::FormatTime("%d %B %Y", processed_at, clntcomm::SydneyTimeZone())));
  const std::map<std::string, payevnt::EmployeeRecord> employees = Employees(payload);
  for (const std::string& id : info.name_mismatch_document_ids) {
    const payevnt::EmployeeRecord& e = employees.at(id);
    EXPECT_THAT(doc->content, HasSubstr(absl::StrCat(id, " | ", e.payroll_id, " | ", e.family_name,
                                                     " | ******", e.tfn.substr(e.tfn.size() - 3))));
  }
  for (const auto& [id, e] : employees) {
    EXPECT_EQ(doc->content.find(e.tfn), std::string::npos) << id << ": TFN unmasked";
  }

  // An agent with no link to the employer sees nothing of it.
  const std::string stranger = identifiers::MakeValidAbn(104);
  absl::StatusOr<v1::ListCommunicationsResponse> none = sim_->clntcomm().List(stranger, list, 0);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->items_size(), 0);
  EXPECT_EQ(sim_->clntcomm().Get(stranger, employer, item.document_id()).status().code(),
            absl::StatusCode::kPermissionDenied);

  // Kept with the simulator's state: a restart brings it back, once.
  Restart(config_);
  absl::StatusOr<v1::ListCommunicationsResponse> after = sim_->clntcomm().List(agent, list, 0);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->items_size(), 1);
  EXPECT_EQ(after->items(0).document_id(), item.document_id());
  absl::StatusOr<clntcomm::Document> doc_after =
      sim_->clntcomm().Get(agent, employer, item.document_id());
  ASSERT_TRUE(doc_after.ok()) << doc_after.status();
  EXPECT_EQ(doc_after->content, doc->content);
}

// A payer with no ABN gets its letter as the WPN client, named by its 9
// digits as CLNTCOMM names WPN clients.
TEST_F(SimulatorTest, AWpnPayersMatchingFailuresArePostedToItsWpnClient) {
  payevnt::GeneratorOptions o;
  o.employees = 5;
  o.name_mismatches = 1;
  o.payer_wpn = "123456782";
  std::string message_id;
  event02::Severity severity;
  std::vector<std::string> ids;
  LodgeAndPull(Lodgment("wpn-mismatch", o), &severity, &ids, &message_id);
  EXPECT_EQ(severity, event02::Severity::kInformation);
  const std::string agent = "51824753556";
  v1::ClientId employer;
  employer.set_type(v1::WPN);
  employer.set_value("123456782");
  ClntcommSeed link;
  link.agent_abn = agent;
  link.ran = "12345678";
  link.client = employer;
  ASSERT_TRUE(sim_->clntcomm().SeedClient(link).ok());
  v1::ListCommunicationsRequest list;
  *list.add_clients() = employer;
  absl::StatusOr<v1::ListCommunicationsResponse> page = sim_->clntcomm().List(agent, list, 0);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items_size(), 1);
  EXPECT_EQ(page->items(0).document_id(), MatchingFailureDocumentId(message_id));
}

// A pay event comes from its payer or from the intermediary it names, each
// in its role; from anyone else it is rejected whole.
TEST_F(SimulatorTest, APayEventFromNeitherItsPayerNorItsIntermediaryIsRejected) {
  payevnt::GeneratorOptions o;
  o.employees = 3;
  o.intermediary_abn = "53004085616";
  o.intermediary_tan = "12345678";
  payevnt::GeneratedLodgment info;
  const std::string payload = Lodgment("by-agent", o, &info);
  const ebms::Party agent{"12345678", ebms::kPartyTypeTan, ebms::kRoleRegisteredAgent};
  const ebms::Party payer{info.payer_abn, ebms::kPartyTypeAbn, ebms::kRoleBusiness};
  const ebms::Party stranger{"87654321", ebms::kPartyTypeTan, ebms::kRoleRegisteredAgent};
  const ebms::Party agent_as_business{"12345678", ebms::kPartyTypeTan, ebms::kRoleBusiness};
  for (const ebms::Party* from : {&agent, &payer}) {
    event02::Severity severity;
    std::vector<std::string> ids;
    LodgeAndPull(payload, &severity, &ids, nullptr, from);
    EXPECT_EQ(severity, event02::Severity::kInformation) << from->id;
    EXPECT_TRUE(ids.empty());
  }
  for (const ebms::Party* from : {&stranger, &agent_as_business}) {
    event02::Severity severity;
    std::vector<std::string> ids;
    LodgeAndPull(payload, &severity, &ids, nullptr, from);
    EXPECT_EQ(severity, event02::Severity::kError) << from->role;
    EXPECT_THAT(ids, ElementsAreArray({"1.1"}));
  }
}

TEST_F(SimulatorTest, MatchingFailuresBesideRejectedRecordsListOnlyTheValidOnes) {
  payevnt::GeneratorOptions o;
  o.employees = 20;
  o.invalid_tfns = 1;
  o.name_mismatches = 2;
  payevnt::GeneratedLodgment info;
  const std::string payload = Lodgment("mismatch-and-invalid", o, &info);
  event02::Severity severity;
  std::vector<std::string> ids;
  std::string message_id;
  LodgeAndPull(payload, &severity, &ids, &message_id);
  EXPECT_EQ(severity, event02::Severity::kPartial);
  EXPECT_THAT(ids, ElementsAreArray(info.invalid_document_ids));

  v1::ClientId employer;
  employer.set_type(v1::ABN);
  employer.set_value(info.payer_abn);
  ClntcommSeed link;
  link.agent_abn = "51824753556";
  link.ran = "12345678";
  link.client = employer;
  ASSERT_TRUE(sim_->clntcomm().SeedClient(link).ok());
  absl::StatusOr<clntcomm::Document> doc =
      sim_->clntcomm().Get(link.agent_abn, employer, MatchingFailureDocumentId(message_id));
  ASSERT_TRUE(doc.ok()) << doc.status();
  for (const std::string& id : info.name_mismatch_document_ids) {
    EXPECT_THAT(doc->content, HasSubstr(absl::StrCat("(", id, " | ")));
  }
  EXPECT_THAT(doc->content, Not(HasSubstr(absl::StrCat("(", info.invalid_document_ids[0], " | "))));
}

TEST_F(SimulatorTest, RejectedLodgmentPostsNoMatchingFailures) {
  payevnt::GeneratorOptions o;
  o.employees = 5;
  o.name_mismatches = 2;
  o.cancelled_employer = true;
  event02::Severity severity;
  std::vector<std::string> ids;
  LodgeAndPull(Lodgment("mismatch-rejected", o), &severity, &ids);
  EXPECT_EQ(severity, event02::Severity::kError);
  EXPECT_EQ(sim_->clntcomm().size(), 0u);
}

TEST_F(SimulatorTest, InvalidEmployerIsError) {
  payevnt::GeneratorOptions o;
  o.employees = 10;
  o.invalid_employer = true;
  event02::Severity severity;
  std::vector<std::string> ids;
  LodgeAndPull(Lodgment("bad-employer", o), &severity, &ids);
  EXPECT_EQ(severity, event02::Severity::kError);
  EXPECT_THAT(ids, ::testing::Contains("1.1"));
}

TEST_F(SimulatorTest, CancelledEmployerAbnIsError) {
  payevnt::GeneratorOptions o;
  o.employees = 5;
  o.cancelled_employer = true;
  event02::Severity severity;
  std::vector<std::string> ids;
  LodgeAndPull(Lodgment("cancelled-abn", o), &severity, &ids);
  EXPECT_EQ(severity, event02::Severity::kError);
  EXPECT_THAT(ids, ElementsAreArray({"1.1"}));
}

TEST_F(SimulatorTest, NoValidEmployeeIsError) {
  payevnt::GeneratorOptions o;
  o.employees = 4;
  o.invalid_tfns = 4;
  event02::Severity severity;
  std::vector<std::string> ids;
  LodgeAndPull(Lodgment("all-bad", o), &severity, &ids);
  EXPECT_EQ(severity, event02::Severity::kError);
  EXPECT_THAT(ids, UnorderedElementsAre("1.2", "1.3", "1.4", "1.5"));
}

TEST_F(SimulatorTest, CleanLodgmentIsInformation) {
  payevnt::GeneratorOptions o;
  o.employees = 8;
  event02::Severity severity;
  std::vector<std::string> ids;
  LodgeAndPull(Lodgment("clean", o), &severity, &ids);
  EXPECT_EQ(severity, event02::Severity::kInformation);
  EXPECT_TRUE(ids.empty());
}

TEST_F(SimulatorTest, SameMessageIdTwiceIsProcessedOnce) {
  payevnt::GeneratorOptions o;
  o.employees = 3;
  const sbr_client::LodgmentPush p = Push(Lodgment("dup", o));
  auto first = client_->Push(p);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = client_->Push(p);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(first->receipt && second->receipt);
  EXPECT_EQ(first->receipt->message_id, second->receipt->message_id);
  sim_->WaitUntilIdle();
  const SimulatorStats stats = sim_->Stats();
  EXPECT_EQ(stats.duplicate_pushes, 1);
  ASSERT_EQ(stats.messages.size(), 1u);
  EXPECT_EQ(stats.messages[0].process_count, 1);
  EXPECT_EQ(stats.messages[0].receipts_sent, 2);
}

TEST_F(SimulatorTest, LostReceiptThenResendIsProcessedOnce) {
  payevnt::GeneratorOptions o;
  o.employees = 3;
  const sbr_client::LodgmentPush p = Push(Lodgment("lost", o));
  sim_->SetFaults({.lose_receipts = 1});
  auto lost = client_->Push(p);
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(IsTransient(lost.status())) << lost.status();
  auto resent = client_->Push(p);
  ASSERT_TRUE(resent.ok()) << resent.status();
  EXPECT_TRUE(resent->receipt.has_value());
  sim_->WaitUntilIdle();
  EXPECT_EQ(sim_->Message(p.message_id)->process_count, 1);
}

TEST_F(SimulatorTest, HeldReceiptThenResendIsProcessedOnce) {
  payevnt::GeneratorOptions o;
  o.employees = 3;
  const sbr_client::LodgmentPush p = Push(Lodgment("held", o));
  sim_->SetFaults({.hold_receipts = true});
  std::thread sender([&] { client_->Push(p).IgnoreError(); });  // its receipt never comes
  for (int i = 0; i < 500 && !sim_->Message(p.message_id); ++i)
    absl::SleepFor(absl::Milliseconds(10));
  ASSERT_TRUE(sim_->Message(p.message_id).has_value());
  sim_->SetFaults({});
  sender.join();
  auto resent = client_->Push(p);
  ASSERT_TRUE(resent.ok()) << resent.status();
  sim_->WaitUntilIdle();
  EXPECT_EQ(sim_->Message(p.message_id)->process_count, 1);
  EXPECT_EQ(sim_->Stats().duplicate_pushes, 1);
}

TEST_F(SimulatorTest, ReceiptsHeldOverAPayloadSizeLetSmallerPushesThrough) {
  payevnt::GeneratorOptions big_options;
  big_options.employees = 400;
  const sbr_client::LodgmentPush big = Push(Lodgment("big", big_options));
  payevnt::GeneratorOptions small_options;
  small_options.employees = 2;
  small_options.seed = 2;
  const sbr_client::LodgmentPush small = Push(Lodgment("small", small_options));
  sim_->SetFaults({.hold_receipts_over_bytes = 20'000});
  absl::Notification big_answered;
  std::thread sender([&] {
    auto pushed = client_->Push(big);
    EXPECT_TRUE(pushed.ok()) << pushed.status();
    big_answered.Notify();
  });
  for (int i = 0; i < 500 && !sim_->Message(big.message_id); ++i)
    absl::SleepFor(absl::Milliseconds(10));
  ASSERT_TRUE(sim_->Message(big.message_id).has_value());
  auto answered = client_->Push(small);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_TRUE(answered->receipt.has_value());
  EXPECT_FALSE(big_answered.WaitForNotificationWithTimeout(absl::Milliseconds(200)));
  // Raised past the big payload: its receipt goes.
  sim_->SetFaults({.hold_receipts_over_bytes = 100'000'000});
  sender.join();
  EXPECT_TRUE(big_answered.HasBeenNotified());
}

TEST_F(SimulatorTest, RestartOnTheSameDataDirKeepsWhatWasReceived) {
  payevnt::GeneratorOptions o;
  o.employees = 4;
  o.invalid_tfns = 1;
  payevnt::GeneratedLodgment info;
  const sbr_client::LodgmentPush p = Push(Lodgment("restart", o, &info));
  auto first = client_->Push(p);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first->receipt.has_value()) << Describe(first->errors);
  sim_->WaitUntilIdle();
  auto early = client_->Pull(p.message_id);
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->kind, sbr_client::PullOutcome::Kind::kNothingYet);

  Restart(config_);
  clock_.Advance(absl::Minutes(1));
  auto pulled = client_->Pull(p.message_id);
  ASSERT_TRUE(pulled.ok()) << pulled.status();
  ASSERT_EQ(pulled->kind, sbr_client::PullOutcome::Kind::kResponse) << Describe(pulled->errors);
  EXPECT_EQ(pulled->response_message.ref_to_message_id, p.message_id);
  auto again = client_->Push(p);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE(again->receipt.has_value()) << Describe(again->errors);
  EXPECT_EQ(again->receipt->message_id, first->receipt->message_id);
  sim_->WaitUntilIdle();

  const SimulatorStats stats = sim_->Stats();
  EXPECT_EQ(stats.pushes, 2);
  EXPECT_EQ(stats.duplicate_pushes, 1);
  EXPECT_EQ(stats.pulls, 2);
  EXPECT_EQ(stats.early_pulls, 1);
  ASSERT_EQ(stats.messages.size(), 1u);
  const MessageReport& m = stats.messages[0];
  EXPECT_EQ(m.message_id, p.message_id);
  EXPECT_EQ(m.process_count, 1);
  EXPECT_EQ(m.receipts_sent, 2);
  EXPECT_TRUE(m.processed);
  EXPECT_EQ(m.employees, 4);
  EXPECT_EQ(m.maximum, event02::Severity::kPartial);
  EXPECT_THAT(m.rejected_document_ids, ElementsAreArray(info.invalid_document_ids));
  ASSERT_EQ(m.pulls.size(), 2u);
  EXPECT_EQ(m.pulls[0].result, "nothing-yet");
  EXPECT_TRUE(m.pulls[0].early);
  EXPECT_EQ(m.pulls[1].result, "response");
}

TEST_F(SimulatorTest, MessageQueuedWhenStoppedIsProcessedAfterRestart) {
  SimulatorConfig receiving_only = config_;
  receiving_only.processing_threads = 0;
  Restart(receiving_only);
  payevnt::GeneratorOptions o;
  o.employees = 3;
  const sbr_client::LodgmentPush p = Push(Lodgment("queued", o));
  auto pushed = client_->Push(p);
  ASSERT_TRUE(pushed.ok()) << pushed.status();
  ASSERT_TRUE(pushed->receipt.has_value()) << Describe(pushed->errors);
  ASSERT_TRUE(sim_->Message(p.message_id).has_value());
  EXPECT_EQ(sim_->Message(p.message_id)->process_count, 0);

  Restart(config_);
  sim_->WaitUntilIdle();
  std::optional<MessageReport> report = sim_->Message(p.message_id);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->processed);
  EXPECT_EQ(report->process_count, 1);
  EXPECT_EQ(report->maximum, event02::Severity::kInformation);
  clock_.Advance(absl::Minutes(1));
  auto pulled = client_->Pull(p.message_id);
  ASSERT_TRUE(pulled.ok()) << pulled.status();
  EXPECT_EQ(pulled->kind, sbr_client::PullOutcome::Kind::kResponse);
}

// A small pay event and its response are the message's record, saved with
// the push and the processing, and make no file; a large one's are files.
// Either way a restarted simulator processes what it received and answers
// pulls with it.
TEST_F(SimulatorTest, SmallPayloadsAndResponsesLiveInTheRecordLargeOnesInFiles) {
  auto files_in = [this](const char* dir) {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(config_.data_dir + "/" + dir)) {
      n += e.is_regular_file();
    }
    return n;
  };
  SimulatorConfig receiving_only = config_;
  receiving_only.processing_threads = 0;
  Restart(receiving_only);
  payevnt::GeneratorOptions small;
  small.employees = 5;
  payevnt::GeneratorOptions large;
  large.employees = 4000;
  large.invalid_tfns = 3000;  // a response of 3,000 rejected records
  const sbr_client::LodgmentPush small_push = Push(Lodgment("small", small));
  const sbr_client::LodgmentPush large_push = Push(Lodgment("large", large));
  constexpr uint64_t kInRecordBytes = 16 << 10;  // agency_state.h's
  ASSERT_LT(*small_push.payload_gzip.Size(), kInRecordBytes);
  ASSERT_GT(*large_push.payload_gzip.Size(), kInRecordBytes);
  for (const sbr_client::LodgmentPush& p : {small_push, large_push}) {
    auto pushed = client_->Push(p);
    ASSERT_TRUE(pushed.ok()) << pushed.status();
    ASSERT_TRUE(pushed->receipt.has_value()) << Describe(pushed->errors);
  }
  EXPECT_EQ(files_in("payloads"), 1);
  EXPECT_EQ(files_in("spool"), 0);

  Restart(config_);  // processes both, the small one from its record
  sim_->WaitUntilIdle();
  EXPECT_EQ(files_in("responses"), 1);
  Restart(config_);
  clock_.Advance(absl::Minutes(10));
  for (const sbr_client::LodgmentPush& p : {small_push, large_push}) {
    auto pulled = client_->Pull(p.message_id);
    ASSERT_TRUE(pulled.ok()) << pulled.status();
    ASSERT_EQ(pulled->kind, sbr_client::PullOutcome::Kind::kResponse) << Describe(pulled->errors);
  }
  EXPECT_EQ(sim_->Message(small_push.message_id)->maximum, event02::Severity::kInformation);
  EXPECT_EQ(sim_->Message(large_push.message_id)->maximum, event02::Severity::kPartial);
  EXPECT_EQ(sim_->Message(large_push.message_id)->rejected_document_ids.size(), 3000u);
}

TEST_F(SimulatorTest, ProcessingCutShortByAStopIsCountedApart) {
  SimulatorConfig receiving_only = config_;
  receiving_only.processing_threads = 0;
  Restart(receiving_only);
  payevnt::GeneratorOptions o;
  o.employees = 2;
  const sbr_client::LodgmentPush p = Push(Lodgment("interrupted", o));
  auto pushed = client_->Push(p);
  ASSERT_TRUE(pushed.ok()) << pushed.status();
  ASSERT_TRUE(pushed->receipt.has_value()) << Describe(pushed->errors);
  StopSimulator();
  // As a simulator killed during processing leaves it: started, not done.
  {
    auto store = SimStateStore::Open(config_.data_dir + "/state");
    ASSERT_TRUE(store.ok()) << store.status();
    auto saved = (*store)->Load();
    ASSERT_TRUE(saved.ok()) << saved.status();
    ASSERT_EQ(saved->messages.size(), 1u);
    state::Message m = saved->messages[0];
    m.set_process_count(1);
    ASSERT_TRUE((*store)->Save(saved->counters, m).ok());
  }

  Restart(config_);
  sim_->WaitUntilIdle();
  std::optional<MessageReport> report = sim_->Message(p.message_id);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->processed);
  EXPECT_EQ(report->process_count, 2);
  EXPECT_EQ(report->interrupted_count, 1);
  // And it stays counted across later restarts.
  Restart(config_);
  EXPECT_EQ(sim_->Message(p.message_id)->interrupted_count, 1);
}

// A gzip payload with the given bytes.
std::string GzipFile(const std::string& path, const std::string& content) {
  auto file = FileSink::Create(path);
  EXPECT_TRUE(file.ok());
  GzipSink gz(std::unique_ptr<ByteSink>(std::move(*file)));
  EXPECT_TRUE(gz.Write(content).ok());
  EXPECT_TRUE(gz.Close().ok());
  return path;
}

TEST_F(SimulatorTest, MaliciousPayloadsAreRejectedWithAClearError) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  const std::vector<std::pair<std::string, std::string>> attacks = {
      {"external-entity",
       "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "
       "\"file:///etc/passwd\">]><r>&x;</r>"},
      {"billion-laughs",
       "<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
       "\"&a;&a;&a;&a;&a;&a;&a;&a;\">"
       "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><l>&c;</l>"},
      {"deep-nesting", "<PayEventLodgment xmlns=\"http://sbrgate.dev/ns/lodgment\">" + deep},
      {"huge-text", "<PayEventLodgment xmlns=\"http://sbrgate.dev/ns/lodgment\">" +
                        std::string(12 << 20, 'x') + "</PayEventLodgment>"},
  };
  for (const auto& [name, content] : attacks) {
    SCOPED_TRACE(name);
    const std::string payload = GzipFile(absl::StrCat(dir_, "/", name, ".gz"), content);
    const sbr_client::LodgmentPush p = Push(payload);
    auto pushed = client_->Push(p);
    ASSERT_TRUE(pushed.ok()) << pushed.status();
    ASSERT_TRUE(pushed->receipt.has_value());
    sim_->WaitUntilIdle();
    auto report = sim_->Message(p.message_id);
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->maximum, event02::Severity::kError);
  }
}

TEST_F(SimulatorTest, EnvelopeWithADtdIsRefused) {
  const std::string envelope =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<S:Envelope "
      "xmlns:S=\"http://www.w3.org/2003/05/soap-envelope\"><S:Body>&x;</S:Body></S:Envelope>";
  ebms_package::OutboundMessage out;
  out.body = std::make_unique<mime::MultipartSource>(mime::SoapPart{"root@t", envelope},
                                                     std::vector<mime::Attachment>());
  out.content_type = out.body->content_type_header();
  out.content_length = out.body->content_length();
  sbr_client::HttpsTransport transport({pki_.ca_cert, pki_.client_cert, pki_.client_key});
  sbr_client::HttpRequest req;
  req.url = sim_->base_url() + "/BulkBatch-async-push";
  req.headers = {{"Content-Type", out.content_type}};
  req.body = out.body.get();
  req.content_length = out.content_length;
  StringSink body;
  auto resp = transport.Post(req, body);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 500);
  EXPECT_THAT(body.data(), HasSubstr("EBMS:0009"));
  EXPECT_THAT(body.data(), HasSubstr("DTD"));
  EXPECT_TRUE(sim_->Stats().messages.empty());
}

TEST_F(SimulatorTest, FaultModesParseFromJson) {
  FaultModes f;
  ASSERT_TRUE(
      MergeFaultsJson(R"({"unavailable": true, "lose_receipts": 2, "slow_factor": 3})", f).ok());
  EXPECT_TRUE(f.unavailable);
  EXPECT_EQ(f.lose_receipts, 2);
  EXPECT_EQ(f.slow_factor, 3);
  EXPECT_THAT(MergeFaultsJson(R"({"unavialable": true})", f).message(),
              HasSubstr("unknown fault mode"));
  EXPECT_THAT(MergeFaultsJson(R"({"system_error_rate": 2})", f).message(),
              HasSubstr("between 0 and 1"));
  ASSERT_TRUE(MergeFaultsJson(R"({"hold_receipts_over_bytes": 65536})", f).ok());
  EXPECT_EQ(f.hold_receipts_over_bytes, 65536);
  EXPECT_THAT(FaultsToJson(f), HasSubstr(R"("hold_receipts_over_bytes": 65536)"));
  EXPECT_THAT(MergeFaultsJson(R"({"hold_receipts_over_bytes": -1})", f).message(),
              HasSubstr("hold_receipts_over_bytes must be a whole number >= 0"));
  EXPECT_FALSE(MergeFaultsJson("not json", f).ok());
}

TEST_F(SimulatorTest, UnavailableIsTransient) {
  payevnt::GeneratorOptions o;
  const sbr_client::LodgmentPush p = Push(Lodgment("down", o));
  sim_->SetFaults({.unavailable = true});
  auto pushed = client_->Push(p);
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kUnavailable);
  sim_->SetFaults({});
  EXPECT_TRUE(client_->Push(p).ok());
}

TEST_F(SimulatorTest, RefusedConnectionsAreTransientAndRecover) {
  payevnt::GeneratorOptions o;
  const sbr_client::LodgmentPush p = Push(Lodgment("refused", o));
  sim_->SetFaults({.refuse_connections = true});
  auto pushed = client_->Push(p);
  ASSERT_FALSE(pushed.ok());
  EXPECT_TRUE(IsTransient(pushed.status())) << pushed.status();
  sim_->SetFaults({});
  auto again = client_->Push(p);
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST_F(SimulatorTest, SystemErrorRateAnswersSystemError) {
  sim_->SetFaults({.system_error_rate = 1.0});
  payevnt::GeneratorOptions o;
  o.employees = 2;
  event02::Severity severity;
  std::vector<std::string> ids;
  LodgeAndPull(Lodgment("syserr", o), &severity, &ids);
  EXPECT_EQ(severity, event02::Severity::kSystemError);
}

// Posts a packaged message directly, bypassing SbrClient's signing.
absl::StatusOr<std::string> RawPost(const std::string& url, const sbr_client::TlsConfig& tls,
                                    ebms_package::OutboundMessage& out) {
  sbr_client::HttpsTransport transport(tls);
  sbr_client::HttpRequest req;
  req.url = url;
  req.headers = {{"Content-Type", out.content_type}};
  req.body = out.body.get();
  req.content_length = out.content_length;
  req.connect_timeout = absl::Seconds(5);
  req.total_timeout = absl::Seconds(30);
  StringSink body;
  auto resp = transport.Post(req, body);
  if (!resp.ok()) return resp.status();
  return absl::StrCat(resp->status, " ", body.data());
}

class RefusedPushTest : public SimulatorTest {
 protected:
  ebms::Envelope PushEnvelope(const std::string& cid) {
    ebms::Envelope e;
    ebms::UserMessage& m = e.messaging.user_messages.emplace_back();
    m.message_id = ebms::NewMessageId("test.sbrgate");
    m.timestamp = clock_.Now();
    m.from = {"51824753556", ebms::kPartyTypeAbn, ebms::kRoleBusiness};
    m.to = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
    m.service = ebms::kServicePayevnt;
    m.action = ebms::kActionPayevntSubmit;
    m.conversation_id = NewUuid();
    m.parts.push_back({"cid:" + cid, {{"DocumentType", "PAYEVNT"}}});
    return e;
  }

  void ExpectNothingProcessed() {
    sim_->WaitUntilIdle();
    const SimulatorStats stats = sim_->Stats();
    EXPECT_TRUE(stats.messages.empty());
  }
};

TEST_F(RefusedPushTest, UnsignedPushIsRefused) {
  const std::string payload = Lodgment("unsigned", payevnt::GeneratorOptions());
  auto out = ebms_package::PackageMessage(PushEnvelope("p1"), nullptr,
                                          {{"p1", "application/gzip", StoredBytes::File(payload)}});
  ASSERT_TRUE(out.ok());
  auto answer = RawPost(sim_->base_url() + "/BulkBatch-async-push",
                        {pki_.ca_cert, pki_.client_cert, pki_.client_key}, *out);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_THAT(*answer, HasSubstr("500 "));
  EXPECT_THAT(*answer, HasSubstr("EBMS:0101"));
  EXPECT_THAT(*answer, HasSubstr("not signed"));
  ExpectNothingProcessed();
}

TEST_F(RefusedPushTest, TamperedAttachmentIsRefused) {
  const std::string payload = Lodgment("tampered", payevnt::GeneratorOptions());
  auto credential = wssec::Credential::Load(pki_.client_cert, pki_.client_key);
  ASSERT_TRUE(credential.ok());
  auto out = ebms_package::PackageMessage(PushEnvelope("p2"), &*credential,
                                          {{"p2", "application/gzip", StoredBytes::File(payload)}});
  ASSERT_TRUE(out.ok()) << out.status();
  {
    // Flip one byte after signing; the size stays the same.
    std::fstream f(payload, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(20);
    char c;
    f.read(&c, 1);
    f.seekp(20);
    c ^= 0x01;
    f.write(&c, 1);
  }
  auto answer = RawPost(sim_->base_url() + "/BulkBatch-async-push",
                        {pki_.ca_cert, pki_.client_cert, pki_.client_key}, *out);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_THAT(*answer, HasSubstr("EBMS:0101"));
  EXPECT_THAT(*answer, HasSubstr("digest mismatch"));
  ExpectNothingProcessed();
}

TEST_F(RefusedPushTest, TamperedHeaderIsRefused) {
  const std::string payload = Lodgment("tampered-header", payevnt::GeneratorOptions());
  auto credential = wssec::Credential::Load(pki_.client_cert, pki_.client_key);
  ASSERT_TRUE(credential.ok());
  auto out = ebms_package::PackageMessage(PushEnvelope("p3"), &*credential,
                                          {{"p3", "application/gzip", StoredBytes::File(payload)}});
  ASSERT_TRUE(out.ok());
  std::string xml = out->envelope_xml;
  const size_t at = xml.find("Submit.004.00");
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, 13, "Update.004.00");
  auto attachment = mime::Attachment::FromFile("p3", "application/gzip", payload);
  ASSERT_TRUE(attachment.ok());
  std::vector<mime::Attachment> parts;
  parts.push_back(*std::move(attachment));
  out->body =
      std::make_unique<mime::MultipartSource>(mime::SoapPart{"root@t", xml}, std::move(parts));
  out->content_type = out->body->content_type_header();
  out->content_length = out->body->content_length();
  auto answer = RawPost(sim_->base_url() + "/BulkBatch-async-push",
                        {pki_.ca_cert, pki_.client_cert, pki_.client_key}, *out);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_THAT(*answer, HasSubstr("EBMS:0101"));
  ExpectNothingProcessed();
}

TEST_F(RefusedPushTest, UntrustedSigningCertificateIsRefused) {
  const std::string payload = Lodgment("untrusted-sig", payevnt::GeneratorOptions());
  auto credential = wssec::Credential::Load(pki_.untrusted_client_cert, pki_.untrusted_client_key);
  ASSERT_TRUE(credential.ok()) << credential.status();
  auto out = ebms_package::PackageMessage(PushEnvelope("p4"), &*credential,
                                          {{"p4", "application/gzip", StoredBytes::File(payload)}});
  ASSERT_TRUE(out.ok());
  auto answer = RawPost(sim_->base_url() + "/BulkBatch-async-push",
                        {pki_.ca_cert, pki_.client_cert, pki_.client_key}, *out);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_THAT(*answer, HasSubstr("EBMS:0101"));
  EXPECT_THAT(*answer, HasSubstr("not trusted"));
  ExpectNothingProcessed();
}

TEST_F(RefusedPushTest, UntrustedTlsClientCannotConnect) {
  auto untrusted = MakeClient(pki_.untrusted_client_cert, pki_.untrusted_client_key);
  ASSERT_NE(untrusted, nullptr);
  const std::string payload = Lodgment("untrusted-tls", payevnt::GeneratorOptions());
  auto pushed = untrusted->Push(Push(payload));
  ASSERT_FALSE(pushed.ok());
  ExpectNothingProcessed();
  EXPECT_EQ(sim_->Stats().pushes, 0);
}

}  // namespace
}  // namespace sbrgate::sim
