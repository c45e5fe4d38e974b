#include "pipeline/sbr/ebms/envelope_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/platform/common/resources.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/schema.h"

namespace sbrgate::ebms {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kT = absl::FromUnixMillis(1719720000123);  // 2024-06-30T04:00:00.123Z

// Schema problems of `xml` against envelope.xsd (empty when valid).
std::vector<std::string> SchemaProblems(const std::string& xml) {
  static const std::shared_ptr<const xml::Schema> schema = [] {
    absl::StatusOr<std::string> path = ResourcePath("pipeline/sbr/ebms/schemas/envelope.xsd");
    EXPECT_TRUE(path.ok()) << path.status();
    absl::StatusOr<std::shared_ptr<const xml::Schema>> s = xml::Schema::Load(*path);
    EXPECT_TRUE(s.ok()) << s.status();
    return *s;
  }();
  absl::StatusOr<xml::Document> doc = xml::ParseDocument(xml, "written");
  if (!doc.ok()) return {std::string(doc.status().message())};
  return schema->Validate(doc->get());
}

UserMessage PayEvent() {
  UserMessage m;
  m.message_id = "0f8fad5b-d9cb-469f-a165-70867728950e@sbrgate.example.com.au";
  m.timestamp = kT;
  m.from = {"53004085616", kPartyTypeAbn, kRoleBusiness};
  m.to = {kAtoAbn, kPartyTypeAbn, kRoleAgency};
  m.service = kServicePayevnt;
  m.action = kActionPayevntSubmit;
  m.conversation_id = "7d444840-9dc0-11d1-b245-5ffdce74fad2";
  m.message_properties = {{kPropertyProductId, "SBRG-1"},
                          {kPropertyBmsVendor, "Example Payroll"},
                          {kPropertyBmsName, "PayRun"},
                          {kPropertyBmsVersion, "4.2"}};
  m.parts.push_back({"cid:payevnt@sbrgate.example.com.au",
                     {{kPartPropertyCompressionType, "application/gzip"},
                      {kPartPropertyMimeType, "text/xml"},
                      {kPartPropertyDocumentName, "PAYEVNT"},
                      {kPartPropertyDocumentType, "PARENT"}}});
  return m;
}

Receipt ReceiptFor(const std::string& pushed) {
  Receipt r;
  r.message_id = "r1@ato.gov.au";
  r.timestamp = kT;
  r.ref_to_message_id = pushed;
  r.references = {{"#messaging", "http://www.w3.org/2001/04/xmlenc#sha256",
                   "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
                  {"cid:payevnt@sbrgate.example.com.au", "http://www.w3.org/2001/04/xmlenc#sha256",
                   "fX/iNylcUHNLV4lCE0eC7aEGP28="}};
  return r;
}

ErrorSignal Errors() {
  ErrorSignal s;
  s.message_id = "e1@ato.gov.au";
  s.timestamp = kT;
  s.ref_to_message_id = "m1@sbrgate.example.com.au";
  s.errors.push_back(MakeError(kErrorFailedAuthentication, "m1@sbrgate.example.com.au",
                               "signature does not verify"));
  s.errors.back().detail = "Reference #body: digest mismatch";
  s.errors.push_back(MakeError(kErrorEmptyMessagePartitionChannel, "m1@sbrgate.example.com.au"));
  Error other;
  other.error_code = "CMN.ATO.EBMS.001";
  other.severity = "failure";
  s.errors.push_back(other);
  return s;
}

PullRequest Pull() {
  return {"p1@sbrgate.example.com.au", kT, "urn:sbr:mpc:bulk", "m1@sbrgate.example.com.au"};
}

TEST(WriteEnvelopeTest, UserMessageWithPartsAndPropertiesIsValid) {
  Envelope e;
  e.messaging.user_messages.push_back(PayEvent());
  const std::string xml = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(xml), ElementsAre());
  EXPECT_THAT(xml, HasSubstr("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<S12:Envelope "
                             "xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\""));
  EXPECT_THAT(xml, HasSubstr("<eb:Messaging S12:mustUnderstand=\"true\" wsu:Id=\"messaging\">"));
  EXPECT_THAT(xml, HasSubstr("<S12:Body wsu:Id=\"body\"></S12:Body>"));
  EXPECT_THAT(xml, HasSubstr("<eb:Timestamp>2024-06-30T04:00:00.123Z</eb:Timestamp>"));
  EXPECT_THAT(xml, HasSubstr("<eb:PartyId type=\"http://abr.gov.au/PartyIdType/ABN\">"
                             "51824753556</eb:PartyId>\n            "
                             "<eb:Role>http://sbr.gov.au/agency</eb:Role>"));
  EXPECT_THAT(xml, HasSubstr("<eb:Service>http://sbr.gov.au/ato/payevnt/2020</eb:Service>"));
  EXPECT_THAT(xml, HasSubstr("<eb:Action>Submit.004.00</eb:Action>"));
  EXPECT_THAT(xml, HasSubstr("<eb:Property name=\"BMS Vendor\">Example Payroll</eb:Property>"));
  EXPECT_THAT(xml, HasSubstr("<eb:PartInfo href=\"cid:payevnt@sbrgate.example.com.au\">"));
  EXPECT_THAT(xml, HasSubstr("<eb:Property name=\"DocumentName\">PAYEVNT</eb:Property>"));
  EXPECT_THAT(xml, Not(HasSubstr("RefToMessageId")));
  EXPECT_THAT(xml, Not(HasSubstr("AgreementRef")));
}

TEST(WriteEnvelopeTest, OptionalUserMessageFieldsAreWritten) {
  UserMessage m = PayEvent();
  m.ref_to_message_id = "earlier@sbrgate.example.com.au";
  m.mpc = "urn:sbr:mpc:bulk";
  m.agreement_ref = "urn:sbr:agreement";
  m.service_type = "sbr";
  m.message_properties.clear();
  m.parts = {PartInfo{}};  // the payload in the Body
  Envelope e;
  e.messaging.user_messages.push_back(m);
  e.body_xml = "<p:Doc xmlns:p=\"urn:p\">x</p:Doc>";
  const std::string xml = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(xml), ElementsAre());
  EXPECT_THAT(xml, HasSubstr("<eb:UserMessage mpc=\"urn:sbr:mpc:bulk\">"));
  EXPECT_THAT(xml,
              HasSubstr("<eb:RefToMessageId>earlier@sbrgate.example.com.au</eb:RefToMessageId>"));
  EXPECT_THAT(xml, HasSubstr("<eb:AgreementRef>urn:sbr:agreement</eb:AgreementRef>"));
  EXPECT_THAT(xml, HasSubstr("<eb:Service type=\"sbr\">"));
  EXPECT_THAT(xml, HasSubstr("<eb:PayloadInfo>\n          <eb:PartInfo/>"));
  EXPECT_THAT(xml, Not(HasSubstr("MessageProperties")));
  EXPECT_THAT(xml,
              HasSubstr("<S12:Body wsu:Id=\"body\"><p:Doc xmlns:p=\"urn:p\">x</p:Doc></S12:Body>"));
}

