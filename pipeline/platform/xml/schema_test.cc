#include "pipeline/platform/xml/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "pipeline/platform/xml/document.h"

namespace sbrgate::xml {
namespace {

using ::testing::HasSubstr;

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
