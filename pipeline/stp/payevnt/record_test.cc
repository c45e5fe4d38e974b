#include "pipeline/stp/payevnt/record.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "pipeline/stp/payevnt/error_catalogue.h"

namespace sbrgate::payevnt {
namespace {

TEST(UnpaddedWpnTest, DropsTheZeroPaddingOfTheElevenDigitField) {
  EXPECT_EQ(UnpaddedWpn("00123456782"), "123456782");
  EXPECT_EQ(UnpaddedWpn("00012345678"), "012345678");  // an 8-digit WPN keeps one zero
  EXPECT_EQ(UnpaddedWpn("123456782"), "123456782");
  EXPECT_EQ(UnpaddedWpn("51824753556"), "51824753556");  // not padded: as it is
  EXPECT_EQ(UnpaddedWpn(""), "");
}

TEST(SubstituteTest, ReplacesKnownReferencesAndKeepsUnknownOnes) {
  FieldError e;
  e.detailed_description = "InteractionRecordCt is {Declared} but {Actual} found; {Other} stays";
  e.parameters = {{"Declared", "5"}, {"Actual", "4"}};
  EXPECT_EQ(Substitute(e), "InteractionRecordCt is 5 but 4 found; {Other} stays");
}

TEST(SubstituteTest, RepeatedAndAdjacentReferencesAndUnclosedBrace) {
  FieldError e;
  e.detailed_description = "{A}{A}-{B} {unclosed";
  e.parameters = {{"A", "x"}, {"B", "{A}"}};
  // Parameter text is not substituted again.
  EXPECT_EQ(Substitute(e), "xx-{A} {unclosed");
}

TEST(SubstituteTest, FallsBackToTheShortDescription) {
  FieldError e;
  e.short_description = "Short {X}";
  e.parameters = {{"X", "text"}};
  EXPECT_EQ(Substitute(e), "Short text");
}

TEST(CatalogueTest, EveryCodeHasAnSbrShapeAndDescriptions) {
  std::set<std::string> codes;
  for (const CatalogueEntry& e : ErrorCatalogue()) {
    const std::string code = e.code;
    EXPECT_TRUE(codes.insert(code).second) << "duplicate " << code;
    EXPECT_TRUE(
        absl::StartsWith(code, "CMN.ATO.GEN.XML") || absl::StartsWith(code, "CMN.ATO.PAYEVNT.") ||
        absl::StartsWith(code, "CMN.ATO.PAYEVNTEMP.") ||
        absl::StartsWith(code, "VR.ATO.PAYEVNT.") || absl::StartsWith(code, "VR.ATO.PAYEVNTEMP."))
        << code;
    EXPECT_NE(std::string(e.short_description), "") << code;
    EXPECT_NE(std::string(e.detailed_description), "") << code;
  }
  EXPECT_EQ(codes.size(), ErrorCatalogue().size());
}

TEST(CatalogueTest, TheCodesTheBriefNamesAreThere) {
  for (const char* code :
       {codes::kSchemaViolation, codes::kInvalidTfn, codes::kInvalidPayerAbn,
        codes::kRecordCountMismatch, codes::kPayeeAmountOutOfRange, codes::kEndBeforeStart,
        codes::kTimestampNotUtc, codes::kPaymentDateTooFar, codes::kMissingRecordDelimiter,
        codes::kTfnRegisterNameMismatch}) {
    EXPECT_NE(FindCatalogueEntry(code), nullptr) << code;
  }
  EXPECT_TRUE(FindCatalogueEntry(codes::kTfnRegisterNameMismatch)->backend);
  EXPECT_TRUE(FindCatalogueEntry(codes::kMissingRecordDelimiter)->fatal);
  EXPECT_FALSE(FindCatalogueEntry(codes::kInvalidTfn)->fatal);
  EXPECT_EQ(FindCatalogueEntry("NO.SUCH.CODE"), nullptr);
}

TEST(CatalogueTest, MakeFieldErrorFillsTheDescriptions) {
  const FieldError e = MakeFieldError(codes::kRecordCountMismatch, "1.1",
                                      "/tns:PAYEVNT/tns:Rp/tns:Payroll/tns:InteractionRecordCt",
                                      {{"Declared", "10"}, {"Actual", "9"}});
  EXPECT_EQ(e.severity, "Error");
  EXPECT_EQ(Substitute(e),
            "InteractionRecordCt is 10 but the lodgment holds 9 PAYEVNTEMP records.");
  EXPECT_EQ(ToString(e),
            "1.1 VR.ATO.PAYEVNT.000202 /tns:PAYEVNT/tns:Rp/tns:Payroll/tns:InteractionRecordCt: "
            "InteractionRecordCt is 10 but the lodgment holds 9 PAYEVNTEMP records.");
  EXPECT_EQ(ToString(MakeFieldError(codes::kNotWellFormed, "", "", {{"Message", "m"}})),
            "- CMN.ATO.GEN.XML01: The lodgment could not be read: m");
  // Every {reference} in every entry is one MakeFieldError callers can fill:
  // none is left behind when all named parameters are given.
  for (const CatalogueEntry& entry : ErrorCatalogue()) {
    FieldError filled = MakeFieldError(entry.code, "1.2", "/x");
    const std::string text = entry.detailed_description;
    for (size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
      const size_t close = text.find('}', open);
      ASSERT_NE(close, std::string::npos) << entry.code;
      filled.parameters.push_back({text.substr(open + 1, close - open - 1), "v"});
    }
    EXPECT_EQ(Substitute(filled).find('{'), std::string::npos) << entry.code;
  }
}

}  // namespace
}  // namespace sbrgate::payevnt
