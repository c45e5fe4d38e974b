// RawDeflater: compresses into a raw deflate stream (RFC 1951: no header,
// no trailer) with Intel's ISA-L (igzip, level 1), for a payload compressed
// once on its way in and then sent as it is. On pay-event XML it runs about
// 3.4 times as fast as zlib's level 3, for output about a sixth larger (13:1
// against 15:1; bench/README.md, ingest_real_path.sh). The caller frames the
// stream (a gzip header, the CRC and the length) and may put deflate data of
// its own in front of it: the stream starts a new block.
//
//   RawDeflater deflater([&](absl::string_view compressed) { return spool.Append(compressed); });
//   for (...) if (absl::Status s = deflater.Add(text); !s.ok()) return s;
//   if (absl::Status s = deflater.Finish(); !s.ok()) return s;  // the final block
//
// Compressed bytes go to the callback as they are produced, at most 64 KiB
// at a time; an error it returns stops the stream and comes back from Add
// or Finish.
//
// kGzipHeader and GzipTrailer frame such a stream as one gzip member
// (RFC 1952): write the header, the deflate data, then the trailer of the
// CRC-32 and the length of what was compressed.
#ifndef SBRGATE_PIPELINE_PLATFORM_COMMON_RAW_DEFLATE_H_
#define SBRGATE_PIPELINE_PLATFORM_COMMON_RAW_DEFLATE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sbrgate {

class RawDeflater {
 public:
  using Emit = std::function<absl::Status(absl::string_view compressed)>;

  explicit RawDeflater(Emit emit);
  ~RawDeflater();
  RawDeflater(const RawDeflater&) = delete;
  RawDeflater& operator=(const RawDeflater&) = delete;

  absl::Status Add(absl::string_view in);
  // Ends the stream with its final block. Nothing may be added after.
  absl::Status Finish();

 private:
  struct Stream;  // ISA-L's state, kept out of this header

  static constexpr size_t kPiece = 16 << 10;     // the least given to ISA-L at once
  static constexpr size_t kOutBytes = 64 << 10;  // ISA-L's output, per call

  absl::Status Run(absl::string_view in, bool last);

  Emit emit_;
  std::unique_ptr<Stream> stream_;
  std::string pending_;          // added, not yet given to ISA-L
  std::unique_ptr<char[]> out_;  // kOutBytes
  bool finished_ = false;
};

// Magic, deflate, no flags, no time, no extra flags, Unix.
inline constexpr absl::string_view kGzipHeader("\x1f\x8b\x08\0\0\0\0\0\0\x03", 10);

// The CRC-32 and the length (modulo 2^32) of the uncompressed data,
// little-endian.
std::string GzipTrailer(uint32_t crc, uint64_t length);

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_PLATFORM_COMMON_RAW_DEFLATE_H_
