#include "pipeline/stp/ingest/ingest.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/testing/test_streams.h"
#include "pipeline/stp/payevnt/error_catalogue.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "pipeline/stp/payevnt/validator.h"

namespace sbrgate::ingest {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr char kTfnPath[] = "/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId";

payevnt::GeneratedLodgment Generate(std::string* out, int64_t employees, int64_t invalid = 0,
                                    bool bare = false, bool invalid_employer = false) {
  payevnt::GeneratorOptions o;
  o.employees = employees;
  o.invalid_tfns = invalid;
  o.invalid_employer = invalid_employer;
  o.bare_sequence = bare;
  o.seed = 5;
  o.message_timestamp = absl::FromUnixSeconds(1721005323);  // 2024-07-15T01:02:03Z
  StringSink sink;
  absl::StatusOr<payevnt::GeneratedLodgment> g = payevnt::GenerateLodgment(o, sink);
  EXPECT_TRUE(g.ok()) << g.status();
  *out = sink.data();
  return *g;
}

// [begin, end) of the Record_Delimiter of `id` and its document.
std::pair<size_t, size_t> Span(const std::string& file, absl::string_view id) {
  const size_t begin = file.find(absl::StrCat("<Record_Delimiter DocumentID=\"", id, "\""));
  EXPECT_NE(begin, std::string::npos) << id;
  size_t end = file.find("<Record_Delimiter", begin + 1);
  if (end == std::string::npos) end = file.size();
  return {begin, end};
}

std::string EditRecord(std::string file, absl::string_view id, absl::string_view from,
                       absl::string_view to) {
  auto [begin, end] = Span(file, id);
  const size_t at = file.find(std::string(from), begin);
  EXPECT_TRUE(at != std::string::npos && at < end) << from << " not in " << id;
  file.replace(at, from.size(), std::string(to));
  return file;
}

int LineOf(const std::string& file, size_t offset) {
  return 1 + static_cast<int>(std::count(file.begin(), file.begin() + offset, '\n'));
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/ingest-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    spool_dir_ = root_ + "/spool";
    fs::create_directories(spool_dir_);
    auto blobs = blob::BlobStore::Create(root_ + "/blobs");
    ASSERT_TRUE(blobs.ok()) << blobs.status();
    blobs_ = *std::move(blobs);
  }

  IngestOptions Options(PrevalidateMode mode = PrevalidateMode::kHold) {
    IngestOptions o;
    o.prevalidate = mode;
    o.name = "pay.xml";
    o.temp_dir = spool_dir_;
    o.on_sent = [this](const SentRecord& s) {
      sent_.push_back(s);
      return absl::OkStatus();
    };
    return o;
  }

  absl::StatusOr<IngestResult> Run(const std::string& file,
                                   PrevalidateMode mode = PrevalidateMode::kHold) {
    sent_.clear();
    StringSource source(file);
    return Ingest(source, Options(mode), *blobs_);
  }

