#include "pipeline/platform/access/access_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::access {
namespace {

using ::testing::HasSubstr;

TEST(AccessPolicy, ParsesEachRoleAndIgnoresCommentsAndBlankLines) {
  absl::StatusOr<AccessPolicy> p = AccessPolicy::Parse(
      "# who may do what\n"
      "\n"
      "payroll-a, payroll, 51824753556 649999900\n"
      "dsp,payroll,*\n"
      "alice,practice,51824753556:12345678\n"
      "ops,operator,*\n",
      "access");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->size(), 4u);
  const Grant* a = p->Find("payroll-a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->role, Role::kPayroll);
  EXPECT_FALSE(a->every_payer);
  EXPECT_EQ(a->payers, (std::set<std::string>{"51824753556", "649999900"}));
  EXPECT_TRUE(p->Find("dsp")->every_payer);
  EXPECT_EQ(p->Find("alice")->agent_abn, "51824753556");
  EXPECT_EQ(p->Find("alice")->ran, "12345678");
  EXPECT_EQ(p->Find("ops")->role, Role::kOperator);
  EXPECT_EQ(p->Find("mallory"), nullptr);
}

TEST(AccessPolicy, NamesTheLineAndWhatIsWrongWithIt) {
  const std::pair<const char*, const char*> cases[] = {
      {"a,payroll\n", "access:1: expected identity,role,scope"},
      {"\na,admin,*\n", "access:2: role 'admin' is not payroll, practice or operator"},
      {"a,payroll,123\n", "access:1: payer '123' is neither an ABN"},
      {"a,payroll, \n", "access:1: a payroll scope lists payers"},
      {"a,practice,51824753556\n", "access:1: a practice scope is AGENT_ABN:RAN"},
      {"a,operator,51824753556\n", "access:1: an operator's scope is *"},
      {",operator,*\n", "access:1: the identity is empty"},
      {"a,operator,*\na,payroll,*\n", "access:2: identity 'a' is named twice"},
  };
  for (const auto& [text, expected] : cases) {
    absl::StatusOr<AccessPolicy> p = AccessPolicy::Parse(text, "access");
    EXPECT_TRUE(absl::IsInvalidArgument(p.status())) << text;
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(expected)) << text;
  }
  EXPECT_TRUE(absl::IsNotFound(AccessPolicy::Load("/nonexistent/access").status()));
}

}  // namespace
}  // namespace sbrgate::access
