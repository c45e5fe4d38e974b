#include "pipeline/stp/payevnt/lodgment_reader.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stp/payevnt/error_catalogue.h"
#include "pipeline/stp/payevnt/generator.h"

namespace sbrgate::payevnt {
namespace {

using ::testing::HasSubstr;

constexpr char kTfnPath[] = "/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId";

absl::Time Stamp() { return absl::FromUnixSeconds(1721005323); }  // 2024-07-15T01:02:03Z

std::string Generate(int64_t employees, int64_t invalid = 0, bool bare = false,
                     bool invalid_employer = false) {
  GeneratorOptions o;
  o.employees = employees;
  o.invalid_tfns = invalid;
  o.invalid_employer = invalid_employer;
  o.seed = 11;
  o.message_timestamp = Stamp();
  o.bare_sequence = bare;
  StringSink sink;
  absl::StatusOr<GeneratedLodgment> g = GenerateLodgment(o, sink);
  EXPECT_TRUE(g.ok()) << g.status();
  return sink.data();
}

struct ReadResult {
  std::vector<Record> records;
  absl::Status status;
  LodgmentSummary summary;
};

ReadResult ReadAll(const std::string& file, LodgmentReaderOptions options = {}) {
  ReadResult out;
  absl::StatusOr<std::unique_ptr<LodgmentReader>> reader =
      LodgmentReader::Open(std::make_unique<StringSource>(file), "pay.xml", std::move(options));
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return out;
  for (int guard = 0; guard < 1000000; ++guard) {
    absl::StatusOr<std::optional<Record>> r = (*reader)->Next();
    if (!r.ok()) {
      out.status = r.status();
      // The error sticks.
      absl::StatusOr<std::optional<Record>> again = (*reader)->Next();
      EXPECT_EQ(again.status(), r.status());
      break;
    }
    if (!r->has_value()) break;
    out.records.push_back(**r);
  }
  out.summary = (*reader)->summary();
  return out;
}

// [begin, end) of the Record_Delimiter of `id` and its document.
std::pair<size_t, size_t> Span(const std::string& file, absl::string_view id) {
  const size_t begin = file.find(absl::StrCat("<Record_Delimiter DocumentID=\"", id, "\""));
  EXPECT_NE(begin, std::string::npos) << id;
  size_t end = file.find("<Record_Delimiter", begin + 1);
  if (end == std::string::npos) end = file.find("</PayEventLodgment>", begin);
  if (end == std::string::npos) end = file.size();
  return {begin, end};
}

// Replaces the first `from` inside the record `id` with `to`.
std::string EditRecord(std::string file, absl::string_view id, absl::string_view from,
                       absl::string_view to) {
  auto [begin, end] = Span(file, id);
  const size_t at = file.find(std::string(from), begin);
  EXPECT_TRUE(at != std::string::npos && at < end) << from << " not in " << id;
  file.replace(at, from.size(), std::string(to));
  return file;
}

std::string Between(const std::string& text, absl::string_view open, absl::string_view close,
                    size_t from = 0) {
  const size_t a = text.find(std::string(open), from) + open.size();
  return text.substr(a, text.find(std::string(close), a) - a);
}

int LineOf(const std::string& file, size_t offset) {
  return 1 + static_cast<int>(std::count(file.begin(), file.begin() + offset, '\n'));
}

TEST(LodgmentReaderTest, ReadsAGeneratedLodgmentRecordByRecord) {
  const std::string file = Generate(25);
  ReadResult r = ReadAll(file);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records.size(), 26u);
  const Record& employer = r.records[0];
  EXPECT_EQ(employer.kind, Record::Kind::kEmployer);
  EXPECT_EQ(employer.document_id, "1.1");
  EXPECT_TRUE(employer.errors.empty()) << ToString(employer.errors[0]);
  EXPECT_EQ(employer.employer.interaction_record_count, 25);
  EXPECT_EQ(employer.employer.message_timestamp, Stamp());
  EXPECT_EQ(employer.employer.payment_date, absl::CivilDay(2024, 7, 15));
  EXPECT_EQ(employer.employer.branch, "001");
  EXPECT_FALSE(employer.employer.organisation_name.empty());
  EXPECT_EQ(employer.line, LineOf(file, file.find("<tns:PAYEVNT ")));
  for (size_t i = 1; i < r.records.size(); ++i) {
    const Record& rec = r.records[i];
    EXPECT_EQ(rec.kind, Record::Kind::kEmployee);
    EXPECT_EQ(rec.document_id, absl::StrCat("1.", i + 1));
    EXPECT_EQ(rec.employee.related_document_id, "1.1");
    EXPECT_TRUE(rec.errors.empty()) << ToString(rec.errors[0]);
    EXPECT_GT(rec.employee.gross_cents, 0);
    EXPECT_GE(rec.employee.paygw_cents, 0);
    EXPECT_GE(rec.employee.period_end, rec.employee.period_start);
    EXPECT_FALSE(rec.employee.family_name.empty());
  }
  // Amounts are parsed to cents exactly.
  const auto [b, e] = Span(file, "1.2");
  int64_t gross = 0;
  for (size_t at = file.find("<tns:GrossA>", b); at < e; at = file.find("<tns:GrossA>", at + 1)) {
    const std::string text = Between(file, "<tns:GrossA>", "<", at);
    const size_t dot = text.find('.');
    gross += std::stoll(text.substr(0, dot)) * 100 + std::stoll(text.substr(dot + 1));
  }
  EXPECT_EQ(r.records[1].employee.gross_cents, gross);
  EXPECT_TRUE(r.summary.finished);
  EXPECT_FALSE(r.summary.bare_sequence);
  EXPECT_EQ(r.summary.employees, 25);
  EXPECT_EQ(r.summary.employees_with_errors, 0);
  EXPECT_TRUE(r.summary.final_errors.empty());
  EXPECT_EQ(r.summary.bytes_read, file.size());
}

TEST(LodgmentReaderTest, AcceptsTheBareSbrSequenceWithTheSameLineNumbers) {
  const std::string bare =
      absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- run 7 -->\n",
                   Generate(5, 0, /*bare=*/true));
  ASSERT_TRUE(absl::StartsWith(Generate(5, 0, true), "<Record_Delimiter"));
  ReadResult r = ReadAll(bare);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_TRUE(r.summary.bare_sequence);
  ASSERT_EQ(r.records.size(), 6u);
  EXPECT_EQ(r.records[3].line, LineOf(bare, bare.find("<tns:PAYEVNTEMP", Span(bare, "1.4").first)));
  // An error deep in the bare file names the file's own line.
  const std::string broken = EditRecord(bare, "1.5", "</tns:Identifiers>", "</tns:Identifier>");
  ReadResult f = ReadAll(broken);
  EXPECT_EQ(f.status.code(), absl::StatusCode::kInvalidArgument);
  const int line = LineOf(broken, broken.find("</tns:Identifier>"));
  EXPECT_THAT(std::string(f.status.message()), HasSubstr(absl::StrCat("pay.xml:", line, ":")));
  EXPECT_THAT(std::string(f.status.message()), HasSubstr("DocumentID 1.5"));
}