  // Every file in the store outside its tmp folder, and everything left in
  // the spool and the store's tmp folders.
  int StoredBlobs() const {
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(root_ + "/blobs")) {
      if (e.is_regular_file() && !absl::StrContains(e.path().string(), "/tmp/")) ++n;
    }
    return n;
  }
  bool LeftoversGone() const {
    return fs::is_empty(spool_dir_) && fs::is_empty(root_ + "/blobs/tmp");
  }

  std::string Payload(const IngestResult& r) {
    EXPECT_TRUE(r.payload.has_value());
    if (!r.payload.has_value()) return "";
    auto src = blob::OpenRef(*blobs_, blob::ToRef(*r.payload));
    EXPECT_TRUE(src.ok()) << src.status();
    GunzipSource plain(*std::move(src));
    StringSink out;
    EXPECT_TRUE(Pump(plain, out).ok());
    return out.data();
  }

  payevnt::ValidationReport Validate(const std::string& payload) {
    auto report = payevnt::ValidateLodgment(std::make_unique<StringSource>(payload), "payload");
    EXPECT_TRUE(report.ok()) << report.status();
    return *report;
  }

  std::vector<std::string> DocumentIds(const std::string& payload) {
    auto reader = payevnt::LodgmentReader::Open(std::make_unique<StringSource>(payload), "payload");
    EXPECT_TRUE(reader.ok());
    std::vector<std::string> ids;
    for (;;) {
      auto r = (*reader)->Next();
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok() || !r->has_value()) break;
      ids.push_back((*r)->document_id);
    }
    return ids;
  }

  void ExpectRefused(const std::string& file, const std::vector<std::string>& in_message,
                     absl::string_view code = "") {
    SCOPED_TRACE(in_message.empty() ? "" : in_message[0]);
    absl::StatusOr<IngestResult> r = Run(file);
    ASSERT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
    for (const std::string& s : in_message) EXPECT_THAT(r.status().message(), HasSubstr(s));
    const std::vector<UploadProblem> problems = UploadProblemsOf(r.status());
    ASSERT_FALSE(problems.empty());
    if (!code.empty()) {
      EXPECT_EQ(problems[0].code(), code);
    }
    EXPECT_EQ(StoredBlobs(), 0);
    EXPECT_TRUE(LeftoversGone());
  }

  std::string root_, spool_dir_;
  std::vector<SentRecord> sent_;  // what on_sent was given, in order
  std::unique_ptr<blob::BlobStore> blobs_;
};

TEST_F(IngestTest, CleanFileIsSentWhole) {
  std::string file;
  Generate(&file, 20);
  absl::StatusOr<IngestResult> r = Run(file);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->employees, 20);
  EXPECT_EQ(r->employees_sent, 20);
  EXPECT_TRUE(r->held_back.empty());
  EXPECT_EQ(r->bytes_received, file.size());
  EXPECT_EQ(r->employer.document_id, "1.1");
  EXPECT_FALSE(r->employer.interaction_transaction_id.empty());
  ASSERT_EQ(sent_.size(), 20u);
  EXPECT_EQ(sent_[0].document_id, "1.2");
  EXPECT_EQ(sent_[19].document_id, "1.21");
  EXPECT_FALSE(sent_[0].payroll_id.empty());

  const std::string payload = Payload(*r);
  // The bare SBR sequence: no declaration, no wrapper.
  EXPECT_TRUE(absl::StartsWith(payload,
                               "<Record_Delimiter DocumentID=\"1.1\" DocumentName=\"PAYEVNT\" "
                               "DocumentType=\"PARENT\" RelatedDocumentID=\"\"/>\n<tns:PAYEVNT"))
      << payload.substr(0, 200);
  EXPECT_FALSE(absl::StrContains(payload, "PayEventLodgment"));
  // Non-ASCII names stay UTF-8.
  EXPECT_EQ(absl::StrContains(file, "\xC3"), absl::StrContains(payload, "\xC3"));
  const payevnt::ValidationReport report = Validate(payload);
  EXPECT_TRUE(report.valid) << (report.errors.empty() ? "" : payevnt::ToString(report.errors[0]));
  EXPECT_TRUE(report.bare_sequence);
  EXPECT_EQ(report.employees, 20);
  EXPECT_EQ(report.employer.interaction_record_count, 20);
  // Small enough to travel in the record that carries it: no file.
  EXPECT_TRUE(r->payload->content.has_value());
  EXPECT_EQ(StoredBlobs(), 0);
  EXPECT_TRUE(LeftoversGone());
}

