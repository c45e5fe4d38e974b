// small_ingest_bench: the CPU the gateway's ingest (ingest.h: parse, check
// against the schemas and business rules, gzip into the blob store) costs
// per small pay event on one thread, the per-lodgment set-up and tear-down
// included: what the gRPC thread spends on a typical upload, without gRPC.
// Reports the mean and median thread CPU per ingest over --rounds ingests
// of one generated pay event (after a warm-up of as many, at most 50).
// It allocates as the daemons do (TuneProcess: jemalloc).
//
//   bazel run -c opt //bench:small_ingest_bench -- --employees=10 --rounds=2000
//
// Reports figures; it passes or fails nothing.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "bench/elapsed.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/ingest/ingest.h"
#include "pipeline/stp/payevnt/generator.h"
#include "services/common/process_tuning.h"

ABSL_FLAG(int64_t, employees, 10, "employee records in the generated pay event");
ABSL_FLAG(int, rounds, 2000, "ingests measured (after as many warm-up ingests, at most 50)");
ABSL_FLAG(std::string, work_dir, "/tmp/sbrgate-small-ingest-bench", "scratch directory");

namespace sbrgate {
namespace {

int Fail(const absl::Status& s, const char* what) {
  std::fprintf(stderr, "small_ingest_bench: %s: %s\n", what, std::string(s.message()).c_str());
  return 1;
}

int Run() {
  const std::string dir = absl::GetFlag(FLAGS_work_dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  StringSink upload;
  payevnt::GeneratorOptions g;
  g.employees = absl::GetFlag(FLAGS_employees);
  g.message_timestamp = absl::Now();
  if (auto made = payevnt::GenerateLodgment(g, upload); !made.ok()) {
    return Fail(made.status(), "generate");
  }
  absl::StatusOr<std::unique_ptr<blob::BlobStore>> blobs = blob::BlobStore::Create(dir + "/blobs");
  if (!blobs.ok()) return Fail(blobs.status(), "blob store");
  ingest::IngestOptions options;
  options.name = "pay.xml";
  options.temp_dir = dir;

  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int warm_up = std::min(rounds, 50);
  std::vector<double> micros;
  micros.reserve(rounds);
  for (int i = 0; i < warm_up + rounds; ++i) {
    StringSource source(upload.data());
    const double t0 = bench::ThreadCpuMicros();
    absl::StatusOr<ingest::IngestResult> result = ingest::Ingest(source, options, **blobs);
    const double took = bench::ThreadCpuMicros() - t0;
    if (!result.ok()) return Fail(result.status(), "ingest");
    if (i >= warm_up) micros.push_back(took);
  }
  double total = 0;
  for (double m : micros) total += m;
  std::nth_element(micros.begin(), micros.begin() + micros.size() / 2, micros.end());
  std::printf("%d ingests, %lld employees, %zu bytes; thread CPU per ingest (us):\n", rounds,
              static_cast<long long>(g.employees), upload.data().size());
  std::printf("  mean     %8.1f\n  median   %8.1f\n", total / rounds, micros[micros.size() / 2]);
  return 0;
}

}  // namespace
}  // namespace sbrgate

int main(int argc, char** argv) {
  sbrgate::TuneProcess();
  absl::ParseCommandLine(argc, argv);
  return sbrgate::Run();
}
