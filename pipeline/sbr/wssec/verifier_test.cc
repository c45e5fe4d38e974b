#include "pipeline/sbr/wssec/verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/sbr/wssec/signer.h"
#include "pipeline/sbr/wssec/test_support.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"

namespace sbrgate::wssec {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kCid[] = "payload-1@sbrgate.test";

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

class VerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir() + "/verifier_test");
    ASSERT_EQ(system(("mkdir -p " + *dir_).c_str()), 0);
    auto pki = testing::MakeTestPki(*dir_);
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = new testing::TestPki(*pki);
    auto cred = Credential::Load(pki_->dsp.cert_path, pki_->dsp.key_path);
    ASSERT_TRUE(cred.ok()) << cred.status();
    credential_ = new Credential(*cred);
    payload_ = new std::string(*dir_ + "/payload.gz");
    ASSERT_TRUE(testing::WriteRandomFile(*payload_, 3 << 20).ok());
  }

  void SetUp() override {
    absl::StatusOr<Verifier> v = Verifier::Create(pki_->ca.cert_path);
    ASSERT_TRUE(v.ok()) << v.status();
    verifier_ = std::make_unique<Verifier>(*v);
  }

  static xml::Document Parse(const std::string& text) {
    absl::StatusOr<xml::Document> doc = xml::ParseDocument(text, "envelope");
    EXPECT_TRUE(doc.ok()) << doc.status();
    return doc.ok() ? std::move(*doc) : nullptr;
  }

  static std::vector<AttachmentRef> Payload(const std::string& path) {
    return {testing::FileAttachment(kCid, path)};
  }

  // The wire form of an envelope signed over the payload file.
  static std::string SignedText(const Credential& credential) {
    xml::Document doc = Parse(testing::EnvelopeXml());
    absl::Status s = SignEnvelope(doc.get(), credential, Payload(*payload_));
    EXPECT_TRUE(s.ok()) << s;
    return testing::Serialize(doc.get());
  }

  absl::StatusOr<VerifiedSignature> VerifyText(const std::string& text,
                                               const std::vector<AttachmentRef>& attachments) {
    received_ = Parse(text);
    return verifier_->Verify(received_.get(), attachments);
  }

  static std::string* dir_;
  static testing::TestPki* pki_;
  static Credential* credential_;
  static std::string* payload_;
  std::unique_ptr<Verifier> verifier_;
  xml::Document received_;
};
std::string* VerifierTest::dir_ = nullptr;
testing::TestPki* VerifierTest::pki_ = nullptr;
Credential* VerifierTest::credential_ = nullptr;
std::string* VerifierTest::payload_ = nullptr;

void ExpectRefused(const absl::StatusOr<VerifiedSignature>& v, const std::string& message) {
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kUnauthenticated) << v.status();
  EXPECT_THAT(std::string(v.status().message()), StartsWith(message));
}

xmlNode* HeaderOf(xmlDoc* doc) { return xml::FirstChild(xmlDocGetRootElement(doc), "Header"); }

TEST_F(VerifierTest, AcceptsWhatTheSignerSigned) {
  const std::string text = SignedText(*credential_);
  absl::StatusOr<VerifiedSignature> v = VerifyText(text, Payload(*payload_));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->signer_subject, "CN=sbrgate DSP test,O=sbrgate tests");
  EXPECT_EQ(v->cert_der, credential_->cert_der);
  EXPECT_EQ(v->sha256_fingerprint, credential_->sha256_fingerprint);
  EXPECT_EQ(v->messaging, xml::FirstChild(HeaderOf(received_.get()), "Messaging"));
  EXPECT_EQ(v->body, xml::FirstChild(xmlDocGetRootElement(received_.get()), "Body"));

  // The digests are those the sender recorded, for the receipt.
  ASSERT_EQ(v->references.size(), 3u);
  absl::StatusOr<std::vector<Digest>> sent = ReferenceDigests(Parse(text).get());
  ASSERT_TRUE(sent.ok()) << sent.status();
  for (size_t i = 0; i < sent->size(); ++i) {
    EXPECT_EQ(v->references[i].uri, (*sent)[i].uri);
    EXPECT_EQ(v->references[i].digest_value, (*sent)[i].digest_value);
  }
  EXPECT_EQ(v->references[2].uri, absl::StrCat("cid:", kCid));
}