TEST(LodgmentReaderTest, BareWrappingCannotBeClosedEarly) {
  std::string bare = Generate(2, 0, true);
  bare += "</sbrgateLodgment:PayEventLodgment><Record_Delimiter/>";
  ReadResult r = ReadAll(bare);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status.message(), HasSubstr("not well-formed"));
}

TEST(LodgmentReaderTest, InvalidTfnsAreReportedOnTheirRecordsWithTheFieldPath) {
  GeneratorOptions o;
  o.employees = 30;
  o.invalid_tfns = 3;
  o.seed = 5;
  o.message_timestamp = Stamp();
  StringSink sink;
  absl::StatusOr<GeneratedLodgment> g = GenerateLodgment(o, sink);
  ASSERT_TRUE(g.ok());
  ReadResult r = ReadAll(sink.data());
  ASSERT_TRUE(r.status.ok()) << r.status;
  std::vector<std::string> flagged;
  for (const Record& rec : r.records) {
    if (rec.errors.empty()) continue;
    flagged.push_back(rec.document_id);
    ASSERT_EQ(rec.errors.size(), 1u);
    const FieldError& e = rec.errors[0];
    EXPECT_EQ(e.code, codes::kInvalidTfn);
    EXPECT_EQ(e.document_id, rec.document_id);
    EXPECT_EQ(e.path, kTfnPath);
    // The TFN is masked in the description.
    EXPECT_THAT(Substitute(e), HasSubstr("******"));
    EXPECT_THAT(Substitute(e), ::testing::Not(HasSubstr(rec.employee.tfn)));
  }
  EXPECT_EQ(flagged, g->invalid_document_ids);
  EXPECT_EQ(r.summary.employees_with_errors, 3);
}

TEST(LodgmentReaderTest, InvalidEmployerAbn) {
  ReadResult r = ReadAll(Generate(3, 0, false, /*invalid_employer=*/true));
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records[0].errors.size(), 1u);
  EXPECT_EQ(r.records[0].errors[0].code, codes::kInvalidPayerAbn);
  EXPECT_EQ(r.records[0].errors[0].path, "/tns:PAYEVNT/tns:Rp/tns:AustralianBusinessNumberId");
  EXPECT_TRUE(r.summary.employer_has_errors);
}

