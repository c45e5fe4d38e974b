// Memory stays bounded however large the lodgment: a 200,000-employee file
// (about 430 MB) streams through the generator and the validator with peak
// RSS far under 100 MiB, and barely more than a 2,000-employee file needs.
// Takes about half a minute (size "large").
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/stp/payevnt/validator.h"

namespace sbrgate::payevnt {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

double PeakRssBytes() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;
}

std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

GeneratedLodgment GenerateFile(const std::string& path, int64_t employees, int64_t invalid) {
  GeneratorOptions o;
  o.employees = employees;
  o.invalid_tfns = invalid;
  o.seed = 2024;
  o.message_timestamp = absl::FromUnixSeconds(1750000000);
  absl::StatusOr<std::unique_ptr<FileSink>> sink = FileSink::Create(path);
  EXPECT_TRUE(sink.ok()) << sink.status();
  absl::StatusOr<GeneratedLodgment> g = GenerateLodgment(o, **sink);
  EXPECT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE((*sink)->Close().ok());
  return *g;
}

ValidationReport ValidateFile(const std::string& path) {
  absl::StatusOr<std::unique_ptr<FileSource>> source = FileSource::Open(path);
  EXPECT_TRUE(source.ok()) << source.status();
  absl::StatusOr<ValidationReport> report = ValidateLodgment(*std::move(source), path);
  EXPECT_TRUE(report.ok()) << report.status();
  return *report;
}

TEST(LodgmentMemoryTest, TwoHundredThousandEmployeesInBoundedMemory) {
  const std::string small = TempPath("small.xml");
  const std::string large = TempPath("large.xml");
  GenerateFile(small, 2000, 0);
  const GeneratedLodgment big = GenerateFile(large, 200000, 3);
  EXPECT_GT(big.bytes, 300u << 20);

  ValidationReport small_report = ValidateFile(small);
  EXPECT_TRUE(small_report.valid);
  const double after_small = PeakRssBytes();

  ValidationReport report = ValidateFile(large);
  const double after_large = PeakRssBytes();
  std::remove(small.c_str());
  std::remove(large.c_str());

  EXPECT_EQ(report.employees, 200000);
  EXPECT_EQ(report.invalid_document_ids, big.invalid_document_ids);
  EXPECT_FALSE(report.fatal.has_value());
  std::printf("peak RSS: %.1f MiB after 2,000 employees, %.1f MiB after 200,000 (%llu bytes)\n",
              after_small / kMiB, after_large / kMiB, static_cast<unsigned long long>(big.bytes));
  EXPECT_LT(after_large, 100 * kMiB);
  // A hundred times the records costs (nearly) nothing more.
  EXPECT_LT(after_large - after_small, 16 * kMiB);
}

}  // namespace
}  // namespace sbrgate::payevnt
