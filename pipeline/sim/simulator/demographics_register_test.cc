// The simulator's CUDEMOGR rules one by one, on a corpus seeded here: the
// relationship an agent needs and the level it allows, what each operation
// reads and changes, validate changing nothing, and a change kept by the
// recorder and restored. That they travel on Single-sync is
// demographics_test's.
#include "pipeline/sim/simulator/demographics_register.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipeline/clients/demographics/rules.h"
#include "pipeline/platform/common/clock.h"

namespace sbrgate::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPractice[] = "51824753556";  // client level with the company
constexpr char kBasAgent[] = "83914571641";  // account AS:001 of the company
constexpr char kStranger[] = "33102417032";  // linked with someone else
constexpr char kCompany[] = "53004085616";
constexpr char kPerson[] = "123456782";

v1::ClientId Client(v1::ClientIdType type, const std::string& value) {
  v1::ClientId c;
  c.set_type(type);
  c.set_value(value);
  return c;
}

v1::DemographicsRequest Request(const std::string& agent, v1::CudemogrService service,
                                v1::CudemogrOperation op, const std::string& account = "") {
  v1::DemographicsRequest r;
  r.mutable_agent()->set_agent_abn(agent);
  r.mutable_agent()->set_ran("1");
  r.set_service(service);
  r.set_operation(op);
  *r.mutable_client() = Client(v1::ABN, kCompany);
  r.set_account(account);
  return r;
}

v1::ClientAddress Postal(const std::string& line) {
  v1::ClientAddress a;
  a.set_usage(v1::ClientAddress::POSTAL);
  a.add_lines(line);
  a.set_locality("Hobart");
  a.set_state("TAS");
  a.set_postcode("7000");
  return a;
}

std::vector<std::string> FirstLines(const v1::DemographicsResponse& r) {
  std::vector<std::string> lines;
  for (const v1::ClientAddress& a : r.records().addresses()) {
    lines.push_back(absl::StrCat(v1::ClientAddress::Usage_Name(a.usage()), " ", a.lines(0),
                                 a.end_date().empty() ? "" : " ended " + a.end_date()));
  }
  return lines;
}

class DemographicsRegisterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto seed = [&](const std::string& agent, v1::ClientId client, const std::string& name,
                    clntcomm::LinkLevel level, std::vector<std::string> accounts) {
      ClntcommSeed s;
      s.agent_abn = agent;
      s.ran = "1";
      s.client = std::move(client);
      s.name = name;
      s.level = level;
      s.accounts = std::move(accounts);
      ASSERT_TRUE(corpus_.SeedClient(s).ok());
    };
    seed(kPractice, Client(v1::ABN, kCompany), "Harbour Joinery Pty Ltd",
         clntcomm::LinkLevel::kClient, {});
    seed(kBasAgent, Client(v1::ABN, kCompany), "", clntcomm::LinkLevel::kAccount, {"AS:001"});
    seed(kStranger, Client(v1::TFN, kPerson), "Mei Ling Chen", clntcomm::LinkLevel::kClient, {});
  }

  // Serves `r` after the rules both sides check, as the Single-sync does.
  absl::StatusOr<v1::DemographicsResponse> Serve(const v1::DemographicsRequest& r) {
    const std::vector<FieldViolation> v = demographics::RequestViolations(r, corpus_.Today());
    EXPECT_THAT(v, IsEmpty()) << v.front().field << ": " << v.front().description;
    return register_.Serve(r);
  }

  v1::DemographicsResponse Ok(const v1::DemographicsRequest& r) {
    absl::StatusOr<v1::DemographicsResponse> out = Serve(r);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.value_or(v1::DemographicsResponse());
  }

  // 2026-03-15, noon in Sydney.
  ManualClock clock_{absl::FromUnixSeconds(1773536400)};
  ClntcommCorpus corpus_{&clock_};
  DemographicsRegister register_{&corpus_};
};

