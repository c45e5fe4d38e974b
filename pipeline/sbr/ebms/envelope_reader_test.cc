#include "pipeline/sbr/ebms/envelope_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/sbr/ebms/envelope_writer.h"

namespace sbrgate::ebms {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const absl::Time kT = absl::FromUnixMillis(1719720000123);

// A SOAP 1.2 envelope; `inner` starts on line 5.
std::string Soap12(absl::string_view inner, absl::string_view body = "") {
  return absl::StrCat(
      "<?xml version=\"1.0\"?>\n"
      "<S12:Envelope xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:eb=\"http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/\">\n"
      "<S12:Header>\n"
      "<eb:Messaging S12:mustUnderstand=\"true\">\n",
      inner,
      "\n</eb:Messaging>\n"
      "</S12:Header>\n"
      "<S12:Body>",
      body, "</S12:Body>\n</S12:Envelope>\n");
}

// A pull request signal with these MessageInfo lines (line 5 on).
std::string PullSignal(absl::string_view message_info) {
  return absl::StrCat("<eb:SignalMessage><eb:MessageInfo>\n", message_info,
                      "\n</eb:MessageInfo><eb:PullRequest/></eb:SignalMessage>");
}

UserMessage FullUserMessage() {
  UserMessage m;
  m.message_id = "m1@sbrgate.example.com.au";
  m.timestamp = kT;
  m.ref_to_message_id = "m0@sbrgate.example.com.au";
  m.mpc = "urn:sbr:mpc:bulk";
  m.from = {"53004085616", kPartyTypeAbn, kRoleBusiness};
  m.to = {kAtoAbn, kPartyTypeAbn, kRoleAgency};
  m.agreement_ref = "urn:sbr:agreement";
  m.service = kServicePayevnt;
  m.service_type = "sbr";
  m.action = kActionPayevntSubmit;
  m.conversation_id = "c-1";
  m.message_properties = {{kPropertyProductId, "SBRG-1"}, {kPropertyBmsName, "Pay & <Run>"}};
  m.parts = {
      {"cid:a@x", {{kPartPropertyMimeType, "text/xml"}, {kPartPropertyDocumentName, "PAYEVNT"}}},
      {"cid:b@x", {}}};
  return m;
}

void ExpectSameUserMessage(const UserMessage& got, const UserMessage& want) {
  EXPECT_EQ(got.message_id, want.message_id);
  EXPECT_EQ(got.timestamp, want.timestamp);
  EXPECT_EQ(got.ref_to_message_id, want.ref_to_message_id);
  EXPECT_EQ(got.mpc, want.mpc);
  EXPECT_EQ(got.from.id, want.from.id);
  EXPECT_EQ(got.from.type, want.from.type);
  EXPECT_EQ(got.from.role, want.from.role);
  EXPECT_EQ(got.to.id, want.to.id);
  EXPECT_EQ(got.to.type, want.to.type);
  EXPECT_EQ(got.to.role, want.to.role);
  EXPECT_EQ(got.agreement_ref, want.agreement_ref);
  EXPECT_EQ(got.service, want.service);
  EXPECT_EQ(got.service_type, want.service_type);
  EXPECT_EQ(got.action, want.action);
  EXPECT_EQ(got.conversation_id, want.conversation_id);
  ASSERT_EQ(got.message_properties.size(), want.message_properties.size());
  for (size_t i = 0; i < want.message_properties.size(); ++i) {
    EXPECT_EQ(got.message_properties[i].name, want.message_properties[i].name);
    EXPECT_EQ(got.message_properties[i].value, want.message_properties[i].value);
  }
  ASSERT_EQ(got.parts.size(), want.parts.size());
  for (size_t i = 0; i < want.parts.size(); ++i) {
    EXPECT_EQ(got.parts[i].href, want.parts[i].href);
    ASSERT_EQ(got.parts[i].properties.size(), want.parts[i].properties.size());
    for (size_t j = 0; j < want.parts[i].properties.size(); ++j) {
      EXPECT_EQ(got.parts[i].properties[j].name, want.parts[i].properties[j].name);
      EXPECT_EQ(got.parts[i].properties[j].value, want.parts[i].properties[j].value);
    }
  }
}

TEST(RoundTripTest, UserMessage) {
  Envelope e;
  e.messaging.user_messages = {FullUserMessage()};
  absl::StatusOr<Envelope> back = ReadEnvelope(WriteEnvelope(e).value(), "um");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->soap_version, SoapVersion::kSoap12);
  ASSERT_EQ(back->messaging.user_messages.size(), 1u);
  ExpectSameUserMessage(back->messaging.user_messages[0], FullUserMessage());
  EXPECT_THAT(back->messaging.receipts, IsEmpty());
  EXPECT_THAT(back->messaging.errors, IsEmpty());
  EXPECT_THAT(back->messaging.pull_requests, IsEmpty());
  EXPECT_EQ(back->body_xml, "");
}

