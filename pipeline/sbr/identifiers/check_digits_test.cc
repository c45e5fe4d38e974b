#include "pipeline/sbr/identifiers/check_digits.h"

#include <string>

#include "gtest/gtest.h"

namespace sbrgate::identifiers {
namespace {

// Independent restatement of the published rules, digit by digit, to check
// the implementation against.
int TfnSum(const std::string& tfn) {
  static const int w9[] = {1, 4, 3, 7, 5, 8, 6, 9, 10};
  static const int w8[] = {10, 7, 8, 4, 6, 3, 5, 1};
  int sum = 0;
  for (size_t i = 0; i < tfn.size(); ++i) sum += (tfn[i] - '0') * (tfn.size() == 9 ? w9 : w8)[i];
  return sum;
}

TEST(AbnTest, KnownGoodAbns) {
  EXPECT_TRUE(IsValidAbn("51824753556"));  // the ATO
  EXPECT_TRUE(IsValidAbn("53004085616"));  // commonly cited valid example
  EXPECT_TRUE(IsValidAbn("33102417032"));
}

TEST(AbnTest, RejectsWrongCheckShapeAndCharacters) {
  EXPECT_FALSE(IsValidAbn("51824753557"));
  EXPECT_FALSE(IsValidAbn("61824753556"));
  EXPECT_FALSE(IsValidAbn("5182475355"));    // 10 digits
  EXPECT_FALSE(IsValidAbn("518247535560"));  // 12 digits
  EXPECT_FALSE(IsValidAbn("51 824 753 556"));
  EXPECT_FALSE(IsValidAbn("5182475355a"));
  EXPECT_FALSE(IsValidAbn(""));
}

TEST(AbnTest, EverySingleDigitChangeOfTheAtoAbnIsCaught) {
  const std::string good = "51824753556";
  for (size_t i = 0; i < good.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == good[i]) continue;
      std::string bad = good;
      bad[i] = d;
      EXPECT_FALSE(IsValidAbn(bad)) << bad;
    }
  }
}

TEST(TfnTest, KnownGoodTfns) {
  EXPECT_EQ(TfnSum("123456782") % 11, 0);  // verify the cited example by the rule
  EXPECT_TRUE(IsValidTfn("123456782"));
  EXPECT_TRUE(IsValidTfn("876543210"));  // 8*1+7*4+6*3+5*7+4*5+3*8+2*6+1*9+0 = 154 = 14*11
  EXPECT_EQ(TfnSum("12345677") % 11, 0);
  EXPECT_TRUE(IsValidTfn("12345677"));  // 8-digit rule
}

TEST(TfnTest, RejectsWrongCheckShapeAndCharacters) {
  EXPECT_FALSE(IsValidTfn("123456781"));
  EXPECT_FALSE(IsValidTfn("123456783"));
  EXPECT_FALSE(IsValidTfn("12345678"));  // 8-digit rule: remainder 1
  EXPECT_FALSE(IsValidTfn("1234567"));
  EXPECT_FALSE(IsValidTfn("1234567890"));
  EXPECT_FALSE(IsValidTfn("123 456 782"));
  EXPECT_FALSE(IsValidTfn("12345678x"));
}

TEST(TfnTest, ExemptionCodesAreNotValidTfnsButAreRecognised) {
  for (const char* code : {"111111111", "333333333", "444444444"}) {
    EXPECT_FALSE(IsValidTfn(code)) << code;
    EXPECT_TRUE(IsTfnExemptionCode(code)) << code;
  }
  EXPECT_TRUE(IsTfnExemptionCode("000000000"));
  EXPECT_FALSE(IsTfnExemptionCode("123456782"));
}

TEST(MakersTest, ValidOnesAreValidInvalidOnesAreNotAndAllAreDeterministic) {
  for (uint64_t seed = 0; seed < 5000; ++seed) {
    const std::string abn = MakeValidAbn(seed);
    ASSERT_EQ(abn.size(), 11u);
    ASSERT_TRUE(IsValidAbn(abn)) << abn;
    const std::string bad_abn = MakeInvalidAbn(seed);
    ASSERT_EQ(bad_abn.size(), 11u);
    ASSERT_FALSE(IsValidAbn(bad_abn)) << bad_abn;

    const std::string tfn = MakeValidTfn(seed);
    ASSERT_EQ(tfn.size(), 9u);
    ASSERT_TRUE(IsValidTfn(tfn)) << tfn;
    ASSERT_EQ(TfnSum(tfn) % 11, 0) << tfn;
    ASSERT_GE(tfn[0], '1');
    ASSERT_LE(tfn[0], '7') << "8 and 9 are left to the TFN register";

    const std::string tfn8 = MakeValidTfn8(seed);
    ASSERT_EQ(tfn8.size(), 8u);
    ASSERT_TRUE(IsValidTfn(tfn8)) << tfn8;

    const std::string bad_tfn = MakeInvalidTfn(seed);
    ASSERT_EQ(bad_tfn.size(), 9u);
    ASSERT_FALSE(IsValidTfn(bad_tfn)) << bad_tfn;
    ASSERT_FALSE(IsTfnExemptionCode(bad_tfn));
    ASSERT_NE(TfnSum(bad_tfn) % 11, 0);
  }
  EXPECT_EQ(MakeValidTfn(42), MakeValidTfn(42));
  EXPECT_NE(MakeValidTfn(42), MakeValidTfn(43));
  EXPECT_EQ(MakeInvalidAbn(9), MakeInvalidAbn(9));
}

TEST(MakersTest, BreakAbnCheckDigitKeepsAllButTheLastDigit) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const std::string broken = BreakAbnCheckDigit("51824753556", seed);
    EXPECT_EQ(broken.substr(0, 10), "5182475355");
    EXPECT_FALSE(IsValidAbn(broken)) << broken;
  }
}

}  // namespace
}  // namespace sbrgate::identifiers