TEST(LodgmentReaderTest, InteractionRecordCtMismatchIsAnEmployerErrorAtTheEnd) {
  const std::string file = absl::StrReplaceAll(
      Generate(4), {{"<tns:InteractionRecordCt>4<", "<tns:InteractionRecordCt>5<"}});
  ReadResult r = ReadAll(file);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_TRUE(r.records[0].errors.empty());
  ASSERT_EQ(r.summary.final_errors.size(), 1u);
  const FieldError& e = r.summary.final_errors[0];
  EXPECT_EQ(e.code, codes::kRecordCountMismatch);
  EXPECT_EQ(e.document_id, "1.1");
  EXPECT_EQ(e.path, "/tns:PAYEVNT/tns:Rp/tns:Payroll/tns:InteractionRecordCt");
  EXPECT_EQ(Substitute(e), "InteractionRecordCt is 5 but the lodgment holds 4 PAYEVNTEMP records.");
  EXPECT_TRUE(r.summary.employer_has_errors);
}

TEST(LodgmentReaderTest, SchemaViolationNamesTheRecordAndTheField) {
  std::string file = Generate(3);
  const std::string state =
      Between(file.substr(Span(file, "1.3").first), "<tns:StateOrTerritoryC>", "<");
  file = EditRecord(file, "1.3", absl::StrCat("<tns:StateOrTerritoryC>", state),
                    "<tns:StateOrTerritoryC>XYZ");
  ReadResult r = ReadAll(file);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records[2].errors.size(), 1u);
  const FieldError& e = r.records[2].errors[0];
  EXPECT_EQ(e.code, codes::kSchemaViolation);
  EXPECT_EQ(e.document_id, "1.3");
  EXPECT_EQ(e.path, "/tns:PAYEVNTEMP/tns:Payee/tns:AddressDetails/tns:StateOrTerritoryC");
  EXPECT_THAT(Substitute(e), HasSubstr("tns:StateOrTerritoryC"));
  EXPECT_THAT(Substitute(e), HasSubstr("XYZ"));
  EXPECT_TRUE(r.records[1].errors.empty());
  EXPECT_TRUE(r.records[3].errors.empty());
}

// Readers one after the other validate with the same contexts (the
// schemas' pool): a lodgment's schema errors stay with it.
TEST(LodgmentReaderTest, SchemaErrorsDoNotCarryOverToTheNextLodgment) {
  const std::string clean = Generate(3);
  const std::string state =
      Between(clean.substr(Span(clean, "1.3").first), "<tns:StateOrTerritoryC>", "<");
  const std::string broken = EditRecord(
      clean, "1.3", absl::StrCat("<tns:StateOrTerritoryC>", state), "<tns:StateOrTerritoryC>XYZ");
  const ReadResult first = ReadAll(broken);
  ASSERT_TRUE(first.status.ok()) << first.status;
  ASSERT_EQ(first.records.size(), 4u);
  ASSERT_EQ(first.records[2].errors.size(), 1u);

  const ReadResult next = ReadAll(clean);
  ASSERT_TRUE(next.status.ok()) << next.status;
  ASSERT_EQ(next.records.size(), 4u);
  for (const Record& rec : next.records) {
    EXPECT_TRUE(rec.errors.empty()) << rec.document_id << ": " << ToString(rec.errors[0]);
  }

  const ReadResult again = ReadAll(broken);
  ASSERT_EQ(again.records.size(), 4u);
  ASSERT_EQ(again.records[2].errors.size(), 1u);
  EXPECT_EQ(Substitute(again.records[2].errors[0]), Substitute(first.records[2].errors[0]));
  EXPECT_EQ(again.records[2].errors[0].path, first.records[2].errors[0].path);
}

TEST(LodgmentReaderTest, SchemaErrorOnATfnDoesNotEchoIt) {
  std::string file = Generate(1);
  const std::string tfn = Between(file, "<tns:TaxFileNumberId>", "<");
  file = EditRecord(file, "1.2", tfn, "98765432101");
  ReadResult r = ReadAll(file);
  ASSERT_EQ(r.records[1].errors.size(), 1u);
  EXPECT_EQ(r.records[1].errors[0].path, kTfnPath);
  EXPECT_THAT(Substitute(r.records[1].errors[0]), ::testing::Not(HasSubstr("98765432101")));
  EXPECT_THAT(Substitute(r.records[1].errors[0]), HasSubstr("********101"));
}

