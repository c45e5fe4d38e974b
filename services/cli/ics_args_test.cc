// `sbrgate ics register`'s flags into a RegisterClientRequest, and the flags
// refused: another type's, bad values.
#include "services/cli/ics_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sbrgate::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<v1::RegisterClientRequest> Parse(std::vector<std::string> args) {
  Flags flags({"json"}, IcsRegisterFlagNames());
  if (absl::Status s = flags.Parse(args); !s.ok()) return s;
  return RegisterRequestFromFlags(flags, "alice");
}

TEST(IcsArgsTest, AnIndividual) {
  auto r = Parse({"--type=IND", "--abn=51824753556", "--ran=12345678", "--family-name=Nguyen",
                  "--given-names=Mei", "--address-type=BUSINESS", "--address-line=1 Wharf St",
                  "--address-line=Level 2", "--locality=Sydney", "--state=NSW", "--postcode=2000",
                  "--country=AU", "--contact-name=Pat", "--contact-address=02 9000 0000",
                  "--contact-address=pat@example.com", "--role=importer,customs-broker", "--role",
                  "exporter"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->agent().agent_abn(), "51824753556");
  EXPECT_EQ(r->agent().user_id(), "alice");
  EXPECT_EQ(r->ccid().client_type(), v1::IcsClient::IND);
  EXPECT_EQ(r->ccid().family_name(), "Nguyen");
  EXPECT_THAT(r->ccid().business_address().lines(), ElementsAre("1 Wharf St", "Level 2"));
  EXPECT_EQ(r->ccid().business_address().country(), "AU");
  EXPECT_THAT(r->contact().address(), ElementsAre("02 9000 0000", "pat@example.com"));
  EXPECT_THAT(r->role_names(), ElementsAre("IMPORTER", "CUSTOMS_BROKER", "EXPORTER"));
  EXPECT_FALSE(r->has_abn());
}

TEST(IcsArgsTest, AnOrganisationAndAnAbn) {
  auto org = Parse({"--type=org", "--org-name=Harbour Freight", "--user=bob"});
  ASSERT_TRUE(org.ok()) << org.status();
  EXPECT_EQ(org->ccid().client_type(), v1::IcsClient::ORG);
  EXPECT_EQ(org->ccid().organisation_name(), "Harbour Freight");
  EXPECT_EQ(org->agent().user_id(), "bob");
  EXPECT_TRUE(org->agent().agent_abn().empty());  // a practice caller's own

  auto abn =
      Parse({"--type=abn", "--client-abn=53004085616", "--cac=2", "--contact-purpose=GENERAL"});
  ASSERT_TRUE(abn.ok()) << abn.status();
  EXPECT_EQ(abn->abn().abn(), "53004085616");
  EXPECT_EQ(abn->abn().cac(), 2);
  EXPECT_EQ(abn->contact().purpose(), "GENERAL");
  EXPECT_FALSE(abn->has_ccid());
}

TEST(IcsArgsTest, FlagsOfAnotherTypeOrBadValuesAreRefused) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {{}, "--type=ind|org|abn is required"},
           {{"--type=tfn"}, "--type 'tfn' is not ind, org or abn"},
           {{"--type=ind", "--org-name=X"}, "--org-name goes with --type=org, not --type=ind"},
           {{"--type=org", "--family-name=X"}, "--family-name goes with --type=ind"},
           {{"--type=ind", "--client-abn=1"}, "--client-abn goes with --type=abn"},
           {{"--type=abn", "--address-line=1"}, "--address-line goes with --type=ind or org"},
           {{"--type=abn", "--cac=0"}, "--cac '0' is not a CAC number"},
           {{"--type=abn", "--cac=two"}, "--cac 'two'"},
       }) {
    auto r = Parse(c.args);
    ASSERT_FALSE(r.ok()) << c.says;
    EXPECT_THAT(r.status().message(), HasSubstr(c.says));
  }
}

}  // namespace
}  // namespace sbrgate::cli
