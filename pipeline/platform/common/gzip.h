// Streaming gzip (RFC 1952) on zlib: GzipSink compresses what is written to
// it into another ByteSink; GunzipSource decompresses another ByteSource.
// SBR carries every business document as one gzip-compressed attachment, and
// lodgments reach gigabytes, so neither side ever holds a whole stream.
//
//   // Compress a lodgment into a spool file (the GzipSink owns the file):
//   absl::StatusOr<std::unique_ptr<FileSink>> file =
//       FileSink::Create("/spool/lodgment.xml.gz");
//   if (!file.ok()) return file.status();
//   GzipSink gz(*std::move(file));
//   if (auto n = Pump(*source, gz); !n.ok()) return n.status();
//   if (absl::Status s = gz.Close(); !s.ok()) return s;  // trailer, then file
//
//   // Decompress a received attachment, refusing more than 8 GiB of output:
//   GunzipSource plain(std::move(attachment), GunzipOptions{uint64_t{8} << 30});
//   absl::StatusOr<size_t> n = plain.Read(buf, sizeof buf);
//
// Ownership: both classes either own the stream they wrap (constructed from a
// std::unique_ptr) or borrow it (constructed from a reference, which must
// outlive them). Close() of a GzipSink finishes the gzip stream and then
// closes the downstream sink only when it owns it; a borrowed sink stays open
// for its owner to close.
//
// Errors: corrupt or truncated gzip input is InvalidArgument "gzip: ...";
// output beyond GunzipOptions::max_output_bytes is ResourceExhausted.
#ifndef SBRGATE_PIPELINE_COMMON_GZIP_H_
#define SBRGATE_PIPELINE_COMMON_GZIP_H_

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate {

class GzipSink : public ByteSink {
 public:
  // `level` is a zlib level: 0 (store) to 9 (smallest), or Z_DEFAULT_COMPRESSION.
  explicit GzipSink(std::unique_ptr<ByteSink> out, int level = Z_DEFAULT_COMPRESSION);
  explicit GzipSink(ByteSink& out, int level = Z_DEFAULT_COMPRESSION);
  ~GzipSink() override;
  GzipSink(const GzipSink&) = delete;
  GzipSink& operator=(const GzipSink&) = delete;

  absl::Status Write(absl::string_view bytes) override;
  // Writes the gzip trailer; closes the downstream sink if owned. Idempotent.
  absl::Status Close() override;

  uint64_t bytes_in() const { return bytes_in_; }    // uncompressed
  uint64_t bytes_out() const { return bytes_out_; }  // compressed

 private:
  // Runs deflate with `flush` until all pending input is consumed.
  absl::Status Deflate(int flush);

  std::unique_ptr<ByteSink> owned_;
  ByteSink* out_;
  z_stream z_{};
  absl::Status status_;  // sticky: the first error, or "not initialised"
  bool closed_ = false;
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
  std::unique_ptr<char[]> buf_;  // 64 KiB, not zero-filled
};

// The most any business document SBR carries (a lodgment pushed, a response
// pulled) may decompress to: a 200,000-employee pay event is about 2.5 GB,
// and a gzip bomb of a few megabytes would otherwise expand to terabytes.
inline constexpr uint64_t kMaxBusinessDocumentBytes = uint64_t{16} << 30;

struct GunzipOptions {
  // Decompression-bomb guard: producing more than this many bytes fails with
  // ResourceExhausted. Unset means no limit.
  std::optional<uint64_t> max_output_bytes;
};

// Decompresses a gzip stream; several concatenated gzip members (as
// `cat a.gz b.gz` makes) decompress to the concatenation, as with gunzip.
// Data after the last member that is not another gzip member is an error.
class GunzipSource : public ByteSource {
 public:
  explicit GunzipSource(std::unique_ptr<ByteSource> in, GunzipOptions options = {});
  explicit GunzipSource(ByteSource& in, GunzipOptions options = {});
  ~GunzipSource() override;
  GunzipSource(const GunzipSource&) = delete;
  GunzipSource& operator=(const GunzipSource&) = delete;

  absl::StatusOr<size_t> Read(char* buf, size_t n) override;

  uint64_t bytes_in() const { return bytes_in_; }    // compressed, consumed so far
  uint64_t bytes_out() const { return bytes_out_; }  // decompressed

 private:
  // Refills the input buffer; sets in_eof_ at the end of the input.
  absl::Status Refill();

  std::unique_ptr<ByteSource> owned_;
  ByteSource* in_;
  GunzipOptions options_;
  z_stream z_{};
  absl::Status status_;       // sticky
  bool member_done_ = false;  // the last inflate() reached the end of a member
  bool in_eof_ = false;
  bool done_ = false;
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
  std::unique_ptr<char[]> buf_;  // 64 KiB, not zero-filled
};

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_COMMON_GZIP_H_
