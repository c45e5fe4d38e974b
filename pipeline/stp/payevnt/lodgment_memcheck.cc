// lodgment_memcheck: generates a lodgment of N employees to a file, streams
// it through ValidateLodgment and prints what it cost, as JSON: peak RSS
// (getrusage), bytes, seconds. lodgment_memory_test checks the bound in the
// test suite; this measures other sizes and builds by hand:
//
//   bazel run -c opt //pipeline/payevnt:lodgment_memcheck -- --employees 400000
//   lodgment_memcheck --employees 200000 [--invalid 3] [--seed 1] [--file PATH]
//
// Without --file, a temporary file is used and removed afterwards.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/stp/payevnt/validator.h"

namespace {

double PeakRssMib() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "lodgment_memcheck: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sbrgate;
  payevnt::GeneratorOptions options;
  options.employees = 200000;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : "";
    bool ok = true;
    if (arg == "--employees") {
      ok = absl::SimpleAtoi(value, &options.employees);
    } else if (arg == "--invalid") {
      ok = absl::SimpleAtoi(value, &options.invalid_tfns);
    } else if (arg == "--seed") {
      ok = absl::SimpleAtoi(value, &options.seed);
    } else if (arg == "--file") {
      path = value;
    } else {
      return Fail(absl::StrCat("unknown argument ", arg,
                               " (usage: --employees N [--invalid K] [--seed S] [--file PATH])"));
    }
    if (!ok) return Fail(absl::StrCat("bad value for ", arg, ": ", value));
    ++i;
  }
  const bool temporary = path.empty();
  if (temporary) {
    const char* dir = std::getenv("TMPDIR");
    path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/lodgment_memcheck_", getpid(), ".xml");
  }

  RealClock clock;
  options.message_timestamp = absl::FromUnixSeconds(absl::ToUnixSeconds(clock.Now()));
  const absl::Time t0 = clock.Now();
  absl::StatusOr<std::unique_ptr<FileSink>> sink = FileSink::Create(path);
  if (!sink.ok()) return Fail(std::string(sink.status().message()));
  absl::StatusOr<payevnt::GeneratedLodgment> generated = payevnt::GenerateLodgment(options, **sink);
  if (!generated.ok()) return Fail(std::string(generated.status().message()));
  if (absl::Status s = (*sink)->Close(); !s.ok()) return Fail(std::string(s.message()));
  const double rss_after_generate = PeakRssMib();

  const absl::Time t1 = clock.Now();
  absl::StatusOr<std::unique_ptr<FileSource>> source = FileSource::Open(path);
  if (!source.ok()) return Fail(std::string(source.status().message()));
  absl::StatusOr<payevnt::ValidationReport> report =
      payevnt::ValidateLodgment(*std::move(source), path);
  const absl::Time t2 = clock.Now();
  if (temporary) std::remove(path.c_str());
  if (!report.ok()) return Fail(std::string(report.status().message()));

  std::printf(
      "{\"employees\": %lld, \"bytes\": %llu, \"generate_seconds\": %.1f, "
      "\"validate_seconds\": %.1f, \"peak_rss_mib_after_generate\": %.1f, "
      "\"peak_rss_mib\": %.1f, \"valid\": %s, \"invalid_employees\": %lld, "
      "\"expected_invalid\": %zu}\n",
      static_cast<long long>(report->employees), static_cast<unsigned long long>(generated->bytes),
      absl::ToDoubleSeconds(t1 - t0), absl::ToDoubleSeconds(t2 - t1), rss_after_generate,
      PeakRssMib(), report->valid ? "true" : "false",
      static_cast<long long>(report->invalid_employees), generated->invalid_document_ids.size());
  return 0;
}