TEST_F(VerifierTest, StreamsTheAttachmentInChunks) {
  auto stats = std::make_shared<testing::ReadStats>();
  absl::StatusOr<VerifiedSignature> v =
      VerifyText(SignedText(*credential_), {testing::FileAttachment(kCid, *payload_, stats)});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(stats->bytes, 3u << 20);
  EXPECT_LE(stats->largest_request, 64u << 10);
  EXPECT_GE(stats->calls, (3u << 20) / (64u << 10));
}

TEST_F(VerifierTest, RefusesUnsignedMessage) {
  ExpectRefused(VerifyText(testing::EnvelopeXml(), Payload(*payload_)),
                "message is not signed: no wsse:Security header");
}

TEST_F(VerifierTest, RefusesTamperedMessaging) {
  std::string text = SignedText(*credential_);
  ASSERT_EQ(absl::StrReplaceAll({{"Submit.004.00", "Update.004.00"}}, &text), 1);
  ExpectRefused(VerifyText(text, Payload(*payload_)),
                "signature does not verify: reference #messaging digest mismatch");
}

TEST_F(VerifierTest, RefusesTamperedBody) {
  std::string text = SignedText(*credential_);
  ASSERT_EQ(absl::StrReplaceAll({{R"(<S12:Body wsu:Id="body"/>)",
                                  R"(<S12:Body wsu:Id="body"><x:Evil xmlns:x="urn:x"/></S12:Body>)"}},
                                &text),
            1);
  ExpectRefused(VerifyText(text, Payload(*payload_)),
                "signature does not verify: reference #body digest mismatch");
}

TEST_F(VerifierTest, RefusesTamperedAttachment) {
  const std::string tampered = *dir_ + "/tampered.gz";
  absl::StatusOr<std::string> bytes = ReadFileToString(*payload_);
  ASSERT_TRUE(bytes.ok());
  (*bytes)[1000000] ^= 0x01;
  ASSERT_TRUE(WriteFileDurably(tampered, *bytes).ok());
  ExpectRefused(VerifyText(SignedText(*credential_), Payload(tampered)),
                absl::StrCat("signature does not verify: reference cid:", kCid,
                             " digest mismatch"));
}

TEST_F(VerifierTest, RefusesAttachmentTheSignatureDoesNotCover) {
  xml::Document doc = Parse(testing::EnvelopeXml());
  ASSERT_TRUE(SignEnvelope(doc.get(), *credential_, {}).ok());
  ExpectRefused(VerifyText(testing::Serialize(doc.get()), Payload(*payload_)),
                absl::StrCat("signature does not cover attachment cid:", kCid));
}

// A strict receiver, as the SwA and AS4 profiles make one: an attachment
// reference without the Attachment-Content-Signature-Transform, or with
// another transform, is refused before any digest is computed.
TEST_F(VerifierTest, RefusesAnAttachmentReferenceWithoutTheSwaContentTransform) {
  const std::string signed_text = SignedText(*credential_);
  const std::string transform =
      absl::StrCat("<ds:Transform Algorithm=\"", kAttachmentContentTransform, "\"/>");
  ASSERT_THAT(signed_text, HasSubstr(transform));
  const std::string where = absl::StrCat("signature does not verify: reference \"cid:", kCid, "\"");

  std::string without = signed_text;
  absl::StrReplaceAll(
      {{absl::StrCat("<ds:Transforms>\n", transform, "\n</ds:Transforms>\n"), ""}}, &without);
  ASSERT_NE(without, signed_text);
  ExpectRefused(VerifyText(without, Payload(*payload_)), absl::StrCat(where, ": transforms []"));

  std::string complete = signed_text;
  absl::StrReplaceAll({{"#Attachment-Content-Signature-Transform",
                        "#Attachment-Complete-Signature-Transform"}},
                      &complete);
  ExpectRefused(VerifyText(complete, Payload(*payload_)),
                absl::StrCat(where, ": transforms [http://docs.oasis-open.org/wss/"
                                    "oasis-wss-SwAProfile-1.1#Attachment-Complete-Signature-"
                                    "Transform] are not accepted"));
}

TEST_F(VerifierTest, RefusesSignedAttachmentThatIsMissing) {
  ExpectRefused(VerifyText(SignedText(*credential_), {}),
                absl::StrCat("signature does not verify: reference \"cid:", kCid,
                             "\" names no attachment"));
}

TEST_F(VerifierTest, RefusesTwoAttachmentsWithOneContentId) {
  ExpectRefused(VerifyText(SignedText(*credential_),
                           {testing::FileAttachment(kCid, *payload_),
                            testing::FileAttachment(kCid, *payload_)}),
                "signature is ambiguous: two attachments have content id");
}

