// The CLREG rules sbrgate and the agency share, each at its edge: the minimum
// data of IND, ORG and ABN clients, exactly one of CCID and ABN, 1 to 6
// contact address elements, the ABN check digit, and role names.
#include "pipeline/clients/ics/rules/registration_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sbrgate::ics {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr char kPractice[] = "51824753556";
constexpr char kAbn[] = "53004085616";

v1::RegisterClientRequest Base() {
  v1::RegisterClientRequest r;
  r.mutable_agent()->set_agent_abn(kPractice);
  r.mutable_agent()->set_ran("12345678");
  r.mutable_contact()->set_name("Pat Contact");
  r.mutable_contact()->add_address("1 Wharf St, Sydney NSW 2000");
  r.add_role_names("IMPORTER");
  return r;
}

v1::RegisterClientRequest Ind() {
  v1::RegisterClientRequest r = Base();
  v1::CcidRegistration* c = r.mutable_ccid();
  c->set_client_type(v1::IcsClient::IND);
  c->set_family_name("Nguyen");
  c->mutable_business_address()->set_type("BUSINESS");
  c->mutable_business_address()->add_lines("1 Wharf St");
  return r;
}

v1::RegisterClientRequest Org() {
  v1::RegisterClientRequest r = Base();
  v1::CcidRegistration* c = r.mutable_ccid();
  c->set_client_type(v1::IcsClient::ORG);
  c->set_organisation_name("Harbour Freight Pty Ltd");
  c->mutable_business_address()->set_type("BUSINESS");
  c->mutable_business_address()->add_lines("2 Quay Rd");
  c->mutable_business_address()->set_country("AU");
  r.mutable_contact()->set_purpose("GENERAL");
  return r;
}

v1::RegisterClientRequest Abn() {
  v1::RegisterClientRequest r = Base();
  r.mutable_abn()->set_abn(kAbn);
  r.mutable_contact()->set_purpose("GENERAL");
  return r;
}

// (field, code) of each error.
std::vector<std::pair<std::string, std::string>> Broken(const v1::RegisterClientRequest& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const v1::RegistrationError& e : RegistrationErrors(r))
    out.emplace_back(e.field(), e.code());
  return out;
}

TEST(RegistrationRulesTest, TheMinimumDataOfEachTypeIsEnough) {
  EXPECT_THAT(Broken(Ind()), IsEmpty());  // no contact purpose, no country
  EXPECT_THAT(Broken(Org()), IsEmpty());
  EXPECT_THAT(Broken(Abn()), IsEmpty());
}

TEST(RegistrationRulesTest, ExactlyOneOfCcidAndAbn) {
  v1::RegisterClientRequest both = Ind();
  both.mutable_abn()->set_abn(kAbn);
  EXPECT_THAT(Broken(both), ElementsAre(Pair("ccid", kCodeCcidOrAbn)));
  v1::RegisterClientRequest neither = Base();
  EXPECT_THAT(Broken(neither), ElementsAre(Pair("ccid", kCodeCcidOrAbn)));
}

TEST(RegistrationRulesTest, IndividualsNeedAFamilyNameAndBusinessAddressTypeAndLine1) {
  v1::RegisterClientRequest r = Ind();
  r.mutable_ccid()->set_family_name(" ");  // only spaces: missing
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.family_name", kCodeMissing)));
  r = Ind();
  r.mutable_ccid()->mutable_business_address()->clear_type();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.business_address.type", kCodeMissing)));
  r = Ind();
  r.mutable_ccid()->mutable_business_address()->clear_lines();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.business_address.lines[0]", kCodeMissing)));
  r = Ind();
  r.mutable_ccid()->mutable_business_address()->set_lines(0, "");
  r.mutable_ccid()->mutable_business_address()->add_lines("line 2 alone is not line 1");
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.business_address.lines[0]", kCodeMissing)));
  r = Ind();
  r.mutable_ccid()->set_organisation_name("Not For Individuals");
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.organisation_name", kCodeNotForType)));
}

TEST(RegistrationRulesTest, OrganisationsNeedANameCountryAddressAndContactPurpose) {
  v1::RegisterClientRequest r = Org();
  r.mutable_ccid()->clear_organisation_name();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.organisation_name", kCodeMissing)));
  r = Org();
  r.mutable_ccid()->mutable_business_address()->clear_country();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.business_address.country", kCodeMissing)));
  r = Org();
  r.mutable_ccid()->mutable_business_address()->clear_type();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.business_address.type", kCodeMissing)));
  r = Org();
  r.mutable_ccid()->mutable_business_address()->clear_lines();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.business_address.lines[0]", kCodeMissing)));
  r = Org();
  r.mutable_contact()->clear_purpose();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("contact.purpose", kCodeMissing)));
  r = Org();
  r.mutable_ccid()->set_family_name("Smith");
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.family_name", kCodeNotForType)));
}