TEST_F(DemographicsRegisterTest, EveryClientHasGeneratedDemographicsTheSameEveryTime) {
  const v1::DemographicsResponse addresses = Ok(Request(kPractice, v1::ADDRESSES, v1::LIST));
  EXPECT_EQ(addresses.client_name(), "Harbour Joinery Pty Ltd");
  ASSERT_EQ(addresses.records().addresses_size(), 2);
  EXPECT_EQ(addresses.records().addresses(0).usage(), v1::ClientAddress::BUSINESS);
  EXPECT_EQ(addresses.records().addresses(1).usage(), v1::ClientAddress::POSTAL);
  EXPECT_EQ(addresses.records().authorised_contacts_size(), 1);
  v1::DemographicsRequest history = Request(kPractice, v1::ADDRESSES, v1::LIST);
  history.set_include_history(true);
  EXPECT_EQ(Ok(history).records().addresses_size(), 3);

  const v1::DemographicsResponse associates = Ok(Request(kPractice, v1::ASSOCIATES, v1::LIST));
  ASSERT_EQ(associates.records().associates_size(), 3);
  EXPECT_EQ(associates.records().associates(2).relationship(), v1::Associate::PUBLIC_OFFICER);
  EXPECT_EQ(associates.records().associates(2).name(),
            addresses.records().authorised_contacts(0).name());
  const v1::ClientDetails details =
      Ok(Request(kPractice, v1::DETAILS, v1::GET)).records().details();
  EXPECT_EQ(details.entity(), v1::ClientDetails::NON_INDIVIDUAL);
  EXPECT_EQ(details.organisation_name(), "Harbour Joinery Pty Ltd");
  EXPECT_EQ(Ok(Request(kPractice, v1::FINANCIAL_INSTITUTIONS, v1::LIST))
                .records()
                .financial_institution_accounts(0)
                .account_name(),
            "Harbour Joinery Pty Ltd");

  // An individual: names from the corpus's, a date of birth.
  v1::DemographicsRequest person = Request(kStranger, v1::DETAILS, v1::GET);
  *person.mutable_client() = Client(v1::TFN, kPerson);
  const v1::ClientDetails mei = Ok(person).records().details();
  EXPECT_EQ(mei.entity(), v1::ClientDetails::INDIVIDUAL);
  EXPECT_EQ(mei.given_name(), "Mei Ling");
  EXPECT_EQ(mei.family_name(), "Chen");
  EXPECT_FALSE(mei.date_of_birth().empty());

  // Generated from the client alone: another register agrees.
  DemographicsRegister again(&corpus_);
  EXPECT_EQ(again.Serve(Request(kPractice, v1::ADDRESSES, v1::LIST))->SerializeAsString(),
            addresses.SerializeAsString());
}

