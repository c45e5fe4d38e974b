// Checks the reader against ebMS3 messages another implementation wrote
// (third_party/testdata/ebms3/interop, from phase4), with exactly the
// verdicts of that folder's README table.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/sbr/ebms/envelope_reader.h"
#include "pipeline/sbr/ebms/envelope_writer.h"

namespace sbrgate::ebms {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// The fixtures are this test's runfiles (//third_party/testdata/ebms3:interop).
std::string FixtureDir() {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/sbrgate/third_party/testdata/ebms3/interop");
}

std::string Fixture(const std::string& name) {
  std::ifstream in(absl::StrCat(FixtureDir(), "/", name), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Inspection InspectFixture(const std::string& name) { return Inspect(Fixture(name), name); }

TEST(InteropFixturesTest, EveryFixtureHasAVerdictHere) {
  const std::string dir = FixtureDir();
  std::set<std::string> files;
  DIR* d = ::opendir(dir.c_str());
  ASSERT_NE(d, nullptr) << dir;
  while (dirent* e = ::readdir(d)) {
    if (absl::EndsWith(e->d_name, ".xml")) files.insert(e->d_name);
  }
  ::closedir(d);
  EXPECT_THAT(files,
              ElementsAre("soap11test-BundledMessage.xml", "soap11test-EmptyMessaging.xml",
                          "soap11test-ErrorMessage.xml", "soap11test-MessageInfoIDMissing.xml",
                          "soap11test-MessageInfoImaginaryTimestamp.xml",
                          "soap11test-MessageInfoMissing.xml", "soap11test-NoMessaging.xml",
                          "soap11test-PullRequest.xml", "soap11test-ReceiptMessage.xml",
                          "soap11test-UserMessage.xml", "soap11test-UserMessageResponse.xml",
                          "soap12test-UserMessage12.xml"));
}

void ExpectOnly(const Messaging& m, size_t users, size_t receipts, size_t error_signals,
                size_t pulls) {
  EXPECT_EQ(m.user_messages.size(), users);
  EXPECT_EQ(m.receipts.size(), receipts);
  EXPECT_EQ(m.errors.size(), error_signals);
  EXPECT_EQ(m.pull_requests.size(), pulls);
}

TEST(InteropFixturesTest, UserMessage) {
  const Inspection i = InspectFixture("soap11test-UserMessage.xml");
  EXPECT_TRUE(i.valid);
  EXPECT_THAT(i.problems, IsEmpty());
  EXPECT_EQ(i.soap_version, SoapVersion::kSoap11);
  ExpectOnly(i.messaging, 1, 0, 0, 0);
  const UserMessage& m = i.messaging.user_messages[0];
  EXPECT_EQ(m.message_id, "UUID-1@requester.example.com");
  EXPECT_EQ(m.timestamp, absl::FromUnixSeconds(1153829945));  // 2006-07-25T12:19:05, UTC
  EXPECT_EQ(m.ref_to_message_id, "");
  EXPECT_EQ(m.from.id, "uri:requester.example.com");
  EXPECT_EQ(m.from.type, "");
  EXPECT_EQ(m.from.role, "http://example.org/roles/Buyer");
  EXPECT_EQ(m.to.id, "QRS543");
  EXPECT_EQ(m.to.type, "someType");
  EXPECT_EQ(m.to.role, "http://example.org/roles/Seller");
  EXPECT_EQ(m.agreement_ref, "http://registry.example.com/cpa/123456");
  EXPECT_EQ(m.service, "QuoteToCollect");
  EXPECT_EQ(m.service_type, "MyServiceTypes");
  EXPECT_EQ(m.action, "NewPurchaseOrder");
  EXPECT_EQ(m.conversation_id, "4321");
  ASSERT_EQ(m.message_properties.size(), 2u);
  EXPECT_EQ(m.message_properties[0].name, "ProcessInst");
  EXPECT_EQ(m.message_properties[0].value, "PurchaseOrder:123456");
  EXPECT_EQ(m.message_properties[1].name, "ContextID");
  EXPECT_EQ(m.message_properties[1].value, "987654321");
  ASSERT_EQ(m.parts.size(), 1u);
  EXPECT_EQ(m.parts[0].href, "cid:part@example.com");
  ASSERT_EQ(m.parts[0].properties.size(), 2u);
  EXPECT_EQ(m.parts[0].properties[0].name, "Description");
  EXPECT_EQ(m.parts[0].properties[0].value, "Purchase Order for 11 Widgets");
  EXPECT_EQ(m.parts[0].properties[1].name, "MimeType");
  EXPECT_EQ(m.parts[0].properties[1].value, "application/xml");
}

TEST(InteropFixturesTest, UserMessage12WithPayloadInBody) {
  const std::string name = "soap12test-UserMessage12.xml";
  const Inspection i = InspectFixture(name);
  EXPECT_TRUE(i.valid);
  EXPECT_THAT(i.problems, IsEmpty());
  EXPECT_EQ(i.soap_version, SoapVersion::kSoap12);
  ExpectOnly(i.messaging, 1, 0, 0, 0);
  const UserMessage& m = i.messaging.user_messages[0];
  EXPECT_EQ(m.message_id, "2011-921@5209999001264.example.com");
  EXPECT_EQ(m.timestamp, absl::FromUnixMillis(1301842168886));  // 2011-04-03T14:49:28.886Z
  EXPECT_EQ(m.from.id, "5209999001264");
  EXPECT_EQ(m.from.type, "urn:oasis:names:tc:ebcore:partyid-type:iso6523:0088");
  EXPECT_EQ(m.to.id, "5209999001295");
  EXPECT_EQ(m.service, "http://docs.oasis-open.org/ebxml-msg/as4/200902/service");
  EXPECT_EQ(m.action, "http://docs.oasis-open.org/ebxml-msg/as4/200902/action");
  EXPECT_EQ(m.conversation_id, "2011-921");
  ASSERT_EQ(m.parts.size(), 1u);
  EXPECT_EQ(m.parts[0].href, "#_f8aa8b55-b31c-4364-94d0-3615ca65aa40");
  EXPECT_THAT(m.parts[0].properties, IsEmpty());

  absl::StatusOr<Envelope> e = ReadEnvelope(Fixture(name), name);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_THAT(e->body_xml,
              StartsWith("<CrossIndustryInvoice "
                         "xmlns=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:2\">"));
  EXPECT_THAT(e->body_xml, HasSubstr("<!-- content omitted -->"));
  EXPECT_THAT(e->body_xml, testing::EndsWith("</CrossIndustryInvoice>"));
}

TEST(InteropFixturesTest, UserMessageResponse) {
  const Inspection i = InspectFixture("soap11test-UserMessageResponse.xml");
  EXPECT_TRUE(i.valid);
  EXPECT_THAT(i.problems, IsEmpty());
  ExpectOnly(i.messaging, 1, 0, 0, 0);
  const UserMessage& m = i.messaging.user_messages[0];
  EXPECT_EQ(m.message_id, "UUID-2@responder.example.com");
  EXPECT_EQ(m.ref_to_message_id, "UUID-1@requester.example.com");
  EXPECT_EQ(m.action, "PurchaseOrderResponse");
  EXPECT_EQ(m.from.id, "QRS543");
  EXPECT_THAT(m.message_properties, IsEmpty());
  ASSERT_EQ(m.parts.size(), 1u);
  EXPECT_EQ(m.parts[0].href, "cid:part@example.com");
}

TEST(InteropFixturesTest, BundledMessage) {
  const Inspection i = InspectFixture("soap11test-BundledMessage.xml");
  EXPECT_TRUE(i.valid);
  EXPECT_THAT(i.problems, IsEmpty());
  EXPECT_EQ(i.soap_version, SoapVersion::kSoap11);
  ExpectOnly(i.messaging, 1, 0, 1, 1);
  const ErrorSignal& s = i.messaging.errors[0];
  EXPECT_EQ(s.message_id, "UUID-2@receiver.example.com");
  ASSERT_EQ(s.errors.size(), 2u);
  EXPECT_EQ(s.errors[0].error_code, "EBMS:0001");
  EXPECT_EQ(s.errors[0].ref_to_message_in_error, "UUID-1@sender.example.com");
  EXPECT_EQ(s.errors[1].error_code, "0101");  // as written, without the EBMS: prefix
  EXPECT_EQ(s.errors[1].ref_to_message_in_error, "UUID-23@esender.fxample.com");
  EXPECT_EQ(i.messaging.pull_requests[0].message_id, "UUID-2@initiator.example.com");
  EXPECT_EQ(i.messaging.pull_requests[0].mpc, "http://msh.example.com/mpc123");
  const UserMessage& m = i.messaging.user_messages[0];
  EXPECT_EQ(m.message_id, "UUID-1@requester.example.com");
  ASSERT_EQ(m.parts.size(), 1u);
  EXPECT_EQ(m.parts[0].href, "cid:foo@example.com");
}

TEST(InteropFixturesTest, ReceiptMessage) {
  const Inspection i = InspectFixture("soap11test-ReceiptMessage.xml");
  EXPECT_TRUE(i.valid);
  EXPECT_THAT(i.problems, IsEmpty());
  ExpectOnly(i.messaging, 0, 1, 0, 0);
  const Receipt& r = i.messaging.receipts[0];
  EXPECT_EQ(r.message_id, "uiwtoruiopwr2543890@b.example.com");
  EXPECT_EQ(r.ref_to_message_id, "uiopfdsmnf4898965563434@a.example.com");
  EXPECT_EQ(r.timestamp, absl::FromUnixMillis(1151761357429));
  ASSERT_EQ(r.references.size(), 2u);
  EXPECT_EQ(r.references[0].uri, "http://b.example.com/doc45/#b");
  EXPECT_EQ(r.references[0].digest_method, "http://www.w3.org/2000/09/xmldsig#sha1");
  EXPECT_EQ(r.references[0].digest_value, "fX/iNylcUHNLV4lCE0eC7aEGP28=");
  EXPECT_EQ(r.references[1].uri, "http:/a.example.com/doc23/#a");
}

TEST(InteropFixturesTest, ErrorMessage) {
  // The README's "two Error signals" are one eb:SignalMessage with two eb:Error.
  const Inspection i = InspectFixture("soap11test-ErrorMessage.xml");
  EXPECT_TRUE(i.valid);
  EXPECT_THAT(i.problems, IsEmpty());
  ExpectOnly(i.messaging, 0, 0, 1, 0);
  const ErrorSignal& s = i.messaging.errors[0];
  EXPECT_EQ(s.message_id, "UUID-2@receiver.example.com");
  ASSERT_EQ(s.errors.size(), 2u);
  EXPECT_EQ(s.errors[0].error_code, "EBMS:0001");
  EXPECT_EQ(s.errors[0].severity, "failure");
  EXPECT_EQ(s.errors[0].category, "Content");
  EXPECT_EQ(s.errors[0].origin, "ebMS");
  EXPECT_EQ(s.errors[0].ref_to_message_in_error, "UUID-1@sender.example.com");
  EXPECT_EQ(s.errors[0].description, "Value not recognized");
  EXPECT_EQ(s.errors[1].error_code, "0101");
  EXPECT_EQ(s.errors[1].origin, "Security");
  EXPECT_EQ(s.errors[1].ref_to_message_in_error, "UUID-23@esender.fxample.com");
  EXPECT_EQ(s.errors[1].description, "Failed Authentication");
}

TEST(InteropFixturesTest, PullRequest) {
  const Inspection i = InspectFixture("soap11test-PullRequest.xml");
  EXPECT_TRUE(i.valid);
  EXPECT_THAT(i.problems, IsEmpty());
  ExpectOnly(i.messaging, 0, 0, 0, 1);
  EXPECT_EQ(i.messaging.pull_requests[0].message_id, "UUID-2@initiator.example.com");
  EXPECT_EQ(i.messaging.pull_requests[0].mpc, "http://msh.example.com/mpc123");
  EXPECT_EQ(i.messaging.pull_requests[0].ref_to_message_id, "");
}

// libxml2 numbers an element by the line its start tag ends on: eb:Messaging
// opens on line 22 of this file and its attributes run to line 25.
TEST(InteropFixturesTest, EmptyMessagingIsRejected) {
  const Inspection i = InspectFixture("soap11test-EmptyMessaging.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_EQ(i.soap_version, SoapVersion::kSoap11);
  EXPECT_THAT(i.problems,
              ElementsAre("line 25: eb:Messaging: holds no eb:UserMessage or eb:SignalMessage: "
                          "an ebMS3 message needs at least one"));
  ExpectOnly(i.messaging, 0, 0, 0, 0);
}

TEST(InteropFixturesTest, NoMessagingIsNotAnEnvelope) {
  const Inspection i = InspectFixture("soap11test-NoMessaging.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_EQ(i.soap_version, std::nullopt);
  ASSERT_FALSE(i.problems.empty());
  EXPECT_EQ(i.problems[0],
            "line 22: the root element is eb:Messaging, not a SOAP envelope "
            "(SOAP 1.1 or 1.2 Envelope expected)");
  ExpectOnly(i.messaging, 0, 0, 0, 0);
}

TEST(InteropFixturesTest, MessageInfoMissingIsRejected) {
  const Inspection i = InspectFixture("soap11test-MessageInfoMissing.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_THAT(i.problems, Contains("line 26: eb:Messaging/eb:UserMessage[1]: no eb:MessageInfo, "
                                   "so no MessageId or Timestamp"));
  EXPECT_THAT(i.problems, Contains(StartsWith("line 27: Element "
                                              "'{http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/"
                                              "ns/core/200704/}PartyInfo'")));
  ExpectOnly(i.messaging, 1, 0, 0, 0);  // what could be read still is
  EXPECT_EQ(i.messaging.user_messages[0].message_id, "");
  EXPECT_EQ(i.messaging.user_messages[0].service, "QuoteToCollect");
}

TEST(InteropFixturesTest, MessageIdMissingIsRejected) {
  const Inspection i = InspectFixture("soap11test-MessageInfoIDMissing.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_THAT(i.problems,
              Contains("line 27: eb:Messaging/eb:UserMessage[1]/eb:MessageInfo: no eb:MessageId"));
  ExpectOnly(i.messaging, 1, 0, 0, 0);
  EXPECT_EQ(i.messaging.user_messages[0].timestamp, absl::FromUnixSeconds(1153829945));
}

TEST(InteropFixturesTest, ImaginaryTimestampIsRejected) {
  const Inspection i = InspectFixture("soap11test-MessageInfoImaginaryTimestamp.xml");
  EXPECT_FALSE(i.valid);
  EXPECT_THAT(i.problems,
              Contains("line 28: eb:Messaging/eb:UserMessage[1]/eb:MessageInfo/eb:Timestamp: "
                       "'2006-30-30T30:99:99' is not a real date and time: month 30, hour 30, "
                       "minute 99, second 99 out of range"));
  ExpectOnly(i.messaging, 1, 0, 0, 0);
  EXPECT_EQ(i.messaging.user_messages[0].message_id, "UUID-1@requester.example.com");
}

// What the reader takes from a valid fixture, the writer writes back as a
// valid envelope that reads the same.
TEST(InteropFixturesTest, ValidFixturesRoundTrip) {
  for (const char* name : {"soap11test-UserMessage.xml", "soap12test-UserMessage12.xml",
                           "soap11test-UserMessageResponse.xml", "soap11test-BundledMessage.xml",
                           "soap11test-ReceiptMessage.xml", "soap11test-ErrorMessage.xml",
                           "soap11test-PullRequest.xml"}) {
    SCOPED_TRACE(name);
    absl::StatusOr<Envelope> first = ReadEnvelope(Fixture(name), name);
    ASSERT_TRUE(first.ok()) << first.status();
    const std::string written = WriteEnvelope(*first).value();
    absl::StatusOr<Envelope> second = ReadEnvelope(written, "rewritten");
    ASSERT_TRUE(second.ok()) << second.status() << "\n" << written;
    EXPECT_EQ(WriteEnvelope(*second).value(), written);
    EXPECT_EQ(second->messaging.user_messages.size(), first->messaging.user_messages.size());
    EXPECT_EQ(second->messaging.receipts.size(), first->messaging.receipts.size());
    EXPECT_EQ(second->messaging.errors.size(), first->messaging.errors.size());
    EXPECT_EQ(second->messaging.pull_requests.size(), first->messaging.pull_requests.size());
    EXPECT_EQ(second->body_xml, first->body_xml);
  }
}

}  // namespace
}  // namespace sbrgate::ebms
