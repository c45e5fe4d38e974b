// CUDEMOGR (seed 001: Client Update Demographics) across processes:
// sbrgated-sandbox with its embedded SBR2 simulator, on a scaled clock that
// starts at 10 am Sydney time. Practices linked with their clients through
// the corpus's relationships (CUREL) read and change each of the five
// services' records through the one DemographicsService call: a list or get,
// a validate that changes nothing, a submit the next read shows. The ATO
// keeps to the relationships (none: refused; an account-level one: that
// account's addresses and contacts only), sbrgate refuses a broken rule
// before asking, the changes outlive a restart of the daemon, and the
// command line does the same.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/platform/common/testing/run_program.h"
#include "proto/demographics.grpc.pb.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kTimeScale = 60;
constexpr char kPractice[] = "51824753556";  // client level with both its clients
constexpr char kRan[] = "12345678";
constexpr char kBasAgent[] = "83914571641";  // account AS:001 of the company
constexpr char kBasRan[] = "87654321";
constexpr char kCompany[] = "53004085616";
constexpr char kPerson[] = "123456782";
constexpr char kOthersClient[] = "49004028077";  // the BAS agent's only
constexpr char kNobody[] = "98765432122";        // no client of the ATO's

// 10 am Sydney time two days from now (the development certificates are
// valid from a day ago).
absl::Time StartOfTest() {
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), clntcomm::SydneyTimeZone()) + 2;
  return absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), 10),
                         clntcomm::SydneyTimeZone());
}

v1::DemographicsRequest Request(v1::CudemogrService service, v1::CudemogrOperation op,
                                const std::string& client = kCompany,
                                const std::string& account = "") {
  v1::DemographicsRequest r;
  r.mutable_agent()->set_agent_abn(kPractice);
  r.mutable_agent()->set_ran(kRan);
  r.mutable_agent()->set_user_id("alice");
  r.set_service(service);
  r.set_operation(op);
  r.mutable_client()->set_type(client == kPerson ? v1::TFN : v1::ABN);
  r.mutable_client()->set_value(client);
  r.set_account(account);
  return r;
}

v1::DemographicsRequest AsBasAgent(v1::DemographicsRequest r) {
  r.mutable_agent()->set_agent_abn(kBasAgent);
  r.mutable_agent()->set_ran(kBasRan);
  return r;
}

v1::ClientAddress Postal(const std::string& line, const std::string& postcode = "7000") {
  v1::ClientAddress a;
  a.set_usage(v1::ClientAddress::POSTAL);
  a.add_lines(line);
  a.set_locality("Hobart");
  a.set_state("TAS");
  a.set_postcode(postcode);
  return a;
}

std::vector<std::string> BadRequestFields(const grpc::Status& s) {
  std::vector<std::string> fields;
  google::rpc::Status rich;
  if (!rich.ParseFromString(s.error_details())) return fields;
  for (const google::protobuf::Any& any : rich.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) fields.push_back(v.field());
  }
  return fields;
}

// "USAGE first line" for each current address of a read.
std::vector<std::string> Addresses(const v1::DemographicsResponse& r) {
  std::vector<std::string> out;
  for (const v1::ClientAddress& a : r.records().addresses()) {
    out.push_back(absl::StrCat(v1::ClientAddress::Usage_Name(a.usage()), " ", a.lines(0)));
  }
  return out;
}

class DemographicsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/demographics");
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_).c_str()), 0);
    log_ = dir_ + "/daemon.log";
    const absl::Time start = StartOfTest();
    today_ = absl::FormatCivilTime(absl::ToCivilDay(start, clntcomm::SydneyTimeZone()));
    args_ = {"--embedded-sim",
             "--grpc-listen=127.0.0.1:0",
             "--grpc-insecure-loopback",
             "--data-dir=" + dir_ + "/data",
             "--instance-id=cudemogr",
             absl::StrCat("--time-scale=", kTimeScale),
             absl::StrCat("--clock-epoch=", absl::ToUnixSeconds(absl::Now())),
             "--clock-start=" + absl::FormatTime(absl::RFC3339_full, start, absl::UTCTimeZone())};
    Start();
    // The practice is linked with the company and the person at client
    // level; the BAS agent with the company's AS:001 and its own client.
    httplib::Client admin(sim_admin_);
    const nlohmann::json seeds =
        nlohmann::json::array({{{"agent_abn", kPractice},
                                {"ran", kRan},
                                {"client", {{"type", "ABN"}, {"value", kCompany}}},
                                {"name", "Harbour Joinery Pty Ltd"},
                                {"count", 0}},
                               {{"agent_abn", kPractice},
                                {"ran", kRan},
                                {"client", {{"type", "TFN"}, {"value", kPerson}}},
                                {"name", "Mei Ling Chen"},
                                {"count", 0}},
                               {{"agent_abn", kBasAgent},
                                {"ran", kBasRan},
                                {"client", {{"type", "ABN"}, {"value", kCompany}}},
                                {"count", 0},
                                {"level", "account"},
                                {"accounts", {"AS:001"}}},
                               {{"agent_abn", kBasAgent},
                                {"ran", kBasRan},
                                {"client", {{"type", "ABN"}, {"value", kOthersClient}}},
                                {"count", 0}}});
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
    demographics_ = v1::DemographicsService::NewStub(
        grpc::CreateChannel(grpc_, grpc::InsecureChannelCredentials()));
  }

  grpc::Status Call(const v1::DemographicsRequest& r, v1::DemographicsResponse* out) {
    grpc::ClientContext ctx;
    return demographics_->Call(&ctx, r, out);
  }

  v1::DemographicsResponse Ok(const v1::DemographicsRequest& r) {
    v1::DemographicsResponse out;
    const grpc::Status s = Call(r, &out);
    EXPECT_TRUE(s.ok()) << v1::CudemogrService_Name(r.service()) << " "
                        << v1::CudemogrOperation_Name(r.operation()) << ": " << s.error_message();
    return out;
  }

  std::string dir_;
  std::string log_;
  std::string today_;
  std::vector<std::string> args_;
  std::string grpc_;
  std::string sim_admin_;
  std::unique_ptr<testing::Process> daemon_;
  std::unique_ptr<v1::DemographicsService::Stub> demographics_;
};

