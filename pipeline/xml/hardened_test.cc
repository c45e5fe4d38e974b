#include "pipeline/xml/hardened.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace sbrgate::xml {
namespace {

using ::testing::HasSubstr;

constexpr char kBillionLaughs[] = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>)";

constexpr char kExternalEntity[] = R"(<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<foo>&xxe;</foo>)";

std::string Nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "<a>";
  for (int i = 0; i < depth; ++i) s += "</a>";
  return s;
}

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
  auto doc = ParseDocument("<r>\n<a>\n</b></r>", "bad.xml");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(doc.status().message(), HasSubstr("bad.xml:3: not well-formed XML"));
}

absl::Status DrainStream(const std::string& text, const Limits& limits = Limits()) {
  auto reader = StreamReader::Open(std::make_unique<StringSource>(text), "s.xml", limits);
  if (!reader.ok()) return reader.status();
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
  }
}

TEST(StreamReaderTest, ReadsNodes) {
  auto reader = StreamReader::Open(std::make_unique<StringSource>("<r><a x='1'>t</a></r>"), "s");
  ASSERT_TRUE(reader.ok());
  std::vector<std::string> names;
  for (;;) {
    auto more = (*reader)->Next();
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    if ((*reader)->type() == XML_READER_TYPE_ELEMENT) names.push_back((*reader)->local_name());
  }
  EXPECT_THAT(names, ::testing::ElementsAre("r", "a"));
}

TEST(StreamReaderTest, RefusesDtdAndEntityBombs) {
  EXPECT_THAT(DrainStream(kBillionLaughs).message(), HasSubstr("DTD"));
  EXPECT_THAT(DrainStream(kExternalEntity).message(), HasSubstr("DTD"));
}

TEST(StreamReaderTest, RefusesDeepNesting) {
  EXPECT_THAT(DrainStream(Nested(10000)).message(), HasSubstr("nested deeper than 64"));
}

TEST(StreamReaderTest, RefusesOversizedText) {
  Limits limits;
  limits.max_text_bytes = 1000;
  EXPECT_THAT(DrainStream(absl::StrCat("<r>", std::string(5000, 'x'), "</r>"), limits).message(),
              HasSubstr("text node of 5000 bytes"));
}

TEST(SchemaTest, ReportsViolationsWithLines) {
  const std::string xsd = std::string(::testing::TempDir()) + "/t.xsd";
  FILE* f = fopen(xsd.c_str(), "w");
  fputs(R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element name="n" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>)", f);
  fclose(f);
  auto schema = Schema::Load(xsd);
  ASSERT_TRUE(schema.ok()) << schema.status();
  auto good = ParseDocument("<r><n>5</n></r>", "good");
  EXPECT_TRUE((*schema)->Validate(good->get()).empty());
  auto bad = ParseDocument("<r>\n<n>five</n></r>", "bad");
  auto errors = (*schema)->Validate(bad->get());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("line 2"));
}

}  // namespace
}  // namespace sbrgate::xml