TEST(RoundTripTest, Receipt) {
  Envelope e;
  e.messaging.receipts.push_back(
      {"r1@ato",
       kT,
       "m1@x",
       {{"#messaging", "http://www.w3.org/2001/04/xmlenc#sha256", "AAEC"},
        {"cid:a@x", "http://www.w3.org/2000/09/xmldsig#sha1", "fX/iNylcUHNLV4lCE0eC7aEGP28="}}});
  absl::StatusOr<Envelope> back = ReadEnvelope(WriteEnvelope(e).value(), "receipt");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->messaging.receipts.size(), 1u);
  const Receipt& r = back->messaging.receipts[0];
  EXPECT_EQ(r.message_id, "r1@ato");
  EXPECT_EQ(r.timestamp, kT);
  EXPECT_EQ(r.ref_to_message_id, "m1@x");
  ASSERT_EQ(r.references.size(), 2u);
  EXPECT_EQ(r.references[0].uri, "#messaging");
  EXPECT_EQ(r.references[0].digest_method, "http://www.w3.org/2001/04/xmlenc#sha256");
  EXPECT_EQ(r.references[0].digest_value, "AAEC");
  EXPECT_EQ(r.references[1].uri, "cid:a@x");
  EXPECT_EQ(r.references[1].digest_value, "fX/iNylcUHNLV4lCE0eC7aEGP28=");
  EXPECT_THAT(back->messaging.user_messages, IsEmpty());
}

TEST(RoundTripTest, ErrorSignal) {
  Envelope e;
  ErrorSignal s{"e1@ato", kT, "m1@x", {}};
  s.errors.push_back(MakeError(kErrorValueInconsistent, "m1@x", "DocumentType missing"));
  s.errors.back().detail = "CMN.ATO.EBMS.001";
  s.errors.push_back(MakeError(kErrorEmptyMessagePartitionChannel, ""));
  e.messaging.errors = {s};
  absl::StatusOr<Envelope> back = ReadEnvelope(WriteEnvelope(e).value(), "errors");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->messaging.errors.size(), 1u);
  const ErrorSignal& got = back->messaging.errors[0];
  EXPECT_EQ(got.message_id, "e1@ato");
  EXPECT_EQ(got.ref_to_message_id, "m1@x");
  ASSERT_EQ(got.errors.size(), 2u);
  EXPECT_EQ(got.errors[0].error_code, "EBMS:0003");
  EXPECT_EQ(got.errors[0].severity, "failure");
  EXPECT_EQ(got.errors[0].category, "Content");
  EXPECT_EQ(got.errors[0].origin, "ebMS");
  EXPECT_EQ(got.errors[0].short_description, "ValueInconsistent");
  EXPECT_EQ(got.errors[0].ref_to_message_in_error, "m1@x");
  EXPECT_EQ(got.errors[0].description, "DocumentType missing");
  EXPECT_EQ(got.errors[0].detail, "CMN.ATO.EBMS.001");
  EXPECT_EQ(got.errors[1].error_code, "EBMS:0006");
  EXPECT_EQ(got.errors[1].severity, "warning");
  EXPECT_EQ(got.errors[1].ref_to_message_in_error, "");
  EXPECT_EQ(got.errors[1].description, "");
}

TEST(RoundTripTest, PullRequest) {
  Envelope e;
  e.messaging.pull_requests = {{"p1@x", kT, "urn:sbr:mpc:bulk", "m1@x"}, {"p2@x", kT, "", ""}};
  absl::StatusOr<Envelope> back = ReadEnvelope(WriteEnvelope(e).value(), "pull");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->messaging.pull_requests.size(), 2u);
  const PullRequest& p = back->messaging.pull_requests[0];
  EXPECT_EQ(p.message_id, "p1@x");
  EXPECT_EQ(p.timestamp, kT);
  EXPECT_EQ(p.mpc, "urn:sbr:mpc:bulk");
  EXPECT_EQ(p.ref_to_message_id, "m1@x");
  EXPECT_EQ(back->messaging.pull_requests[1].message_id, "p2@x");
  EXPECT_EQ(back->messaging.pull_requests[1].mpc, "");
  EXPECT_EQ(back->messaging.pull_requests[1].ref_to_message_id, "");
}