TEST(WriteEnvelopeTest, MalformedBodyIsRefused) {
  Envelope e;
  e.messaging.user_messages.push_back(PayEvent());
  e.body_xml = "<p:Doc xmlns:p=\"urn:p\">x</p:Dox>";
  absl::StatusOr<std::string> xml = WriteEnvelope(e);
  EXPECT_EQ(xml.status().code(), absl::StatusCode::kInvalidArgument) << xml.status();
  EXPECT_THAT(xml.status().message(), HasSubstr("Body"));
}

TEST(WriteEnvelopeTest, BodyUsesTheEnvelopesNamespaces) {
  Envelope e;
  e.messaging.user_messages.push_back(PayEvent());
  e.body_xml = "<eb:Note>n</eb:Note>";
  const std::string xml = WriteEnvelope(e).value();
  absl::StatusOr<xml::Document> doc = xml::ParseDocument(xml, "written");
  ASSERT_TRUE(doc.ok()) << doc.status();
  xmlNode* note =
      xml::FirstChild(xml::FirstChild(xmlDocGetRootElement(doc->get()), "Body"), "Note");
  ASSERT_NE(note, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(note->ns->href), kEbmsNamespace);
}

TEST(WriteEnvelopeTest, ReceiptCarriesNonRepudiationInformation) {
  Envelope e;
  e.messaging.receipts.push_back(ReceiptFor("m1@sbrgate.example.com.au"));
  const std::string xml = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(xml), ElementsAre());
  EXPECT_THAT(xml, HasSubstr("<eb:RefToMessageId>m1@sbrgate.example.com.au</eb:RefToMessageId>"));
  EXPECT_THAT(
      xml, HasSubstr("<eb:Receipt>\n"
                     "          <ebbp:NonRepudiationInformation "
                     "xmlns:ebbp=\"http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0\" "
                     "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n"
                     "            <ebbp:MessagePartNRInformation>\n"
                     "              <ds:Reference URI=\"#messaging\">\n"
                     "                <ds:DigestMethod "
                     "Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\n"
                     "                <ds:DigestValue>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
                     "</ds:DigestValue>\n"));
  EXPECT_THAT(xml, HasSubstr("<ds:Reference URI=\"cid:payevnt@sbrgate.example.com.au\">"));
}

