// Packaging benchmark: what gzip plus signing costs for one pay event, next
// to `gzip -6` alone on the same file, several rounds in the same run.
//
// sbrgate's side is the product's own code: the payload compressed as the
// ingest compresses the bulk of it (RawDeflater, ISA-L) into a file, then
// SbrClient::PackagePush (the push envelope, the WS-Security signature with
// the attachment's SHA-256 digest, the multipart body) and that body read to
// its end, as the transport reads it when it sends. Only the network is left
// out. The credential is a throw-away development PKI.
//
// Target (README.md): gzip plus signing at most 2x `gzip -6` alone.
//
//   bazel run -c opt //bench:package_bench -- --employees=200000 --rounds=5
//
// Reports figures; it passes or fails nothing.
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/elapsed.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/raw_deflate.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/stp/payevnt/generator.h"

ABSL_FLAG(int64_t, employees, 200000, "employee records in the generated pay event");
ABSL_FLAG(int, rounds, 5, "rounds; medians are reported");
ABSL_FLAG(std::string, work_dir, "/tmp/sbrgate-package-bench", "scratch directory");
ABSL_FLAG(std::string, file, "", "package this pay event instead of generating one");

namespace {

using sbrgate::bench::SecondsSince;
using sbrgate::bench::Steady;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Counts what it is given and keeps none of it: the bytes a transport would send.
class CountingSink : public sbrgate::ByteSink {
 public:
  absl::Status Write(absl::string_view bytes) override {
    bytes_ += bytes.size();
    return absl::OkStatus();
  }
  absl::Status Close() override { return absl::OkStatus(); }
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t bytes_ = 0;
};

int Fail(const absl::Status& s, const char* what) {
  std::fprintf(stderr, "package_bench: %s: %s\n", what, std::string(s.message()).c_str());
  return 1;
}

// The payload compressed as the ingest compresses the bulk of every one
// (its employees' documents: RawDeflater), framed as gzip, into a file.
absl::Status Compress(const std::string& from, const std::string& to) {
  absl::StatusOr<std::unique_ptr<sbrgate::FileSource>> in = sbrgate::FileSource::Open(from);
  if (!in.ok()) return in.status();
  absl::StatusOr<std::unique_ptr<sbrgate::FileSink>> out =
      sbrgate::FileSink::Create(to, sbrgate::FileDurability::kScratch);
  if (!out.ok()) return out.status();
  sbrgate::ByteSink& sink = **out;
  if (absl::Status s = sink.Write(sbrgate::kGzipHeader); !s.ok()) return s;
  sbrgate::RawDeflater deflater([&sink](absl::string_view bytes) { return sink.Write(bytes); });
  uLong crc = crc32(0, nullptr, 0);
  uint64_t length = 0;
  std::string buffer(1 << 16, '\0');
  for (;;) {
    absl::StatusOr<size_t> n = (*in)->Read(buffer.data(), buffer.size());
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<uInt>(*n));
    length += *n;
    if (absl::Status s = deflater.Add(absl::string_view(buffer.data(), *n)); !s.ok()) return s;
  }
  if (absl::Status s = deflater.Finish(); !s.ok()) return s;
  if (absl::Status s = sink.Write(sbrgate::GzipTrailer(static_cast<uint32_t>(crc), length));
      !s.ok()) {
    return s;
  }
  return sink.Close();
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_work_dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/spool");
  std::string file = absl::GetFlag(FLAGS_file);
  if (file.empty()) {
    file = dir + "/payevent.xml";
    sbrgate::payevnt::GeneratorOptions g;
    g.employees = absl::GetFlag(FLAGS_employees);
    g.message_timestamp = absl::Now();
    auto sink = sbrgate::FileSink::Create(file);
    if (!sink.ok()) return Fail(sink.status(), "cannot create the pay event");
    if (auto made = sbrgate::payevnt::GenerateLodgment(g, **sink); !made.ok()) {
      return Fail(made.status(), "cannot generate the pay event");
    }
    if (absl::Status s = (*sink)->Close(); !s.ok()) return Fail(s, "cannot write the pay event");
  }

  absl::StatusOr<sbrgate::pki::DevPki> pki = sbrgate::pki::MakeDevPki(dir + "/pki");
  if (!pki.ok()) return Fail(pki.status(), "dev PKI");
  sbrgate::sbr_client::ClientConfig config;
  config.base_url = "https://localhost:1";  // never contacted
  config.credential_cert = dir + "/pki/client.pem";
  config.credential_key = dir + "/pki/client.key";
  config.agency_ca_file = dir + "/pki/ca.pem";
  config.spool_dir = dir + "/spool";
  sbrgate::RealClock clock;
  absl::StatusOr<std::unique_ptr<sbrgate::sbr_client::SbrClient>> client =
      sbrgate::sbr_client::SbrClient::Create(config, &clock);
  if (!client.ok()) return Fail(client.status(), "SBR client");

  const std::string payload = dir + "/payload.xml.gz";
  std::vector<double> gzip6_s, compress_s, package_s, ratio;
  uint64_t body_bytes = 0;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    Steady::time_point t0 = Steady::now();
    if (std::system(absl::StrCat("gzip -6 -c ", file, " > /dev/null").c_str()) != 0) {
      return Fail(absl::InternalError("gzip -6 failed"), "gzip");
    }
    gzip6_s.push_back(SecondsSince(t0));

    t0 = Steady::now();
    if (absl::Status s = Compress(file, payload); !s.ok()) return Fail(s, "compress");
    compress_s.push_back(SecondsSince(t0));
    const Steady::time_point t1 = Steady::now();
    sbrgate::sbr_client::LodgmentPush push;
    push.message_id = absl::StrCat("bench-", round, "@sbrgate.local");
    push.conversation_id = push.message_id;
    push.from = {"51824753556", sbrgate::ebms::kPartyTypeAbn, sbrgate::ebms::kRoleBusiness};
    push.payload_gzip = sbrgate::StoredBytes::File(payload);
    absl::StatusOr<sbrgate::ebms_package::OutboundMessage> out = (*client)->PackagePush(push);
    if (!out.ok()) return Fail(out.status(), "package");
    CountingSink sent;
    if (absl::StatusOr<uint64_t> n = sbrgate::Pump(*out->body, sent); !n.ok()) {
      return Fail(n.status(), "read the body");
    }
    body_bytes = sent.bytes();
    package_s.push_back(SecondsSince(t1));
    ratio.push_back((compress_s.back() + package_s.back()) / gzip6_s.back());
    std::printf("round %d: gzip -6 %.2f s; sbrgate %.2f s (compress %.2f, sign and read %.2f)\n",
                round + 1, gzip6_s.back(), compress_s.back() + package_s.back(), compress_s.back(),
                package_s.back());
  }
  const double megabytes = static_cast<double>(std::filesystem::file_size(file)) / (1 << 20);
  std::printf("file: %.1f MiB; signed push body: %.1f MiB\n", megabytes,
              static_cast<double>(body_bytes) / (1 << 20));
  std::printf(
      "medians over %zu rounds: gzip -6 %.2f s; sbrgate compress %.2f s + sign and read %.2f s\n",
      ratio.size(), Median(gzip6_s), Median(compress_s), Median(package_s));
  std::printf("sbrgate / gzip -6 time: %.2f (median of each round's ratio; target <= 2.0)\n",
              Median(ratio));
  return 0;
}
