#include "pipeline/platform/common/gzip.h"

#include <gtest/gtest.h>

#include <string>

#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/testing/test_streams.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::ChunkedSource;
using ::sbrgate::testing::CountingSink;
using ::sbrgate::testing::PseudoRandomBytes;
using ::sbrgate::testing::PseudoRandomSource;

std::string Gzip(const std::string& plain, int level = Z_DEFAULT_COMPRESSION) {
  StringSink out;
  GzipSink gz(out, level);
  EXPECT_TRUE(gz.Write(plain).ok());
  EXPECT_TRUE(gz.Close().ok());
  return out.data();
}

absl::StatusOr<std::string> Gunzip(const std::string& compressed, size_t chunk = 1 << 20,
                                   GunzipOptions options = {}) {
  StringSource src(compressed);
  ChunkedSource chunked(src, chunk);
  GunzipSource gunzip(chunked, options);
  StringSink out;
  absl::StatusOr<uint64_t> n = Pump(gunzip, out);
  if (!n.ok()) return n.status();
  return out.data();
}

// `printf 'hello, sbr\n' | gzip -9n`
const unsigned char kGzipCliOutput[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7,
    0x51, 0x28, 0x4e, 0x2a, 0xe2, 0x02, 0x00, 0xf2, 0xfa, 0x19, 0x88, 0x0b, 0x00, 0x00, 0x00};

TEST(GunzipSourceTest, ReadsWhatGzipWrote) {
  auto plain =
      Gunzip(std::string(reinterpret_cast<const char*>(kGzipCliOutput), sizeof kGzipCliOutput));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, "hello, sbr\n");
}

TEST(GzipSinkTest, WritesGzipFormat) {
  const std::string gz = Gzip("payload");
  ASSERT_GE(gz.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_EQ(gz[2], 8);  // deflate
}

TEST(GzipTest, RoundTripsEveryReadSize) {
  const std::string plain = PseudoRandomBytes(5000, 1) + std::string(20000, 'a') + "<xml/>";
  const std::string gz = Gzip(plain);
  for (size_t chunk : {1, 2, 3, 7, 10, 17, 4096, 65537}) {
    auto back = Gunzip(gz, chunk);
    ASSERT_TRUE(back.ok()) << "chunk " << chunk << ": " << back.status();
    EXPECT_EQ(*back, plain) << "chunk " << chunk;
  }
}

TEST(GzipTest, EmptyInputRoundTrips) {
  auto back = Gunzip(Gzip(""));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, "");
}

TEST(GzipTest, StreamsLargePayloadAndCounts) {
  // 40 MiB through both directions with small buffers only.
  constexpr uint64_t kSize = 40 << 20;
  PseudoRandomSource src(kSize, 3);
  DigestingSource hashed_in(src);
  StringSink compressed;
  GzipSink gz(compressed, 1);
  ASSERT_TRUE(Pump(hashed_in, gz).ok());
  ASSERT_TRUE(gz.Close().ok());
  EXPECT_EQ(gz.bytes_in(), kSize);
  EXPECT_EQ(gz.bytes_out(), compressed.data().size());

  StringSource csrc(std::move(compressed.mutable_data()));
  GunzipSource gunzip(csrc);
  CountingSink counted;
  DigestingSink hashed_out(counted);
  auto n = Pump(gunzip, hashed_out);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, kSize);
  EXPECT_EQ(hashed_out.hex(), hashed_in.hex());
}

TEST(GzipTest, ConcatenatedMembersDecompressToConcatenation) {
  auto back = Gunzip(Gzip("abc") + Gzip("def"), 5);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, "abcdef");
}

TEST(GunzipSourceTest, CorruptDataIsInvalidArgument) {
  std::string gz = Gzip(std::string(10000, 'x') + PseudoRandomBytes(1000, 2));
  gz[gz.size() / 2] ^= 0x55;
  auto back = Gunzip(gz);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(back.status().message().substr(0, 6), "gzip: ") << back.status();
}

