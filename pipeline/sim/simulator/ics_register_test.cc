// The agency's CLREG rules on the simulator's ICS register, each at its
// edge: the user's roles, ABNs (on the list, not cancelled, not registered
// twice, the business address from the CAC), CCID duplicates (and the
// cancelled-ABN exception), numbering, seeding and restoring.
#include "pipeline/sim/simulator/ics_register.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipeline/clients/ics/rules/registration_rules.h"

namespace sbrgate::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Response = v1::RegisterClientResponse;

constexpr char kPractice[] = "51824753556";
constexpr char kAbn[] = "53004085616";        // three CACs: 1 invalid, 2 and 3 valid
constexpr char kCancelled[] = "33102417032";  // cancelled
constexpr char kUnlisted[] = "91110000000";   // a valid ABN not on the list

v1::IcsAddress Address(const std::string& line1, const std::string& locality = "Sydney") {
  v1::IcsAddress a;
  a.set_type("BUSINESS");
  a.add_lines(line1);
  a.set_locality(locality);
  a.set_state("NSW");
  a.set_postcode("2000");
  a.set_country("AU");
  return a;
}

state::IcsAbn ListedAbn(const std::string& abn, const std::string& name, bool cancelled,
                        std::vector<std::pair<int, bool>> cacs) {
  state::IcsAbn a;
  a.set_abn(abn);
  a.set_name(name);
  a.set_cancelled(cancelled);
  for (const auto& [number, valid] : cacs) {
    state::IcsCac* c = a.add_cacs();
    c->set_number(number);
    c->set_valid(valid);
    *c->mutable_address() = Address(std::to_string(number) + " Wharf St");
  }
  return a;
}

v1::RegisterClientRequest Base(std::vector<std::string> roles = {"IMPORTER"}) {
  v1::RegisterClientRequest r;
  r.mutable_agent()->set_agent_abn(kPractice);
  r.mutable_agent()->set_ran("12345678");
  r.mutable_contact()->set_name("Pat");
  r.mutable_contact()->set_purpose("GENERAL");
  r.mutable_contact()->add_address("02 9000 0000");
  for (const std::string& role : roles) r.add_role_names(role);
  return r;
}

v1::RegisterClientRequest Ind(const std::string& given, const std::string& family,
                              const v1::IcsAddress& address) {
  v1::RegisterClientRequest r = Base();
  r.mutable_ccid()->set_client_type(v1::IcsClient::IND);
  r.mutable_ccid()->set_given_names(given);
  r.mutable_ccid()->set_family_name(family);
  *r.mutable_ccid()->mutable_business_address() = address;
  return r;
}

v1::RegisterClientRequest AbnRequest(const std::string& abn, int cac = 0) {
  v1::RegisterClientRequest r = Base();
  r.mutable_abn()->set_abn(abn);
  r.mutable_abn()->set_cac(cac);
  return r;
}

std::vector<std::pair<std::string, std::string>> Errors(const Response& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const v1::RegistrationError& e : r.errors()) out.emplace_back(e.field(), e.code());
  return out;
}

class IcsRegisterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ics_.RecordChangesWith([this](const state::IcsChange& c) {
      if (!recording_.ok()) return recording_;
      recorded_.push_back(c);
      return absl::OkStatus();
    });
    state::IcsSeed seed;
    state::IcsRegistrant* r = seed.add_registrants();
    r->set_agent_abn(kPractice);
    r->add_role_names("IMPORTER");
    r->add_role_names("EXPORTER");
    *seed.add_abns() =
        ListedAbn(kAbn, "Wattle Freight Pty Ltd", false, {{3, true}, {1, false}, {2, true}});
    *seed.add_abns() = ListedAbn(kCancelled, "Redgum Traders Pty Ltd", true, {{1, true}});
    ASSERT_TRUE(ics_.Seed(seed).ok());
  }

  Response Register(const v1::RegisterClientRequest& r) {
    absl::StatusOr<Response> out = ics_.Register(r);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : Response();
  }

  IcsRegister ics_;
  std::vector<state::IcsChange> recorded_;
  absl::Status recording_;
};

TEST_F(IcsRegisterTest, TheRulesAnySideChecksComeFirst) {
  v1::RegisterClientRequest r = Ind("Mei", "", Address("1 Wharf St"));
  const Response out = Register(r);
  EXPECT_EQ(out.outcome(), Response::REJECTED);
  EXPECT_THAT(Errors(out), ElementsAre(std::pair("ccid.family_name", ics::kCodeMissing)));
}

