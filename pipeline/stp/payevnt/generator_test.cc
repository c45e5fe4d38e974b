#include "pipeline/stp/payevnt/generator.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/sbr/identifiers/check_digits.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "pipeline/stp/payevnt/tfn_register.h"
#include "pipeline/stp/payevnt/validator.h"

namespace sbrgate::payevnt {
namespace {

using ::testing::HasSubstr;

GeneratorOptions Options(int64_t employees, uint64_t seed = 1) {
  GeneratorOptions o;
  o.employees = employees;
  o.seed = seed;
  o.message_timestamp = absl::FromUnixSeconds(1751500000);  // 2025-07-02T23:46:40Z
  return o;
}

std::string GenerateToString(const GeneratorOptions& o, GeneratedLodgment* info = nullptr) {
  StringSink sink;
  absl::StatusOr<GeneratedLodgment> g = GenerateLodgment(o, sink);
  EXPECT_TRUE(g.ok()) << g.status();
  if (info != nullptr && g.ok()) *info = *g;
  return sink.data();
}

std::vector<Record> ReadRecords(const std::string& file) {
  std::vector<Record> out;
  auto reader = LodgmentReader::Open(std::make_unique<StringSource>(file), "gen.xml");
  EXPECT_TRUE(reader.ok()) << reader.status();
  for (;;) {
    absl::StatusOr<std::optional<Record>> r = (*reader)->Next();
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || !r->has_value()) break;
    out.push_back(**r);
  }
  EXPECT_TRUE((*reader)->summary().final_errors.empty());
  return out;
}

size_t Count(const std::string& text, absl::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(std::string(what)); at != std::string::npos;
       at = text.find(std::string(what), at + 1)) {
    ++n;
  }
  return n;
}

TEST(GeneratorTest, SameOptionsSameBytesOtherSeedOtherBytes) {
  const std::string a = GenerateToString(Options(40, 9));
  EXPECT_EQ(a, GenerateToString(Options(40, 9)));
  EXPECT_NE(a, GenerateToString(Options(40, 10)));
}

TEST(GeneratorTest, EverythingGeneratedIsValid) {
  for (uint64_t seed : {1, 2, 77, 123456789}) {
    GeneratedLodgment info;
    const std::string file = GenerateToString(Options(seed == 1 ? 3000 : 300, seed), &info);
    absl::StatusOr<ValidationReport> r =
        ValidateLodgment(std::make_unique<StringSource>(file), "gen.xml");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->valid) << seed << ": " << (r->errors.empty() ? "" : ToString(r->errors.front()));
    EXPECT_EQ(r->employees, info.employees);
    EXPECT_TRUE(info.invalid_document_ids.empty());
    EXPECT_EQ(info.bytes, file.size());
  }
}

