#include "pipeline/stp/payevnt/validator.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stp/payevnt/error_catalogue.h"
#include "pipeline/stp/payevnt/generator.h"

namespace sbrgate::payevnt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Generated {
  std::string file;
  GeneratedLodgment info;
};

Generated Make(int64_t employees, int64_t invalid, bool invalid_employer, uint64_t seed = 3) {
  GeneratorOptions o;
  o.employees = employees;
  o.invalid_tfns = invalid;
  o.invalid_employer = invalid_employer;
  o.seed = seed;
  o.message_timestamp = absl::FromUnixSeconds(1735000000);
  StringSink sink;
  absl::StatusOr<GeneratedLodgment> g = GenerateLodgment(o, sink);
  EXPECT_TRUE(g.ok()) << g.status();
  return {sink.data(), *g};
}

ValidationReport Validate(const std::string& file) {
  absl::StatusOr<ValidationReport> r =
      ValidateLodgment(std::make_unique<StringSource>(file), "lodgment.xml");
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

TEST(ValidatorTest, ValidLodgment) {
  Generated g = Make(20, 0, false);
  ValidationReport r = Validate(g.file);
  EXPECT_TRUE(r.valid);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.invalid_document_ids.empty());
  EXPECT_EQ(r.employees, 20);
  EXPECT_EQ(r.invalid_employees, 0);
  ASSERT_TRUE(r.has_employer);
  EXPECT_EQ(r.employer.abn, g.info.payer_abn);
  EXPECT_EQ(r.employer.interaction_record_count, 20);
  EXPECT_EQ(r.bytes, g.file.size());
  EXPECT_FALSE(r.fatal.has_value());
}

TEST(ValidatorTest, ThreeInvalidTfnsGiveExactlyThoseDocumentIds) {
  Generated g = Make(60, 3, false);
  ASSERT_EQ(g.info.invalid_document_ids.size(), 3u);
  ValidationReport r = Validate(g.file);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.invalid_document_ids, g.info.invalid_document_ids);
  EXPECT_EQ(r.invalid_employees, 3);
  ASSERT_EQ(r.errors.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.errors[i].code, codes::kInvalidTfn);
    EXPECT_EQ(r.errors[i].document_id, g.info.invalid_document_ids[i]);
  }
}

TEST(ValidatorTest, InvalidEmployerAndInvalidEmployeesTogether) {
  Generated g = Make(10, 2, true);
  ValidationReport r = Validate(g.file);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.invalid_document_ids, g.info.invalid_document_ids);
  EXPECT_EQ(r.invalid_document_ids.front(), "1.1");
  EXPECT_EQ(r.errors.front().code, codes::kInvalidPayerAbn);
  EXPECT_EQ(r.invalid_employees, 2);
}

TEST(ValidatorTest, InvalidEmployerAloneMakesTheLodgmentInvalid) {
  ValidationReport r = Validate(Make(5, 0, true).file);
  EXPECT_FALSE(r.valid);
  EXPECT_THAT(r.invalid_document_ids, ElementsAre("1.1"));
}

TEST(ValidatorTest, CountMismatchComesLastAndNamesTheParentOnce) {
  Generated g = Make(6, 0, true);
  const std::string file =
      absl::StrReplaceAll(g.file, {{"<tns:InteractionRecordCt>6<", "<tns:InteractionRecordCt>7<"}});
  ValidationReport r = Validate(file);
  EXPECT_FALSE(r.valid);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors.back().code, codes::kRecordCountMismatch);
  EXPECT_THAT(r.invalid_document_ids, ElementsAre("1.1"));
  // Count mismatch alone is enough.
  const std::string only_count = absl::StrReplaceAll(
      Make(6, 0, false).file, {{"<tns:InteractionRecordCt>6<", "<tns:InteractionRecordCt>5<"}});
  ValidationReport c = Validate(only_count);
  EXPECT_FALSE(c.valid);
  EXPECT_THAT(c.invalid_document_ids, ElementsAre("1.1"));
}

TEST(ValidatorTest, FatalProblemEndsTheReport) {
  Generated g = Make(8, 1, false);
  std::string file = g.file;
  file.resize(file.size() - 300);
  ValidationReport r = Validate(file);
  EXPECT_FALSE(r.valid);
  ASSERT_TRUE(r.fatal.has_value());
  EXPECT_EQ(r.errors.back().code, codes::kNotWellFormed);
  EXPECT_EQ(r.fatal->document_id, "1.9");
  EXPECT_THAT(Substitute(*r.fatal), HasSubstr("lodgment.xml:"));
  // Errors found before the fatal problem are kept.
  EXPECT_EQ(r.errors.front().code, codes::kInvalidTfn);
  EXPECT_EQ(r.invalid_document_ids.back(), "1.9");
}

TEST(ValidatorTest, EmptyOrNonXmlInputIsAFatalReportNotAStatus) {
  for (const char* input : {"", "not xml at all", "<PayEventLodgment"}) {
    ValidationReport r = Validate(input);
    EXPECT_FALSE(r.valid) << input;
    ASSERT_TRUE(r.fatal.has_value()) << input;
    EXPECT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.employees, 0);
  }
}

}  // namespace
}  // namespace sbrgate::payevnt