TEST(RoundTripTest, BundleInSoap11WithBody) {
  Envelope e;
  e.soap_version = SoapVersion::kSoap11;
  e.messaging.user_messages = {FullUserMessage(), FullUserMessage()};
  e.messaging.user_messages[1].message_id = "m2@x";
  e.messaging.receipts.push_back({"r1@ato", kT, "m1@x", {}});
  e.messaging.errors.push_back({"e1@ato", kT, "", {MakeError(kErrorOther, "m9@x")}});
  e.messaging.pull_requests.push_back({"p1@x", kT, "urn:mpc", ""});
  e.body_xml = "<p:Doc xmlns:p=\"urn:p\" a=\"1\"><p:x>1 &amp; 2</p:x></p:Doc><q xmlns=\"urn:q\"/>";
  const std::string written = WriteEnvelope(e).value();
  absl::StatusOr<Envelope> back = ReadEnvelope(written, "bundle");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->soap_version, SoapVersion::kSoap11);
  ASSERT_EQ(back->messaging.user_messages.size(), 2u);
  ExpectSameUserMessage(back->messaging.user_messages[0], FullUserMessage());
  EXPECT_EQ(back->messaging.user_messages[1].message_id, "m2@x");
  ASSERT_EQ(back->messaging.receipts.size(), 1u);
  EXPECT_EQ(back->messaging.receipts[0].ref_to_message_id, "m1@x");
  EXPECT_THAT(back->messaging.receipts[0].references, IsEmpty());
  ASSERT_EQ(back->messaging.errors.size(), 1u);
  EXPECT_EQ(back->messaging.errors[0].errors[0].error_code, "EBMS:0004");
  EXPECT_EQ(back->messaging.errors[0].errors[0].ref_to_message_in_error, "m9@x");
  ASSERT_EQ(back->messaging.pull_requests.size(), 1u);
  EXPECT_EQ(back->messaging.pull_requests[0].mpc, "urn:mpc");
  EXPECT_EQ(back->body_xml, e.body_xml);
  // And again: what was read writes the same envelope.
  EXPECT_EQ(WriteEnvelope(*back).value(), written);
}

TEST(ReadEnvelopeTest, ReadsSoap11) {
  const std::string xml = R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header>
    <ebms:Messaging xmlns:ebms="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/" soap:mustUnderstand="1">
      <ebms:SignalMessage>
        <ebms:MessageInfo>
          <ebms:Timestamp>2024-06-30T14:00:00+10:00</ebms:Timestamp>
          <ebms:MessageId>  e1@ato.gov.au
          </ebms:MessageId>
          <ebms:RefToMessageId>p1@sbrgate</ebms:RefToMessageId>
        </ebms:MessageInfo>
        <ebms:Error errorCode="EBMS:0006" severity="warning" shortDescription="EmptyMessagePartitionChannel"/>
      </ebms:SignalMessage>
    </ebms:Messaging>
  </soap:Header>
  <soap:Body/>
</soap:Envelope>)";
  absl::StatusOr<Envelope> e = ReadEnvelope(xml, "soap11.xml");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->soap_version, SoapVersion::kSoap11);
  ASSERT_EQ(e->messaging.errors.size(), 1u);
  EXPECT_EQ(e->messaging.errors[0].message_id, "e1@ato.gov.au");
  EXPECT_EQ(e->messaging.errors[0].timestamp, absl::FromUnixSeconds(1719720000));
  EXPECT_EQ(e->messaging.errors[0].ref_to_message_id, "p1@sbrgate");
  ASSERT_EQ(e->messaging.errors[0].errors.size(), 1u);
  EXPECT_EQ(e->messaging.errors[0].errors[0].error_code, kErrorEmptyMessagePartitionChannel);
  EXPECT_EQ(e->body_xml, "");
}

