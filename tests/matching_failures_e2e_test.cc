// TFN matching failures across processes (seed 002: "Matching failures result
// in messages being posted against the employer record"): sbrgated-sandbox
// with its embedded SBR2 simulator, on a scaled clock that starts at 10 am
// Sydney time, lodges a pay event whose payees include TFNs the ATO holds
// under other names. The lodgment is ACCEPTED with no rejected records, and
// a tax practice linked to the employer at client level finds the ATO's
// correspondence about the failures through sbrgate's CommunicationService,
// TFNs masked; a practice with no link to the employer sees nothing of it.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/mask.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "proto/communications.grpc.pb.h"
#include "proto/lodgment.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::testing::HasSubstr;

// 1 s = 1 min: SBR's first poll comes a second after the receipt.
constexpr int kTimeScale = 60;
constexpr char kPractice[] = "51824753556";
constexpr char kPracticeRan[] = "12345678";
constexpr char kOtherPractice[] = "83914571641";
constexpr char kOtherPracticeRan[] = "87654321";
constexpr char kTitle[] = "Payroll event: TFN matching failures";

// 10 am Sydney time two days from now (the development certificates are
// valid from a day ago): the test's day lasts 14 simulated hours.
absl::Time StartOfTest() {
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), clntcomm::SydneyTimeZone()) + 2;
  return absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), 10),
                         clntcomm::SydneyTimeZone());
}

