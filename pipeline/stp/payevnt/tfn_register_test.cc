#include "pipeline/stp/payevnt/tfn_register.h"

#include <cctype>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "pipeline/sbr/identifiers/check_digits.h"
#include "pipeline/stp/payevnt/error_catalogue.h"

namespace sbrgate::payevnt {
namespace {

TEST(TfnRegisterTest, EntriesAreValidDistinctAndFoundAgain) {
  std::set<std::string> seen;
  for (int i : {0, 1, 2, 9, 10, 42, 999, 123456, 500000, 999998, 999999}) {
    const std::string tfn = RegisteredTfn(i);
    ASSERT_EQ(tfn.size(), 9u) << i;
    EXPECT_EQ(tfn[0], '8');
    EXPECT_TRUE(identifiers::IsValidTfn(tfn)) << tfn;
    EXPECT_TRUE(seen.insert(tfn).second) << tfn;
    ASSERT_EQ(RegisterIndex(tfn), i) << tfn;
    EXPECT_EQ(LookupRegisteredFamilyName(tfn), RegisteredFamilyName(i));
  }
}

TEST(TfnRegisterTest, WholeRangeIsValidAndInvertible) {
  for (int i = 0; i < kRegisterSize; i += 7) {
    const std::string tfn = RegisteredTfn(i);
    ASSERT_TRUE(identifiers::IsValidTfn(tfn)) << tfn;
    ASSERT_EQ(RegisterIndex(tfn), i) << tfn;
  }
}

TEST(TfnRegisterTest, IndicesWrapAround) {
  EXPECT_EQ(RegisteredTfn(kRegisterSize + 5), RegisteredTfn(5));
  EXPECT_EQ(RegisteredTfn(-1), RegisteredTfn(kRegisterSize - 1));
}

TEST(TfnRegisterTest, OrdinaryTfnsAreNotOnTheRegister) {
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    EXPECT_FALSE(RegisterIndex(identifiers::MakeValidTfn(seed)).has_value());
  }
  EXPECT_FALSE(LookupRegisteredFamilyName("123456782").has_value());
  // Right prefix and a valid check digit, but not the register's adjustment
  // digit: not on the register.
  const std::string registered = RegisteredTfn(3);
  int others = 0;
  for (char adjust = '0'; adjust <= '9'; ++adjust) {
    for (char check = '0'; check <= '9'; ++check) {
      const std::string tfn = registered.substr(0, 7) + adjust + check;
      if (tfn == registered || !identifiers::IsValidTfn(tfn)) continue;
      ++others;
      EXPECT_FALSE(RegisterIndex(tfn).has_value()) << tfn;
    }
  }
  EXPECT_GT(others, 0);
}

TEST(TfnRegisterTest, OtherFamilyNameAlwaysDiffers) {
  for (int i = 0; i < 500; ++i) {
    for (int variant : {-3, 0, 1, 63, 64, 1000}) {
      EXPECT_NE(OtherFamilyName(i, variant), RegisteredFamilyName(i));
    }
  }
}

TEST(TfnRegisterTest, CheckTfnRegisterFlagsOnlyMismatches) {
  EmployeeRecord e;
  e.document_id = "1.9";
  e.tfn = RegisteredTfn(77);
  e.family_name = RegisteredFamilyName(77);
  EXPECT_FALSE(CheckTfnRegister(e).has_value());

  e.family_name = "  " + RegisteredFamilyName(77) + " ";  // spacing and case do not matter
  for (char& c : e.family_name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(CheckTfnRegister(e).has_value());

  e.family_name = OtherFamilyName(77, 1);
  std::optional<FieldError> error = CheckTfnRegister(e);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "CMN.ATO.PAYEVNTEMP.000180");
  EXPECT_EQ(error->document_id, "1.9");
  EXPECT_EQ(error->path, "/tns:PAYEVNTEMP/tns:Payee/tns:PersonNameDetails/tns:FamilyNameT");
  EXPECT_EQ(error->short_description, "Payee name does not match the TFN register");

  e.tfn = "123456782";  // not on the register: any name passes
  EXPECT_FALSE(CheckTfnRegister(e).has_value());
}

}  // namespace
}  // namespace sbrgate::payevnt
