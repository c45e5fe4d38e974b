#include "pipeline/platform/common/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "pipeline/platform/common/testing/test_streams.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::ChunkedSource;
using ::sbrgate::testing::CountingSink;
using ::sbrgate::testing::PseudoRandomBytes;

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Digest("abc").size(), 32u);
}

TEST(Sha256Test, IncrementalMatchesOneShotAndCanContinue) {
  Sha256 sha;
  sha.Update("a");
  EXPECT_EQ(sha.Hex(), Sha256Hex("a"));
  sha.Update("bc");
  EXPECT_EQ(sha.Hex(), Sha256Hex("abc"));
}

TEST(Sha256Test, HashesAStream) {
  const std::string data = PseudoRandomBytes(300000, 9);
  StringSource src(data);
  ChunkedSource chunked(src, 777);
  auto hex = Sha256HexOfStream(chunked);
  ASSERT_TRUE(hex.ok()) << hex.status();
  EXPECT_EQ(*hex, Sha256Hex(data));
}

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto back = Base64Decode(encoded);
    ASSERT_TRUE(back.ok()) << encoded << ": " << back.status();
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base64Test, RoundTripsBinaryAndLargeData) {
  for (size_t size : {1u, 2u, 3u, 31u, 32u, 33u, (3u << 20) + 1}) {
    const std::string data = PseudoRandomBytes(size, size);
    auto back = Base64Decode(Base64Encode(data));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, data) << size;
  }
}

TEST(Base64Test, DecodeIgnoresWhitespace) {
  auto back = Base64Decode("  Zm9v\r\n YmFy\n\tZg==\n");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, "foobarf");
}

TEST(Base64Test, DecodeRejectsMalformedInput) {
  for (const char* bad : {"Zm9", "Zm9v!", "Zg=a", "Z===", "Zm9vYg==Zm9v", "Zm-_", "===="}) {
    auto back = Base64Decode(bad);
    EXPECT_EQ(back.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(back.status().message().substr(0, 8), "base64: ") << back.status();
  }
}

TEST(DigestingSinkTest, HashesWhatPassesThrough) {
  StringSink out;
  DigestingSink hashed(out);
  ASSERT_TRUE(hashed.Write("ab").ok());
  ASSERT_TRUE(hashed.Write("c").ok());
  EXPECT_EQ(out.data(), "abc");
  EXPECT_EQ(hashed.hex(), Sha256Hex("abc"));
  EXPECT_EQ(hashed.digest(), Sha256Digest("abc"));
  EXPECT_EQ(hashed.bytes(), 3u);
}

TEST(DigestingSinkTest, ClosesOnlyOwnedSink) {
  CountingSink borrowed;
  DigestingSink a(borrowed);
  ASSERT_TRUE(a.Close().ok());
  EXPECT_FALSE(borrowed.closed());

  auto owned = std::make_unique<CountingSink>();
  CountingSink* ptr = owned.get();
  DigestingSink b(std::move(owned));
  ASSERT_TRUE(b.Close().ok());
  EXPECT_TRUE(ptr->closed());
}

TEST(DigestingSourceTest, HashesWhatIsRead) {
  const std::string data = PseudoRandomBytes(100000, 11);
  DigestingSource hashed(std::make_unique<StringSource>(data));
  StringSink out;
  ASSERT_TRUE(Pump(hashed, out).ok());
  EXPECT_EQ(out.data(), data);
  EXPECT_EQ(hashed.hex(), Sha256Hex(data));
  EXPECT_EQ(hashed.bytes(), data.size());
}

}  // namespace
}  // namespace sbrgate