TEST_F(IngestTest, InvalidEmployeesAreHeldBackAndTheRestSent) {
  std::string file;
  const payevnt::GeneratedLodgment g = Generate(&file, 40, 5);
  ASSERT_EQ(g.invalid_document_ids.size(), 5u);
  // Read in awkward pieces, as gRPC chunks arrive.
  StringSource whole(file);
  testing::ChunkedSource chunked(whole, 1000);
  absl::StatusOr<IngestResult> r = Ingest(chunked, Options(), *blobs_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->employees, 40);
  EXPECT_EQ(r->employees_sent, 35);
  ASSERT_EQ(r->held_back.size(), 5u);
  std::vector<std::string> held_ids;
  for (const v1::RecordProblem& p : r->held_back) {
    held_ids.push_back(p.document_id());
    ASSERT_EQ(p.errors_size(), 1);
    EXPECT_EQ(p.errors(0).code(), payevnt::codes::kInvalidTfn);
    EXPECT_EQ(p.errors(0).path(), kTfnPath);
    EXPECT_EQ(p.errors(0).severity(), "Error");
    EXPECT_THAT(p.errors(0).description(), HasSubstr("check digit"));
    EXPECT_THAT(p.tfn_masked(), ::testing::MatchesRegex("\\*{5,6}[0-9]{3}"));
    EXPECT_FALSE(p.family_name().empty());
    EXPECT_FALSE(p.payroll_id().empty());
  }
  EXPECT_THAT(held_ids, ElementsAreArray(g.invalid_document_ids));
  EXPECT_EQ(sent_.size(), 35u);

  const std::string payload = Payload(*r);
  const payevnt::ValidationReport report = Validate(payload);
  EXPECT_TRUE(report.valid) << (report.errors.empty() ? "" : payevnt::ToString(report.errors[0]));
  EXPECT_EQ(report.employees, 35);
  EXPECT_EQ(report.employer.interaction_record_count, 35);
  // Children keep the provider's DocumentIDs.
  std::vector<std::string> expected = {"1.1"};
  for (const SentRecord& s : sent_) expected.push_back(s.document_id);
  EXPECT_THAT(DocumentIds(payload), ElementsAreArray(expected));
  for (const std::string& id : g.invalid_document_ids) {
    EXPECT_FALSE(absl::StrContains(payload, absl::StrCat("DocumentID=\"", id, "\""))) << id;
  }
  EXPECT_TRUE(LeftoversGone());
}