TEST_F(IcsRegisterTest, TheUserNeedsEveryRoleItGives) {
  v1::RegisterClientRequest r = Ind("Mei", "Nguyen", Address("1 Wharf St"));
  r.add_role_names("EXPORTER");
  r.add_role_names("CUSTOMS_BROKER");  // known, but not this practice's to give
  Response out = Register(r);
  EXPECT_EQ(out.outcome(), Response::REJECTED);
  EXPECT_THAT(Errors(out), ElementsAre(std::pair("role_names[2]", ics::kCodeNoValidRole)));
  EXPECT_THAT(out.errors(0).message(),
              HasSubstr("User does not contain a valid role to create/register this CCID"));

  r.mutable_agent()->set_agent_abn("83914571641");  // a practice that is no registrant
  out = Register(r);
  EXPECT_THAT(Errors(out), ElementsAre(std::pair("agent.agent_abn", ics::kCodeNoValidRole)));

  r = AbnRequest(kAbn);
  r.set_role_names(0, "OWNER");
  out = Register(r);
  EXPECT_THAT(Errors(out), ElementsAre(std::pair("role_names[0]", ics::kCodeNoValidRole)));
  EXPECT_THAT(out.errors(0).message(), HasSubstr("this ABN"));

  r.set_role_names(0, "EXPORTER");
  EXPECT_EQ(Register(r).outcome(), Response::REGISTERED);
}

TEST_F(IcsRegisterTest, AnAbnRegistersOnceFromTheLowestValidCac) {
  Response out = Register(AbnRequest(kAbn));
  ASSERT_EQ(out.outcome(), Response::REGISTERED);
  EXPECT_EQ(out.client().client_id(), kAbn);
  EXPECT_EQ(out.client().type(), v1::IcsClient::ABN);
  EXPECT_EQ(out.client().name(), "Wattle Freight Pty Ltd");
  EXPECT_EQ(out.cac(), 2);  // 1 is not valid
  EXPECT_EQ(out.client().address().lines(0), "2 Wharf St");

  out = Register(AbnRequest(kAbn));
  EXPECT_EQ(out.outcome(), Response::REJECTED);
  EXPECT_THAT(Errors(out), ElementsAre(std::pair("abn.abn", ics::kCodeAbnRegistered)));
  EXPECT_THAT(out.errors(0).message(), HasSubstr("ABN already registered"));
}

TEST_F(IcsRegisterTest, ANamedCacIsUsedIfItIsOneOfTheAbnsAndValid) {
  Response out = Register(AbnRequest(kAbn, 9));
  EXPECT_THAT(Errors(out), ElementsAre(std::pair("abn.cac", ics::kCodeCac)));
  EXPECT_THAT(out.errors(0).message(), HasSubstr("not one of ABN 53004085616's CACs (1, 2, 3)"));
  out = Register(AbnRequest(kAbn, 1));
  EXPECT_THAT(Errors(out), ElementsAre(std::pair("abn.cac", ics::kCodeCac)));
  EXPECT_THAT(out.errors(0).message(), HasSubstr("is not valid"));
  out = Register(AbnRequest(kAbn, 3));
  ASSERT_EQ(out.outcome(), Response::REGISTERED);
  EXPECT_EQ(out.cac(), 3);
  EXPECT_EQ(out.client().address().lines(0), "3 Wharf St");
}

TEST(BusinessAddressCacTest, TheLowestValidOrTheOneNamed) {
  state::IcsAbn abn = ListedAbn(kAbn, "W", false, {{4, true}, {2, false}, {3, true}});
  EXPECT_EQ(BusinessAddressCac(abn, 0)->number(), 3);
  EXPECT_EQ(BusinessAddressCac(abn, 4)->number(), 4);
  EXPECT_FALSE(BusinessAddressCac(abn, 2).ok());
  EXPECT_FALSE(BusinessAddressCac(abn, 1).ok());
  abn = ListedAbn(kAbn, "W", false, {{1, false}});
  EXPECT_THAT(BusinessAddressCac(abn, 0).status().message(), HasSubstr("has no valid CAC"));
  abn = ListedAbn(kAbn, "W", false, {{1, true}});
  EXPECT_EQ(BusinessAddressCac(abn, 1)->number(), 1);  // one CAC: naming it is the same
}