TEST(LodgmentReaderTest, SchemaErrorOnATfnWithSpacesOrEntitiesDoesNotEchoIt) {
  for (const char* written : {" \n 98765432101\t", "98765&#52;32101", "9876 5432 101"}) {
    std::string file = Generate(1);
    const std::string tfn = Between(file, "<tns:TaxFileNumberId>", "<");
    file = EditRecord(file, "1.2", tfn, written);
    ReadResult r = ReadAll(file);
    ASSERT_EQ(r.records[1].errors.size(), 1u) << written;
    const std::string said = Substitute(r.records[1].errors[0]);
    EXPECT_EQ(r.records[1].errors[0].path, kTfnPath);
    for (const char* digits : {"98765432101", "9876 5432 101", "98765"}) {
      EXPECT_THAT(said, ::testing::Not(HasSubstr(digits))) << written;
    }
  }
}

TEST(LodgmentReaderTest, MissingChildElementIsReportedOnItsParent) {
  std::string file = Generate(1);
  const auto [b, e] = Span(file, "1.2");
  const size_t open = file.find("<tns:PersonNameDetails>", b);
  const size_t close =
      file.find("</tns:PersonNameDetails>", b) + strlen("</tns:PersonNameDetails>\n");
  file.erase(open, close - open);
  ReadResult r = ReadAll(file);
  // libxml2 reports it on the element found where PersonNameDetails belongs.
  ASSERT_EQ(r.records[1].errors.size(), 1u);
  EXPECT_EQ(r.records[1].errors[0].path,
            "/tns:PAYEVNTEMP/tns:Payee/tns:PersonDemographicDetailsBirth");
  EXPECT_THAT(Substitute(r.records[1].errors[0]),
              HasSubstr("Expected is ( tns:PersonNameDetails )"));
}

TEST(LodgmentReaderTest, TimestampMustBeUtc) {
  for (const char* stamp : {"2024-07-15T11:02:03+10:00", "2024-07-15T01:02:03"}) {
    const std::string file = absl::StrReplaceAll(Generate(1), {{"2024-07-15T01:02:03Z", stamp}});
    ReadResult r = ReadAll(file);
    ASSERT_EQ(r.records[0].errors.size(), 1u) << stamp;
    EXPECT_EQ(r.records[0].errors[0].code, codes::kTimestampNotUtc);
    EXPECT_EQ(r.records[0].errors[0].path,
              "/tns:PAYEVNT/tns:Rp/tns:Payroll/tns:MessageTimestampGenerationDt");
    EXPECT_EQ(r.records[0].employer.message_timestamp, Stamp()) << stamp;
  }
  const std::string plus_zero =
      absl::StrReplaceAll(Generate(1), {{"2024-07-15T01:02:03Z", "2024-07-15T01:02:03+00:00"}});
  EXPECT_TRUE(ReadAll(plus_zero).records[0].errors.empty());
}

TEST(LodgmentReaderTest, PaymentDateFarInTheFuture) {
  std::string file = Generate(1);
  file = absl::StrReplaceAll(file, {{"<tns:PaymentRecordTransactionD>2024-07-15<",
                                     "<tns:PaymentRecordTransactionD>2025-07-17<"}});
  ReadResult r = ReadAll(file);
  ASSERT_EQ(r.records[0].errors.size(), 1u);
  EXPECT_EQ(r.records[0].errors[0].code, codes::kPaymentDateTooFar);
  EXPECT_EQ(Substitute(r.records[0].errors[0]),
            "Payment date 2025-07-17 is more than 366 days after the message timestamp "
            "2024-07-15T01:02:03Z.");
  // 366 days ahead is still fine.
  file = absl::StrReplaceAll(file, {{">2025-07-17<", ">2025-07-16<"}});
  EXPECT_TRUE(ReadAll(file).records[0].errors.empty());
}

TEST(LodgmentReaderTest, NegativeAmountsAndEndBeforeStart) {
  std::string file = Generate(2);
  const auto [b, e] = Span(file, "1.2");
  const std::string gross = Between(file, "<tns:GrossA>", "<", b);
  file = EditRecord(file, "1.2", absl::StrCat("<tns:GrossA>", gross), "<tns:GrossA>-12.50");
  const std::string start = Between(file, "<tns:StartD>", "<", Span(file, "1.3").first);
  file = EditRecord(file, "1.3", absl::StrCat("<tns:StartD>", start), "<tns:StartD>2099-01-01");
  file = absl::StrReplaceAll(
      file, {{"<tns:TotalGrossPaymentsWithholdingA>", "<tns:TotalGrossPaymentsWithholdingA>-"}});
  ReadResult r = ReadAll(file);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records[0].errors.size(), 1u);
  EXPECT_EQ(r.records[0].errors[0].code, codes::kPayerAmountOutOfRange);
  ASSERT_EQ(r.records[1].errors.size(), 1u);
  EXPECT_EQ(r.records[1].errors[0].code, codes::kPayeeAmountOutOfRange);
  EXPECT_EQ(r.records[1].errors[0].path,
            "/tns:PAYEVNTEMP/tns:Payee/tns:PayrollPeriod/tns:RemunerationCollection/"
            "tns:Remuneration/tns:GrossA");
  EXPECT_EQ(Substitute(r.records[1].errors[0]), "The amount -12.50 must not be negative.");
  ASSERT_EQ(r.records[2].errors.size(), 1u);
  EXPECT_EQ(r.records[2].errors[0].code, codes::kEndBeforeStart);
  EXPECT_EQ(r.records[2].errors[0].path, "/tns:PAYEVNTEMP/tns:Payee/tns:PayrollPeriod/tns:EndD");
}