TEST(GeneratorTest, AWpnPayerHasNoAbnAndItsWpnZeroPadded) {
  GeneratorOptions o = Options(5, 3);
  o.payer_wpn = "123456782";
  GeneratedLodgment info;
  const std::string file = GenerateToString(o, &info);
  const std::vector<Record> records = ReadRecords(file);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0].kind, Record::Kind::kEmployer);
  EXPECT_EQ(records[0].employer.abn, "");
  EXPECT_EQ(records[0].employer.wpn, "00123456782");
  EXPECT_TRUE(info.payer_abn.empty());
  absl::StatusOr<ValidationReport> r =
      ValidateLodgment(std::make_unique<StringSource>(file), "wpn.xml");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->valid) << (r->errors.empty() ? "" : ToString(r->errors.front()));

  o.payer_wpn = "123456789";  // wrong check digit
  StringSink sink;
  EXPECT_EQ(GenerateLodgment(o, sink).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GeneratorTest, DataIsVaried) {
  const std::string file = GenerateToString(Options(3000, 1));
  for (const char* state : {"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA", "OTH"}) {
    EXPECT_GT(Count(file, absl::StrCat("<tns:StateOrTerritoryC>", state, "<")), 0u) << state;
  }
  for (const char* basis : {"F", "P", "C", "L", "V"}) {
    EXPECT_GT(Count(file, absl::StrCat("<tns:PaymentBasisC>", basis, "<")), 0u) << basis;
  }
  for (const char* stream : {"SAW", "CHP", "WHM", "LAB", "VOL", "SWP", "FEI"}) {
    EXPECT_GT(Count(file, absl::StrCat("<tns:IncomeStreamTypeC>", stream, "<")), 0u) << stream;
  }
  for (const char* element :
       {"OvertimePaymentA", "GrossBonusesAndCommissionsA", "PaidLeave", "Allowance",
        "SalarySacrifice", "LumpSum", "EmploymentTerminationPayment", "Deduction",
        "IncomeFringeBenefitsReportable", "CessationTypeC", "EmploymentEndD", "OtherGivenNameT",
        "AustralianBusinessNumberId"}) {
    EXPECT_GT(Count(file, absl::StrCat("<tns:", element, ">")), 0u) << element;
  }
  EXPECT_GT(Count(file, "<tns:RemunerationPayrollEventFinalI>true<"), 0u);
  EXPECT_GT(Count(file, "Nguyễn"), 0u);
  EXPECT_GT(Count(file, "O&apos;Brien"), 0u);
  // Distinct names, TFNs and payroll IDs.
  std::set<std::string> tfns, payroll_ids, families;
  for (const Record& r : ReadRecords(file)) {
    if (r.kind != Record::Kind::kEmployee) continue;
    tfns.insert(r.employee.tfn);
    payroll_ids.insert(r.employee.payroll_id);
    families.insert(r.employee.family_name);
  }
  EXPECT_EQ(payroll_ids.size(), 3000u);
  EXPECT_GT(tfns.size(), 2990u);
  EXPECT_GT(families.size(), 50u);
}

TEST(GeneratorTest, InvalidTfnsAreExactlyTheReportedOnes) {
  GeneratorOptions o = Options(500, 42);
  o.invalid_tfns = 7;
  GeneratedLodgment info;
  const std::string file = GenerateToString(o, &info);
  ASSERT_EQ(info.invalid_document_ids.size(), 7u);
  EXPECT_TRUE(std::is_sorted(info.invalid_document_ids.begin(), info.invalid_document_ids.end(),
                             [](const std::string& a, const std::string& b) {
                               return std::stoi(a.substr(2)) < std::stoi(b.substr(2));
                             }));
  std::vector<std::string> flagged;
  for (const Record& r : ReadRecords(file)) {
    if (r.errors.empty()) continue;
    flagged.push_back(r.document_id);
    EXPECT_FALSE(identifiers::IsValidTfn(r.employee.tfn));
    EXPECT_EQ(r.employee.tfn.size(), 9u);
  }
  EXPECT_EQ(flagged, info.invalid_document_ids);
  // Another seed picks other employees.
  o.seed = 43;
  GeneratedLodgment other;
  GenerateToString(o, &other);
  EXPECT_NE(other.invalid_document_ids, info.invalid_document_ids);
}

TEST(GeneratorTest, NameMismatchesPassTheDspChecksAndFailOnlyTheRegister) {
  GeneratorOptions o = Options(400, 5);
  o.invalid_tfns = 2;
  o.name_mismatches = 4;
  GeneratedLodgment info;
  const std::string file = GenerateToString(o, &info);
  ASSERT_EQ(info.name_mismatch_document_ids.size(), 4u);
  std::vector<std::string> schema_or_rule, backend;
  int registered_and_matching = 0;
  for (const Record& r : ReadRecords(file)) {
    if (!r.errors.empty()) schema_or_rule.push_back(r.document_id);
    if (r.kind != Record::Kind::kEmployee) continue;
    if (std::optional<FieldError> e = CheckTfnRegister(r.employee)) {
      backend.push_back(r.document_id);
      EXPECT_EQ(e->code, "CMN.ATO.PAYEVNTEMP.000180");
    } else if (RegisterIndex(r.employee.tfn).has_value()) {
      ++registered_and_matching;
    }
  }
  EXPECT_EQ(schema_or_rule, info.invalid_document_ids);
  EXPECT_EQ(backend, info.name_mismatch_document_ids);
  // Some payees are on the register with the right name: the rule is exercised both ways.
  EXPECT_GT(registered_and_matching, 0);
  for (const std::string& id : info.name_mismatch_document_ids) {
    EXPECT_EQ(std::find(info.invalid_document_ids.begin(), info.invalid_document_ids.end(), id),
              info.invalid_document_ids.end());
  }
}