TEST_F(IcsRegisterTest, AnAbnOffTheListOrCancelledIsRefused) {
  Response out = Register(AbnRequest(kUnlisted));
  EXPECT_THAT(Errors(out), ElementsAre(std::pair("abn.abn", ics::kCodeInvalidAbn)));
  EXPECT_THAT(out.errors(0).message(), HasSubstr("Invalid ABN"));
  out = Register(AbnRequest(kCancelled));
  EXPECT_THAT(Errors(out), ElementsAre(std::pair("abn.abn", ics::kCodeAbnCancelled)));
}

TEST_F(IcsRegisterTest, AFullNameAndAddressMatchIsADuplicateListingEveryMatch) {
  Response first = Register(Ind("Mei", "Nguyen", Address("1 Wharf St")));
  ASSERT_EQ(first.outcome(), Response::REGISTERED);
  EXPECT_EQ(first.client().client_id(), "CC000000001");
  EXPECT_EQ(first.client().name(), "Mei Nguyen");

  // An active ABN client of the same name and address matches too.
  state::IcsSeed seed;
  *seed.add_abns() = ListedAbn("45860000000", "MEI  NGUYEN", false, {{1, true}});
  *seed.mutable_abns(0)->mutable_cacs(0)->mutable_address() = Address("1 wharf st");
  v1::IcsClient* abn_client = seed.add_clients();
  abn_client->set_type(v1::IcsClient::ABN);
  abn_client->set_abn("45860000000");
  ASSERT_TRUE(ics_.Seed(seed).ok());

  // Case and runs of spaces aside, the same name and address.
  Response out = Register(Ind(" mei ", "NGUYEN", Address("1  Wharf St")));
  ASSERT_EQ(out.outcome(), Response::DUPLICATE);
  ASSERT_EQ(out.duplicates_size(), 2);
  // By client id.
  EXPECT_EQ(out.duplicates(0).client_id(), "45860000000");
  EXPECT_EQ(out.duplicates(0).status(), v1::IcsClient::ACTIVE);
  EXPECT_EQ(out.duplicates(1).client_id(), "CC000000001");

  // One character of the address apart, or another locality: no match.
  EXPECT_EQ(Register(Ind("Mei", "Nguyen", Address("1 Wharf Rd"))).outcome(), Response::REGISTERED);
  EXPECT_EQ(Register(Ind("Mei", "Nguyen", Address("1 Wharf St", "Pyrmont"))).outcome(),
            Response::REGISTERED);
  // An organisation of that name at that address matches as well.
  v1::RegisterClientRequest org = Base();
  org.mutable_ccid()->set_client_type(v1::IcsClient::ORG);
  org.mutable_ccid()->set_organisation_name("Mei Nguyen");
  *org.mutable_ccid()->mutable_business_address() = Address("1 Wharf St");
  EXPECT_EQ(Register(org).outcome(), Response::DUPLICATE);
}

TEST_F(IcsRegisterTest, ACcidMatchingACancelledAbnsClientProceeds) {
  state::IcsSeed seed;
  v1::IcsClient* c = seed.add_clients();
  c->set_type(v1::IcsClient::ABN);
  c->set_abn(kCancelled);  // "Redgum Traders Pty Ltd", 1 Wharf St
  auto seeded = ics_.Seed(seed);
  ASSERT_TRUE(seeded.ok()) << seeded.status();
  EXPECT_EQ(seeded->clients(0).status(), v1::IcsClient::CANCELLED);

  v1::RegisterClientRequest org = Base();
  org.mutable_ccid()->set_client_type(v1::IcsClient::ORG);
  org.mutable_ccid()->set_organisation_name("Redgum Traders Pty Ltd");
  *org.mutable_ccid()->mutable_business_address() = Address("1 Wharf St");
  Response out = Register(org);
  ASSERT_EQ(out.outcome(), Response::REGISTERED);
  EXPECT_EQ(out.client().type(), v1::IcsClient::ORG);

  // The same with the ABN active again: now a duplicate (of both).
  seed.Clear();
  *seed.add_abns() = ListedAbn(kCancelled, "Redgum Traders Pty Ltd", false, {{1, true}});
  ASSERT_TRUE(ics_.Seed(seed).ok());
  out = Register(org);
  ASSERT_EQ(out.outcome(), Response::DUPLICATE);
  EXPECT_EQ(out.duplicates_size(), 2);
}

