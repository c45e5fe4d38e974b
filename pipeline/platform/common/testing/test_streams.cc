#include "pipeline/platform/common/testing/test_streams.h"

#include <sys/resource.h>

#include <cstring>

namespace sbrgate::testing {

PseudoRandomSource::PseudoRandomSource(uint64_t size, uint64_t seed)
    : left_(size), state_(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}

absl::StatusOr<size_t> PseudoRandomSource::Read(char* buf, size_t n) {
  const size_t take = n < left_ ? n : static_cast<size_t>(left_);
  // xorshift64*, one 8-byte word per step, consumed byte by byte in order,
  // so the sequence does not depend on how reads are sized.
  for (size_t i = 0; i < take; ++i, ++pos_) {
    if (pos_ % 8 == 0) {
      state_ ^= state_ >> 12;
      state_ ^= state_ << 25;
      state_ ^= state_ >> 27;
      word_ = state_ * 0x2545F4914F6CDD1Dull;
    }
    buf[i] = static_cast<char>(word_ >> (8 * (pos_ % 8)));
  }
  left_ -= take;
  return take;
}

std::string PseudoRandomBytes(size_t size, uint64_t seed) {
  PseudoRandomSource src(size, seed);
  std::string out(size, '\0');
  size_t at = 0;
  while (at < size) at += *src.Read(out.data() + at, size - at);
  return out;
}

uint64_t PeakRssBytes() {
  struct rusage ru;
  std::memset(&ru, 0, sizeof ru);
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace sbrgate::testing