TEST(LodgmentReaderTest, RepeatedElementsGetAnIndexInThePath) {
  std::string file = Generate(1);
  const size_t b = file.find("<tns:Remuneration>", Span(file, "1.2").first);
  const size_t e = file.find("</tns:Remuneration>", b) + strlen("</tns:Remuneration>\n");
  std::string second = file.substr(b, e - b);
  second = absl::StrCat(second.substr(0, second.find("<tns:GrossA>")), "<tns:GrossA>-1.00",
                        second.substr(second.find("</tns:GrossA>")));
  file.insert(e, second);
  ReadResult r = ReadAll(file);
  ASSERT_EQ(r.records[1].errors.size(), 1u) << ToString(r.records[1].errors[0]);
  EXPECT_EQ(r.records[1].errors[0].path,
            "/tns:PAYEVNTEMP/tns:Payee/tns:PayrollPeriod/tns:RemunerationCollection/"
            "tns:Remuneration[2]/tns:GrossA");
}

TEST(LodgmentReaderTest, TfnExemptionCodesPass) {
  std::string file = Generate(1);
  const std::string tfn = Between(file, "<tns:TaxFileNumberId>", "<");
  ReadResult r = ReadAll(EditRecord(file, "1.2", tfn, "000000000"));
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.records[1].errors.empty());
}

// --- Structural problems: fatal, InvalidArgument naming the line and the record.

void ExpectFatal(const std::string& file, std::vector<std::string> fragments,
                 const char* code = nullptr, LodgmentReaderOptions options = {}) {
  ReadResult r = ReadAll(file, std::move(options));
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument) << r.status;
  for (const std::string& f : fragments) EXPECT_THAT(std::string(r.status.message()), HasSubstr(f));
  ASSERT_TRUE(r.summary.fatal.has_value());
  if (code != nullptr) {
    EXPECT_EQ(r.summary.fatal->code, code);
  }
  EXPECT_FALSE(r.summary.finished);
}

TEST(LodgmentReaderFatalTest, NotWellFormed) {
  std::string file = Generate(3);
  file.resize(Span(file, "1.3").first + 400);
  ExpectFatal(file, {"pay.xml:", "not well-formed", "DocumentID 1.3"}, codes::kNotWellFormed);
  ExpectFatal("", {"pay.xml"});
  ExpectFatal("just text", {"pay.xml"});
  ExpectFatal(Generate(1) + "<extra/>", {"not well-formed", "Extra content"});
}

TEST(LodgmentReaderFatalTest, OneLineFilesNameTheRangeOfRecordsOnTheLine) {
  std::string file = absl::StrReplaceAll(Generate(10), {{"\n", ""}});
  ReadResult ok = ReadAll(file);
  ASSERT_TRUE(ok.status.ok()) << ok.status;
  EXPECT_EQ(ok.records.size(), 11u);
  file = EditRecord(file, "1.6", "</tns:Identifiers>", "</tns:Identifier>");
  ExpectFatal(file, {"pay.xml:1:", "(all on line 1)"}, codes::kNotWellFormed);
}

TEST(LodgmentReaderFatalTest, WrongNamespace) {
  const std::string file = EditRecord(Generate(3), "1.3", "http://www.sbr.gov.au/ato/payevntemp",
                                      "http://example.com/x");
  const int line = LineOf(file, file.find("http://example.com/x"));
  ExpectFatal(
      file,
      {absl::StrCat("pay.xml:", line, ":"), "DocumentID 1.3", "namespace", "http://example.com/x"},
      codes::kRecordStructure);
  ExpectFatal(absl::StrReplaceAll(Generate(1), {{"http://sbrgate.dev/ns/lodgment", "urn:x"}}),
              {"root element <PayEventLodgment>", "urn:x"});
}