TEST_F(VerifierTest, RefusesCertificateFromUntrustedCa) {
  absl::StatusOr<Credential> rogue = Credential::Load(pki_->rogue_dsp.cert_path,
                                                      pki_->rogue_dsp.key_path);
  ASSERT_TRUE(rogue.ok()) << rogue.status();
  absl::StatusOr<VerifiedSignature> v = VerifyText(SignedText(*rogue), Payload(*payload_));
  ExpectRefused(v, "certificate not trusted: unable to get local issuer certificate");
  EXPECT_THAT(v.status().message(), HasSubstr("issuer CN=rogue-ca test CA"));
}

TEST_F(VerifierTest, RefusesExpiredCertificate) {
  ManualClock before_expiry(absl::Now() - absl::Hours(2));
  absl::StatusOr<Credential> expired = Credential::Load(
      pki_->expired_dsp.cert_path, pki_->expired_dsp.key_path, before_expiry);
  ASSERT_TRUE(expired.ok()) << expired.status();
  ExpectRefused(VerifyText(SignedText(*expired), Payload(*payload_)),
                "certificate not trusted: certificate has expired");

  // The verifier's clock decides: a year on, today's certificate has expired too.
  ManualClock next_year(absl::Now() + absl::Hours(24 * 365));
  absl::StatusOr<Verifier> later = Verifier::Create(pki_->ca.cert_path, &next_year);
  ASSERT_TRUE(later.ok());
  xml::Document doc = Parse(SignedText(*credential_));
  ExpectRefused(later->Verify(doc.get(), Payload(*payload_)),
                "certificate not trusted: certificate has expired");
}

// Certificates are decoded once per verifier, but each message's is judged
// again: by its own bytes, against the trust anchors, at the clock's time
// (a chain that verified is not rebuilt while all of it is still valid).
TEST_F(VerifierTest, ACertificateSeenBeforeIsJudgedAgainEachTime) {
  ManualClock clock(absl::Now());
  absl::StatusOr<Verifier> verifier = Verifier::Create(pki_->ca.cert_path, &clock);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<Credential> rogue = Credential::Load(pki_->rogue_dsp.cert_path,
                                                      pki_->rogue_dsp.key_path);
  ASSERT_TRUE(rogue.ok()) << rogue.status();
  const std::string trusted_text = SignedText(*credential_);
  const std::string rogue_text = SignedText(*rogue);
  for (int round = 0; round < 2; ++round) {
    xml::Document trusted = Parse(trusted_text);
    absl::StatusOr<VerifiedSignature> v = verifier->Verify(trusted.get(), Payload(*payload_));
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->signer_subject, "CN=sbrgate DSP test,O=sbrgate tests");
    xml::Document untrusted = Parse(rogue_text);
    ExpectRefused(verifier->Verify(untrusted.get(), Payload(*payload_)),
                  "certificate not trusted: unable to get local issuer certificate");
  }
  clock.Advance(absl::Hours(24 * 365));
  xml::Document later = Parse(trusted_text);
  ExpectRefused(verifier->Verify(later.get(), Payload(*payload_)),
                "certificate not trusted: certificate has expired");
}

// Signature wrapping: the signed eb:Messaging is moved where the ebMS layer
// does not look, and a forged one takes its place.
TEST_F(VerifierTest, RefusesWrappedMessaging) {
  xml::Document doc = Parse(SignedText(*credential_));
  xmlNode* header = HeaderOf(doc.get());
  xmlNode* original = xml::FirstChild(header, "Messaging");
  xmlNode* forged = xmlDocCopyNode(original, doc.get(), 1);
  xmlUnsetNsProp(forged, xmlSearchNsByHref(doc.get(), original, X(kWsuNs)), X("Id"));
  xmlNode* wrapper = xmlNewChild(header, nullptr, X("Wrapper"), nullptr);
  xmlSetNs(wrapper, xmlNewNs(wrapper, X("urn:attacker"), X("w")));
  xmlUnlinkNode(original);
  xmlAddChild(wrapper, original);
  xmlAddPrevSibling(wrapper, forged);
  ExpectRefused(VerifyText(testing::Serialize(doc.get()), Payload(*payload_)),
                "signature does not cover eb:Messaging");
}

