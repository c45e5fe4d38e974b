#include "pipeline/clntcomm/exchange/sbr_exchange.h"

#include <gtest/gtest.h>

namespace sbrgate::comms {
namespace {

TEST(AgentPartyTest, ATaxAgentSendsAsItsAgentNumber) {
  v1::AgentContext agent;
  agent.set_agent_abn("51824753556");
  agent.set_ran("12345678");
  ebms::Party party = AgentParty(agent);
  EXPECT_EQ(party.id, "12345678");
  EXPECT_EQ(party.type, ebms::kPartyTypeTan);
  EXPECT_EQ(party.role, ebms::kRoleRegisteredAgent);

  agent.clear_ran();
  party = AgentParty(agent);
  EXPECT_EQ(party.id, "51824753556");
  EXPECT_EQ(party.type, ebms::kPartyTypeAbn);
}

}  // namespace
}  // namespace sbrgate::comms
