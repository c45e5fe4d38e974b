#include "pipeline/platform/common/raw_deflate.h"

#include <isa-l/igzip_lib.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace sbrgate {

// Nothing here is zero-filled: isal_deflate_init sets what ISA-L reads
// before writing, and it clears the hash table itself on the first block.
// Filling them (about 240 KiB in all) took more instructions than
// compressing a ten-employee pay event.
struct RawDeflater::Stream {
  isal_zstream z;
  // Level 1's hash table and a token buffer of 16K tokens: as fast, and as
  // small an output, as its default buffer of four times the tokens.
  std::unique_ptr<uint8_t[]> level_buffer{new uint8_t[ISAL_DEF_LVL1_SMALL]};
};

RawDeflater::RawDeflater(Emit emit)
    : emit_(std::move(emit)), stream_(new Stream), out_(new char[kOutBytes]) {
  isal_zstream& z = stream_->z;
  isal_deflate_init(&z);
  z.level = 1;
  z.level_buf = stream_->level_buffer.get();
  z.level_buf_size = ISAL_DEF_LVL1_SMALL;
  z.gzip_flag = IGZIP_DEFLATE;
  z.flush = NO_FLUSH;
}

RawDeflater::~RawDeflater() = default;

absl::Status RawDeflater::Add(absl::string_view in) {
  if (finished_) return absl::FailedPreconditionError("deflate: the stream is finished");
  // ISA-L compresses pieces of a few hundred bytes as if each stood almost
  // alone (1.6:1 on pay-event XML, against 7.5:1 in larger pieces), so small
  // pieces wait here for the next.
  if (pending_.empty() && in.size() >= kPiece) return Run(in, false);
  pending_.append(in.data(), in.size());
  if (pending_.size() < kPiece) return absl::OkStatus();
  absl::Status s = Run(pending_, false);
  pending_.clear();
  return s;
}

absl::Status RawDeflater::Finish() {
  if (finished_) return absl::FailedPreconditionError("deflate: the stream is finished");
  finished_ = true;
  return Run(pending_, true);
}

absl::Status RawDeflater::Run(absl::string_view in, bool last) {
  isal_zstream& z = stream_->z;
  z.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uint32_t>(in.size());
  z.end_of_stream = last ? 1 : 0;
  do {
    z.next_out = reinterpret_cast<uint8_t*>(out_.get());
    z.avail_out = static_cast<uint32_t>(kOutBytes);
    if (const int rc = isal_deflate(&z); rc != COMP_OK) {
      finished_ = true;
      return absl::InternalError(absl::StrCat("deflate: ISA-L failed (", rc, ")"));
    }
    const size_t produced = kOutBytes - z.avail_out;
    if (produced > 0) {
      if (absl::Status s = emit_(absl::string_view(out_.get(), produced)); !s.ok()) {
        finished_ = true;
        return s;
      }
    }
  } while (z.avail_in > 0 || z.avail_out == 0 || (last && z.internal_state.state != ZSTATE_END));
  return absl::OkStatus();
}

std::string GzipTrailer(uint32_t crc, uint64_t length) {
  const uint32_t size = static_cast<uint32_t>(length);  // modulo 2^32
  std::string trailer(8, '\0');
  for (int i = 0; i < 4; ++i) {
    trailer[i] = static_cast<char>((crc >> (8 * i)) & 0xff);
    trailer[4 + i] = static_cast<char>((size >> (8 * i)) & 0xff);
  }
  return trailer;
}

}  // namespace sbrgate
