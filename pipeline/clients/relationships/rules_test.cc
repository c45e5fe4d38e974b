#include "pipeline/clients/relationships/rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sbrgate::relationships {
namespace {

v1::RelationshipRequest Request(v1::RelationshipLevel level, const std::string& account = "",
                                const std::string& role = "") {
  v1::RelationshipRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran("12345678");
  r.mutable_relationship()->mutable_client()->set_type(v1::ABN);
  r.mutable_relationship()->mutable_client()->set_value("53004085616");
  r.mutable_relationship()->set_level(level);
  r.mutable_relationship()->set_account(account);
  r.mutable_relationship()->set_role(role);
  return r;
}

std::vector<std::string> Fields(const std::vector<FieldViolation>& v) {
  std::vector<std::string> out;
  for (const FieldViolation& f : v) out.push_back(f.field);
  return out;
}

TEST(RelationshipRulesTest, EachLevelNamesExactlyWhatItLinks) {
  EXPECT_TRUE(RelationshipRequestViolations(Request(v1::CLIENT)).empty());
  EXPECT_TRUE(RelationshipRequestViolations(Request(v1::ACCOUNT, "AS:001")).empty());
  EXPECT_TRUE(RelationshipRequestViolations(Request(v1::ACCOUNT, "IT")).empty());
  EXPECT_TRUE(RelationshipRequestViolations(Request(v1::ROLE, "AS:001", "BAS_AGENT")).empty());

  EXPECT_EQ(Fields(RelationshipRequestViolations(Request(v1::CLIENT, "IT"))),
            std::vector<std::string>{"relationship.account"});
  EXPECT_EQ(Fields(RelationshipRequestViolations(Request(v1::ACCOUNT))),
            std::vector<std::string>{"relationship.account"});
  EXPECT_EQ(Fields(RelationshipRequestViolations(Request(v1::ACCOUNT, "GST"))),
            std::vector<std::string>{"relationship.account"});
  EXPECT_EQ(Fields(RelationshipRequestViolations(Request(v1::ACCOUNT, "AS:001", "BAS_AGENT"))),
            std::vector<std::string>{"relationship.role"});
  EXPECT_EQ(Fields(RelationshipRequestViolations(Request(v1::ROLE, "AS:001"))),
            std::vector<std::string>{"relationship.role"});
  EXPECT_EQ(Fields(RelationshipRequestViolations(Request(v1::ROLE, "AS:001", "CHEF"))),
            std::vector<std::string>{"relationship.role"});
  EXPECT_EQ(Fields(RelationshipRequestViolations(Request(v1::RELATIONSHIP_LEVEL_UNSPECIFIED))),
            std::vector<std::string>{"relationship.level"});
}

TEST(RelationshipRulesTest, TheAgentAndTheClientAreCheckedAsForClntcomm) {
  v1::RelationshipRequest r = Request(v1::CLIENT);
  r.mutable_agent()->clear_ran();
  r.mutable_relationship()->mutable_client()->set_value("53004085617");
  EXPECT_EQ(Fields(RelationshipRequestViolations(r)),
            (std::vector<std::string>{"agent.ran", "relationship.client.value"}));
  v1::SearchClientRequest search;
  EXPECT_EQ(Fields(SearchRequestViolations(search)), (std::vector<std::string>{"agent", "client"}));
  v1::ListRelationshipsRequest list;
  *list.mutable_agent() = Request(v1::CLIENT).agent();
  EXPECT_TRUE(ListRequestViolations(list).empty());
}

}  // namespace
}  // namespace sbrgate::relationships