TEST(WriteEnvelopeTest, ReceiptWithoutReferencesIsStillValid) {
  Receipt r = ReceiptFor("m1@x");
  r.references.clear();
  Envelope e;
  e.messaging.receipts.push_back(r);
  const std::string xml = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(xml), ElementsAre());
  EXPECT_THAT(xml, HasSubstr("<eb:Receipt>\n          <ebbp:NonRepudiationInformation "));
}

TEST(WriteEnvelopeTest, ErrorSignalWithSeveralErrors) {
  Envelope e;
  e.messaging.errors.push_back(Errors());
  const std::string xml = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(xml), ElementsAre());
  EXPECT_THAT(xml, HasSubstr("<eb:Error category=\"Processing\" refToMessageInError="
                             "\"m1@sbrgate.example.com.au\" errorCode=\"EBMS:0101\" "
                             "origin=\"security\" severity=\"failure\" "
                             "shortDescription=\"FailedAuthentication\">\n"
                             "          <eb:Description xml:lang=\"en\">signature does not verify"
                             "</eb:Description>\n"
                             "          <eb:ErrorDetail>Reference #body: digest mismatch"
                             "</eb:ErrorDetail>\n"
                             "        </eb:Error>"));
  EXPECT_THAT(xml, HasSubstr("errorCode=\"EBMS:0006\" origin=\"ebMS\" severity=\"warning\" "
                             "shortDescription=\"EmptyMessagePartitionChannel\"/>"));
  EXPECT_THAT(xml, HasSubstr("<eb:Error errorCode=\"CMN.ATO.EBMS.001\" severity=\"failure\"/>"));
}

TEST(WriteEnvelopeTest, PullRequestNamesTheMessageInMessageInfo) {
  Envelope e;
  e.messaging.pull_requests.push_back(Pull());
  const std::string xml = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(xml), ElementsAre());
  EXPECT_THAT(xml, HasSubstr("<eb:MessageId>p1@sbrgate.example.com.au</eb:MessageId>\n"
                             "          <eb:RefToMessageId>m1@sbrgate.example.com.au"
                             "</eb:RefToMessageId>\n"
                             "        </eb:MessageInfo>\n"
                             "        <eb:PullRequest mpc=\"urn:sbr:mpc:bulk\"/>"));
  PullRequest plain = Pull();
  plain.mpc.clear();
  plain.ref_to_message_id.clear();
  e.messaging.pull_requests = {plain};
  const std::string default_mpc = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(default_mpc), ElementsAre());
  EXPECT_THAT(default_mpc, HasSubstr("<eb:PullRequest/>"));
  EXPECT_THAT(default_mpc, Not(HasSubstr("RefToMessageId")));
}