TEST_F(DemographicsE2eTest, EveryServiceReadsAndEveryChangeShowsInTheNextRead) {
  // Addresses: validate changes nothing; submit supersedes the postal one.
  const std::vector<std::string> before = Addresses(Ok(Request(v1::ADDRESSES, v1::LIST)));
  ASSERT_EQ(before.size(), 2u);
  v1::DemographicsRequest r = Request(v1::ADDRESSES, v1::VALIDATE);
  *r.mutable_records()->add_addresses() = Postal("PO Box 7");
  v1::DemographicsResponse answer = Ok(r);
  EXPECT_FALSE(answer.changed());
  EXPECT_EQ(answer.records().addresses(0).start_date(), today_);
  EXPECT_EQ(Addresses(Ok(Request(v1::ADDRESSES, v1::LIST))), before);
  r.set_operation(v1::SUBMIT);
  EXPECT_TRUE(Ok(r).changed());
  EXPECT_THAT(Addresses(Ok(Request(v1::ADDRESSES, v1::LIST))),
              ElementsAre(before[0], "POSTAL PO Box 7"));

  // Authorised contacts (no list of their own: the address list shows them).
  r = Request(v1::AUTHORISED_CONTACTS, v1::VALIDATE);
  v1::AuthorisedContact* contact = r.mutable_records()->add_authorised_contacts();
  contact->set_name("Sam Kelly");
  contact->set_role("Public officer");
  contact->set_email("sam@harbour.example");
  EXPECT_FALSE(Ok(r).changed());
  EXPECT_NE(Ok(Request(v1::ADDRESSES, v1::LIST)).records().authorised_contacts(0).name(),
            "Sam Kelly");
  r.set_operation(v1::SUBMIT);
  EXPECT_TRUE(Ok(r).changed());
  answer = Ok(Request(v1::ADDRESSES, v1::LIST));
  ASSERT_EQ(answer.records().authorised_contacts_size(), 1);
  EXPECT_EQ(answer.records().authorised_contacts(0).email(), "sam@harbour.example");

  // Associates: read only.
  answer = Ok(Request(v1::ASSOCIATES, v1::LIST));
  EXPECT_EQ(answer.records().associates_size(), 3);
  EXPECT_EQ(answer.client_name(), "Harbour Joinery Pty Ltd");

  // Details: an individual's.
  v1::ClientDetails details = Ok(Request(v1::DETAILS, v1::GET, kPerson)).records().details();
  EXPECT_EQ(details.entity(), v1::ClientDetails::INDIVIDUAL);
  EXPECT_EQ(details.family_name(), "Chen");
  r = Request(v1::DETAILS, v1::VALIDATE, kPerson);
  details.set_family_name("Chen-Nguyen");
  details.set_date_of_birth("1984-02-29");
  *r.mutable_records()->mutable_details() = details;
  EXPECT_FALSE(Ok(r).changed());
  EXPECT_EQ(Ok(Request(v1::DETAILS, v1::GET, kPerson)).records().details().family_name(), "Chen");
  r.set_operation(v1::SUBMIT);
  EXPECT_TRUE(Ok(r).changed());
  details = Ok(Request(v1::DETAILS, v1::GET, kPerson)).records().details();
  EXPECT_EQ(details.family_name(), "Chen-Nguyen");
  EXPECT_EQ(details.date_of_birth(), "1984-02-29");

  // Financial institution accounts: the new one supersedes the refund account.
  r = Request(v1::FINANCIAL_INSTITUTIONS, v1::VALIDATE);
  v1::FinancialInstitutionAccount* account =
      r.mutable_records()->add_financial_institution_accounts();
  account->set_purpose(v1::FinancialInstitutionAccount::INCOME_TAX_REFUND);
  account->set_bsb("062000");
  account->set_account_number("1234567");
  account->set_account_name("Harbour Joinery");
  EXPECT_FALSE(Ok(r).changed());
  EXPECT_NE(Ok(Request(v1::FINANCIAL_INSTITUTIONS, v1::LIST))
                .records()
                .financial_institution_accounts(0)
                .account_number(),
            "1234567");
  r.set_operation(v1::SUBMIT);
  EXPECT_TRUE(Ok(r).changed());
  answer = Ok(Request(v1::FINANCIAL_INSTITUTIONS, v1::LIST));
  ASSERT_EQ(answer.records().financial_institution_accounts_size(), 1);
  EXPECT_EQ(answer.records().financial_institution_accounts(0).account_number(), "1234567");
  v1::DemographicsRequest history = Request(v1::FINANCIAL_INSTITUTIONS, v1::LIST);
  history.set_include_history(true);
  answer = Ok(history);
  ASSERT_EQ(answer.records().financial_institution_accounts_size(), 2);
  EXPECT_EQ(answer.records().financial_institution_accounts(0).end_date(), today_);
}

