#include "pipeline/platform/xml/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/platform/xml/document.h"

namespace sbrgate::xml {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::shared_ptr<const Schema> LoadTestSchema() {
  const std::string xsd = std::string(::testing::TempDir()) + "/t.xsd";
  FILE* f = fopen(xsd.c_str(), "w");
  fputs(R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element name="n" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>)",
        f);
  fclose(f);
  auto schema = Schema::Load(xsd);
  EXPECT_TRUE(schema.ok()) << schema.status();
  return schema.ok() ? *schema : nullptr;
}

TEST(SchemaTest, ReportsViolationsWithLines) {
  std::shared_ptr<const Schema> schema = LoadTestSchema();
  ASSERT_NE(schema, nullptr);
  auto good = ParseDocument("<r><n>5</n></r>", "good");
  EXPECT_TRUE(schema->Validate(good->get()).empty());
  auto bad = ParseDocument("<r>\n<n>five</n></r>", "bad");
  auto errors = schema->Validate(bad->get());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("line 2"));
}

// Validations on one thread share a context: what one document broke is
// not reported again for the next.
TEST(SchemaTest, AReusedContextCarriesNoErrorsOver) {
  std::shared_ptr<const Schema> schema = LoadTestSchema();
  ASSERT_NE(schema, nullptr);
  xmlSchemaValidCtxt* first = schema->TakeValidCtxt().get();
  EXPECT_EQ(schema->TakeValidCtxt().get(), first) << "the context is not reused";

  auto bad = ParseDocument("<r>\n<n>five</n></r>", "bad");
  auto good = ParseDocument("<r><n>5</n></r>", "good");
  auto other = ParseDocument("<r>\n\n<m>5</m></r>", "other");
  EXPECT_THAT(schema->Validate(bad->get()), ElementsAre(HasSubstr("line 2")));
  EXPECT_THAT(schema->Validate(good->get()), IsEmpty());
  EXPECT_THAT(schema->Validate(bad->get()), ElementsAre(HasSubstr("line 2")));
  EXPECT_THAT(schema->Validate(other->get()), ElementsAre(HasSubstr("line 3")));
  EXPECT_THAT(schema->ValidateElement(xmlDocGetRootElement(bad->get())),
              ElementsAre(HasSubstr("line 2")));
  EXPECT_THAT(schema->ValidateElement(xmlDocGetRootElement(good->get())), IsEmpty());

  // Used directly, as many documents' validator.
  Schema::ValidCtxt ctxt = schema->TakeValidCtxt();
  EXPECT_NE(xmlSchemaValidateDoc(ctxt.get(), bad->get()), 0);
  EXPECT_EQ(xmlSchemaValidateDoc(ctxt.get(), good->get()), 0);
}

TEST(SchemaTest, ConcurrentValidationsKeepTheirOwnErrors) {
  std::shared_ptr<const Schema> schema = LoadTestSchema();
  ASSERT_NE(schema, nullptr);
  std::vector<std::thread> threads;
  std::vector<int> wrong(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto good = ParseDocument("<r><n>5</n></r>", "good");
      auto bad = ParseDocument("<r>\n<n>five</n></r>", "bad");
      for (int i = 0; i < 200; ++i) {
        const bool valid = (i + t) % 2 == 0;
        const std::vector<std::string> errors = schema->Validate(valid ? good->get() : bad->get());
        if (errors.size() != (valid ? 0u : 1u)) ++wrong[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(wrong, ::testing::Each(0));
}

}  // namespace
}  // namespace sbrgate::xml
