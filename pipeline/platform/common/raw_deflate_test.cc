#include "pipeline/platform/common/raw_deflate.h"

#include <zlib.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sbrgate {
namespace {

// zlib's inflate of `in` (`window_bits` as inflateInit2 takes them), or
// nullopt when it does not end exactly where `in` does.
std::optional<std::string> ZlibInflate(const std::string& in, int window_bits) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, window_bits), Z_OK);
  std::string out;
  char buf[1 << 16];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  const bool whole = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return out;
}

// A raw deflate stream, which must end with a final block.
std::string Inflate(const std::string& compressed) {
  std::optional<std::string> out = ZlibInflate(compressed, -MAX_WBITS);
  EXPECT_TRUE(out.has_value());
  return out.value_or("");
}

// A whole gzip member: zlib checks the header and the trailer's CRC and
// length. Empty when zlib refuses it.
std::string Gunzip(const std::string& member) {
  return ZlibInflate(member, 16 + MAX_WBITS).value_or("");
}

std::string Records(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    absl::StrAppend(&text, "<Record_Delimiter DocumentID=\"1.", i,
                    "\"/>\n<tns:PAYEVNTEMP><tns:GrossA>", i * 37 % 100000, "</tns:GrossA>",
                    "</tns:PAYEVNTEMP>\n");
  }
  return text;
}

TEST(RawDeflaterTest, WhatIsAddedInflatesBackWithZlib) {
  const std::string text = Records(20000);  // about 1.5 MB, many 64 KiB outputs
  std::string compressed;
  int calls = 0;
  RawDeflater d([&](absl::string_view bytes) {
    ++calls;
    EXPECT_LE(bytes.size(), 64u << 10);
    compressed.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  });
  for (size_t at = 0; at < text.size(); at += 1000) {
    ASSERT_TRUE(d.Add(absl::string_view(text).substr(at, 1000)).ok());
  }
  ASSERT_TRUE(d.Finish().ok());
  EXPECT_LT(compressed.size(), text.size() / 5);
  EXPECT_EQ(Inflate(compressed), text);
  EXPECT_GT(calls, 1);
}

// A payload is added a delimiter and a document at a time; ISA-L given such
// small pieces one by one compressed a small stream hardly at all (24 KB of
// pay-event XML to 15 KB; these 4 KB to 2.6 KB instead of 0.3 KB).
TEST(RawDeflaterTest, SmallPiecesCompressAsWellAsOneLargeOne) {
  const std::string text = Records(40);
  auto compressed_size = [&](size_t piece) {
    size_t size = 0;
    RawDeflater d([&](absl::string_view bytes) {
      size += bytes.size();
      return absl::OkStatus();
    });
    for (size_t at = 0; at < text.size(); at += piece) {
      EXPECT_TRUE(d.Add(absl::string_view(text).substr(at, piece)).ok());
    }
    EXPECT_TRUE(d.Finish().ok());
    return size;
  };
  const size_t whole = compressed_size(text.size());
  EXPECT_LT(whole, text.size() / 5);
  EXPECT_LE(compressed_size(50), whole + whole / 10);
  EXPECT_LE(compressed_size(150), whole + whole / 10);
}

TEST(RawDeflaterTest, AnEmptyStreamIsAFinalBlock) {
  std::string compressed;
  RawDeflater d([&](absl::string_view bytes) {
    compressed.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  });
  ASSERT_TRUE(d.Finish().ok());
  EXPECT_FALSE(compressed.empty());
  EXPECT_EQ(Inflate(compressed), "");
}

// The stream can follow deflate data of the caller's that ends on a byte
// boundary without a final block (zlib's Z_SYNC_FLUSH), as the ingest puts
// the employer's document in front of the employees'.
TEST(RawDeflaterTest, FollowsSyncFlushedDeflateData) {
  const std::string head = "<tns:PAYEVNT>employer</tns:PAYEVNT>\n";
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 3, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string compressed(deflateBound(&z, head.size()) + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(head.data()));
  z.avail_in = static_cast<uInt>(head.size());
  z.next_out = reinterpret_cast<Bytef*>(compressed.data());
  z.avail_out = static_cast<uInt>(compressed.size());
  ASSERT_EQ(deflate(&z, Z_SYNC_FLUSH), Z_OK);
  compressed.resize(compressed.size() - z.avail_out);
  deflateEnd(&z);

  const std::string body = Records(500);
  RawDeflater d([&](absl::string_view bytes) {
    compressed.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  });
  ASSERT_TRUE(d.Add(body).ok());
  ASSERT_TRUE(d.Finish().ok());
  EXPECT_EQ(Inflate(compressed), head + body);
}

TEST(RawDeflaterTest, TheGzipHeaderAndTrailerMakeAMemberZlibAccepts) {
  const std::string text = Records(300);
  std::string member(kGzipHeader);
  RawDeflater d([&](absl::string_view bytes) {
    member.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  });
  ASSERT_TRUE(d.Add(text).ok());
  ASSERT_TRUE(d.Finish().ok());
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
  EXPECT_EQ(Gunzip(member + GzipTrailer(crc, text.size())), text);
  EXPECT_EQ(Gunzip(member + GzipTrailer(crc + 1, text.size())), "");  // zlib checks the CRC
  EXPECT_EQ(Gunzip(member + GzipTrailer(crc, text.size() + 1)), "");  // and the length
}

TEST(RawDeflaterTest, TheCallbacksErrorStopsTheStream) {
  RawDeflater d([](absl::string_view) { return absl::DataLossError("spool: disk full"); });
  absl::Status s = d.Add(Records(20000));
  if (s.ok()) s = d.Finish();  // ISA-L may hold the first bytes until the end
  EXPECT_EQ(s, absl::DataLossError("spool: disk full"));
  EXPECT_EQ(d.Add("more").code(), absl::StatusCode::kFailedPrecondition);
}

TEST(RawDeflaterTest, NothingIsAddedAfterFinish) {
  RawDeflater d([](absl::string_view) { return absl::OkStatus(); });
  ASSERT_TRUE(d.Finish().ok());
  EXPECT_EQ(d.Add("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(d.Finish().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace sbrgate
