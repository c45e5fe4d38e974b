// Ingest benchmark: how fast the gateway's ingest (stream, validate every
// record against the schemas and business rules, hold back, rewrite
// InteractionRecordCt and gzip the payload into the blob store) reads a
// generated pay event, next to `xmllint --stream --noout` on the same file
// (libxml2's streaming parse alone, no validation, no output). Also reports
// the CPU time the ingest took on the calling thread and on the others.
//
// Target (README.md): ingest throughput at least half of xmllint's.
//
//   bazel run -c opt //bench:ingest_bench -- --employees=20000
//   bazel run -c opt //bench:ingest_bench -- --file=/tmp/pay.xml  # an existing one
//
// Reports figures; it passes or fails nothing.
#include <sys/resource.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/elapsed.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/ingest/ingest.h"
#include "pipeline/stp/payevnt/generator.h"

ABSL_FLAG(int64_t, employees, 20000, "employee records in the generated pay event");
ABSL_FLAG(int64_t, invalid, 20, "of which with an invalid TFN (held back)");
ABSL_FLAG(std::string, work_dir, "/tmp/sbrgate-ingest-bench", "scratch directory");
ABSL_FLAG(std::string, file, "",
          "ingest this pay event instead of generating one (e.g. to profile the ingest alone)");

namespace {

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_work_dir);
  std::system(absl::StrCat("rm -rf ", dir, " && mkdir -p ", dir).c_str());
  std::string file = absl::GetFlag(FLAGS_file);

  if (file.empty()) {
    file = dir + "/payevent.xml";
    sbrgate::payevnt::GeneratorOptions g;
    g.employees = absl::GetFlag(FLAGS_employees);
    g.invalid_tfns = absl::GetFlag(FLAGS_invalid);
    g.message_timestamp = absl::Now();
    auto sink = sbrgate::FileSink::Create(file);
    if (!sink.ok()) return std::fprintf(stderr, "%s\n", std::string(sink.status().message()).c_str()), 1;
    auto generated = sbrgate::payevnt::GenerateLodgment(g, **sink);
    if (!generated.ok() || !(*sink)->Close().ok()) {
      std::fprintf(stderr, "cannot generate the pay event\n");
      return 1;
    }
  }
  auto bytes = sbrgate::ReadFileToString(file);
  if (!bytes.ok()) return std::fprintf(stderr, "%s\n", std::string(bytes.status().message()).c_str()), 1;
  const double megabytes = static_cast<double>(bytes->size()) / (1 << 20);
  bytes->clear();
  bytes->shrink_to_fit();

  auto t0 = sbrgate::bench::Steady::now();
  const int rc = std::system(absl::StrCat("xmllint --stream --noout ", file).c_str());
  const double xmllint_s = sbrgate::bench::SecondsSince(t0);
  if (rc != 0) std::fprintf(stderr, "xmllint failed (%d)\n", rc);

  auto blobs = sbrgate::blob::BlobStore::Create(dir + "/blobs");
  auto source = sbrgate::FileSource::Open(file);
  sbrgate::ingest::IngestOptions options;
  options.name = file;
  options.temp_dir = dir;
  t0 = sbrgate::bench::Steady::now();
  const double thread_cpu0 = ThreadCpuSeconds();
  const double process_cpu0 = ProcessCpuSeconds();
  auto result = sbrgate::ingest::Ingest(**source, options, **blobs);
  const double ingest_s = sbrgate::bench::SecondsSince(t0);
  const double thread_cpu = ThreadCpuSeconds() - thread_cpu0;
  const double other_cpu = ProcessCpuSeconds() - process_cpu0 - thread_cpu;
  if (!result.ok()) {
    std::fprintf(stderr, "ingest failed: %s\n", std::string(result.status().message()).c_str());
    return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);

  const double records = static_cast<double>(result->employees + 1);
  std::printf("file: %.1f MiB, %lld employee records (%lld held back)\n", megabytes,
              static_cast<long long>(result->employees),
              static_cast<long long>(result->held_back.size()));
  std::printf("xmllint --stream --noout: %7.2f s  %8.1f MiB/s  %10.0f records/s\n", xmllint_s,
              megabytes / xmllint_s, records / xmllint_s);
  std::printf("sbrgate ingest:           %7.2f s  %8.1f MiB/s  %10.0f records/s\n", ingest_s,
              megabytes / ingest_s, records / ingest_s);
  std::printf("ingest / xmllint throughput: %.2f (target >= 0.50)\n", xmllint_s / ingest_s);
  std::printf("ingest cpu: %.2f s on the calling thread, %.2f s on others\n", thread_cpu,
              other_cpu);
  std::printf("peak RSS: %.1f MiB\n", usage.ru_maxrss / 1024.0);
  return 0;
}