TEST(GunzipSourceTest, BadCrcIsInvalidArgument) {
  std::string gz = Gzip("some payload");
  gz[gz.size() - 6] ^= 1;  // CRC-32 in the trailer
  auto back = Gunzip(gz);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kInvalidArgument) << back.status();
}

TEST(GunzipSourceTest, NotGzipIsInvalidArgument) {
  auto back = Gunzip("<?xml version='1.0'?><plain/>");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(back.status().message().find("gzip: "), std::string::npos);
}

TEST(GunzipSourceTest, TruncatedStreamIsInvalidArgument) {
  const std::string gz = Gzip(PseudoRandomBytes(3000, 4));
  for (size_t cut : {size_t{0}, size_t{5}, gz.size() / 2, gz.size() - 1}) {
    auto back = Gunzip(gz.substr(0, cut));
    ASSERT_FALSE(back.ok()) << "cut at " << cut;
    EXPECT_EQ(back.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(back.status().message().find("gzip: truncated"), std::string::npos) << back.status();
  }
}

TEST(GunzipSourceTest, TrailingGarbageIsInvalidArgument) {
  auto back = Gunzip(Gzip("abc") + "garbage");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GunzipSourceTest, BombGuardStopsAtLimit) {
  // 64 MiB of zeros compress to about 64 KiB.
  StringSink compressed;
  {
    GzipSink gz(compressed, 9);
    const std::string zeros(1 << 20, '\0');
    for (int i = 0; i < 64; ++i) ASSERT_TRUE(gz.Write(zeros).ok());
    ASSERT_TRUE(gz.Close().ok());
  }
  ASSERT_LT(compressed.data().size(), 1u << 20);

  StringSource src(compressed.data());
  GunzipSource gunzip(src, GunzipOptions{uint64_t{8} << 20});
  CountingSink out;
  auto n = Pump(gunzip, out);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(n.status().message().find("8388608 bytes"), std::string::npos) << n.status();
  EXPECT_LE(out.bytes(), uint64_t{8} << 20);
}

TEST(GunzipSourceTest, OutputExactlyAtLimitIsAccepted) {
  const std::string plain(1000, 'q');
  auto back = Gunzip(Gzip(plain), 3, GunzipOptions{1000});
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, plain);
  auto over = Gunzip(Gzip(plain), 3, GunzipOptions{999});
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(GunzipSourceTest, SourceErrorsPassThrough) {
  class Broken : public ByteSource {
   public:
    absl::StatusOr<size_t> Read(char*, size_t) override { return absl::DataLossError("disk gone"); }
  };
  GunzipSource gunzip(std::make_unique<Broken>());
  char buf[16];
  EXPECT_EQ(gunzip.Read(buf, sizeof buf).status().code(), absl::StatusCode::kDataLoss);
}

TEST(GzipSinkTest, ClosesOwnedSinkButNotBorrowedOne) {
  auto owned = std::make_unique<CountingSink>();
  CountingSink* owned_ptr = owned.get();
  GzipSink a(std::move(owned));
  ASSERT_TRUE(a.Write("x").ok());
  ASSERT_TRUE(a.Close().ok());
  EXPECT_TRUE(owned_ptr->closed());

  CountingSink borrowed;
  GzipSink b(borrowed);
  ASSERT_TRUE(b.Close().ok());
  EXPECT_FALSE(borrowed.closed());
  EXPECT_GT(borrowed.bytes(), 0u);
  EXPECT_EQ(b.Write("late").code(), absl::StatusCode::kFailedPrecondition);
}

TEST(GzipSinkTest, DownstreamErrorIsReturnedAndSticky) {
  class Full : public ByteSink {
   public:
    absl::Status Write(absl::string_view) override {
      return absl::ResourceExhaustedError("disk full");
    }
    absl::Status Close() override { return absl::OkStatus(); }
  };
  Full full;
  GzipSink gz(full, 0);
  const std::string big = PseudoRandomBytes(1 << 20, 5);
  EXPECT_EQ(gz.Write(big).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(gz.Close().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace sbrgate
