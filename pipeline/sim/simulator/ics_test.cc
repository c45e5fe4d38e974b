// ICS client registration on the simulator across the real pieces: mutual
// TLS, signed Single-sync exchanges through SbrClient, the CLREG wire
// vocabulary, the register's rules, seeding from the admin endpoint and the
// register surviving a restart on the same data directory. The rules one by
// one are ics_register_test's; here, that they travel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "pipeline/clients/ics/rules/registration_rules.h"
#include "pipeline/clients/ics/wire/wire.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/sim/simulator/simulator.h"
#include "pipeline/sim/simulator/simulator_fixture.h"

namespace sbrgate::sim {
namespace {

using ::testing::HasSubstr;
using Response = v1::RegisterClientResponse;

constexpr char kPractice[] = "51824753556";
constexpr char kRan[] = "12345678";
constexpr char kAbn[] = "53004085616";

constexpr char kSeed[] = R"({
  "registrants": [{"agent_abn": "51824753556", "role_names": ["IMPORTER", "EXPORTER"]}],
  "abns": [{"abn": "53004085616", "name": "Wattle Freight Pty Ltd",
            "cacs": [{"number": 1, "valid": false, "address": {"type": "BUSINESS",
                       "lines": ["1 Old Rd"], "locality": "Sydney", "state": "NSW",
                       "postcode": "2000", "country": "AU"}},
                     {"number": 2, "valid": true, "address": {"type": "BUSINESS",
                       "lines": ["2 Wharf St"], "locality": "Sydney", "state": "NSW",
                       "postcode": "2000", "country": "AU"}}]}],
  "clients": [{"type": "IND", "name": "Mei Nguyen", "address": {"type": "BUSINESS",
               "lines": ["1 Wharf St"], "locality": "Sydney", "state": "NSW",
               "postcode": "2000", "country": "AU"}}]
})";

v1::RegisterClientRequest Ind(const std::string& given, const std::string& family) {
  v1::RegisterClientRequest r;
  r.mutable_agent()->set_agent_abn(kPractice);
  r.mutable_agent()->set_ran(kRan);
  r.mutable_ccid()->set_client_type(v1::IcsClient::IND);
  r.mutable_ccid()->set_given_names(given);
  r.mutable_ccid()->set_family_name(family);
  v1::IcsAddress* a = r.mutable_ccid()->mutable_business_address();
  a->set_type("BUSINESS");
  a->add_lines("1 Wharf St");
  a->set_locality("Sydney");
  a->set_state("NSW");
  a->set_postcode("2000");
  a->set_country("AU");
  r.mutable_contact()->set_name("Pat");
  r.mutable_contact()->add_address("02 9000 0000");
  r.add_role_names("IMPORTER");
  return r;
}

class IcsTest : public SimulatorFixture {
 protected:
  void SetUp() override {
    StartSimulator("ics");
    httplib::Client admin("127.0.0.1", sim_->admin_port());
    auto res = admin.Post("/admin/ics/seed", kSeed, "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }

  // One signed Single-sync exchange of `body` from the practice's TAN.
  absl::StatusOr<sbr_client::SingleOutcome> Send(
      const std::string& body, const std::string& action = ics::kIcsActionRegister,
      const std::string& from = kRan) {
    sbr_client::SingleRequest r;
    r.message_id = ebms::NewMessageId("test.sbrgate");
    r.from = {from, ebms::kPartyTypeTan, ebms::kRoleRegisteredAgent};
    r.service = ics::kIcsService;
    r.action = action;
    r.body_xml = body;
    return client_->Exchange(r);
  }

  // The response to `request`, with the PartProperties its outcome takes.
  Response Register(const v1::RegisterClientRequest& request) {
    auto out = Send(ics::WriteRequest(request));
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return Response();
    EXPECT_TRUE(out->errors.empty()) << out->errors.front().description;
    auto read = ics::ReadResponse(out->body_xml);
    EXPECT_TRUE(read.ok()) << read.status() << "\n" << out->body_xml;
    if (!read.ok()) return Response();
    EXPECT_EQ(out->response_message.service, ics::kIcsService);
    const auto& props = out->response_message.parts.at(0).properties;
    for (const ebms::Property& p : props) {
      if (p.name == ebms::kPartPropertyDocumentName) {
        EXPECT_EQ(p.value, ics::ResponseDocumentName(read->outcome()));
      }
      if (p.name == ebms::kPartPropertyDocumentType) {
        EXPECT_EQ(p.value, ics::ResponseDocumentType(read->outcome()));
      }
    }
    return *read;
  }
};

TEST_F(IcsTest, RegistersACcidAndAnAbnAndAnswersDuplicatesWithClntdup) {
  Response out = Register(Ind("Sam", "Kelly"));
  ASSERT_EQ(out.outcome(), Response::REGISTERED);
  EXPECT_EQ(out.client().client_id(), "CC000000002");  // the seeded client is CC000000001
  EXPECT_EQ(out.client().name(), "Sam Kelly");

  v1::RegisterClientRequest abn = Ind("", "");
  abn.clear_ccid();
  abn.mutable_abn()->set_abn(kAbn);
  abn.mutable_contact()->set_purpose("GENERAL");
  out = Register(abn);
  ASSERT_EQ(out.outcome(), Response::REGISTERED);
  EXPECT_EQ(out.client().client_id(), kAbn);
  EXPECT_EQ(out.cac(), 2);
  EXPECT_EQ(out.client().address().lines(0), "2 Wharf St");

  out = Register(Ind("Mei", "Nguyen"));
  ASSERT_EQ(out.outcome(), Response::DUPLICATE);
  ASSERT_EQ(out.duplicates_size(), 1);
  EXPECT_EQ(out.duplicates(0).client_id(), "CC000000001");

  const SimulatorStats stats = sim_->Stats();
  EXPECT_EQ(stats.ics_requests, 3);
  EXPECT_EQ(stats.ics_registered, 2);
  EXPECT_EQ(stats.ics_duplicates, 1);
}

TEST_F(IcsTest, TheAgencyAppliesTheRulesToWhatArrives) {
  // sbrgate would not send this: the agency refuses it all the same.
  v1::RegisterClientRequest both = Ind("Sam", "Kelly");
  both.mutable_abn()->set_abn(kAbn);
  Response out = Register(both);
  ASSERT_EQ(out.outcome(), Response::REJECTED);
  EXPECT_EQ(out.errors(0).code(), ics::kCodeCcidOrAbn);

  out = Register(Ind("Sam", ""));
  ASSERT_EQ(out.outcome(), Response::REJECTED);
  EXPECT_EQ(out.errors(0).field(), "ccid.family_name");
  EXPECT_EQ(sim_->Stats().ics_rejected, 2);
}

TEST_F(IcsTest, WholeRequestsAreRefusedInAnErm) {
  // The practice is not the sender.
  auto sent = Send(ics::WriteRequest(Ind("Sam", "Kelly")), ics::kIcsActionRegister, "87654321");
  ASSERT_TRUE(sent.ok()) << sent.status();
  auto read = ics::ReadResponse(sent->body_xml);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->outcome(), Response::REJECTED);
  EXPECT_EQ(read->errors(0).code(), ics::kCodeNotAuthorised);
  EXPECT_THAT(read->errors(0).message(), HasSubstr("not the sending party 87654321"));

  sent = Send("<not-clreg/>");
  ASSERT_TRUE(sent.ok()) << sent.status();
  read = ics::ReadResponse(sent->body_xml);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->errors(0).code(), ics::kCodeBadRequest);

