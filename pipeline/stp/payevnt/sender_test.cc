#include "pipeline/stp/payevnt/sender.h"

#include <gtest/gtest.h>

namespace sbrgate::payevnt {
namespace {

bool Equal(const ebms::Party& a, const ebms::Party& b) {
  return a.id == b.id && a.type == b.type && a.role == b.role;
}

TEST(SenderTest, ThePayerSendsAsABusinessByItsAbnElseItsWpn) {
  EmployerRecord e;
  e.abn = "51824753556";
  e.wpn = "00123456782";
  const ebms::Party abn{"51824753556", ebms::kPartyTypeAbn, ebms::kRoleBusiness};
  EXPECT_TRUE(Equal(SenderOf(e), abn));
  EXPECT_TRUE(MaySend(abn, e));
  e.abn.clear();
  const ebms::Party wpn{"123456782", ebms::kPartyTypeWpn, ebms::kRoleBusiness};
  EXPECT_TRUE(Equal(SenderOf(e), wpn));
  EXPECT_TRUE(MaySend(wpn, e));
  EXPECT_FALSE(MaySend(abn, e));
  EXPECT_FALSE(MaySend({"123456782", ebms::kPartyTypeAbn, ebms::kRoleBusiness}, e));
}

TEST(SenderTest, AnIntermediarySendsAsARegisteredAgentByItsTanElseItsAbn) {
  EmployerRecord e;
  e.abn = "51824753556";
  e.intermediary_abn = "53004085616";
  const ebms::Party by_abn{"53004085616", ebms::kPartyTypeAbn, ebms::kRoleRegisteredAgent};
  EXPECT_TRUE(Equal(SenderOf(e), by_abn));
  e.intermediary_tan = "12345678";
  const ebms::Party by_tan{"12345678", ebms::kPartyTypeTan, ebms::kRoleRegisteredAgent};
  EXPECT_TRUE(Equal(SenderOf(e), by_tan));
  EXPECT_TRUE(MaySend(by_tan, e));
  EXPECT_TRUE(MaySend(by_abn, e));
  // The payer itself may still send its own pay event.
  EXPECT_TRUE(MaySend({"51824753556", ebms::kPartyTypeAbn, ebms::kRoleBusiness}, e));
  // Anyone else, or the right number in the wrong role, may not.
  EXPECT_FALSE(MaySend({"12345678", ebms::kPartyTypeTan, ebms::kRoleBusiness}, e));
  EXPECT_FALSE(MaySend({"87654321", ebms::kPartyTypeTan, ebms::kRoleRegisteredAgent}, e));
  EXPECT_FALSE(MaySend({"", ebms::kPartyTypeAbn, ebms::kRoleBusiness}, EmployerRecord()));
}

}  // namespace
}  // namespace sbrgate::payevnt
