#include "pipeline/platform/common/uuid.h"

#include <cstdint>
#include <string>

#include "absl/random/random.h"

namespace sbrgate {

std::string NewUuid() {
  // OpenSSL's generator (RAND_bytes) cost some 13 us a call in the daemon,
  // much of it its lock and its fork check (a getpid a call), and a
  // lodgment makes several ids.
  thread_local absl::BitGen gen;
  unsigned char b[16];
  for (int half = 0; half < 2; ++half) {
    const uint64_t bits = absl::Uniform<uint64_t>(gen);
    for (int i = 0; i < 8; ++i) b[half * 8 + i] = static_cast<unsigned char>(bits >> (8 * i));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

}  // namespace sbrgate