  sim_->SetFaults({.system_error_rate = 1});
  sent = Send(ics::WriteRequest(Ind("Sam", "Kelly")));
  ASSERT_TRUE(sent.ok()) << sent.status();
  read = ics::ReadResponse(sent->body_xml);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->errors(0).code(), ics::kCodeSystemError);
  EXPECT_TRUE(sim_->ics().Clients().size() == 1);  // the seeded one only
}

TEST_F(IcsTest, AnActionNotOfferedIsAnEbmsError) {
  auto sent = Send(ics::WriteRequest(Ind("Sam", "Kelly")), "Amend.001.00");
  ASSERT_TRUE(sent.ok()) << sent.status();
  ASSERT_EQ(sent->errors.size(), 1u);
  EXPECT_EQ(sent->errors[0].error_code, ebms::kErrorProcessingModeMismatch);
}

TEST_F(IcsTest, SeedsAndShowsTheRegisterOnTheAdminEndpoint) {
  httplib::Client admin("127.0.0.1", sim_->admin_port());
  auto res = admin.Post("/admin/ics/seed", R"({"generate_abns": {"count": 3, "seed": 5}})",
                        "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(nlohmann::json::parse(res->body)["abns"].size(), 3u);
  res = admin.Post("/admin/ics/seed", R"({"abns": [{"abn": "1"}]})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("abns[0].abn"));
  res = admin.Post("/admin/ics/seed", "{not json", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);

  res = admin.Get("/admin/ics");
  ASSERT_TRUE(res);
  const nlohmann::json ics = nlohmann::json::parse(res->body);
  EXPECT_EQ(ics["abns"].size(), 4u);
  EXPECT_EQ(ics["clients"].size(), 1u);
  EXPECT_EQ(ics["clients"][0]["client_id"], "CC000000001");
  EXPECT_EQ(ics["registrants"][0]["agent_abn"], kPractice);
  auto stats = admin.Get("/admin/stats");
  ASSERT_TRUE(stats);
  EXPECT_THAT(stats->body, HasSubstr("ics_registered"));
}

TEST_F(IcsTest, TheRegisterSurvivesARestart) {
  ASSERT_EQ(Register(Ind("Sam", "Kelly")).outcome(), Response::REGISTERED);
  Restart();
  EXPECT_EQ(sim_->ics().Clients().size(), 2u);
  EXPECT_EQ(Register(Ind("Sam", "Kelly")).outcome(), Response::DUPLICATE);
  Response next = Register(Ind("Jo", "Kelly"));
  EXPECT_EQ(next.client().client_id(), "CC000000003");
  const SimulatorStats stats = sim_->Stats();
  EXPECT_EQ(stats.ics_requests, 3);
  EXPECT_EQ(stats.ics_registered, 2);
}

}  // namespace
}  // namespace sbrgate::sim
