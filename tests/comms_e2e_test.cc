// Client-communication retrieval end to end, every piece its own process:
// the Kafka broker host (librdkafka's mock cluster), the SBR2 simulator over
// HTTPS with mutual TLS (a seeded CLNTCOMM corpus), and the comms service
// with its job stage, on a shared accelerated clock (1 s = 10 min) that
// starts at 1:30 pm Sydney time on a weekday, so that business-hours and
// night-window rules both show.
#include <signal.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "pipeline/clntcomm/rules/relationships.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/mask.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/clntcomm/service/testing.h"
#include "pipeline/topology/topology.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "proto/communications.grpc.pb.h"
#include "proto/relationships.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::sbrgate::testing::Process;

constexpr int kTimeScale = 600;
constexpr char kAgent[] = "51824753556";
constexpr char kRan[] = "12345678";
constexpr char kOtherAgent[] = "83914571641";
constexpr char kClientTfn[] = "123456782";

// 1:30 pm Sydney time on the next Tuesday at least a day from now (the
// development certificates are valid from a day ago).
absl::Time StartOfTest() {
  const absl::TimeZone& tz = clntcomm::SydneyTimeZone();
  absl::CivilDay day = absl::ToCivilDay(absl::Now(), tz) + 2;
  while (absl::GetWeekday(day) != absl::Weekday::tuesday) ++day;
  return absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), 13, 30), tz);
}

class CommsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(absl::StrCat(::testing::TempDir(), "/comms-e2e"));
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", *dir_, " && mkdir -p ", *dir_).c_str()), 0);
    auto pki = pki::MakeDevPki(*dir_ + "/pki");
    ASSERT_TRUE(pki.ok()) << pki.status();
    log_ = new std::string(*dir_ + "/processes.log");
    start_ = StartOfTest();
    const std::vector<std::string> clock = {
        absl::StrCat("--time-scale=", kTimeScale),
        absl::StrCat("--clock-epoch=", absl::ToUnixSeconds(absl::Now())),
        "--clock-start=" + absl::FormatTime(absl::RFC3339_full, start_, absl::UTCTimeZone())};

    // The host creates the topology's topics.
    kafka_ = Start("services/kafka-host/kafka-host",
                   {"--kafka-config-out=" + *dir_ + "/kafka.properties"});
    bootstrap_ = new std::string(JsonField(Ready(kafka_), "bootstrap"));
    ASSERT_FALSE(bootstrap_->empty());

    std::vector<std::string> sim_args = {"--cert=" + pki->server_cert,
                                         "--key=" + pki->server_key,
                                         "--client-ca=" + pki->ca_cert,
                                         "--data-dir=" + *dir_ + "/sim",
                                         "--processing-base=10m"};
    sim_args.insert(sim_args.end(), clock.begin(), clock.end());
    sim_ = Start("services/sbr-sim/sbr-sim", sim_args);
    const std::string sim_ready = Ready(sim_);
    admin_ = new std::string(JsonField(sim_ready, "admin"));
    Seed();

    const std::string permissions = *dir_ + "/permissions.csv";
    ASSERT_TRUE(WriteFileDurably(permissions, absl::StrCat("# practice users\n", kAgent,
                                                           ",alice,Client.Corro.View\n", kAgent,
                                                           ",bob,Client.Lodge\n", kOtherAgent,
                                                           ",carol,Client.Corro.View\n"))
                    .ok());
    std::vector<std::string> comms_args = {
        "--kafka-config=" + *dir_ + "/kafka.properties", "--kafka-brokers=" + *bootstrap_,
        "--data-dir=" + *dir_ + "/data", "--instance-id=e2e", "--grpc-listen=127.0.0.1:0", "--grpc-insecure-loopback",
        "--sbr-endpoint=" + JsonField(sim_ready, "endpoint"), "--cert=" + pki->client_cert,
        "--key=" + pki->client_key, "--ca=" + pki->ca_cert, "--comms-permissions=" + permissions};
    comms_args.insert(comms_args.end(), clock.begin(), clock.end());
    comms_args_ = new std::vector<std::string>(std::move(comms_args));
    StartComms();
  }

  static void StartComms() {
    comms_ = Start("services/clntcomm/clntcomm", *comms_args_);
    const std::string grpc = JsonField(Ready(comms_), "grpc");
    delete grpc_;
    grpc_ = new std::string(grpc);
    delete stub_;
    stub_ = v1::CommunicationService::NewStub(
                grpc::CreateChannel(grpc, grpc::InsecureChannelCredentials()))
                .release();
  }

  static void SimFaults(const std::string& json) {
    httplib::Client admin(*admin_);
    auto res = admin.Post("/admin/faults", json, "application/json");
    ASSERT_TRUE(res && res->status == 200);
  }

  // The CLNTCOMM get messages SBR has received.
  static std::set<std::string> SimGetMessages() {
    std::set<std::string> ids;
    const nlohmann::json stats = SimStats();
    for (const auto& m : stats["messages"]) {
      if (m["action"] == "Get.001.00") ids.insert(m["message_id"].get<std::string>());
    }
    return ids;
  }

  static nlohmann::json SimMessage(const std::string& message_id) {
    const nlohmann::json stats = SimStats();
    for (const auto& m : stats["messages"]) {
      if (m["message_id"] == message_id) return m;
    }
    return nlohmann::json();
  }

  static void TearDownTestSuite() {
    delete stub_;
    for (Process* p : {comms_, sim_, kafka_}) delete p;
  }

  static Process* Start(const std::string& binary, const std::vector<std::string>& args) {
    return testing::StartOrFail(binary, args, *log_);
  }

  static std::string Ready(Process* p) { return testing::ReadyLineOrFail(p, *log_); }

  // The practice: one client at client level with 150 communications, one
  // at account level (an activity statement account), and another practice
  // with no link to either.
  static void Seed() {
    const nlohmann::json seeds = nlohmann::json::array({
        {{"agent_abn", kAgent}, {"ran", kRan},
         {"client", {{"type", "TFN"}, {"value", kClientTfn}}},
         {"name", "Alex Citizen"}, {"count", 150}, {"seed", 7}, {"level", "client"},
         {"from", "2020-01-01"}, {"to", "2026-11-30"}},
        {{"agent_abn", kAgent}, {"ran", kRan}, {"count", 60}, {"seed", 8},
         {"level", "account"}, {"accounts", {"AS:001"}},
         {"item_accounts", {"IT", "AS:001", "AS:002"}},
         {"from", "2020-01-01"}, {"to", "2026-11-30"}},
        {{"agent_abn", kOtherAgent}, {"ran", "87654321"}, {"count", 1}, {"seed", 9}},
    });
    httplib::Client admin(*admin_);
    auto res = admin.Post("/admin/clntcomm/seed", seeds.dump(), "application/json");
    ASSERT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    const nlohmann::json seeded = nlohmann::json::parse(res->body)["seeded"];
    account_client_ = new std::string(seeded[1]["client"].get<std::string>());
  }

  static nlohmann::json SimStats() {
    httplib::Client admin(*admin_);
    auto res = admin.Get("/admin/stats");
    EXPECT_TRUE(res && res->status == 200);
    return res ? nlohmann::json::parse(res->body) : nlohmann::json();
  }

  static v1::AgentContext Agent(const std::string& user = "alice",
                                const std::string& abn = kAgent) {
    v1::AgentContext a;
    a.set_agent_abn(abn);
    a.set_ran(abn == kAgent ? kRan : "87654321");
    a.set_user_id(user);
    return a;
  }

  static v1::ClientId Client(const std::string& key) {
    v1::ClientId c;
    const size_t colon = key.find(':');
    v1::ClientIdType type;
    v1::ClientIdType_Parse(key.substr(0, colon), &type);
    c.set_type(type);
    c.set_value(key.substr(colon + 1));
    return c;
  }

  static v1::ListCommunicationsRequest ListOf(const std::string& client_key) {
    v1::ListCommunicationsRequest r;
    *r.mutable_agent() = Agent();
    *r.add_clients() = Client(client_key);
    r.set_from_date("2020-01-01");
    r.set_to_date("2026-12-01");
    for (v1::Channel c : {v1::PAPER, v1::MYGOV, v1::SMS, v1::EMAIL, v1::AGENT_DIGITAL,
                          v1::ATO_ONLINE}) {
      r.add_channels(c);
    }
    return r;
  }

  static grpc::Status QuickList(const v1::ListCommunicationsRequest& r,
                                v1::ListCommunicationsResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    return stub_->QuickList(&ctx, r, out);
  }

  // Waits for a job to finish (through WatchJob).
  static v1::Job AwaitJob(const std::string& id, absl::Duration timeout = absl::Seconds(120)) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    v1::GetJobRequest req;
    req.set_job_id(id);
    auto reader = stub_->WatchJob(&ctx, req);
    v1::Job job;
    while (reader->Read(&job)) {
      if (job.state() == v1::DONE || job.state() == v1::FAILED) return job;
    }
    ADD_FAILURE() << "job " << id << " still " << v1::JobState_Name(job.state()) << " ("
                  << job.detail() << "): " << reader->Finish().error_message() << "; see "
                  << *log_;
    return job;
  }

  static inline std::string* dir_ = nullptr;
  static inline std::string* log_ = nullptr;
  static inline std::string* bootstrap_ = nullptr;
  static inline std::string* admin_ = nullptr;
  static inline std::string* account_client_ = nullptr;
  static inline std::string* grpc_ = nullptr;
  static inline absl::Time start_;
  static inline Process* kafka_ = nullptr;
  static inline Process* sim_ = nullptr;
  static inline Process* comms_ = nullptr;
  static inline v1::CommunicationService::Stub* stub_ = nullptr;
  static inline std::vector<v1::CommunicationItem>* listed_ = nullptr;
  static inline std::vector<std::string>* comms_args_ = nullptr;
};