TEST_F(VerifierTest, RefusesForgedMessagingWithTheSameId) {
  xml::Document doc = Parse(SignedText(*credential_));
  xmlNode* header = HeaderOf(doc.get());
  xmlNode* original = xml::FirstChild(header, "Messaging");
  xmlNode* forged = xmlDocCopyNode(original, doc.get(), 1);
  xmlNode* wrapper = xmlNewChild(header, nullptr, X("Wrapper"), nullptr);
  xmlSetNs(wrapper, xmlNewNs(wrapper, X("urn:attacker"), X("w")));
  xmlUnlinkNode(original);
  xmlAddChild(wrapper, original);
  xmlAddPrevSibling(wrapper, forged);
  absl::StatusOr<VerifiedSignature> v =
      VerifyText(testing::Serialize(doc.get()), Payload(*payload_));
  ExpectRefused(v, "signature is ambiguous: ID \"messaging\" is not unique");
}

TEST_F(VerifierTest, RefusesWrappedBody) {
  xml::Document doc = Parse(SignedText(*credential_));
  xmlNode* envelope = xmlDocGetRootElement(doc.get());
  xmlNode* original = xml::FirstChild(envelope, "Body");
  xmlNode* forged = xmlNewDocNode(doc.get(), original->ns, X("Body"), nullptr);
  xmlNewChild(forged, xmlNewNs(forged, X("urn:x"), X("x")), X("Evil"), nullptr);
  xmlUnlinkNode(original);
  xmlNode* wrapper = xmlNewChild(HeaderOf(doc.get()), nullptr, X("Wrapper"), nullptr);
  xmlSetNs(wrapper, xmlNewNs(wrapper, X("urn:attacker"), X("w")));
  xmlAddChild(wrapper, original);
  xmlAddChild(envelope, forged);
  ExpectRefused(VerifyText(testing::Serialize(doc.get()), Payload(*payload_)),
                "signature does not cover the SOAP Body");
}

TEST_F(VerifierTest, RefusesRemoteReferencesWithoutFetching) {
  std::string text = SignedText(*credential_);
  ASSERT_EQ(absl::StrReplaceAll({{absl::StrCat("URI=\"cid:", kCid, "\""),
                                  "URI=\"http://127.0.0.1:9/payload\""}},
                                &text),
            1);
  ExpectRefused(VerifyText(text, {}),
                "signature does not verify: reference \"http://127.0.0.1:9/payload\": only #id "
                "and cid: references are accepted");
}

TEST_F(VerifierTest, RefusesAlteredSignatureValue) {
  xml::Document doc = Parse(SignedText(*credential_));
  xmlNode* security = xml::FirstChild(HeaderOf(doc.get()), "Security");
  xmlNode* value = xml::FirstChild(xml::FirstChild(security, "Signature"), "SignatureValue");
  std::string b64 = xml::ChildText(xml::FirstChild(security, "Signature"), "SignatureValue");
  b64[10] = b64[10] == 'A' ? 'B' : 'A';
  xmlNodeSetContent(value, X(b64.c_str()));
  ExpectRefused(VerifyText(testing::Serialize(doc.get()), Payload(*payload_)),
                "signature does not verify: SignatureValue does not match SignedInfo");
}

TEST_F(VerifierTest, VerifiesConcurrently) {
  const std::string good = SignedText(*credential_);
  std::string bad = good;
  absl::StrReplaceAll({{"Submit.004.00", "Update.004.00"}}, &bad);
  std::atomic<int> accepted{0}, refused{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) {
        const bool tampered = (t + i) % 2 == 1;
        absl::StatusOr<xml::Document> doc =
            xml::ParseDocument(tampered ? bad : good, "envelope");
        if (!doc.ok()) {
          ++wrong;
          continue;
        }
        absl::StatusOr<VerifiedSignature> v = verifier_->Verify(doc->get(), Payload(*payload_));
        if (v.ok() && !tampered) {
          ++accepted;
        } else if (!v.ok() && tampered &&
                   absl::StrContains(v.status().message(), "#messaging digest mismatch")) {
          ++refused;
        } else {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(accepted, 6);
  EXPECT_EQ(refused, 6);
  EXPECT_EQ(wrong, 0);
}

TEST_F(VerifierTest, CreateNamesABadCaFile) {
  absl::StatusOr<Verifier> v = Verifier::Create(*dir_ + "/missing-ca.pem");
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("trusted CA file " + *dir_ + "/missing-ca.pem"));
  v = Verifier::Create(pki_->ca.key_path);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("no PEM certificate"));
}

}  // namespace
}  // namespace sbrgate::wssec