TEST(ReadEnvelopeTest, BodyElementsKeepTheirNamespaces) {
  const std::string xml = absl::StrCat(
      "<S12:Envelope xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:eb=\"http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/\" "
      "xmlns:p=\"urn:p\" xmlns:unused=\"urn:unused\"><S12:Header><eb:Messaging>",
      PullSignal(
          "<eb:Timestamp>2024-01-01T00:00:00Z</eb:Timestamp><eb:MessageId>p@x</eb:MessageId>"),
      "</eb:Messaging></S12:Header><S12:Body>\n  <p:Doc p:k=\"v\"><p:x>1 Zoë &amp; "
      "Łukasz</p:x></p:Doc>\n  "
      "<!-- c --><Plain/>\n</S12:Body></S12:Envelope>");
  absl::StatusOr<Envelope> e = ReadEnvelope(xml, "ns.xml");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->body_xml,
            "<p:Doc xmlns:p=\"urn:p\" p:k=\"v\"><p:x>1 Zoë &amp; Łukasz</p:x></p:Doc><Plain/>");
}

TEST(ReadEnvelopeTest, ParsedDocumentReadsAsItsText) {
  UserMessage m = FullUserMessage();
  Envelope written;
  written.messaging.user_messages.push_back(m);
  written.body_xml = "<p:Doc xmlns:p=\"urn:p\">x</p:Doc>";
  const std::string xml = WriteEnvelope(written).value();
  absl::StatusOr<xml::Document> doc = xml::ParseDocument(xml, "m.xml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  absl::StatusOr<Envelope> from_doc = ReadEnvelope(doc->get(), "m.xml");
  absl::StatusOr<Envelope> from_text = ReadEnvelope(xml, "m.xml");
  ASSERT_TRUE(from_doc.ok()) << from_doc.status();
  ASSERT_TRUE(from_text.ok()) << from_text.status();
  EXPECT_EQ(WriteEnvelope(*from_doc).value(), WriteEnvelope(*from_text).value());
  EXPECT_EQ(from_doc->body_xml, written.body_xml);

  // Problems are reported the same way, with their lines.
  const std::string invalid = Soap12(PullSignal("<eb:MessageId>p@x</eb:MessageId>"));
  absl::StatusOr<xml::Document> invalid_doc = xml::ParseDocument(invalid, "bad.xml");
  ASSERT_TRUE(invalid_doc.ok()) << invalid_doc.status();
  absl::StatusOr<Envelope> refused = ReadEnvelope(invalid_doc->get(), "bad.xml");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status(), ReadEnvelope(invalid, "bad.xml").status());
}