class MatchingFailuresE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/matching-failures");
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_).c_str()), 0);
    log_ = dir_ + "/daemon.log";
    start_ = StartOfTest();
    const std::string permissions = dir_ + "/permissions.csv";
    ASSERT_TRUE(
        WriteFileDurably(permissions, absl::StrCat("# agent_abn,user_id,permission\n", kPractice,
                                                   ",alice,Client.Corro.View\n", kOtherPractice,
                                                   ",carol,Client.Corro.View\n"))
            .ok());
    daemon_.reset(testing::StartOrFail(
        "services/sbrgated/sbrgated-sandbox",
        {"--embedded-sim", "--grpc-listen=127.0.0.1:0", "--grpc-insecure-loopback",
         "--data-dir=" + dir_ + "/data", "--instance-id=matching",
         absl::StrCat("--time-scale=", kTimeScale),
         absl::StrCat("--clock-epoch=", absl::ToUnixSeconds(absl::Now())),
         "--clock-start=" + absl::FormatTime(absl::RFC3339_full, start_, absl::UTCTimeZone()),
         "--sim-processing-base=60s", "--sim-processing-per-employee=0s",
         "--comms-permissions=" + permissions},
        log_));
    ASSERT_NE(daemon_, nullptr);
    const std::string ready = testing::ReadyLineOrFail(daemon_.get(), log_);
    const std::string grpc = JsonField(ready, "grpc");
    ASSERT_FALSE(grpc.empty()) << ready;
    sim_admin_ = JsonField(ready, "sim_admin");
    auto channel = grpc::CreateChannel(grpc, grpc::InsecureChannelCredentials());
    lodgments_ = v1::LodgmentService::NewStub(channel);
    comms_ = v1::CommunicationService::NewStub(channel);
  }

  // The daemon first: its gRPC server stops within seconds of SIGTERM.
  void TearDown() override { daemon_.reset(); }

  v1::Lodgment Lodge(const std::string& path) {
    grpc::ClientContext ctx;
    v1::Lodgment out;
    auto writer = lodgments_->SubmitPayEvent(&ctx, &out);
    v1::SubmitRequest first;
    first.mutable_metadata()->set_prevalidate(v1::PREVALIDATE_HOLD);
    EXPECT_TRUE(writer->Write(first));
    absl::StatusOr<std::string> content = ReadFileToString(path);
    EXPECT_TRUE(content.ok()) << content.status();
    v1::SubmitRequest chunk;
    chunk.set_chunk(content.ok() ? *content : "");
    EXPECT_TRUE(writer->Write(chunk));
    writer->WritesDone();
    const grpc::Status s = writer->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::Lodgment AwaitFinal(const std::string& id) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    v1::Lodgment l;
    while (absl::Now() < give_up) {
      grpc::ClientContext ctx;
      v1::GetLodgmentRequest req;
      req.set_lodgment_id(id);
      if (lodgments_->GetLodgment(&ctx, req, &l).ok() &&
          (l.state() == v1::ACCEPTED || l.state() == v1::PARTIALLY_ACCEPTED ||
           l.state() == v1::REJECTED)) {
        return l;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << id << " not final; last " << v1::LodgmentState_Name(l.state()) << ", see "
                  << log_;
    return l;
  }

  // Links practices to clients in the ATO's records (the simulator's admin
  // endpoint; clntcomm_corpus.h describes the JSON).
  void SeedRelationships(const nlohmann::json& seeds) {
    httplib::Client admin(sim_admin_);
    auto res = admin.Post("/admin/clntcomm/seed", seeds.dump(), "application/json");
    ASSERT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
  }

  static v1::AgentContext Agent(const std::string& abn, const std::string& ran,
                                const std::string& user) {
    v1::AgentContext a;
    a.set_agent_abn(abn);
    a.set_ran(ran);
    a.set_user_id(user);
    return a;
  }

  grpc::Status QuickList(const v1::AgentContext& agent, const v1::ClientId& client,
                         v1::ListCommunicationsResponse* page) {
    v1::ListCommunicationsRequest r;
    *r.mutable_agent() = agent;
    *r.add_clients() = client;
    r.set_from_date("2024-01-01");
    r.set_to_date(absl::FormatCivilTime(absl::ToCivilDay(start_, clntcomm::SydneyTimeZone())));
    for (v1::Channel ch :
         {v1::PAPER, v1::MYGOV, v1::SMS, v1::EMAIL, v1::AGENT_DIGITAL, v1::ATO_ONLINE}) {
      r.add_channels(ch);
    }
    grpc::ClientContext ctx;
    return comms_->QuickList(&ctx, r, page);
  }

  std::string dir_;
  std::string log_;
  absl::Time start_;
  std::string sim_admin_;
  std::unique_ptr<testing::Process> daemon_;
  std::unique_ptr<v1::LodgmentService::Stub> lodgments_;
  std::unique_ptr<v1::CommunicationService::Stub> comms_;
};

TEST_F(MatchingFailuresE2eTest, AcceptedAndPostedToTheEmployerForItsLinkedPracticeOnly) {
  payevnt::GeneratorOptions o;
  o.employees = 6;
  o.name_mismatches = 2;
  o.seed = 4201;
  o.message_timestamp = start_;
  const std::string path = dir_ + "/mismatch.xml";
  absl::StatusOr<payevnt::GeneratedLodgment> info;
  {
    auto sink = FileSink::Create(path);
    ASSERT_TRUE(sink.ok()) << sink.status();
    info = payevnt::GenerateLodgment(o, **sink);
    ASSERT_TRUE(info.ok()) << info.status();
    ASSERT_TRUE((*sink)->Close().ok());
  }
  ASSERT_EQ(info->name_mismatch_document_ids.size(), 2u);

  // Only channel validation rejects employee records: SBR accepts them all.
  const v1::Lodgment l = AwaitFinal(Lodge(path).lodgment_id());
  EXPECT_EQ(l.state(), v1::ACCEPTED) << l.detail();
  EXPECT_EQ(l.maximum_severity(), "Information");
  EXPECT_EQ(l.rejected_records_size(), 0);
  EXPECT_EQ(l.held_back_size(), 0);
  EXPECT_EQ(l.employees_sent(), 6);

  v1::ClientId employer;
  employer.set_type(v1::ABN);
  employer.set_value(info->payer_abn);
  SeedRelationships(nlohmann::json::array({
      {{"agent_abn", kPractice},
       {"ran", kPracticeRan},
       {"client", {{"type", "ABN"}, {"value", info->payer_abn}}},
       {"count", 2},
       {"seed", 5},
       {"level", "client"},
       {"from", "2024-01-01"}},
      // Registered, linked to a client of its own only.
      {{"agent_abn", kOtherPractice}, {"ran", kOtherPracticeRan}, {"count", 0}, {"seed", 6}},
  }));

  // The practice linked to the employer lists the correspondence beside the
  // employer's other communications, sent the day SBR processed the event.
  const v1::AgentContext alice = Agent(kPractice, kPracticeRan, "alice");
  v1::ListCommunicationsResponse page;
  grpc::Status s = QuickList(alice, employer, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(page.items_size(), 3);
  std::vector<v1::CommunicationItem> notices;
  for (const v1::CommunicationItem& i : page.items()) {
    if (i.title() == kTitle) notices.push_back(i);
  }
  ASSERT_EQ(notices.size(), 1u);
  const v1::CommunicationItem& notice = notices[0];
  EXPECT_EQ(notice.client().value(), info->payer_abn);
  EXPECT_EQ(absl::ToCivilDay(absl::FromUnixSeconds(notice.sent_at().seconds()),
                             clntcomm::SydneyTimeZone()),
            absl::ToCivilDay(start_, clntcomm::SydneyTimeZone()));

  // Its document: retrieved through sbrgate, then downloaded from its store.
  v1::GetCommunicationRequest get;
  *get.mutable_agent() = alice;
  *get.mutable_client() = employer;
  get.set_document_id(notice.document_id());
  v1::Communication retrieved;
  {
    grpc::ClientContext ctx;
    s = comms_->GetCommunication(&ctx, get, &retrieved);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(retrieved.item().document_id(), notice.document_id());
  std::string document;
  {
    grpc::ClientContext ctx;
    v1::DownloadDocumentRequest download;
    *download.mutable_agent() = alice;
    download.set_document_id(notice.document_id());
    auto chunks = comms_->DownloadDocument(&ctx, download);
    v1::DocumentChunk chunk;
    while (chunks->Read(&chunk)) document += chunk.data();
    ASSERT_TRUE(chunks->Finish().ok());
  }
  EXPECT_EQ(static_cast<int64_t>(document.size()), retrieved.size());
  EXPECT_THAT(document, HasSubstr(l.message_id()));

  // Each failed record by DocumentID, payroll id, family name and masked TFN;
  // no TFN of the pay event whole.
  std::map<std::string, payevnt::EmployeeRecord> employees;
  {
    auto file = FileSource::Open(path);
    ASSERT_TRUE(file.ok()) << file.status();
    auto reader =
        payevnt::LodgmentReader::Open(std::unique_ptr<ByteSource>(std::move(*file)), path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    for (;;) {
      auto r = (*reader)->Next();
      ASSERT_TRUE(r.ok()) << r.status();
      if (!r->has_value()) break;
      if ((*r)->kind == payevnt::Record::Kind::kEmployee) {
        employees[(*r)->document_id] = (*r)->employee;
      }
    }
  }
  for (const std::string& id : info->name_mismatch_document_ids) {
    const payevnt::EmployeeRecord& e = employees.at(id);
    EXPECT_THAT(document, HasSubstr(absl::StrCat("(", id, " | ", e.payroll_id, " | ", e.family_name,
                                                 " | ", MaskIdentifier(e.tfn), ")")));
  }
  for (const auto& [id, e] : employees) {
    EXPECT_EQ(document.find(e.tfn), std::string::npos) << id << "'s TFN unmasked";
  }

  // A practice with no link to the employer sees nothing of it.
  const v1::AgentContext carol = Agent(kOtherPractice, kOtherPracticeRan, "carol");
  s = QuickList(carol, employer, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(page.items_size(), 0);
  *get.mutable_agent() = carol;
  grpc::ClientContext ctx;
  s = comms_->GetCommunication(&ctx, get, &retrieved);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
}

}  // namespace
}  // namespace sbrgate