TEST_F(IngestTest, BareUploadsAreSentTheSameWay) {
  std::string file;
  const payevnt::GeneratedLodgment g = Generate(&file, 12, 2, /*bare=*/true);
  absl::StatusOr<IngestResult> r =
      Run(absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", file));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->employees_sent, 10);
  const payevnt::ValidationReport report = Validate(Payload(*r));
  EXPECT_TRUE(report.valid);
  EXPECT_EQ(report.employer.interaction_record_count, 10);
}

TEST_F(IngestTest, NamespacesDeclaredOnTheWrapperTravelWithEachDocument) {
  std::string file;
  Generate(&file, 3);
  file = absl::StrReplaceAll(
      file, {{"<PayEventLodgment xmlns=\"http://sbrgate.dev/ns/lodgment\">",
              "<PayEventLodgment xmlns=\"http://sbrgate.dev/ns/lodgment\" "
              "xmlns:tns=\"http://www.sbr.gov.au/ato/payevntemp\">"},
             {"<tns:PAYEVNTEMP xmlns:tns=\"http://www.sbr.gov.au/ato/payevntemp\">",
              "<tns:PAYEVNTEMP>"}});
  ASSERT_TRUE(Validate(file).valid);
  absl::StatusOr<IngestResult> r = Run(file);
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string payload = Payload(*r);
  EXPECT_THAT(payload,
              HasSubstr("<tns:PAYEVNTEMP xmlns:tns=\"http://www.sbr.gov.au/ato/payevntemp\">"));
  const payevnt::ValidationReport report = Validate(payload);
  EXPECT_TRUE(report.valid) << (report.errors.empty() ? "" : payevnt::ToString(report.errors[0]));
  EXPECT_EQ(report.employees, 3);
}

TEST_F(IngestTest, PayloadIsOneGzipMember) {
  std::string file;
  Generate(&file, 300, 4);
  absl::StatusOr<IngestResult> r = Run(file);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->payload->content.has_value()) << "300 employees: a file";
  EXPECT_EQ(StoredBlobs(), 1);
  absl::StatusOr<std::string> gz = blobs_->ReadString(r->payload->sha256);
  ASSERT_TRUE(gz.ok()) << gz.status();
  // A plain zlib gunzip of one member (no multi-member tolerance) takes in
  // every byte and gives the whole sequence.
  z_stream z{};
  ASSERT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  std::string plain(8 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(gz->data());
  z.avail_in = static_cast<uInt>(gz->size());
  z.next_out = reinterpret_cast<Bytef*>(plain.data());
  z.avail_out = static_cast<uInt>(plain.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(z.avail_in, 0u);
  plain.resize(z.total_out);
  inflateEnd(&z);
  EXPECT_EQ(plain, Payload(*r));
  const payevnt::ValidationReport report = Validate(plain);
  EXPECT_TRUE(report.valid);
  EXPECT_EQ(report.employees, 296);
  EXPECT_EQ(report.employer.interaction_record_count, 296);
}

TEST_F(IngestTest, DocumentsTravelAsUploaded) {
  std::string file;
  Generate(&file, 30);
  file = EditRecord(file, "1.7", "<tns:Payee>", "<tns:Payee><!-- checked by hand -->");
  file = absl::StrReplaceAll(file, {{"\n", "\r\n"}});
  absl::StatusOr<IngestResult> r = Run(file);
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string payload = Payload(*r);
  // Each employee document is the uploaded bytes of it.
  const size_t begin = file.find("<tns:PAYEVNTEMP", Span(file, "1.7").first);
  const size_t end = file.find("</tns:PAYEVNTEMP>", begin) + strlen("</tns:PAYEVNTEMP>");
  EXPECT_THAT(payload, HasSubstr(file.substr(begin, end - begin)));
  EXPECT_THAT(payload, HasSubstr("<!-- checked by hand -->"));
  // So is the employer's, whose record count already holds (past its start
  // tag, which gains the wrapper's namespace declarations).
  const size_t rp = file.find("<tns:Rp>", Span(file, "1.1").first);
  const size_t rp_end = file.find("</tns:PAYEVNT>", rp);
  EXPECT_THAT(payload, HasSubstr(file.substr(rp, rp_end - rp)));
  const payevnt::ValidationReport report = Validate(payload);
  EXPECT_TRUE(report.valid) << (report.errors.empty() ? "" : payevnt::ToString(report.errors[0]));
  EXPECT_EQ(report.employees, 30);
}

TEST_F(IngestTest, OffModeSendsEveryRecordAsGiven) {
  std::string file;
  const payevnt::GeneratedLodgment g = Generate(&file, 15, 3);
  absl::StatusOr<IngestResult> r = Run(file, PrevalidateMode::kOff);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->employees, 15);
  EXPECT_EQ(r->employees_sent, 15);
  EXPECT_TRUE(r->held_back.empty());
  const payevnt::ValidationReport report = Validate(Payload(*r));
  EXPECT_EQ(report.employees, 15);
  EXPECT_EQ(report.employer.interaction_record_count, 15);
  EXPECT_THAT(report.invalid_document_ids, ElementsAreArray(g.invalid_document_ids));
}

TEST_F(IngestTest, EveryEmployeeHeldBackMeansNothingToSend) {
  std::string file;
  Generate(&file, 3, 3);
  absl::StatusOr<IngestResult> r = Run(file);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->employees, 3);
  EXPECT_EQ(r->employees_sent, 0);
  EXPECT_EQ(r->held_back.size(), 3u);
  EXPECT_FALSE(r->payload.has_value());
  EXPECT_EQ(StoredBlobs(), 0);
  EXPECT_TRUE(LeftoversGone());
}

