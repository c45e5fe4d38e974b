#include "pipeline/stp/payevnt/abn_register.h"

#include <gtest/gtest.h>

#include "pipeline/sbr/identifiers/check_digits.h"

namespace sbrgate::payevnt {
namespace {

TEST(AbnRegisterTest, CancelledAbnsPassTheCheckDigitsAndAreRecognised) {
  for (int i : {0, 1, 42, 9999, 10000, -1}) {
    const std::string abn = CancelledAbn(i);
    EXPECT_TRUE(identifiers::IsValidAbn(abn)) << abn;
    EXPECT_TRUE(IsCancelledAbn(abn)) << abn;
  }
  EXPECT_EQ(CancelledAbn(10003), CancelledAbn(3));
  EXPECT_FALSE(IsCancelledAbn("51824753556"));  // the ATO's own
}

TEST(AbnRegisterTest, CheckNamesTheEmployerField) {
  EmployerRecord employer;
  employer.document_id = "1.1";
  employer.abn = CancelledAbn(5);
  std::optional<FieldError> e = CheckAbnRegister(employer);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "CMN.ATO.PAYEVNT.000193");
  EXPECT_EQ(e->document_id, "1.1");
  EXPECT_EQ(e->path, "/tns:PAYEVNT/tns:Rp/tns:AustralianBusinessNumberId");
  employer.abn = "51824753556";
  EXPECT_FALSE(CheckAbnRegister(employer).has_value());
}

}  // namespace
}  // namespace sbrgate::payevnt