// The practices' process serves client management too: its relationships
// with the clients the ATO holds (CUREL), over the same SBR client.
TEST_F(CommsE2eTest, TheProcessAlsoServesClientRelationships) {
  auto relationships = v1::RelationshipService::NewStub(
      grpc::CreateChannel(*grpc_, grpc::InsecureChannelCredentials()));
  v1::ListRelationshipsRequest r;
  r.mutable_agent()->set_agent_abn(kAgent);
  r.mutable_agent()->set_ran(kRan);
  r.mutable_agent()->set_user_id("alice");
  grpc::ClientContext ctx;
  v1::ListRelationshipsResponse listed;
  const grpc::Status s = relationships->ListRelationships(&ctx, r, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::set<std::string> links;
  for (const v1::Relationship& l : listed.relationships()) {
    links.insert(absl::StrCat(v1::ClientIdType_Name(l.client().type()), ":", l.client().value(),
                              " ", v1::RelationshipLevel_Name(l.level()), " ", l.account()));
  }
  EXPECT_EQ(links, (std::set<std::string>{absl::StrCat("TFN:", kClientTfn, " CLIENT "),
                                          absl::StrCat(*account_client_, " ACCOUNT AS:001")}));
}

TEST_F(CommsE2eTest, QuickListReturnsTheFirstHundredAndSaysThereIsMore) {
  v1::ListCommunicationsResponse page;
  grpc::Status s = QuickList(ListOf(absl::StrCat("TFN:", kClientTfn)), &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(page.items_size(), 100);
  EXPECT_TRUE(page.more_results());
}

TEST_F(CommsE2eTest, RequestsPastTheLimitsAreRefusedNamingTheField) {
  v1::ListCommunicationsRequest whole_practice = ListOf(absl::StrCat("TFN:", kClientTfn));
  whole_practice.clear_clients();
  whole_practice.set_from_date("2026-01-01");
  whole_practice.set_to_date("2026-01-08");  // 8 days
  v1::ListCommunicationsResponse page;
  grpc::Status s = QuickList(whole_practice, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(comms::BadRequestFields(s).empty()) << s.error_message();

  v1::ListCommunicationsRequest no_channel = ListOf(absl::StrCat("TFN:", kClientTfn));
  no_channel.clear_channels();
  no_channel.add_categories(v1::NOTIFY);
  no_channel.add_categories(v1::LEGAL);
  s = QuickList(no_channel, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::vector<std::string> fields = comms::BadRequestFields(s);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "channels"), fields.end()) << s.error_message();
  EXPECT_NE(std::find(fields.begin(), fields.end(), "categories"), fields.end())
      << s.error_message();
  EXPECT_EQ(SimStats()["clntcomm_refused"], 0);  // refused before SBR
}

TEST_F(CommsE2eTest, PracticeUsersNeedClientCorroView) {
  v1::ListCommunicationsRequest r = ListOf(absl::StrCat("TFN:", kClientTfn));
  *r.mutable_agent() = Agent("bob");
  v1::ListCommunicationsResponse page;
  grpc::Status s = QuickList(r, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_NE(s.error_message().find("Client.Corro.View"), std::string::npos);
}

TEST_F(CommsE2eTest, TheAtoShowsWhatEachRelationshipLevelAllows) {
  // Account level, activity statement account: that account's items and
  // the PAYG instalment items, nothing else.
  v1::ListCommunicationsResponse page;
  grpc::Status s = QuickList(ListOf(*account_client_), &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GT(page.items_size(), 0);
  for (const v1::CommunicationItem& i : page.items()) {
    EXPECT_TRUE(i.account() == "AS:001" || clntcomm::IsPaygInstalmentTitle(i.title()))
        << i.document_id() << " " << i.account() << " " << i.title();
  }
  // No link: the other practice sees nothing of this client.
  v1::ListCommunicationsRequest other = ListOf(absl::StrCat("TFN:", kClientTfn));
  *other.mutable_agent() = Agent("carol", kOtherAgent);
  s = QuickList(other, &page);
  EXPECT_TRUE(s.ok() ? page.items_size() == 0
                     : s.error_code() == grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();
}

TEST_F(CommsE2eTest, SmsOnlyBulkWorkRunsAtOnceInBusinessHours) {
  v1::ListCommunicationsRequest r = ListOf(absl::StrCat("TFN:", kClientTfn));
  r.clear_channels();
  r.add_channels(v1::SMS);
  grpc::ClientContext ctx;
  v1::Job job;
  grpc::Status s = stub_->StartBulkList(&ctx, r, &job);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(FromProto(job.not_before()), FromProto(job.created_at()));
  EXPECT_LT(FromProto(job.created_at()), start_ + absl::Hours(4));  // still business hours
  const v1::Job done = AwaitJob(job.job_id());
  EXPECT_EQ(done.state(), v1::DONE) << done.detail();
  for (const v1::CommunicationItem& i : done.items()) EXPECT_EQ(i.channel(), v1::SMS);
}

TEST_F(CommsE2eTest, BulkListAskedForInTheAfternoonRunsAtEightPmAndListsEveryMatch) {
  grpc::ClientContext ctx;
  v1::Job job;
  v1::ListCommunicationsRequest list = ListOf(absl::StrCat("TFN:", kClientTfn));
  list.mutable_clients(0)->set_reference("SMITH01");  // the practice's own
  grpc::Status s = stub_->StartBulkList(&ctx, list, &job);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(job.state(), v1::SCHEDULED);
  const absl::TimeZone& tz = clntcomm::SydneyTimeZone();
  const absl::CivilSecond window = absl::ToCivilSecond(FromProto(job.not_before()), tz);
  EXPECT_EQ(window, absl::CivilSecond(absl::ToCivilDay(start_, tz)) + 20 * 3600);
  const v1::Job done = AwaitJob(job.job_id());
  ASSERT_EQ(done.state(), v1::DONE) << done.detail();
  EXPECT_GE(FromProto(done.finished_at()), FromProto(job.not_before()));
  EXPECT_EQ(done.item_count(), 150);
  ASSERT_EQ(done.items_size(), 150);
  for (const v1::CommunicationItem& i : done.items()) {
    EXPECT_EQ(i.client().reference(), "SMITH01") << i.document_id();
  }
  listed_ = new std::vector<v1::CommunicationItem>(done.items().begin(), done.items().end());
}

TEST_F(CommsE2eTest, BulkGetRetrievesEachDocumentOnceThenServesRepeatsFromTheStore) {
  ASSERT_NE(listed_, nullptr) << "needs the bulk list";
  v1::BulkGetRequest get;
  *get.mutable_agent() = Agent();
  for (const v1::CommunicationItem& i : *listed_) {
    v1::GetCommunicationRequest* d = get.add_documents();
    *d->mutable_client() = i.client();
    d->mutable_client()->clear_reference();  // the job stage remembers it
    d->set_document_id(i.document_id());
  }
  const nlohmann::json before = SimStats();
  v1::Job job;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->StartBulkGet(&ctx, get, &job);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::Job done = AwaitJob(job.job_id());
  ASSERT_EQ(done.state(), v1::DONE) << done.detail();
  EXPECT_EQ(done.document_count(), 150);
  EXPECT_EQ(done.served_from_store(), 0);
  nlohmann::json after = SimStats();
  EXPECT_EQ(after["clntcomm_documents"].get<int>() - before["clntcomm_documents"].get<int>(), 150);

  // One event per retrieved document on the documents topic, naming the
  // client by its masked TFN and the practice's reference.
  kafka::KafkaConfig k;
  k.bootstrap = *bootstrap_;
  auto reader = kafka::TopicReader::Create(k);
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::set<std::string> events;
  const absl::Status read =
      (*reader)->ReadAll(comms::topics::kDocuments, [&](const kafka::TopicRecord& r) {
        v1::CommunicationRetrieved e;
        if (!e.ParseFromString(r.value)) {
          return absl::DataLossError("not a CommunicationRetrieved");
        }
        if (e.item().client().value() != MaskIdentifier(kClientTfn) ||
            e.item().client().reference() != "SMITH01") {
          return absl::InternalError(
              absl::StrCat("event names its client as ", e.item().client().ShortDebugString()));
        }
        events.insert(e.item().document_id());
        return absl::OkStatus();
      });
  ASSERT_TRUE(read.ok()) << read;
  EXPECT_EQ(events.size(), 150u);

  // Again: every document from the store, SBR not asked.
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->StartBulkGet(&ctx, get, &job);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  done = AwaitJob(job.job_id());
  ASSERT_EQ(done.state(), v1::DONE) << done.detail();
  EXPECT_EQ(done.served_from_store(), 150);
  const nlohmann::json again = SimStats();
  EXPECT_EQ(again["clntcomm_documents"], after["clntcomm_documents"]);
  EXPECT_EQ(again["clntcomm_bulk"], after["clntcomm_bulk"]);

  // A single get of one of them: from the store, and its bytes download.
  v1::GetCommunicationRequest one = get.documents(0);
  *one.mutable_agent() = Agent();
  v1::Communication c;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->GetCommunication(&ctx, one, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_TRUE(c.served_from_store());
  grpc::ClientContext ctx;
  v1::DownloadDocumentRequest download;
  *download.mutable_agent() = Agent();
  download.set_document_id(one.document_id());
  auto chunks = stub_->DownloadDocument(&ctx, download);
  Sha256 hash;
  int64_t size = 0;
  v1::DocumentChunk chunk;
  while (chunks->Read(&chunk)) {
    hash.Update(chunk.data());
    size += chunk.data().size();
  }
  ASSERT_TRUE(chunks->Finish().ok());
  EXPECT_EQ(size, c.size());
  EXPECT_EQ(hash.Hex(), c.sha256());
  EXPECT_EQ(SimStats()["clntcomm_gets"], again["clntcomm_gets"]);
}

TEST_F(CommsE2eTest, KilledWhileSbrHoldsTheReceiptTheJobResendsTheSameMessageOnce) {
  // After the bulk list, so the night window is open: the job runs at once.
  ASSERT_NE(listed_, nullptr) << "needs the bulk list";
  v1::ListCommunicationsResponse page;
  grpc::Status s = QuickList(ListOf(*account_client_), &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GT(page.items_size(), 0);
  v1::BulkGetRequest get;
  *get.mutable_agent() = Agent();
  for (const v1::CommunicationItem& i : page.items()) {
    v1::GetCommunicationRequest* d = get.add_documents();
    *d->mutable_client() = i.client();
    d->set_document_id(i.document_id());
  }
  const std::set<std::string> before = SimGetMessages();
  SimFaults(R"({"hold_receipts": true})");
  v1::Job job;
  {
    grpc::ClientContext ctx;
    s = stub_->StartBulkGet(&ctx, get, &job);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // Wait until SBR has the request (and is holding its receipt).
  std::string message_id;
  for (int i = 0; i < 300 && message_id.empty(); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    for (const std::string& id : SimGetMessages()) {
      if (before.count(id) == 0) message_id = id;
    }
  }
  if (message_id.empty()) {
    grpc::ClientContext ctx;
    v1::GetJobRequest req;
    req.set_job_id(job.job_id());
    v1::Job now;
    stub_->GetJob(&ctx, req, &now);
    FAIL() << "SBR never received the bulk get; job " << v1::JobState_Name(now.state()) << " ("
           << now.detail() << "); see " << *log_;
  }
  comms_->Kill(SIGKILL);
  comms_->Wait();
  delete comms_;
  SimFaults(R"({"hold_receipts": false})");
  StartComms();

  const v1::Job done = AwaitJob(job.job_id());
  ASSERT_EQ(done.state(), v1::DONE) << done.detail();
  EXPECT_EQ(done.document_count(), page.items_size());
  EXPECT_EQ(done.served_from_store(), 0);
  const nlohmann::json m = SimMessage(message_id);
  EXPECT_EQ(m["process_count"], 1);
  EXPECT_GE(m["receipts_sent"].get<int>(), 2);
  std::set<std::string> after = SimGetMessages();
  for (const std::string& id : before) after.erase(id);
  EXPECT_EQ(after, std::set<std::string>{message_id});  // no second message
}

}  // namespace
}  // namespace sbrgate