TEST_F(IngestTest, InvalidEmployerIsRefusedAndNothingStored) {
  std::string file;
  Generate(&file, 5, 0, false, /*invalid_employer=*/true);
  absl::StatusOr<IngestResult> r = Run(file);
  ASSERT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  EXPECT_THAT(r.status().message(),
              HasSubstr("pay.xml: refused: record 1.1 /tns:PAYEVNT/tns:Rp/"
                        "tns:AustralianBusinessNumberId: VR.ATO.PAYEVNT.000200"));
  const std::vector<UploadProblem> problems = UploadProblemsOf(r.status());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].document_id(), "1.1");
  EXPECT_EQ(problems[0].path(), "/tns:PAYEVNT/tns:Rp/tns:AustralianBusinessNumberId");
  EXPECT_EQ(problems[0].code(), payevnt::codes::kInvalidPayerAbn);
  EXPECT_THAT(problems[0].description(), HasSubstr("check digit"));
  EXPECT_EQ(problems[0].line(), 4);  // the PAYEVNT start tag
  EXPECT_EQ(StoredBlobs(), 0);
  EXPECT_TRUE(LeftoversGone());
  // Off mode refuses it too: SBR would reject the whole lodgment.
  EXPECT_TRUE(absl::IsInvalidArgument(Run(file, PrevalidateMode::kOff).status()));
}

TEST_F(IngestTest, MalformedUploadsAreRefusedNamingWhere) {
  std::string file;
  Generate(&file, 3);

  std::string truncated = file.substr(0, Span(file, "1.3").first + 300);
  ExpectRefused(truncated, {"pay.xml: refused: record 1.3: CMN.ATO.GEN.XML01", "not well-formed"},
                payevnt::codes::kNotWellFormed);

  const std::string wrong_ns =
      EditRecord(file, "1.3", "http://www.sbr.gov.au/ato/payevntemp", "http://example.com/x");
  const int ns_line = LineOf(wrong_ns, wrong_ns.find("http://example.com/x"));
  ExpectRefused(wrong_ns, {"record 1.3", absl::StrCat("line ", ns_line), "http://example.com/x"},
                payevnt::codes::kRecordStructure);

  const std::string count =
      EditRecord(file, "1.1", "<tns:InteractionRecordCt>3<", "<tns:InteractionRecordCt>4<");
  ExpectRefused(count,
                {"record 1.1 /tns:PAYEVNT/tns:Rp/tns:Payroll/tns:InteractionRecordCt",
                 "InteractionRecordCt is 4 but the lodgment holds 3"},
                payevnt::codes::kRecordCountMismatch);

  std::string dtd = file;
  dtd.insert(file.find('\n') + 1, "<!DOCTYPE PayEventLodgment [<!ENTITY x \"boom\">]>\n");
  ExpectRefused(dtd, {"pay.xml: refused:", "DTD"});

  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  for (int i = 0; i < 10000; ++i) deep += "</a>";
  ExpectRefused(EditRecord(file, "1.3", "<tns:Payee>", "<tns:Payee>" + deep),
                {"record 1.3", "pay.xml:"});

  ExpectRefused(
      EditRecord(file, "1.2", "<tns:FamilyNameT>", "<tns:FamilyNameT>" + std::string(2 << 20, 'x')),
      {"record 1.2", "over the limit"});

  ExpectRefused("not xml at all", {"pay.xml: refused:"});

  // A PAYEVNT with no employee records has nothing to lodge.
  const std::string no_employees =
      absl::StrCat(file.substr(0, Span(file, "1.2").first), "</PayEventLodgment>\n");
  ExpectRefused(absl::StrReplaceAll(
                    no_employees, {{"<tns:InteractionRecordCt>3<", "<tns:InteractionRecordCt>0<"}}),
                {"record 1.1", "no PAYEVNTEMP"});
}

// The compressed employee documents stay in memory until there are more
// than a few hundred employees' worth: a spool directory that cannot take
// a file is no obstacle to a small pay event, and is to a large one.
TEST_F(IngestTest, OnlyALargePayEventSpoolsToAFile) {
  std::string small;
  Generate(&small, 30);
  IngestOptions options = Options();
  options.temp_dir = root_ + "/no-such-directory";
  StringSource small_source(small);
  absl::StatusOr<IngestResult> r = Ingest(small_source, options, *blobs_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->employees_sent, 30);
  EXPECT_EQ(Validate(Payload(*r)).employees, 30);

  std::string large;
  Generate(&large, 3000);
  StringSource large_source(large);
  r = Ingest(large_source, options, *blobs_);
  EXPECT_THAT(r.status().message(), HasSubstr("no-such-directory")) << r.status();
  EXPECT_EQ(StoredBlobs(), 0);
}

