#include "pipeline/sbr/wssec/signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/c14n.h>
#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pipeline/sbr/wssec/test_support.h"
#include "pipeline/sbr/wssec/verifier.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"

namespace sbrgate::wssec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kCid[] = "payload-1@sbrgate.test";

// Base64 SHA-256 of the file, computed here independently of xmlsec.
std::string FileDigest(const std::string& path) {
  auto src = FileSource::Open(path);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buf[1 << 16];
  for (;;) {
    absl::StatusOr<size_t> n = (*src)->Read(buf, sizeof buf);
    if (!n.ok() || *n == 0) break;
    EVP_DigestUpdate(ctx, buf, *n);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(md), len));
}

// Base64 SHA-256 of the exclusive C14N of `element`'s subtree without
// comments (what a "#id" reference with the exc-C14N transform covers),
// computed here by libxml2 alone, independently of how xmlsec resolves the
// reference.
std::string SubtreeDigest(xmlDoc* doc, xmlNode* element) {
  const xmlC14NIsVisibleCallback in_subtree = [](void* top, xmlNode* node, xmlNode* parent) {
    // Namespace declarations and attributes are visible with their element.
    const xmlNode* n =
        node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE ? parent : node;
    for (; n != nullptr; n = n->parent) {
      if (n == top) return 1;
    }
    return 0;
  };
  xmlOutputBuffer* out = xmlAllocOutputBuffer(nullptr);
  EXPECT_GE(xmlC14NExecute(doc, in_subtree, element, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, out), 0);
  const std::string c14n(reinterpret_cast<const char*>(xmlOutputBufferGetContent(out)),
                         xmlOutputBufferGetSize(out));
  xmlOutputBufferClose(out);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(c14n.data(), c14n.size(), md, &len, EVP_sha256(), nullptr);
  return absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(md), len));
}

class SignerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir() + "/signer_test");
    ASSERT_EQ(system(("mkdir -p " + *dir_).c_str()), 0);
    auto pki = testing::MakeTestPki(*dir_);
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = new testing::TestPki(*pki);
    auto cred = Credential::Load(pki_->dsp.cert_path, pki_->dsp.key_path);
    ASSERT_TRUE(cred.ok()) << cred.status();
    credential_ = new Credential(*cred);
    payload_ = new std::string(*dir_ + "/payload.gz");
    ASSERT_TRUE(testing::WriteRandomFile(*payload_, 4 << 20).ok());
  }

  static xml::Document Parse(const std::string& text) {
    absl::StatusOr<xml::Document> doc = xml::ParseDocument(text, "envelope");
    EXPECT_TRUE(doc.ok()) << doc.status();
    return doc.ok() ? std::move(*doc) : nullptr;
  }

  static std::string* dir_;
  static testing::TestPki* pki_;
  static Credential* credential_;
  static std::string* payload_;
};
std::string* SignerTest::dir_ = nullptr;
testing::TestPki* SignerTest::pki_ = nullptr;
Credential* SignerTest::credential_ = nullptr;
std::string* SignerTest::payload_ = nullptr;

