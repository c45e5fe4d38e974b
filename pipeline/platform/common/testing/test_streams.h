// Test doubles for ByteSource/ByteSink code: large deterministic payloads
// that are never held in memory, reads cut into awkward sizes, and a sink
// that only counts.
//
//   PseudoRandomSource body(50 << 20, /*seed=*/7);   // 50 MiB, same bytes each run
//   ChunkedSource awkward(body, /*max_chunk=*/1);    // one byte per Read
//   CountingSink sink;
//   Pump(awkward, sink);                             // sink.bytes() == 50 << 20
#ifndef SBRGATE_PIPELINE_COMMON_TESTING_TEST_STREAMS_H_
#define SBRGATE_PIPELINE_COMMON_TESTING_TEST_STREAMS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::testing {

// `size` bytes of a fixed pseudo-random sequence determined by `seed`.
class PseudoRandomSource : public ByteSource {
 public:
  PseudoRandomSource(uint64_t size, uint64_t seed);
  absl::StatusOr<size_t> Read(char* buf, size_t n) override;

 private:
  uint64_t left_;
  uint64_t pos_ = 0;
  uint64_t state_;
  uint64_t word_ = 0;
};

// The first `size` bytes PseudoRandomSource(size, seed) gives, in memory.
std::string PseudoRandomBytes(size_t size, uint64_t seed);

// Reads from `in` no more than `max_chunk` bytes at a time, so that parsers
// meet every token split across reads.
class ChunkedSource : public ByteSource {
 public:
  ChunkedSource(ByteSource& in, size_t max_chunk) : in_(in), max_chunk_(max_chunk) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    return in_.Read(buf, n < max_chunk_ ? n : max_chunk_);
  }

 private:
  ByteSource& in_;
  size_t max_chunk_;
};

// Discards what it is given and counts it; records whether Close() was called.
class CountingSink : public ByteSink {
 public:
  absl::Status Write(absl::string_view bytes) override {
    bytes_ += bytes.size();
    return absl::OkStatus();
  }
  absl::Status Close() override {
    closed_ = true;
    return absl::OkStatus();
  }
  uint64_t bytes() const { return bytes_; }
  bool closed() const { return closed_; }

 private:
  uint64_t bytes_ = 0;
  bool closed_ = false;
};

// Peak resident set size of this process so far, in bytes (getrusage).
uint64_t PeakRssBytes();

}  // namespace sbrgate::testing

#endif  // SBRGATE_PIPELINE_COMMON_TESTING_TEST_STREAMS_H_