TEST(LodgmentReaderFatalTest, DtdAndEntitiesAreRefused) {
  const std::string file = Generate(1);
  const size_t after_decl = file.find('\n') + 1;
  std::string dtd = file;
  dtd.insert(after_decl, "<!DOCTYPE PayEventLodgment [<!ENTITY x \"boom\">]>\n");
  ExpectFatal(dtd, {"DTD"});
  ExpectFatal(absl::StrCat("<!DOCTYPE x SYSTEM \"file:///etc/passwd\">\n", Generate(1, 0, true)),
              {"DTD"});
  // An entity reference with no DTD is not well-formed.
  ExpectFatal(EditRecord(file, "1.2", "<tns:Payee>", "<tns:Payee>&xxe;"), {"DocumentID 1.2"});
  // A DOCTYPE hidden deep in the file is refused too.
  std::string late = Generate(50);
  late.insert(Span(late, "1.40").first, "<!DOCTYPE y>");
  ExpectFatal(late, {"DTD"});
}

TEST(LodgmentReaderFatalTest, DeepNesting) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  for (int i = 0; i < 10000; ++i) deep += "</a>";
  ExpectFatal(EditRecord(Generate(2), "1.3", "<tns:Payee>", "<tns:Payee>" + deep),
              {"DocumentID 1.3", "pay.xml:"});
  std::string medium;
  for (int i = 0; i < 100; ++i) medium += "<a>";
  for (int i = 0; i < 100; ++i) medium += "</a>";
  ExpectFatal(EditRecord(Generate(2), "1.3", "<tns:Payee>", "<tns:Payee>" + medium),
              {"DocumentID 1.3", "nested deeper than 64"}, codes::kNotWellFormed);
  // Without a delimiter first, the element is refused before it is read.
  std::string file = Generate(1);
  file.insert(file.find("</PayEventLodgment>"), deep);
  ExpectFatal(file, {"after DocumentID 1.2"}, codes::kMissingRecordDelimiter);
}

TEST(LodgmentReaderFatalTest, OversizedTextAndRecords) {
  const std::string huge_name = EditRecord(Generate(2), "1.3", "<tns:FamilyNameT>",
                                           "<tns:FamilyNameT>" + std::string(2 << 20, 'x'));
  // First the per-record limit stops it...
  ExpectFatal(huge_name, {"DocumentID 1.3", "over the limit of 1048576 bytes per record"},
              codes::kNotWellFormed);
  // ...and with a larger one, the text limit.
  LodgmentReaderOptions large;
  large.max_record_bytes = 8 << 20;
  ExpectFatal(huge_name, {"DocumentID 1.3", "FamilyNameT", "over the limit of 1048576"},
              codes::kNotWellFormed, large);
  LodgmentReaderOptions small;
  small.max_record_bytes = 8 << 10;
  std::string padding;
  for (int i = 0; i < 2000; ++i) padding += "<tns:GivenNameT>Padding</tns:GivenNameT>\n";
  ExpectFatal(EditRecord(Generate(2), "1.3", "<tns:PersonNameDetails>",
                         "<tns:PersonNameDetails>" + padding),
              {"DocumentID 1.3", "bytes per record"}, codes::kNotWellFormed, small);
}

TEST(LodgmentReaderFatalTest, MissingDelimiter) {
  std::string file = Generate(4);
  const auto [b, e] = Span(file, "1.4");
  file.erase(b, file.find('\n', b) + 1 - b);
  const int line = LineOf(file, file.find("<tns:PAYEVNTEMP", b));
  ExpectFatal(
      file,
      {absl::StrCat("line ", line), "after DocumentID 1.3", "PAYEVNTEMP", "no Record_Delimiter"},
      codes::kMissingRecordDelimiter);
  // A bare employer document, no delimiter at all.
  const std::string employer =
      Between(Generate(1), "PARENT\" RelatedDocumentID=\"\"/>\n", "<Record_Delimiter");
  ExpectFatal(employer, {"PAYEVNT", "no Record_Delimiter"}, codes::kMissingRecordDelimiter);
}

