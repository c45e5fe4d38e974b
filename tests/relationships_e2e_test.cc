// CUREL (seed 001: Client Update Relationship) across processes, and seed
// 000's flow with it: sbrgated-sandbox with its embedded SBR2 simulator, on a
// scaled clock that starts at 10 am Sydney time. A practice searches for a
// client another practice looks after, adds a relationship, lists it, and
// then sees the client's communications through the CommunicationService;
// once it removes the relationship it sees none. Account- and role-level
// links see their accounts only; the ATO's refusals come back as statuses;
// the relationships outlive a restart of the daemon; and the command line
// does the same.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/testing/run_program.h"
#include "proto/communications.grpc.pb.h"
#include "proto/relationships.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::testing::Contains;

constexpr int kTimeScale = 60;
constexpr char kPractice[] = "51824753556";
constexpr char kRan[] = "12345678";
constexpr char kOtherPractice[] = "83914571641";
constexpr char kOtherRan[] = "87654321";
constexpr char kClientAbn[] = "53004085616";  // the other practice's client

// 10 am Sydney time two days from now (the development certificates are
// valid from a day ago).
absl::Time StartOfTest() {
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), clntcomm::SydneyTimeZone()) + 2;
  return absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), 10),
                         clntcomm::SydneyTimeZone());
}

v1::ClientId Client() {
  v1::ClientId c;
  c.set_type(v1::ABN);
  c.set_value(kClientAbn);
  return c;
}

v1::AgentContext Agent() {
  v1::AgentContext a;
  a.set_agent_abn(kPractice);
  a.set_ran(kRan);
  a.set_user_id("alice");
  return a;
}

v1::RelationshipRequest Link(v1::RelationshipLevel level, const std::string& account = "",
                             const std::string& role = "") {
  v1::RelationshipRequest r;
  *r.mutable_agent() = Agent();
  *r.mutable_relationship()->mutable_client() = Client();
  r.mutable_relationship()->set_level(level);
  r.mutable_relationship()->set_account(account);
  r.mutable_relationship()->set_role(role);
  return r;
}

class RelationshipsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/relationships");
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_).c_str()), 0);
    log_ = dir_ + "/daemon.log";
    start_ = StartOfTest();
    const std::string permissions = dir_ + "/permissions.csv";
    ASSERT_TRUE(WriteFileDurably(permissions, absl::StrCat("# agent_abn,user_id,permission\n",
                                                           kPractice, ",alice,Client.Corro.View\n"))
                    .ok());
    args_ = {"--embedded-sim",
             "--grpc-listen=127.0.0.1:0",
             "--grpc-insecure-loopback",
             "--data-dir=" + dir_ + "/data",
             "--instance-id=curel",
             absl::StrCat("--time-scale=", kTimeScale),
             absl::StrCat("--clock-epoch=", absl::ToUnixSeconds(absl::Now())),
             "--clock-start=" + absl::FormatTime(absl::RFC3339_full, start_, absl::UTCTimeZone()),
             "--comms-permissions=" + permissions};
    Start();
    // Both practices are registered agents; the client is the other's, with
    // communications filed under IT and AS:001.
    httplib::Client admin(sim_admin_);
    const nlohmann::json seeds = nlohmann::json::array(
        {{{"agent_abn", kOtherPractice},
          {"ran", kOtherRan},
          {"client", {{"type", "ABN"}, {"value", kClientAbn}}},
          {"name", "Harbour Joinery Pty Ltd"},
          {"count", 12},
          {"seed", 7},
          {"level", "client"},
          {"from", "2024-01-01"}},
         {{"agent_abn", kPractice}, {"ran", kRan}, {"count", 1}, {"seed", 8}}});
    auto res = admin.Post("/admin/clntcomm/seed", seeds.dump(), "application/json");
    ASSERT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
  }

  void TearDown() override { daemon_.reset(); }

  void Start() {
    daemon_.reset(testing::StartOrFail("services/sbrgated/sbrgated-sandbox", args_, log_));
    ASSERT_NE(daemon_, nullptr);
    const std::string ready = testing::ReadyLineOrFail(daemon_.get(), log_);
    grpc_ = JsonField(ready, "grpc");
    sim_admin_ = JsonField(ready, "sim_admin");
    auto channel = grpc::CreateChannel(grpc_, grpc::InsecureChannelCredentials());
    relationships_ = v1::RelationshipService::NewStub(channel);
    comms_ = v1::CommunicationService::NewStub(channel);
  }

  // The client's communications the practice sees (QuickList).
  std::vector<v1::CommunicationItem> Visible() {
    v1::ListCommunicationsRequest r;
    *r.mutable_agent() = Agent();
    *r.add_clients() = Client();
    r.set_from_date("2024-01-01");
    r.set_to_date(absl::FormatCivilTime(absl::ToCivilDay(start_, clntcomm::SydneyTimeZone())));
    for (v1::Channel ch :
         {v1::PAPER, v1::MYGOV, v1::SMS, v1::EMAIL, v1::AGENT_DIGITAL, v1::ATO_ONLINE}) {
      r.add_channels(ch);
    }
    grpc::ClientContext ctx;
    v1::ListCommunicationsResponse page;
    const grpc::Status s = comms_->QuickList(&ctx, r, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {page.items().begin(), page.items().end()};
  }

  grpc::Status Add(const v1::RelationshipRequest& r, v1::RelationshipResponse* out) {
    grpc::ClientContext ctx;
    return relationships_->AddRelationship(&ctx, r, out);
  }
  grpc::Status Remove(const v1::RelationshipRequest& r, v1::RelationshipResponse* out) {
    grpc::ClientContext ctx;
    return relationships_->RemoveRelationship(&ctx, r, out);
  }
  std::vector<std::string> Listed() {
    v1::ListRelationshipsRequest r;
    *r.mutable_agent() = Agent();
    *r.mutable_client() = Client();
    grpc::ClientContext ctx;
    v1::ListRelationshipsResponse out;
    const grpc::Status s = relationships_->ListRelationships(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> links;
    for (const v1::Relationship& l : out.relationships()) {
      links.push_back(absl::StrCat(v1::RelationshipLevel_Name(l.level()), " ", l.account(), " ",
                                   l.role(), " ", l.client_name()));
    }
    return links;
  }

  std::string dir_;
  std::string log_;
  absl::Time start_;
  std::vector<std::string> args_;
  std::string grpc_;
  std::string sim_admin_;
  std::unique_ptr<testing::Process> daemon_;
  std::unique_ptr<v1::RelationshipService::Stub> relationships_;
  std::unique_ptr<v1::CommunicationService::Stub> comms_;
};

TEST_F(RelationshipsE2eTest, SearchAddListSeeRemoveSeeNothing) {
  EXPECT_TRUE(Visible().empty());

  v1::SearchClientRequest search;
  *search.mutable_agent() = Agent();
  *search.mutable_client() = Client();
  v1::SearchClientResponse found;
  {
    grpc::ClientContext ctx;
    const grpc::Status s = relationships_->SearchClient(&ctx, search, &found);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(found.name(), "Harbour Joinery Pty Ltd");
  EXPECT_THAT(found.accounts(), Contains("AS:001"));
  EXPECT_FALSE(found.linked());

  // Validating changes nothing.
  v1::RelationshipResponse changed;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(relationships_->ValidateRelationship(&ctx, Link(v1::CLIENT), &changed).ok());
  }
  EXPECT_FALSE(changed.changed());
  EXPECT_TRUE(Listed().empty());
  EXPECT_TRUE(Visible().empty());

  ASSERT_TRUE(Add(Link(v1::CLIENT), &changed).ok());
  EXPECT_TRUE(changed.changed());
  EXPECT_EQ(changed.relationship().client_name(), "Harbour Joinery Pty Ltd");
  EXPECT_EQ(Listed(), std::vector<std::string>{"CLIENT   Harbour Joinery Pty Ltd"});
  EXPECT_EQ(Visible().size(), 12u);
  EXPECT_EQ(Add(Link(v1::CLIENT), &changed).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // Removed: nothing of the client is visible any more.
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(relationships_->ValidateRemoveRelationship(&ctx, Link(v1::CLIENT), &changed).ok());
    EXPECT_FALSE(changed.changed());
    EXPECT_EQ(Visible().size(), 12u);
  }
  ASSERT_TRUE(Remove(Link(v1::CLIENT), &changed).ok());
  EXPECT_TRUE(changed.changed());
  EXPECT_TRUE(Visible().empty());
  EXPECT_TRUE(Listed().empty());
  EXPECT_EQ(Remove(Link(v1::CLIENT), &changed).error_code(), grpc::StatusCode::NOT_FOUND);

  // The simulator counted each CUREL answer, and the two refusals.
  httplib::Client admin(sim_admin_);
  auto stats = admin.Get("/admin/stats");
  ASSERT_TRUE(stats);
  const nlohmann::json counted = nlohmann::json::parse(stats->body);
  EXPECT_GE(counted["relationships_requests"].get<int>(), 7);
  EXPECT_EQ(counted["relationships_refused"], 2);
  EXPECT_EQ(counted["demographics_requests"], 0);
}

TEST_F(RelationshipsE2eTest, AccountAndRoleLinksSeeTheirAccountsAndTheAtoRefusalsAreStatuses) {
  v1::RelationshipResponse changed;
  ASSERT_TRUE(Add(Link(v1::ACCOUNT, "IT"), &changed).ok());
  const std::vector<v1::CommunicationItem> income_tax = Visible();
  ASSERT_FALSE(income_tax.empty());
  for (const v1::CommunicationItem& i : income_tax) EXPECT_EQ(i.account(), "IT") << i.title();
  ASSERT_TRUE(Add(Link(v1::ROLE, "AS:001", "BAS_AGENT"), &changed).ok());
  const std::vector<v1::CommunicationItem> both = Visible();
  EXPECT_GT(both.size(), income_tax.size());
  EXPECT_EQ(Listed(), (std::vector<std::string>{"ACCOUNT IT  Harbour Joinery Pty Ltd",
                                                "ROLE AS:001 BAS_AGENT Harbour Joinery Pty Ltd"}));

  // Refused by the ATO: not one of the client's accounts, no such client.
  grpc::Status s = Add(Link(v1::ACCOUNT, "AS:999"), &changed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  v1::RelationshipRequest nobody = Link(v1::CLIENT);
  nobody.mutable_relationship()->mutable_client()->set_value("33102417032");
  EXPECT_EQ(Add(nobody, &changed).error_code(), grpc::StatusCode::NOT_FOUND);
  // Refused by sbrgate before asking: a role link without a role.
  s = Add(Link(v1::ROLE, "AS:001"), &changed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("relationship.role"));

  // Kept by the ATO across a restart of the daemon and its simulator.
  daemon_.reset();
  Start();
  EXPECT_EQ(Listed().size(), 2u);
  EXPECT_EQ(Visible().size(), both.size());

  // The command line.
  auto cli = [&](std::vector<std::string> command) {
    std::vector<std::string> args = {"--gateway=" + grpc_};
    args.insert(args.end(), command.begin(), command.end());
    for (const std::string& a : {"--abn=" + std::string(kPractice), "--ran=" + std::string(kRan),
                                 std::string("--user=alice"), std::string("--json")}) {
      args.push_back(a);
    }
    return testing::RunProgram(testing::SbrgateBinary(), args);
  };
  testing::ProgramResult r =
      cli({"clients", "remove", "--client=ABN:53004085616", "--level=account", "--account=IT"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["changed"], true);
  r = cli({"clients", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> levels;
  const nlohmann::json listed = nlohmann::json::parse(r.out);
  for (const nlohmann::json& l : listed["relationships"]) {
    levels.insert(l["level"].get<std::string>());
  }
  // Its own client, and the role.
  EXPECT_EQ(levels, (std::set<std::string>{"CLIENT", "ROLE"}));
  r = cli({"clients", "add", "--client=ABN:53004085616", "--level=role", "--account=AS:001",
           "--role=BAS_AGENT"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(r.err)["error"]["code"], "ALREADY_EXISTS");
}

}  // namespace
}  // namespace sbrgate