TEST(WriteEnvelopeTest, BundleKeepsSchemaOrder) {
  Envelope e;
  e.messaging.user_messages = {PayEvent(), PayEvent()};
  e.messaging.user_messages[1].message_id = "second@sbrgate.example.com.au";
  e.messaging.receipts = {ReceiptFor("a@x"), ReceiptFor("b@x")};
  e.messaging.errors = {Errors()};
  e.messaging.pull_requests = {Pull()};
  const std::string xml = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(xml), ElementsAre());
  const size_t pull = xml.find("<eb:PullRequest");
  const size_t receipt_a = xml.find("<eb:RefToMessageId>a@x<");
  const size_t receipt_b = xml.find("<eb:RefToMessageId>b@x<");
  const size_t error = xml.find("<eb:Error ");
  const size_t user1 = xml.find("<eb:MessageId>0f8fad5b");
  const size_t user2 = xml.find("<eb:MessageId>second@");
  ASSERT_NE(user2, std::string::npos);
  EXPECT_LT(pull, receipt_a);
  EXPECT_LT(receipt_a, receipt_b);
  EXPECT_LT(receipt_b, error);
  EXPECT_LT(error, user1);
  EXPECT_LT(user1, user2);
}

TEST(WriteEnvelopeTest, Soap11) {
  Envelope e;
  e.soap_version = SoapVersion::kSoap11;
  e.messaging.user_messages.push_back(PayEvent());
  e.messaging.pull_requests.push_back(Pull());
  const std::string xml = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(xml), ElementsAre());
  EXPECT_THAT(xml,
              HasSubstr("<S11:Envelope xmlns:S11=\"http://schemas.xmlsoap.org/soap/envelope/\""));
  EXPECT_THAT(xml, HasSubstr("<eb:Messaging S11:mustUnderstand=\"1\" wsu:Id=\"messaging\">"));
  EXPECT_THAT(xml, HasSubstr("<S11:Body wsu:Id=\"body\"></S11:Body>"));
  EXPECT_THAT(xml, Not(HasSubstr("S12")));
}

TEST(WriteEnvelopeTest, EscapesTextAndAttributes) {
  UserMessage m = PayEvent();
  m.message_properties = {{"a\"b<c>", "x < y & \"z\" > 'w'"},
                          {"tab\tnl\n",
                           "bell\x07"
                           "end"}};
  m.conversation_id = "c&d";
  Envelope e;
  e.messaging.user_messages.push_back(m);
  const std::string xml = WriteEnvelope(e).value();
  EXPECT_THAT(SchemaProblems(xml), ElementsAre());
  EXPECT_THAT(xml, HasSubstr("<eb:Property name=\"a&quot;b&lt;c&gt;\">x &lt; y &amp; \"z\" &gt; "
                             "'w'</eb:Property>"));
  EXPECT_THAT(xml, HasSubstr("<eb:Property name=\"tab&#9;nl&#10;\">bell\xEF\xBF\xBD"
                             "end"
                             "</eb:Property>"));
  EXPECT_THAT(xml, HasSubstr("<eb:ConversationId>c&amp;d</eb:ConversationId>"));

  // What a parser makes of it is the original text.
  absl::StatusOr<xml::Document> doc = xml::ParseDocument(xml, "escaped");
  ASSERT_TRUE(doc.ok()) << doc.status();
  xmlNode* um = xml::FirstChild(
      xml::FirstChild(
          xml::FirstChild(xml::FirstChild(xmlDocGetRootElement(doc->get()), "Header"), "Messaging"),
          "UserMessage"),
      "MessageProperties");
  std::vector<xmlNode*> props = xml::Children(um, "Property");
  ASSERT_EQ(props.size(), 2u);
  EXPECT_EQ(xml::Attribute(props[0], "name"), "a\"b<c>");
  xmlChar* text = xmlNodeGetContent(props[0]);
  EXPECT_STREQ(reinterpret_cast<const char*>(text), "x < y & \"z\" > 'w'");
  xmlFree(text);
  EXPECT_EQ(xml::Attribute(props[1], "name"), "tab\tnl\n");
}

}  // namespace
}  // namespace sbrgate::ebms