TEST(GeneratorTest, InvalidEmployer) {
  GeneratorOptions o = Options(3, 8);
  o.invalid_employer = true;
  GeneratedLodgment info;
  GenerateToString(o, &info);
  EXPECT_FALSE(identifiers::IsValidAbn(info.payer_abn));
  EXPECT_EQ(info.invalid_document_ids, std::vector<std::string>{"1.1"});
}

TEST(GeneratorTest, OptionsAreHonoured) {
  GeneratorOptions o = Options(2, 8);
  o.payer_abn = "51824753556";
  o.bms_id = "MY-BMS";
  o.payment_date = absl::CivilDay(2025, 7, 4);
  const std::string file = GenerateToString(o);
  EXPECT_THAT(file, HasSubstr("<tns:AustralianBusinessNumberId>51824753556<"));
  EXPECT_THAT(file, HasSubstr(">MY-BMS<"));
  EXPECT_THAT(file, HasSubstr("<tns:PaymentRecordTransactionD>2025-07-04<"));
  EXPECT_THAT(file, HasSubstr("<tns:MessageTimestampGenerationDt>2025-07-02T23:46:40Z<"));
  EXPECT_THAT(file, HasSubstr("<tns:InteractionRecordCt>2<"));
  EXPECT_THAT(file, HasSubstr("DocumentID=\"1.3\""));
  EXPECT_THAT(file, ::testing::Not(HasSubstr("DocumentID=\"1.4\"")));

  o.invalid_employer = true;
  GeneratedLodgment info;
  GenerateToString(o, &info);
  EXPECT_EQ(info.payer_abn.substr(0, 10), "5182475355");
  EXPECT_FALSE(identifiers::IsValidAbn(info.payer_abn));
}

TEST(GeneratorTest, BareSequence) {
  GeneratorOptions o = Options(3, 2);
  o.bare_sequence = true;
  const std::string file = GenerateToString(o);
  EXPECT_TRUE(absl::StartsWith(file, "<Record_Delimiter DocumentID=\"1.1\""));
  EXPECT_THAT(file, ::testing::Not(HasSubstr("PayEventLodgment")));
  EXPECT_EQ(ReadRecords(file).size(), 4u);
}

TEST(GeneratorTest, RefusesBadOptions) {
  StringSink sink;
  GeneratorOptions o = Options(3);
  o.invalid_tfns = 2;
  o.name_mismatches = 2;
  EXPECT_EQ(GenerateLodgment(o, sink).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options(3);
  o.message_timestamp = absl::InfinitePast();
  EXPECT_THAT(std::string(GenerateLodgment(o, sink).status().message()),
              HasSubstr("message_timestamp"));
  o = Options(3);
  o.payer_abn = "51824753557";
  EXPECT_EQ(GenerateLodgment(o, sink).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options(-1);
  EXPECT_EQ(GenerateLodgment(o, sink).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(sink.data().empty());
}

// Records the largest single write, to show the generator streams.
class CountingSink : public ByteSink {
 public:
  absl::Status Write(absl::string_view bytes) override {
    total += bytes.size();
    largest = std::max(largest, bytes.size());
    ++writes;
    return absl::OkStatus();
  }
  absl::Status Close() override { return absl::OkStatus(); }
  size_t total = 0, largest = 0, writes = 0;
};

TEST(GeneratorTest, StreamsInBoundedChunks) {
  CountingSink sink;
  absl::StatusOr<GeneratedLodgment> g = GenerateLodgment(Options(5000, 3), sink);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(sink.total, g->bytes);
  EXPECT_GT(sink.writes, 10u);
  EXPECT_LT(sink.largest, 300u << 10);
  EXPECT_GT(g->bytes, 5000u * 1000);
}

class FailingSink : public ByteSink {
 public:
  absl::Status Write(absl::string_view) override { return absl::DataLossError("disk full"); }
  absl::Status Close() override { return absl::OkStatus(); }
};

TEST(GeneratorTest, SinkErrorsAreReturned) {
  FailingSink sink;
  EXPECT_EQ(GenerateLodgment(Options(10), sink).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace sbrgate::payevnt