TEST_F(SignerTest, AddsSecurityHeaderWithTokenAndSignature) {
  xml::Document doc = Parse(testing::EnvelopeXml());
  ASSERT_TRUE(SignEnvelope(doc.get(), *credential_, {testing::FileAttachment(kCid, *payload_)}).ok());

  xmlNode* header = xml::FirstChild(xmlDocGetRootElement(doc.get()), "Header");
  xmlNode* security = xml::FirstChild(header, "Security");
  ASSERT_NE(security, nullptr);
  EXPECT_EQ(xml::NamespaceUri(security), kWsseNs);
  xmlChar* mu = xmlGetNsProp(security, reinterpret_cast<const xmlChar*>("mustUnderstand"),
                             reinterpret_cast<const xmlChar*>(kSoap12Ns));
  ASSERT_NE(mu, nullptr);
  EXPECT_STREQ(reinterpret_cast<char*>(mu), "true");
  xmlFree(mu);

  xmlNode* token = xml::FirstChild(security, "BinarySecurityToken");
  ASSERT_NE(token, nullptr);
  std::string der;
  ASSERT_TRUE(absl::Base64Unescape(xml::ChildText(security, "BinarySecurityToken"), &der));
  EXPECT_EQ(der, credential_->cert_der);
  EXPECT_THAT(xml::Attribute(token, "ValueType"), HasSubstr("#X509v3"));

  xmlNode* signature = xml::FirstChild(security, "Signature");
  ASSERT_NE(signature, nullptr);
  xmlNode* str = xml::FirstChild(xml::FirstChild(signature, "KeyInfo"), "SecurityTokenReference");
  ASSERT_NE(str, nullptr);
  xmlChar* token_id = xmlGetNsProp(token, reinterpret_cast<const xmlChar*>("Id"),
                                   reinterpret_cast<const xmlChar*>(kWsuNs));
  EXPECT_EQ(xml::Attribute(xml::FirstChild(str, "Reference"), "URI"),
            absl::StrCat("#", reinterpret_cast<char*>(token_id)));
  xmlFree(token_id);
}

TEST_F(SignerTest, ReferenceDigestsListEveryPartWithItsDigest) {
  xml::Document doc = Parse(testing::EnvelopeXml());
  ASSERT_TRUE(SignEnvelope(doc.get(), *credential_, {testing::FileAttachment(kCid, *payload_)}).ok());
  absl::StatusOr<std::vector<Digest>> digests = ReferenceDigests(doc.get());
  ASSERT_TRUE(digests.ok()) << digests.status();
  ASSERT_EQ(digests->size(), 3u);
  EXPECT_EQ((*digests)[0].uri, "#messaging");
  EXPECT_EQ((*digests)[1].uri, "#body");
  EXPECT_EQ((*digests)[2].uri, absl::StrCat("cid:", kCid));
  for (const Digest& d : *digests) {
    EXPECT_EQ(d.digest_method, kSha256);
    EXPECT_EQ(d.digest_value.size(), 44u) << d.uri;  // base64 of 32 bytes
  }
  EXPECT_THAT((*digests)[0].transforms, ElementsAre(kExcC14n));
  EXPECT_THAT((*digests)[2].transforms, ElementsAre(kAttachmentContentTransform));
  // The attachment's digest is over its raw octets: SwA content
  // canonicalisation leaves a binary attachment as it is.
  EXPECT_EQ((*digests)[2].digest_value, FileDigest(*payload_));
}

TEST_F(SignerTest, StreamsTheAttachmentInChunks) {
  auto stats = std::make_shared<testing::ReadStats>();
  xml::Document doc = Parse(testing::EnvelopeXml());
  ASSERT_TRUE(
      SignEnvelope(doc.get(), *credential_, {testing::FileAttachment(kCid, *payload_, stats)}).ok());
  EXPECT_EQ(stats->bytes, 4u << 20);
  EXPECT_LE(stats->largest_request, 64u << 10);
  EXPECT_GE(stats->calls, (4u << 20) / (64u << 10));
}

TEST_F(SignerTest, IdReferencesDigestTheElementsSubtreeWithoutComments) {
  const std::string envelope =
      R"(<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope" xmlns:p="urn:p" xmlns:unused="urn:unused">
<S:Header><eb:Messaging xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"><!-- note --><eb:UserMessage p:a="1"/></eb:Messaging></S:Header>
<S:Body><p:Doc>x<!-- note -->y</p:Doc></S:Body></S:Envelope>)";
  xml::Document doc = Parse(envelope);
  ASSERT_TRUE(SignEnvelope(doc.get(), *credential_, {}).ok());
  absl::StatusOr<std::vector<Digest>> digests = ReferenceDigests(doc.get());
  ASSERT_TRUE(digests.ok()) << digests.status();
  ASSERT_EQ(digests->size(), 2u);
  xmlNode* root = xmlDocGetRootElement(doc.get());
  EXPECT_EQ(
      (*digests)[0].digest_value,
      SubtreeDigest(doc.get(), xml::FirstChild(xml::FirstChild(root, "Header"), "Messaging")));
  EXPECT_EQ((*digests)[1].digest_value, SubtreeDigest(doc.get(), xml::FirstChild(root, "Body")));
}