TEST(LodgmentReaderFatalTest, DelimiterProblems) {
  const std::string file = Generate(3);
  struct Case {
    std::string from, to;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {"DocumentID=\"1.3\" DocumentName=\"PAYEVNTEMP\"",
       "DocumentID=\"1.3\" DocumentName=\"PAYEVNT\"",
       {"DocumentID 1.3", "DocumentType 'CHILD' does not match DocumentName PAYEVNT"}},
      {"DocumentID=\"1.3\" DocumentName=\"PAYEVNTEMP\" DocumentType=\"CHILD\"",
       "DocumentID=\"1.3\" DocumentName=\"PAYEVNT\" DocumentType=\"PARENT\"",
       {"DocumentID 1.3", "a second PARENT"}},
      {"DocumentID=\"1.3\"", "DocumentID=\"1.2\"", {"DocumentID 1.2", "duplicate DocumentID 1.2"}},
      {"DocumentID=\"1.3\"", "DocumentID=\"abc\"", {"not of the form <group>.<sequence>"}},
      {"DocumentID=\"1.3\"", "DocumentID=\"2.3\"", {"DocumentID 2.3", "not in the group"}},
      {"DocumentName=\"PAYEVNTEMP\" DocumentType=\"CHILD\" "
       "RelatedDocumentID=\"1.1\"/>\n<tns:PAYEVNTEMP",
       "DocumentName=\"PAYEVNTEMP\" DocumentType=\"CHILD\" "
       "RelatedDocumentID=\"1.9\"/>\n<tns:PAYEVNTEMP",
       {"DocumentID 1.2", "RelatedDocumentID '1.9' does not name the PARENT"}},
      {"DocumentID=\"1.1\" DocumentName=\"PAYEVNT\" DocumentType=\"PARENT\"",
       "DocumentID=\"1.1\" DocumentName=\"PAYEVNTEMP\" DocumentType=\"CHILD\"",
       {"DocumentID 1.1", "the first document must be the PAYEVNT PARENT"}},
      {"DocumentName=\"PAYEVNTEMP\"", "DocumentName=\"PAYEVNTX\"", {"DocumentName 'PAYEVNTX'"}},
  };
  for (const Case& c : cases) {
    const size_t at = file.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    std::string edited = file;
    edited.replace(at, c.from.size(), c.to);
    SCOPED_TRACE(c.to);
    ExpectFatal(edited, c.expect, codes::kRecordStructure);
  }
}

TEST(LodgmentReaderFatalTest, DelimiterWithoutItsDocument) {
  std::string file = Generate(2);
  // Two delimiters in a row.
  std::string twice = file;
  const auto [b, e] = Span(twice, "1.3");
  twice.insert(b,
               "<Record_Delimiter DocumentID=\"1.9\" DocumentName=\"PAYEVNTEMP\" "
               "DocumentType=\"CHILD\" RelatedDocumentID=\"1.1\"/>\n");
  ExpectFatal(twice, {"DocumentID 1.9", "followed by another Record_Delimiter"});
  // A delimiter at the very end.
  std::string last = file;
  last.insert(last.find("</PayEventLodgment>"),
              "<Record_Delimiter DocumentID=\"1.4\" DocumentName=\"PAYEVNTEMP\" "
              "DocumentType=\"CHILD\" RelatedDocumentID=\"1.1\"/>\n");
  ExpectFatal(last, {"DocumentID 1.4", "not followed by its document"});
  // The wrong document after the delimiter.
  ExpectFatal(
      EditRecord(EditRecord(file, "1.3", "<tns:PAYEVNTEMP", "<tns:PAYEVNT"), "1.3",
                 "</tns:PAYEVNTEMP>", "</tns:PAYEVNT>"),
      {"DocumentID 1.3", "announces a PAYEVNTEMP document but the next element is <PAYEVNT>"});
  // A delimiter with content.
  ExpectFatal(absl::StrReplaceAll(file, {{"RelatedDocumentID=\"\"/>",
                                          "RelatedDocumentID=\"\">x</Record_Delimiter>"}}),
              {"DocumentID 1.1", "must be empty"});
}

TEST(LodgmentReaderFatalTest, TextBetweenRecordsAndEmptyLodgments) {
  std::string file = Generate(2);
  file.insert(Span(file, "1.3").first, "stray text\n");
  ExpectFatal(file, {"text outside any document", "DocumentID 1.2"});
  ExpectFatal("<PayEventLodgment xmlns=\"http://sbrgate.dev/ns/lodgment\"/>",
              {"no PAYEVNT (employer) document"});
}

