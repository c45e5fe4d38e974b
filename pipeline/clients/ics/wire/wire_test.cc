// The CLREG, ERM and CLNTDUP vocabulary: every request and outcome round
// trips (escaping included), and misshapen documents are refused naming where.
#include "pipeline/clients/ics/wire/wire.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

namespace sbrgate::ics {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

v1::IcsAddress Address() {
  v1::IcsAddress a;
  a.set_type("BUSINESS");
  a.add_lines("Level 3 & Annex");
  a.add_lines("1 <Wharf> St");
  a.set_locality("Sydney");
  a.set_state("NSW");
  a.set_postcode("2000");
  a.set_country("AU");
  return a;
}

v1::RegisterClientRequest Request() {
  v1::RegisterClientRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran("12345678");
  r.mutable_contact()->set_name("Pat \"Contact\"");
  r.mutable_contact()->set_purpose("GENERAL");
  r.mutable_contact()->add_address("02 9000 0000");
  r.mutable_contact()->add_address("");  // kept: the rules judge it
  r.add_role_names("IMPORTER");
  r.add_role_names("EXPORTER");
  return r;
}

TEST(IcsWireTest, RequestsOfEachKindRoundTrip) {
  v1::RegisterClientRequest ind = Request();
  ind.mutable_ccid()->set_client_type(v1::IcsClient::IND);
  ind.mutable_ccid()->set_family_name("Nguyen");
  ind.mutable_ccid()->set_given_names("Mei Lin");
  *ind.mutable_ccid()->mutable_business_address() = Address();
  v1::RegisterClientRequest org = Request();
  org.mutable_ccid()->set_client_type(v1::IcsClient::ORG);
  org.mutable_ccid()->set_organisation_name("Harbour & Co");
  *org.mutable_ccid()->mutable_business_address() = Address();
  v1::RegisterClientRequest abn = Request();
  abn.mutable_abn()->set_abn("53004085616");
  abn.mutable_abn()->set_cac(3);
  v1::RegisterClientRequest both = ind;  // carried as it is: the rules refuse it
  *both.mutable_abn() = abn.abn();
  v1::RegisterClientRequest neither = Request();
  for (const v1::RegisterClientRequest& r : {ind, org, abn, both, neither}) {
    const std::string xml = WriteRequest(r);
    auto read = ReadRequest(xml);
    ASSERT_TRUE(read.ok()) << read.status() << "\n" << xml;
    EXPECT_TRUE(MessageDifferencer::Equals(*read, r)) << read->DebugString() << "\n" << xml;
  }
}

TEST(IcsWireTest, ResponsesOfEachOutcomeRoundTrip) {
  v1::RegisterClientResponse registered;
  registered.set_outcome(v1::RegisterClientResponse::REGISTERED);
  v1::IcsClient* c = registered.mutable_client();
  c->set_client_id("53004085616");
  c->set_type(v1::IcsClient::ABN);
  c->set_abn("53004085616");
  c->set_name("Wattle & Sons");
  c->set_status(v1::IcsClient::ACTIVE);
  *c->mutable_address() = Address();
  registered.set_cac(2);

  v1::RegisterClientResponse rejected;
  rejected.set_outcome(v1::RegisterClientResponse::REJECTED);
  v1::RegistrationError* e = rejected.add_errors();
  e->set_code("CMN.ATO.CLREG.000011");
  e->set_field("abn.abn");
  e->set_message("ABN already registered");
  rejected.add_errors()->set_code("SBR.GEN.AUTH.006");

  v1::RegisterClientResponse duplicate;
  duplicate.set_outcome(v1::RegisterClientResponse::DUPLICATE);
  *duplicate.add_duplicates() = *c;
  c = duplicate.add_duplicates();
  c->set_client_id("CC000000007");
  c->set_type(v1::IcsClient::IND);
  c->set_name("Mei Nguyen");
  c->set_status(v1::IcsClient::CANCELLED);
  *c->mutable_address() = Address();

  for (const v1::RegisterClientResponse& r : {registered, rejected, duplicate}) {
    const std::string xml = WriteResponse(r);
    auto read = ReadResponse(xml);
    ASSERT_TRUE(read.ok()) << read.status() << "\n" << xml;
    EXPECT_TRUE(MessageDifferencer::Equals(*read, r)) << read->DebugString() << "\n" << xml;
  }
  EXPECT_THAT(WriteResponse(duplicate), HasSubstr("<ics:CLNTDUP"));
  EXPECT_THAT(WriteResponse(rejected), HasSubstr("documentName=\"CLRREGR\""));
  EXPECT_STREQ(ResponseDocumentName(v1::RegisterClientResponse::REJECTED), "CLRREGR");
  EXPECT_STREQ(ResponseDocumentType(v1::RegisterClientResponse::REGISTERED), "ERM");
  EXPECT_STREQ(ResponseDocumentType(v1::RegisterClientResponse::DUPLICATE), "CLNTDUP");
}

TEST(IcsWireTest, MisshapenDocumentsAreRefusedNamingWhere) {
  const std::string ns = kIcsNamespace;
  struct Case {
    std::string xml;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"<CLREG/>", "the root must be in"},
           {"<ics:ERM xmlns:ics=\"" + ns + "\"/>", "not ics:CLREG"},
           {"<ics:CLREG xmlns:ics=\"" + ns + "\"><ics:Colour/></ics:CLREG>",
            "/CLREG: unexpected element Colour"},
           {"<ics:CLREG xmlns:ics=\"" + ns + "\"><ics:Ccid clientType=\"ABN\"/></ics:CLREG>",
            "/CLREG/Ccid/@clientType: 'ABN' is not IND or ORG"},
           {"<ics:CLREG xmlns:ics=\"" + ns + "\"><ics:Abn abn=\"1\" cac=\"two\"/></ics:CLREG>",
            "/CLREG/Abn/@cac"},
           {"<ics:CLREG xmlns:ics=\"" + ns +
                "\"><ics:Ccid clientType=\"IND\"><ics:BusinessAddress><ics:Street/>"
                "</ics:BusinessAddress></ics:Ccid></ics:CLREG>",
            "/CLREG/Ccid/BusinessAddress: unexpected element Street"},
       }) {
    auto read = ReadRequest(c.xml);
    ASSERT_FALSE(read.ok()) << c.xml;
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(read.status().message(), HasSubstr(c.says)) << c.xml;
  }
  for (const Case& c : std::vector<Case>{
           {"<ics:CLREG xmlns:ics=\"" + ns + "\"/>", "not ERM or CLNTDUP"},
           {"<ics:ERM xmlns:ics=\"" + ns + "\" outcome=\"MAYBE\"/>", "'MAYBE'"},
           {"<ics:ERM xmlns:ics=\"" + ns + "\" outcome=\"REJECTED\"/>", "gives no error"},
           {"<ics:ERM xmlns:ics=\"" + ns + "\" outcome=\"REGISTERED\"/>", "names no client"},
           {"<ics:CLNTDUP xmlns:ics=\"" + ns + "\"/>", "lists no client"},
           {"<ics:CLNTDUP xmlns:ics=\"" + ns +
                "\"><ics:Client id=\"x\" type=\"TFN\" status=\"ACTIVE\"/></ics:CLNTDUP>",
            "/CLNTDUP/Client[1]: type 'TFN'"},
       }) {
    auto read = ReadResponse(c.xml);
    ASSERT_FALSE(read.ok()) << c.xml;
    EXPECT_THAT(read.status().message(), HasSubstr(c.says)) << c.xml;
  }
}

}  // namespace
}  // namespace sbrgate::ics
