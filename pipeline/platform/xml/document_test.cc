#include "pipeline/platform/xml/document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/testing/hostile_xml.h"

namespace sbrgate::xml {
namespace {

using ::sbrgate::testing::kBillionLaughs;
using ::sbrgate::testing::kExternalEntity;
using ::sbrgate::testing::kUndecodable;
using ::sbrgate::testing::Nested;
using ::testing::HasSubstr;

TEST(ParseDocumentTest, ParsesPlainXml) {
  auto doc = ParseDocument("<r xmlns='urn:x'><c>hi</c></r>", "t.xml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  xmlNode* root = xmlDocGetRootElement(doc->get());
  EXPECT_EQ(LocalName(root), "r");
  EXPECT_EQ(NamespaceUri(root), "urn:x");
  EXPECT_EQ(ChildText(root, "c"), "hi");
}

TEST(ParseDocumentTest, RefusesBillionLaughs) {
  auto doc = ParseDocument(kBillionLaughs, "bomb.xml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(doc.status().message(), HasSubstr("bomb.xml:2: a DTD"));
}

TEST(ParseDocumentTest, RefusesBytesNotInTheDeclaredEncodingAndPrintsNothing) {
  ::testing::internal::CaptureStderr();
  auto doc = ParseDocument(kUndecodable, "enc.xml");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseDocumentTest, RefusesExternalEntity) {
  auto doc = ParseDocument(kExternalEntity, "xxe.xml");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(doc.status().message(), HasSubstr("DTD"));
}

TEST(ParseDocumentTest, RefusesDeepNesting) {
  auto doc = ParseDocument(Nested(10000), "deep.xml");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(doc.status().message(), HasSubstr("nested deeper than 64"));
}

TEST(ParseDocumentTest, RefusesOversizedText) {
  Limits limits;
  limits.max_text_bytes = 1000;
  auto doc = ParseDocument(absl::StrCat("<r>\n<big>", std::string(5000, 'x'), "</big></r>"),
                           "big.xml", limits);
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(doc.status().message(), HasSubstr("big.xml:2: text of <big> is 5000 bytes"));
}

TEST(ParseDocumentTest, ReportsLineOfSyntaxError) {
  ::testing::internal::CaptureStderr();
  auto doc = ParseDocument("<r>\n<a>\n</b></r>", "bad.xml");
  // libxml2 also printed the error with the offending line of the input,
  // which may hold a TFN, to stderr (found by fuzz/clntcomm_wire_fuzz).
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(doc.status().message(), HasSubstr("bad.xml:3: not well-formed XML"));
}

}  // namespace
}  // namespace sbrgate::xml