TEST_F(IcsRegisterTest, NothingIsRegisteredUnlessRecorded) {
  recording_ = absl::UnavailableError("disk full");
  absl::StatusOr<Response> out = ics_.Register(Ind("Mei", "Nguyen", Address("1 Wharf St")));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnavailable);
  recording_ = absl::OkStatus();
  EXPECT_EQ(Register(Ind("Mei", "Nguyen", Address("1 Wharf St"))).client().client_id(),
            "CC000000001");
}

TEST_F(IcsRegisterTest, ARestoredRegisterHoldsEveryClientAndNumbersOn) {
  ASSERT_EQ(Register(Ind("Mei", "Nguyen", Address("1 Wharf St"))).outcome(), Response::REGISTERED);
  ASSERT_EQ(Register(AbnRequest(kAbn)).outcome(), Response::REGISTERED);
  IcsRegister restored;
  for (const state::IcsChange& c : recorded_) ASSERT_TRUE(restored.Restore(c).ok());
  EXPECT_EQ(restored.Clients().size(), 2u);
  EXPECT_EQ(restored.Abns().size(), 2u);
  EXPECT_EQ(restored.Registrants().size(), 1u);
  EXPECT_EQ(restored.Register(AbnRequest(kAbn))->outcome(), Response::REJECTED);
  EXPECT_EQ(restored.Register(Ind("Sam", "Kelly", Address("9 Quay Rd")))->client().client_id(),
            "CC000000002");
}

TEST_F(IcsRegisterTest, GeneratedAbnsAreDeterministic) {
  state::IcsSeed seed;
  seed.mutable_generate_abns()->set_count(10);
  seed.mutable_generate_abns()->set_seed(7);
  auto a = ics_.Seed(seed);
  auto b = ics_.Seed(seed);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->abns_size(), 10);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(a->abns(i).SerializeAsString(), b->abns(i).SerializeAsString());
    EXPECT_EQ(a->abns(i).cancelled(), i % 5 == 4);
    EXPECT_EQ(a->abns(i).cacs_size(), 1 + i % 3);
    EXPECT_EQ(a->abns(i).cacs(0).valid(), i % 2 == 0);
  }
  seed.mutable_generate_abns()->set_seed(8);
  EXPECT_NE(ics_.Seed(seed)->abns(0).abn(), a->abns(0).abn());
  EXPECT_EQ(ics_.Abns().size(), 2u + 20u);
}

TEST_F(IcsRegisterTest, SeedingTheSameClientTwiceKeepsOne) {
  state::IcsSeed seed;
  v1::IcsClient* c = seed.add_clients();
  c->set_type(v1::IcsClient::IND);
  c->set_name("Alex Citizen");
  *c->mutable_address() = Address("5 Dock St");
  auto first = ics_.Seed(seed);
  auto second = ics_.Seed(seed);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->clients(0).client_id(), second->clients(0).client_id());
  EXPECT_EQ(ics_.Clients().size(), 1u);
}

TEST_F(IcsRegisterTest, BadSeedsAreRefusedNamingTheField) {
  struct Case {
    std::string json;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"registrants": [{"agent_abn": "123"}]})", "registrants[0].agent_abn"},
           {R"({"registrants": [{"agent_abn": "51824753556", "role_names": ["PIRATE"]}]})",
            "registrants[0].role_names[0]"},
           {R"({"abns": [{"abn": "53004085616", "name": "W", "cacs": [{"number": 1},
               {"number": 1}]}]})",
            "abns[0].cacs[1].number"},
           {R"({"abns": [{"abn": "53004085616"}]})", "abns[0].name"},
           {R"({"clients": [{"type": "ABN", "abn": "91110000000"}]})", "clients[0].abn"},
           {R"({"clients": [{"type": "IND", "client_id": "CC1", "name": "X"}]})",
            "clients[0].client_id"},
           {R"({"clients": [{"type": "ORG"}]})", "clients[0].name"},
           {R"({"generate_abns": {"count": -1}})", "generate_abns.count"},
       }) {
    auto seed = ParseIcsSeedJson(c.json);
    ASSERT_TRUE(seed.ok()) << seed.status() << c.json;
    auto seeded = ics_.Seed(*seed);
    EXPECT_FALSE(seeded.ok()) << c.json;
    EXPECT_THAT(seeded.status().message(), HasSubstr(c.says));
  }
  EXPECT_FALSE(ParseIcsSeedJson(R"({"colour": 1})").ok());
  EXPECT_EQ(ics_.Clients().size(), 0u);
}

}  // namespace
}  // namespace sbrgate::sim
