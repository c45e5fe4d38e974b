// Memory stays bounded however large the upload: a 200,000-employee file
// (about 430 MB) is ingested (validated, spooled, held back, re-serialised
// and gzipped into the blob store) with peak RSS far under the gateway's
// 256 MiB budget. Takes a minute or two (size "large").
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/testing/test_streams.h"
#include "pipeline/stp/ingest/ingest.h"
#include "pipeline/stp/payevnt/generator.h"

namespace sbrgate::ingest {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

TEST(IngestMemoryTest, TwoHundredThousandEmployeesInBoundedMemory) {
  const std::string path = TempPath("large.xml");
  payevnt::GeneratorOptions o;
  o.employees = 200000;
  o.invalid_tfns = 7;
  o.seed = 2024;
  o.message_timestamp = absl::FromUnixSeconds(1750000000);
  absl::StatusOr<std::unique_ptr<FileSink>> sink = FileSink::Create(path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  absl::StatusOr<payevnt::GeneratedLodgment> g = payevnt::GenerateLodgment(o, **sink);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_TRUE((*sink)->Close().ok());

  auto blobs = blob::BlobStore::Create(TempPath("blobs"));
  ASSERT_TRUE(blobs.ok()) << blobs.status();
  absl::StatusOr<std::unique_ptr<FileSource>> source = FileSource::Open(path);
  ASSERT_TRUE(source.ok()) << source.status();
  IngestOptions options;
  options.name = "large.xml";
  options.temp_dir = TempPath("");
  absl::StatusOr<IngestResult> r = Ingest(**source, options, **blobs);
  std::remove(path.c_str());
  ASSERT_TRUE(r.ok()) << r.status();
  const double peak = static_cast<double>(testing::PeakRssBytes());

  EXPECT_EQ(r->employees, 200000);
  EXPECT_EQ(r->employees_sent, 200000 - 7);
  EXPECT_EQ(r->held_back.size(), 7u);
  EXPECT_EQ(r->bytes_received, g->bytes);
  ASSERT_TRUE(r->payload.has_value());
  std::printf("peak RSS %.1f MiB for %llu bytes in, %lld bytes of gzip payload\n", peak / kMiB,
              static_cast<unsigned long long>(g->bytes), static_cast<long long>(r->payload->size));
  EXPECT_LT(peak, 256 * kMiB);
}

}  // namespace
}  // namespace sbrgate::ingest