TEST(LodgmentReaderTest, GivesEachDocumentsTextAndCallsTheHookInOrder) {
  const std::string file = Generate(100, 4);
  LodgmentReaderOptions options;
  options.keep_document_text = true;
  // The hook runs on this thread for the first 64 records, then on the
  // checkers', alongside this one.
  std::mutex mu;
  std::vector<std::string> hooked;
  std::vector<size_t> errors_when_hooked;
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<bool> on_caller_thread;
  options.on_checked = [&](Record& rec) {
    std::lock_guard<std::mutex> lock(mu);
    hooked.push_back(rec.document_id);
    errors_when_hooked.push_back(rec.errors.size());
    on_caller_thread.push_back(std::this_thread::get_id() == caller);
  };
  absl::StatusOr<std::unique_ptr<LodgmentReader>> reader =
      LodgmentReader::Open(std::make_unique<StringSource>(file), "pay.xml", options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<std::string> ids;
  for (;;) {
    absl::StatusOr<std::optional<Record>> r = (*reader)->Next();
    ASSERT_TRUE(r.ok()) << r.status();
    if (!r->has_value()) break;
    const Record& rec = **r;
    ids.push_back(rec.document_id);
    {
      // Already checked, with its final errors, when returned.
      std::lock_guard<std::mutex> lock(mu);
      ASSERT_GE(hooked.size(), ids.size());
      EXPECT_EQ(hooked[ids.size() - 1], rec.document_id);
      EXPECT_EQ(errors_when_hooked[ids.size() - 1], rec.errors.size());
    }
    // The document as it is in the file.
    const auto [b, e] = Span(file, rec.document_id);
    const std::string element =
        rec.kind == Record::Kind::kEmployer ? "tns:PAYEVNT" : "tns:PAYEVNTEMP";
    const size_t open = file.find("<" + element, b);
    const size_t close = file.find("</" + element + ">", open) + element.size() + 3;
    ASSERT_LT(close, e + 1);
    EXPECT_EQ(rec.text.ToString(), file.substr(open, close - open));
  }
  reader->reset();  // the hook's threads are done
  EXPECT_EQ(ids, hooked);
  EXPECT_EQ(ids.size(), 101u);
  ASSERT_EQ(on_caller_thread.size(), 101u);
  for (size_t i = 0; i < on_caller_thread.size(); ++i) {
    EXPECT_EQ(on_caller_thread[i], i < 64) << hooked[i];
  }
}

// Past the first 64 records the schema checks run on two threads side by
// side: each record still gets its own errors, records come out in file
// order, and the hook runs for one record at a time, in that order.
TEST(LodgmentReaderTest, RecordsCheckedSideBySideKeepTheirErrorsAndOrder) {
  std::string file = Generate(600);
  std::set<std::string> broken;
  for (int i = 70; i <= 601; i += 7) {
    const std::string id = absl::StrCat("1.", i);
    const std::string state =
        Between(file.substr(Span(file, id).first), "<tns:StateOrTerritoryC>", "<");
    file = EditRecord(file, id, absl::StrCat("<tns:StateOrTerritoryC>", state),
                      "<tns:StateOrTerritoryC>XYZ");
    broken.insert(id);
  }
  LodgmentReaderOptions options;
  std::atomic<int> in_hook{0};
  std::atomic<int> overlaps{0};
  std::vector<std::string> hooked;  // only the hook, one call at a time, writes it
  options.on_checked = [&](Record& rec) {
    if (in_hook.fetch_add(1) != 0) overlaps.fetch_add(1);
    hooked.push_back(rec.document_id);
    std::this_thread::yield();
    in_hook.fetch_sub(1);
  };
  ReadResult r = ReadAll(file, options);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records.size(), 601u);
  EXPECT_EQ(overlaps.load(), 0);
  ASSERT_EQ(hooked.size(), 601u);
  for (size_t i = 0; i < r.records.size(); ++i) {
    const Record& rec = r.records[i];
    EXPECT_EQ(rec.document_id, absl::StrCat("1.", i + 1));
    EXPECT_EQ(hooked[i], rec.document_id);
    if (broken.count(rec.document_id) > 0) {
      ASSERT_EQ(rec.errors.size(), 1u) << rec.document_id;
      EXPECT_EQ(rec.errors[0].code, codes::kSchemaViolation);
      EXPECT_EQ(rec.errors[0].document_id, rec.document_id);
    } else {
      EXPECT_TRUE(rec.errors.empty()) << rec.document_id << ": " << ToString(rec.errors[0]);
    }
  }
  EXPECT_EQ(r.summary.employees_with_errors, static_cast<int64_t>(broken.size()));
}

TEST(LodgmentReaderTest, AcceptsDelimitersInNoNamespaceInsideTheWrapper) {
  std::string file = Generate(2);
  file = absl::StrReplaceAll(file,
                             {{"<PayEventLodgment xmlns=\"http://sbrgate.dev/ns/lodgment\">",
                               "<l:PayEventLodgment xmlns:l=\"http://sbrgate.dev/ns/lodgment\">"},
                              {"</PayEventLodgment>", "</l:PayEventLodgment>"}});
  ReadResult r = ReadAll(file);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.records.size(), 3u);
  EXPECT_FALSE(r.summary.bare_sequence);
}

TEST(LodgmentReaderTest, DelimitersInAnotherNamespaceAreNotDelimiters) {
  std::string file = absl::StrReplaceAll(
      Generate(1), {{"<Record_Delimiter DocumentID=\"1.2\"",
                     "<Record_Delimiter xmlns=\"urn:other\" DocumentID=\"1.2\""}});
  ExpectFatal(file, {"Record_Delimiter"});
}

}  // namespace
}  // namespace sbrgate::payevnt
