#include "pipeline/platform/common/gzip.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"

namespace sbrgate {
namespace {

// gzip wrapper (not zlib or raw deflate): RFC 1952 header and CRC-32 trailer.
constexpr int kGzipWindowBits = 16 + MAX_WBITS;
// Each buffer is written before it is read, so none is zero-filled: a
// lodgment makes several of them, and 64 KiB of zeros apiece showed up in
// its profile.
constexpr size_t kBufferSize = 64 << 10;

std::string ZlibMessage(const z_stream& z, int rc) {
  if (z.msg != nullptr) return z.msg;
  return absl::StrCat("zlib error ", rc);
}

}  // namespace

GzipSink::GzipSink(std::unique_ptr<ByteSink> out, int level) : GzipSink(*out, level) {
  owned_ = std::move(out);
}

GzipSink::GzipSink(ByteSink& out, int level) : out_(&out), buf_(new char[kBufferSize]) {
  const int rc =
      deflateInit2(&z_, level, Z_DEFLATED, kGzipWindowBits, /*memLevel=*/8, Z_DEFAULT_STRATEGY);
  if (rc != Z_OK) {
    status_ = absl::InternalError(absl::StrCat("gzip: deflateInit2 failed: ", ZlibMessage(z_, rc)));
    closed_ = true;
  }
}

GzipSink::~GzipSink() { deflateEnd(&z_); }

absl::Status GzipSink::Deflate(int flush) {
  for (;;) {
    z_.next_out = reinterpret_cast<Bytef*>(buf_.get());
    z_.avail_out = static_cast<uInt>(kBufferSize);
    const int rc = deflate(&z_, flush);
    if (rc == Z_STREAM_ERROR) {
      return absl::InternalError(absl::StrCat("gzip: deflate failed: ", ZlibMessage(z_, rc)));
    }
    const size_t have = kBufferSize - z_.avail_out;
    if (have > 0) {
      if (absl::Status s = out_->Write(absl::string_view(buf_.get(), have)); !s.ok()) return s;
      bytes_out_ += have;
    }
    if (flush == Z_FINISH ? rc == Z_STREAM_END : z_.avail_out != 0) return absl::OkStatus();
  }
}

absl::Status GzipSink::Write(absl::string_view bytes) {
  if (!status_.ok()) return status_;
  if (closed_) return absl::FailedPreconditionError("gzip: write after Close()");
  while (!bytes.empty()) {
    const size_t take = std::min<size_t>(bytes.size(), UINT_MAX);
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z_.avail_in = static_cast<uInt>(take);
    status_ = Deflate(Z_NO_FLUSH);
    if (!status_.ok()) return status_;
    bytes_in_ += take;
    bytes.remove_prefix(take);
  }
  return absl::OkStatus();
}

absl::Status GzipSink::Close() {
  if (!status_.ok()) return status_;
  if (closed_) return absl::OkStatus();
  closed_ = true;
  z_.next_in = nullptr;
  z_.avail_in = 0;
  status_ = Deflate(Z_FINISH);
  if (!status_.ok()) return status_;
  if (owned_ != nullptr) status_ = owned_->Close();
  return status_;
}

GunzipSource::GunzipSource(std::unique_ptr<ByteSource> in, GunzipOptions options)
    : GunzipSource(*in, options) {
  owned_ = std::move(in);
}

GunzipSource::GunzipSource(ByteSource& in, GunzipOptions options)
    : in_(&in), options_(options), buf_(new char[kBufferSize]) {
  const int rc = inflateInit2(&z_, kGzipWindowBits);
  if (rc != Z_OK) {
    status_ = absl::InternalError(absl::StrCat("gzip: inflateInit2 failed: ", ZlibMessage(z_, rc)));
  }
}

GunzipSource::~GunzipSource() { inflateEnd(&z_); }

absl::Status GunzipSource::Refill() {
  absl::StatusOr<size_t> got = in_->Read(buf_.get(), kBufferSize);
  if (!got.ok()) return got.status();
  if (*got == 0) in_eof_ = true;
  z_.next_in = reinterpret_cast<Bytef*>(buf_.get());
  z_.avail_in = static_cast<uInt>(*got);
  bytes_in_ += *got;
  return absl::OkStatus();
}

absl::StatusOr<size_t> GunzipSource::Read(char* buf, size_t n) {
  if (!status_.ok()) return status_;
  if (done_ || n == 0) return 0;
  size_t want = std::min<size_t>(n, UINT_MAX);
  if (options_.max_output_bytes) {
    // One byte past the limit is enough to tell "exactly at the limit" from
    // "over it" without inflating a bomb any further.
    const uint64_t room =
        *options_.max_output_bytes - std::min(bytes_out_, *options_.max_output_bytes);
    want = static_cast<size_t>(std::min<uint64_t>(want, room + 1));
  }
  z_.next_out = reinterpret_cast<Bytef*>(buf);
  z_.avail_out = static_cast<uInt>(want);
  while (z_.avail_out == want) {
    if (z_.avail_in == 0 && !in_eof_) {
      if (status_ = Refill(); !status_.ok()) return status_;
      continue;
    }
    if (member_done_) {
      if (z_.avail_in == 0) {  // and in_eof_: a clean end after a whole member
        done_ = true;
        return 0;
      }
      inflateReset(&z_);
      member_done_ = false;
    }
    if (z_.avail_in == 0) {
      status_ = absl::InvalidArgumentError(absl::StrCat(
          "gzip: truncated stream: input ended after ", bytes_in_, " bytes inside a gzip member"));
      return status_;
    }
    const int rc = inflate(&z_, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      member_done_ = true;
    } else if (rc == Z_MEM_ERROR) {
      status_ = absl::ResourceExhaustedError("gzip: out of memory");
      return status_;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("gzip: corrupt data at or before compressed byte ", bytes_in_ - z_.avail_in,
                       ": ", ZlibMessage(z_, rc)));
      return status_;
    }
  }
  const size_t produced = want - z_.avail_out;
  bytes_out_ += produced;
  if (options_.max_output_bytes && bytes_out_ > *options_.max_output_bytes) {
    status_ = absl::ResourceExhaustedError(
        absl::StrCat("gzip: decompressed data exceeds the limit of ", *options_.max_output_bytes,
                     " bytes (possible decompression bomb)"));
    return status_;
  }
  return produced;
}

}  // namespace sbrgate