TEST_F(IngestTest, EmployerCallbackCanStopTheIngestEarly) {
  std::string file;
  Generate(&file, 300);
  StringSource whole(file);
  testing::ChunkedSource chunked(whole, 4096);
  struct Counting : ByteSource {
    explicit Counting(ByteSource& in) : in(in) {}
    absl::StatusOr<size_t> Read(char* buf, size_t n) override {
      absl::StatusOr<size_t> got = in.Read(buf, n);
      if (got.ok()) bytes += *got;
      return got;
    }
    ByteSource& in;
    uint64_t bytes = 0;
  } counting(chunked);
  IngestOptions options = Options();
  std::string seen;
  options.on_employer = [&](const payevnt::EmployerRecord& e) {
    seen = e.interaction_transaction_id;
    return absl::AlreadyExistsError("lodged before");
  };
  absl::StatusOr<IngestResult> r = Ingest(counting, options, *blobs_);
  EXPECT_TRUE(absl::IsAlreadyExists(r.status())) << r.status();
  EXPECT_FALSE(seen.empty());
  EXPECT_LT(counting.bytes, file.size() / 10);
  EXPECT_EQ(StoredBlobs(), 0);
  EXPECT_TRUE(LeftoversGone());
}

// Sent records reach the caller as they are checked, not at the end; a
// caller that cannot keep one stops the ingest, and nothing is stored.
TEST_F(IngestTest, SentRecordsAreHandedOverAsTheyComeAndACallersFailureStopsAll) {
  std::string file;
  Generate(&file, 50);
  IngestOptions options = Options();
  int handed = 0;
  options.on_sent = [&](const SentRecord&) {
    return ++handed == 10 ? absl::UnavailableError("disk full") : absl::OkStatus();
  };
  StringSource source(file);
  absl::StatusOr<IngestResult> r = Ingest(source, options, *blobs_);
  EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
  EXPECT_EQ(handed, 10);
  EXPECT_EQ(StoredBlobs(), 0);
  EXPECT_TRUE(LeftoversGone());
}

TEST_F(IngestTest, UploadErrorsAreNotBlamedOnTheContent) {
  std::string file;
  Generate(&file, 50);
  struct Failing : ByteSource {
    explicit Failing(std::string data) : data(std::move(data)) {}
    absl::StatusOr<size_t> Read(char* buf, size_t n) override {
      if (pos >= data.size() / 2) return absl::CancelledError("the client went away");
      const size_t got = std::min(n, data.size() / 2 - pos);
      std::copy_n(data.data() + pos, got, buf);
      pos += got;
      return got;
    }
    std::string data;
    size_t pos = 0;
  } failing(file);
  absl::StatusOr<IngestResult> r = Ingest(failing, Options(), *blobs_);
  EXPECT_TRUE(absl::IsCancelled(r.status())) << r.status();
  EXPECT_EQ(StoredBlobs(), 0);
  EXPECT_TRUE(LeftoversGone());
}

TEST(ProblemLocationTest, NamesRecordFieldOrLine) {
  UploadProblem p;
  EXPECT_EQ(ProblemLocation(p), "the upload");
  p.set_line(12);
  EXPECT_EQ(ProblemLocation(p), "line 12");
  p.set_document_id("1.3");
  EXPECT_EQ(ProblemLocation(p), "record 1.3");
  p.set_path("/tns:PAYEVNTEMP/tns:Payee");
  EXPECT_EQ(ProblemLocation(p), "record 1.3 /tns:PAYEVNTEMP/tns:Payee");
  EXPECT_TRUE(UploadProblemsOf(absl::InvalidArgumentError("plain")).empty());
}

}  // namespace
}  // namespace sbrgate::ingest