TEST(RegistrationRulesTest, AUnspecifiedCcidTypeIsRefused) {
  v1::RegisterClientRequest r = Ind();
  r.mutable_ccid()->set_client_type(v1::IcsClient::ABN);
  EXPECT_THAT(Broken(r), ElementsAre(Pair("ccid.client_type", kCodeMissing)));
}

TEST(RegistrationRulesTest, AbnClientsNeedAValidAbnAndContactPurpose) {
  v1::RegisterClientRequest r = Abn();
  r.mutable_abn()->set_abn("53004085617");  // check digit off by one
  EXPECT_THAT(Broken(r), ElementsAre(Pair("abn.abn", kCodeInvalidAbn)));
  r.mutable_abn()->set_abn("5300408561");  // 10 digits
  EXPECT_THAT(Broken(r), ElementsAre(Pair("abn.abn", kCodeInvalidAbn)));
  r.mutable_abn()->clear_abn();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("abn.abn", kCodeMissing)));
  r = Abn();
  r.mutable_contact()->set_purpose("  ");
  EXPECT_THAT(Broken(r), ElementsAre(Pair("contact.purpose", kCodeMissing)));
  r = Abn();
  r.mutable_abn()->set_cac(-1);
  EXPECT_THAT(Broken(r), ElementsAre(Pair("abn.cac", kCodeCac)));
  r.mutable_abn()->set_cac(1);
  EXPECT_THAT(Broken(r), IsEmpty());
}

TEST(RegistrationRulesTest, EveryTypeNeedsAContactNameAndOneToSixAddressElements) {
  for (v1::RegisterClientRequest r : {Ind(), Org(), Abn()}) {
    v1::RegisterClientRequest no_name = r;
    no_name.mutable_contact()->clear_name();
    EXPECT_THAT(Broken(no_name), ElementsAre(Pair("contact.name", kCodeMissing)));

    r.mutable_contact()->clear_address();
    EXPECT_THAT(Broken(r), ElementsAre(Pair("contact.address", kCodeContactAddress)));
    for (int n = 1; n <= kMaxContactAddressElements; ++n) {
      r.mutable_contact()->add_address("element");
      EXPECT_THAT(Broken(r), IsEmpty()) << n;
    }
    r.mutable_contact()->add_address("a seventh");
    EXPECT_THAT(Broken(r), ElementsAre(Pair("contact.address", kCodeContactAddress)));
    r.mutable_contact()->clear_address();
    r.mutable_contact()->add_address("");
    EXPECT_THAT(Broken(r), ElementsAre(Pair("contact.address[0]", kCodeContactAddress)));
  }
}

TEST(RegistrationRulesTest, RoleNamesAreFromTheKnownListAndNamedOnce) {
  v1::RegisterClientRequest r = Ind();
  r.clear_role_names();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("role_names", kCodeMissing)));
  for (const std::string& name : KnownRoleNames()) r.add_role_names(name);
  EXPECT_THAT(Broken(r), IsEmpty());
  r.add_role_names("importer");  // names are upper case
  r.add_role_names("SMUGGLER");
  r.add_role_names("EXPORTER");
  const int n = static_cast<int>(KnownRoleNames().size());
  EXPECT_THAT(Broken(r),
              ElementsAre(Pair("role_names[" + std::to_string(n) + "]", kCodeInvalidRoleName),
                          Pair("role_names[" + std::to_string(n + 1) + "]", kCodeInvalidRoleName),
                          Pair("role_names[" + std::to_string(n + 2) + "]", kCodeInvalidRoleName)));
  const std::vector<v1::RegistrationError> errors = RegistrationErrors(r);
  EXPECT_THAT(errors[1].message(), ::testing::HasSubstr("Invalid Role name 'SMUGGLER'"));
  EXPECT_THAT(errors[2].message(), ::testing::HasSubstr("named twice"));
}

TEST(RegistrationRulesTest, ThePracticeMustHaveAValidAbn) {
  v1::RegisterClientRequest r = Ind();
  r.mutable_agent()->clear_agent_abn();
  EXPECT_THAT(Broken(r), ElementsAre(Pair("agent.agent_abn", kCodeMissing)));
  r.mutable_agent()->set_agent_abn("51824753557");
  EXPECT_THAT(Broken(r), ElementsAre(Pair("agent.agent_abn", kCodeInvalidAbn)));
}

}  // namespace
}  // namespace sbrgate::ics