TEST_F(DemographicsE2eTest, TheAtoKeepsToRelationshipsAndSbrgateToTheRules) {
  v1::DemographicsResponse out;
  // No relationship with the client; no such client.
  grpc::Status s = Call(Request(v1::DETAILS, v1::GET, kOthersClient), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("has no relationship with client ABN:49004028077"));
  s = Call(Request(v1::ADDRESSES, v1::LIST, kNobody), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();

  // An account-level link: its account's addresses and contacts only.
  v1::DemographicsRequest r = AsBasAgent(Request(v1::ADDRESSES, v1::SUBMIT, kCompany, "AS:001"));
  *r.mutable_records()->add_addresses() = Postal("GPO Box 1");
  ASSERT_TRUE(Ok(r).changed());
  EXPECT_THAT(Addresses(Ok(AsBasAgent(Request(v1::ADDRESSES, v1::LIST, kCompany, "AS:001")))),
              ElementsAre("POSTAL GPO Box 1"));
  // ... which the client-level practice sees at that account, not the client's.
  EXPECT_THAT(Addresses(Ok(Request(v1::ADDRESSES, v1::LIST, kCompany, "AS:001"))),
              ElementsAre("POSTAL GPO Box 1"));
  EXPECT_THAT(Addresses(Ok(Request(v1::ADDRESSES, v1::LIST))),
              Not(::testing::Contains("POSTAL GPO Box 1")));
  for (const v1::DemographicsRequest& refused :
       {AsBasAgent(Request(v1::ADDRESSES, v1::LIST)),
        AsBasAgent(Request(v1::ADDRESSES, v1::LIST, kCompany, "IT")),
        AsBasAgent(Request(v1::DETAILS, v1::GET)),
        AsBasAgent(Request(v1::FINANCIAL_INSTITUTIONS, v1::LIST))}) {
    s = Call(refused, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << v1::CudemogrService_Name(refused.service()) << " " << refused.account();
  }
  EXPECT_THAT(Call(AsBasAgent(Request(v1::ADDRESSES, v1::LIST)), &out).error_message(),
              HasSubstr("is for account AS:001 only"));

  // Broken rules: refused by sbrgate, naming the field, before the ATO is asked.
  r = Request(v1::ADDRESSES, v1::SUBMIT);
  *r.mutable_records()->add_addresses() = Postal("PO Box 9", "700");
  s = Call(r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadRequestFields(s), ElementsAre("records.addresses[0].postcode"));
  EXPECT_THAT(s.error_message(), Not(HasSubstr("CMN.ATO")));  // not the agency's answer
  s = Call(Request(v1::ASSOCIATES, v1::SUBMIT), &out);
  EXPECT_THAT(BadRequestFields(s), ElementsAre("operation"));
  EXPECT_THAT(s.error_message(), HasSubstr("CUASSOC (ASSOCIATES) offers LIST, not SUBMIT"));
  r = Request(v1::FINANCIAL_INSTITUTIONS, v1::LIST);
  r.set_account("AS:001");
  EXPECT_THAT(BadRequestFields(Call(r, &out)), ElementsAre("account"));
}

TEST_F(DemographicsE2eTest, ChangesOutliveARestartAndTheCommandLine) {
  v1::DemographicsRequest r = Request(v1::ADDRESSES, v1::SUBMIT, kCompany, "IT");
  *r.mutable_records()->add_addresses() = Postal("PO Box 42");
  ASSERT_TRUE(Ok(r).changed());
  r = Request(v1::DETAILS, v1::SUBMIT);
  v1::ClientDetails* d = r.mutable_records()->mutable_details();
  d->set_entity(v1::ClientDetails::NON_INDIVIDUAL);
  d->set_organisation_name("Harbour Joinery & Sons Pty Ltd");
  d->set_not_for_profit(true);
  ASSERT_TRUE(Ok(r).changed());

  daemon_.reset();
  Start();
  EXPECT_THAT(Addresses(Ok(Request(v1::ADDRESSES, v1::LIST, kCompany, "IT"))),
              ElementsAre("POSTAL PO Box 42"));
  const v1::ClientDetails kept = Ok(Request(v1::DETAILS, v1::GET)).records().details();
  EXPECT_EQ(kept.organisation_name(), "Harbour Joinery & Sons Pty Ltd");
  EXPECT_TRUE(kept.not_for_profit());

  // The command line.
  auto cli = [&](std::vector<std::string> command) {
    std::vector<std::string> args = {"--gateway=" + grpc_, "clients"};
    args.insert(args.end(), command.begin(), command.end());
    for (const std::string& a : {"--abn=" + std::string(kPractice), "--ran=" + std::string(kRan),
                                 "--client=ABN:" + std::string(kCompany),
                                 std::string("--user=alice"), std::string("--json")}) {
      args.push_back(a);
    }
    return testing::RunProgram(testing::SbrgateBinary(), args);
  };
  testing::ProgramResult p =
      cli({"banking", "submit", "--purpose=activity-statement-refund", "--bsb=062000",
           "--account-number=98765", "--account-name=Harbour Joinery"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(nlohmann::json::parse(p.out)["changed"], true);
  p = cli({"banking", "list"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const nlohmann::json listed = nlohmann::json::parse(p.out);
  std::vector<std::string> purposes;
  for (const nlohmann::json& a : listed["records"]["financial_institution_accounts"]) {
    purposes.push_back(a["purpose"].get<std::string>());
  }
  EXPECT_THAT(purposes, ElementsAre("INCOME_TAX_REFUND", "ACTIVITY_STATEMENT_REFUND"));
  p = cli({"contacts", "validate", "--account=IT", "--name=Sam Kelly", "--role=Bookkeeper",
           "--email=sam@"});
  EXPECT_EQ(p.exit_code, 1);
  const nlohmann::json error = nlohmann::json::parse(p.err)["error"];
  EXPECT_EQ(error["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(error["details"][0]["field"], "records.authorised_contacts[0].email");
  p = cli({"associates", "submit"});
  EXPECT_EQ(p.exit_code, 2);
}

}  // namespace
}  // namespace sbrgate