TEST_F(DemographicsRegisterTest, OnlyARelationshipLetsAnAgentInAndOnlyAtItsLevel) {
  v1::DemographicsRequest r = Request(kStranger, v1::DETAILS, v1::GET);
  EXPECT_EQ(Serve(r).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(Serve(r).status().message(), HasSubstr("has no relationship with client ABN:"));
  r = Request(kPractice, v1::DETAILS, v1::GET);
  r.mutable_client()->set_value("33102417032");
  EXPECT_EQ(Serve(r).status().code(), absl::StatusCode::kNotFound);

  // Account level: that account's addresses and contacts, nothing else.
  EXPECT_TRUE(Serve(Request(kBasAgent, v1::ADDRESSES, v1::LIST, "AS:001")).ok());
  absl::Status s = Serve(Request(kBasAgent, v1::ADDRESSES, v1::LIST)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("is for account AS:001 only, not the client as a whole"));
  EXPECT_EQ(Serve(Request(kBasAgent, v1::ADDRESSES, v1::LIST, "IT")).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Serve(Request(kBasAgent, v1::FINANCIAL_INSTITUTIONS, v1::LIST)).status().code(),
            absl::StatusCode::kPermissionDenied);

  // Client level: any of the client's accounts.
  EXPECT_TRUE(Serve(Request(kPractice, v1::ADDRESSES, v1::LIST, "IT")).ok());
  EXPECT_EQ(Serve(Request(kPractice, v1::ADDRESSES, v1::LIST, "AS:999")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(DemographicsRegisterTest, ASubmittedAddressSupersedesItsUsageAndValidateChangesNothing) {
  const std::vector<std::string> before =
      FirstLines(Ok(Request(kPractice, v1::ADDRESSES, v1::LIST)));
  v1::DemographicsRequest r = Request(kPractice, v1::ADDRESSES, v1::VALIDATE);
  *r.mutable_records()->add_addresses() = Postal("PO Box 7");
  v1::DemographicsResponse validated = Ok(r);
  EXPECT_FALSE(validated.changed());
  EXPECT_EQ(validated.records().addresses(0).start_date(), "2026-03-15");
  EXPECT_EQ(FirstLines(Ok(Request(kPractice, v1::ADDRESSES, v1::LIST))), before);

  r.set_operation(v1::SUBMIT);
  EXPECT_TRUE(Ok(r).changed());
  const std::vector<std::string> after =
      FirstLines(Ok(Request(kPractice, v1::ADDRESSES, v1::LIST)));
  EXPECT_THAT(after, ElementsAre(before[0], "POSTAL PO Box 7"));
  v1::DemographicsRequest history = Request(kPractice, v1::ADDRESSES, v1::LIST);
  history.set_include_history(true);
  EXPECT_THAT(FirstLines(Ok(history)), ::testing::Contains(before[1] + " ended 2026-03-15"));

  // An account's own address, seen at that level only (and by its agent).
  r = Request(kBasAgent, v1::ADDRESSES, v1::SUBMIT, "AS:001");
  *r.mutable_records()->add_addresses() = Postal("Level 2, 9 Pitt St");
  ASSERT_TRUE(Ok(r).changed());
  EXPECT_THAT(FirstLines(Ok(Request(kPractice, v1::ADDRESSES, v1::LIST, "AS:001"))),
              ElementsAre("POSTAL Level 2, 9 Pitt St"));
  EXPECT_THAT(FirstLines(Ok(Request(kPractice, v1::ADDRESSES, v1::LIST))), after);
}

TEST_F(DemographicsRegisterTest, ContactsDetailsAndAccountsChange) {
  v1::DemographicsRequest r = Request(kBasAgent, v1::AUTHORISED_CONTACTS, v1::SUBMIT, "AS:001");
  v1::AuthorisedContact* c = r.mutable_records()->add_authorised_contacts();
  c->set_name("Sam Kelly");
  c->set_role("Bookkeeper");
  c->set_email("sam@harbour.example");
  ASSERT_TRUE(Ok(r).changed());
  const v1::DemographicsResponse level = Ok(Request(kBasAgent, v1::ADDRESSES, v1::LIST, "AS:001"));
  ASSERT_EQ(level.records().authorised_contacts_size(), 1);
  EXPECT_EQ(level.records().authorised_contacts(0).name(), "Sam Kelly");
  EXPECT_NE(Ok(Request(kPractice, v1::ADDRESSES, v1::LIST)).records().authorised_contacts(0).name(),
            "Sam Kelly");

  r = Request(kPractice, v1::DETAILS, v1::SUBMIT);
  v1::ClientDetails* d = r.mutable_records()->mutable_details();
  d->set_entity(v1::ClientDetails::INDIVIDUAL);
  d->set_family_name("Joinery");
  d->set_date_of_birth("1980-01-01");
  absl::Status s = Serve(r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("is a non-individual"));
  d->Clear();
  d->set_entity(v1::ClientDetails::NON_INDIVIDUAL);
  d->set_organisation_name("Harbour Joinery & Sons Pty Ltd");
  d->set_not_for_profit(true);
  ASSERT_TRUE(Ok(r).changed());
  EXPECT_EQ(Ok(Request(kPractice, v1::DETAILS, v1::GET)).records().details().organisation_name(),
            "Harbour Joinery & Sons Pty Ltd");

  r = Request(kPractice, v1::FINANCIAL_INSTITUTIONS, v1::SUBMIT);
  v1::FinancialInstitutionAccount* a = r.mutable_records()->add_financial_institution_accounts();
  a->set_purpose(v1::FinancialInstitutionAccount::INCOME_TAX_REFUND);
  a->set_bsb("062000");
  a->set_account_number("1234");
  a->set_account_name("Harbour Joinery");
  a->set_start_date("2026-04-01");
  ASSERT_TRUE(Ok(r).changed());
  const v1::DemographicsResponse listed =
      Ok(Request(kPractice, v1::FINANCIAL_INSTITUTIONS, v1::LIST));
  ASSERT_EQ(listed.records().financial_institution_accounts_size(), 1);
  EXPECT_EQ(listed.records().financial_institution_accounts(0).account_number(), "1234");
  v1::DemographicsRequest history = Request(kPractice, v1::FINANCIAL_INSTITUTIONS, v1::LIST);
  history.set_include_history(true);
  const v1::DemographicsResponse both = Ok(history);
  ASSERT_EQ(both.records().financial_institution_accounts_size(), 2);
  EXPECT_EQ(both.records().financial_institution_accounts(0).end_date(), "2026-04-01");
}

TEST_F(DemographicsRegisterTest, ChangesAreRecordedFirstAndRestored) {
  std::vector<state::ClientDemographics> saved;
  absl::Status fail = absl::UnavailableError("disk full");
  register_.RecordChangesWith([&](const state::ClientDemographics& c) {
    if (!fail.ok()) return fail;
    saved.push_back(c);
    return absl::OkStatus();
  });
  v1::DemographicsRequest r = Request(kPractice, v1::ADDRESSES, v1::SUBMIT);
  *r.mutable_records()->add_addresses() = Postal("PO Box 7");
  EXPECT_EQ(register_.Serve(r).status().code(), absl::StatusCode::kUnavailable);
  const std::vector<std::string> unchanged =
      FirstLines(Ok(Request(kPractice, v1::ADDRESSES, v1::LIST)));
  EXPECT_THAT(unchanged, ::testing::Not(::testing::Contains("POSTAL PO Box 7")));

  fail = absl::OkStatus();
  ASSERT_TRUE(Ok(r).changed());
  r.set_operation(v1::VALIDATE);
  ASSERT_FALSE(Ok(r).changed());
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].client().value(), kCompany);

  DemographicsRegister restarted(&corpus_);
  restarted.Restore(saved);
  EXPECT_EQ(restarted.Serve(Request(kPractice, v1::ADDRESSES, v1::LIST))->SerializeAsString(),
            Ok(Request(kPractice, v1::ADDRESSES, v1::LIST)).SerializeAsString());
}

}  // namespace
}  // namespace sbrgate::sim