TEST(InspectTest, RefusesDoctypeAndEntities) {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE S12:Envelope [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
      "<S12:Envelope xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\"><S12:Body>&xxe;"
      "</S12:Body></S12:Envelope>";
  const Inspection i = Inspect(xml, "evil.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_EQ(i.soap_version, std::nullopt);
  ASSERT_EQ(i.problems.size(), 1u);
  EXPECT_THAT(i.problems[0], StartsWith("line 2: a DTD (<!DOCTYPE>) is not allowed"));
  absl::StatusOr<Envelope> e = ReadEnvelope(xml, "evil.xml");
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(e.status().message()),
              StartsWith("evil.xml: not a valid ebMS3 envelope: line 2: a DTD (<!DOCTYPE>)"));
}

TEST(InspectTest, ReportsMalformedXmlWithLine) {
  const Inspection i = Inspect("<a>\n<b>\n</a>", "broken.xml");
  EXPECT_FALSE(i.valid);
  ASSERT_EQ(i.problems.size(), 1u);
  EXPECT_THAT(i.problems[0], StartsWith("line 3: not well-formed XML"));
}

TEST(InspectTest, MessagingRootIsNotAnEnvelope) {
  const Inspection i = Inspect(
      "<eb:Messaging xmlns:eb=\"http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/\">"
      "\n" +
          PullSignal("<eb:Timestamp>2024-01-01T00:00:00Z</eb:Timestamp>"
                     "<eb:MessageId>p@x</eb:MessageId>") +
          "</eb:Messaging>",
      "bare.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_EQ(i.soap_version, std::nullopt);
  EXPECT_THAT(i.problems, ElementsAre("line 1: the root element is eb:Messaging, not a SOAP "
                                      "envelope (SOAP 1.1 or 1.2 Envelope expected)"));
  ASSERT_EQ(i.messaging.pull_requests.size(), 1u);  // still extracted
  EXPECT_EQ(i.messaging.pull_requests[0].message_id, "p@x");
}

TEST(InspectTest, OtherRootIsNotAnEnvelope) {
  const Inspection i = Inspect("<Envelope xmlns=\"urn:other\"/>", "other.xml");
  EXPECT_FALSE(i.valid);
  ASSERT_EQ(i.problems.size(), 2u);
  EXPECT_THAT(i.problems[0], HasSubstr("No matching global declaration"));  // libxml2's words
  EXPECT_EQ(i.problems[1],
            "line 1: the root element is {urn:other}Envelope, not a SOAP "
            "envelope (SOAP 1.1 or 1.2 Envelope expected)");
}

TEST(InspectTest, HeaderMustHoldExactlyOneMessaging) {
  const std::string no_header =
      "<S12:Envelope xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\"><S12:Body/>"
      "</S12:Envelope>";
  EXPECT_THAT(Inspect(no_header, "a").problems,
              ElementsAre("line 1: S12:Envelope: no S12:Header, so no eb:Messaging header"));
  const std::string empty_header =
      "<S12:Envelope xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\">\n<S12:Header/>"
      "<S12:Body/></S12:Envelope>";
  EXPECT_THAT(Inspect(empty_header, "b").problems,
              ElementsAre("line 2: S12:Envelope/S12:Header: no eb:Messaging header"));
  const std::string signal = PullSignal(
      "<eb:Timestamp>2024-01-01T00:00:00Z</eb:Timestamp><eb:MessageId>p@x</eb:MessageId>");
  const std::string two = absl::StrCat(
      "<S12:Envelope xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:eb=\"http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/\"><S12:Header>\n"
      "<eb:Messaging>",
      signal, "</eb:Messaging>\n<eb:Messaging>", signal,
      "</eb:Messaging></S12:Header><S12:Body/></S12:Envelope>");
  const Inspection i = Inspect(two, "two");
  EXPECT_FALSE(i.valid);
  ASSERT_EQ(i.problems.size(), 1u);
  EXPECT_THAT(i.problems[0], StartsWith("line 5: S12:Envelope/S12:Header: 2 eb:Messaging "
                                        "headers, exactly one expected"));
  EXPECT_EQ(i.messaging.pull_requests.size(), 2u);
}

TEST(InspectTest, EmptyMessaging) {
  const Inspection i = Inspect(Soap12(""), "empty.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_EQ(i.soap_version, SoapVersion::kSoap12);
  EXPECT_THAT(i.problems,
              ElementsAre("line 4: eb:Messaging: holds no eb:UserMessage or eb:SignalMessage: an "
                          "ebMS3 message needs at least one"));
}

TEST(InspectTest, ImaginaryTimestamp) {
  const Inspection i =
      Inspect(Soap12(PullSignal("<eb:Timestamp>2023-02-29T10:00:00Z</eb:Timestamp>\n"
                                "<eb:MessageId>p@x</eb:MessageId>")),
              "ts.xml");
  EXPECT_FALSE(i.valid);
  // Whatever libxml2 says about it, our own check names the field.
  EXPECT_THAT(i.problems,
              testing::Contains("line 6: eb:Messaging/eb:SignalMessage[1]/eb:MessageInfo/"
                                "eb:Timestamp: '2023-02-29T10:00:00Z' is not a real date and "
                                "time: day 29 of month 2 out of range"));
  ASSERT_EQ(i.messaging.pull_requests.size(), 1u);
  EXPECT_EQ(i.messaging.pull_requests[0].message_id, "p@x");
}

TEST(InspectTest, BlankMessageIdPassesTheSchemaButNotUs) {
  const Inspection i =
      Inspect(Soap12(PullSignal("<eb:Timestamp>2024-01-01T00:00:00Z</eb:Timestamp>\n"
                                "<eb:MessageId>   </eb:MessageId>")),
              "blank.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_THAT(i.problems, ElementsAre("line 7: eb:Messaging/eb:SignalMessage[1]/eb:MessageInfo/"
                                      "eb:MessageId: empty MessageId"));
}

TEST(InspectTest, MissingMessageIdAndTimestamp) {
  const Inspection i = Inspect(Soap12(PullSignal("")), "missing.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_THAT(i.problems, testing::Contains("line 5: eb:Messaging/eb:SignalMessage[1]/"
                                            "eb:MessageInfo: no eb:Timestamp"));
  EXPECT_THAT(i.problems, testing::Contains("line 5: eb:Messaging/eb:SignalMessage[1]/"
                                            "eb:MessageInfo: no eb:MessageId"));
}

TEST(InspectTest, SignalMustBeExactlyOneKind) {
  const std::string info =
      "<eb:MessageInfo><eb:Timestamp>2024-01-01T00:00:00Z</eb:Timestamp>"
      "<eb:MessageId>s@x</eb:MessageId></eb:MessageInfo>";
  const Inspection none =
      Inspect(Soap12(absl::StrCat("<eb:SignalMessage>", info, "</eb:SignalMessage>")), "none");
  EXPECT_THAT(none.problems, ElementsAre("line 5: eb:Messaging/eb:SignalMessage[1]: holds no "
                                         "eb:Receipt, eb:PullRequest or eb:Error"));
  const Inspection mixed =
      Inspect(Soap12(absl::StrCat(
                  "<eb:SignalMessage>", info,
                  "<eb:Receipt><x:Any xmlns:x=\"urn:x\"/></eb:Receipt>"
                  "<eb:Error errorCode=\"EBMS:0004\" severity=\"failure\"/></eb:SignalMessage>")),
              "mixed");
  EXPECT_FALSE(mixed.valid);
  EXPECT_THAT(mixed.problems,
              ElementsAre("line 5: eb:Messaging/eb:SignalMessage[1]: mixes eb:Receipt and "
                          "eb:Error: a signal is exactly one of a receipt, a pull request or "
                          "errors"));
  EXPECT_EQ(mixed.messaging.receipts.size(), 1u);
  EXPECT_EQ(mixed.messaging.errors.size(), 1u);
}

TEST(InspectTest, PullRequestRefChildIsInvalidButRead) {
  const Inspection i = Inspect(
      Soap12("<eb:SignalMessage><eb:MessageInfo><eb:Timestamp>2024-01-01T00:00:00Z</eb:Timestamp>"
             "<eb:MessageId>p@x</eb:MessageId></eb:MessageInfo>\n<eb:PullRequest mpc=\"urn:m\">"
             "<eb:RefToMessageId>pushed@x</eb:RefToMessageId></eb:PullRequest>"
             "</eb:SignalMessage>"),
      "atopull.xml");
  EXPECT_FALSE(i.valid);
  ASSERT_EQ(i.problems.size(), 1u);
  EXPECT_THAT(i.problems[0], StartsWith("line 6: Element "));
  EXPECT_THAT(i.problems[0], HasSubstr("RefToMessageId"));
  ASSERT_EQ(i.messaging.pull_requests.size(), 1u);
  EXPECT_EQ(i.messaging.pull_requests[0].mpc, "urn:m");
  EXPECT_EQ(i.messaging.pull_requests[0].ref_to_message_id, "pushed@x");
}

TEST(InspectTest, ProblemsAreSortedByLine) {
  const Inspection i =
      Inspect(Soap12("<eb:UserMessage>\n<eb:MessageInfo>\n<eb:Timestamp>2024-13-01T00:00:00Z"
                     "</eb:Timestamp>\n<eb:MessageId> </eb:MessageId></eb:MessageInfo>\n"
                     "</eb:UserMessage>"),
              "many.xml");
  EXPECT_FALSE(i.valid);
  ASSERT_GE(i.problems.size(), 3u);
  long last = 0;
  for (const std::string& p : i.problems) {
    ASSERT_THAT(p, StartsWith("line "));
    const long line = std::stol(p.substr(5));
    EXPECT_GE(line, last) << p;
    last = line;
  }
  EXPECT_THAT(i.problems, testing::Contains(HasSubstr("month 13")));
  EXPECT_THAT(i.problems, testing::Contains(HasSubstr("PartyInfo")));  // schema: missing
}

TEST(InspectTest, ConcurrentCallsShareTheSchema) {
  Envelope e;
  e.messaging.user_messages = {FullUserMessage()};
  const std::string good = WriteEnvelope(e).value();
  const std::string bad = Soap12("");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 50; ++k) {
        if (!Inspect(good, "good").valid) ++failures[t];
        if (Inspect(bad, "bad").valid) ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_THAT(failures, ElementsAre(0, 0, 0, 0));
}

}  // namespace
}  // namespace sbrgate::ebms