TEST_F(SignerTest, AddsMissingIdsAndSignsSoap11) {
  const std::string soap11 = R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
<soap:Header><eb:Messaging xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/" id="body"><eb:UserMessage/></eb:Messaging></soap:Header>
<soap:Body><x:Payload xmlns:x="urn:x">hello</x:Payload></soap:Body></soap:Envelope>)";
  xml::Document doc = Parse(soap11);
  ASSERT_TRUE(SignEnvelope(doc.get(), *credential_, {}).ok());
  absl::StatusOr<std::vector<Digest>> digests = ReferenceDigests(doc.get());
  ASSERT_TRUE(digests.ok()) << digests.status();
  ASSERT_EQ(digests->size(), 2u);
  EXPECT_EQ((*digests)[0].uri, "#messaging");
  EXPECT_EQ((*digests)[1].uri, "#body-2");  // "body" is the eb:Messaging's own id
  const std::string text = testing::Serialize(doc.get());
  EXPECT_THAT(text, HasSubstr(R"(soap:mustUnderstand="1")"));

  absl::StatusOr<Verifier> verifier = Verifier::Create(pki_->ca.cert_path);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  xml::Document received = Parse(text);
  absl::StatusOr<VerifiedSignature> v = verifier->Verify(received.get(), {});
  EXPECT_TRUE(v.ok()) << v.status();
}

TEST_F(SignerTest, PercentEncodesContentIdsInReferences) {
  const std::string odd = "<part 1%#x@sbrgate.test>";  // as in a MIME Content-ID header
  xml::Document doc = Parse(testing::EnvelopeXml());
  ASSERT_TRUE(SignEnvelope(doc.get(), *credential_, {testing::FileAttachment(odd, *payload_)}).ok());
  absl::StatusOr<std::vector<Digest>> digests = ReferenceDigests(doc.get());
  ASSERT_TRUE(digests.ok()) << digests.status();
  EXPECT_EQ(digests->back().uri, "cid:part%201%25%23x@sbrgate.test");
  EXPECT_EQ(digests->back().digest_value, FileDigest(*payload_));

  absl::StatusOr<Verifier> verifier = Verifier::Create(pki_->ca.cert_path);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  xml::Document received = Parse(testing::Serialize(doc.get()));
  absl::StatusOr<VerifiedSignature> v =
      verifier->Verify(received.get(), {testing::FileAttachment("part 1%#x@sbrgate.test", *payload_)});
  EXPECT_TRUE(v.ok()) << v.status();
}

TEST_F(SignerTest, RefusesWhatItCannotSign) {
  xml::Document doc = Parse(testing::EnvelopeXml());
  ASSERT_TRUE(SignEnvelope(doc.get(), *credential_, {}).ok());
  absl::Status again = SignEnvelope(doc.get(), *credential_, {});
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("already has a wsse:Security"));

  xml::Document not_soap = Parse("<a:Envelope xmlns:a='urn:not-soap'/>");
  EXPECT_THAT(SignEnvelope(not_soap.get(), *credential_, {}).message(),
              HasSubstr("not a SOAP 1.1 or 1.2 Envelope"));

  xml::Document fresh = Parse(testing::EnvelopeXml());
  absl::Status missing = SignEnvelope(
      fresh.get(), *credential_, {testing::FileAttachment(kCid, *dir_ + "/no-such-file")});
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr(absl::StrCat("cannot open attachment cid:", kCid)));
  // A failed signing leaves no half-made Security header behind.
  EXPECT_EQ(xml::FirstChild(xml::FirstChild(xmlDocGetRootElement(fresh.get()), "Header"),
                            "Security"),
            nullptr);
}

}  // namespace
}  // namespace sbrgate::wssec
