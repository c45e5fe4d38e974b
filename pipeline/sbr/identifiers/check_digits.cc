#include "pipeline/sbr/identifiers/check_digits.h"

#include <array>

namespace sbrgate::identifiers {
namespace {

constexpr std::array<int, 11> kAbnWeights = {10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19};
constexpr std::array<int, 9> kTfn9Weights = {1, 4, 3, 7, 5, 8, 6, 9, 10};
constexpr std::array<int, 8> kTfn8Weights = {10, 7, 8, 4, 6, 3, 5, 1};

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

template <size_t N>
int WeightedSum(absl::string_view digits, const std::array<int, N>& weights) {
  int sum = 0;
  for (size_t i = 0; i < N; ++i) sum += (digits[i] - '0') * weights[i];
  return sum;
}

// SplitMix64: a fixed, portable mixing function, so a seed gives the same
// number on every platform (std distributions are implementation-defined).
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// `count` pseudo-random digits from `seed`, the first in [first_lo, first_hi].
std::string SeededDigits(uint64_t seed, int count, int first_lo, int first_hi) {
  std::string out;
  uint64_t state = Mix(seed);
  for (int i = 0; i < count; ++i) {
    state = Mix(state);
    const int range = i == 0 ? first_hi - first_lo + 1 : 10;
    const int base = i == 0 ? first_lo : 0;
    out.push_back(static_cast<char>('0' + base + static_cast<int>(state % range)));
  }
  return out;
}

// Completes `body` (all digits but the last) with the digit that makes the
// weighted sum divisible by 11; when no digit can (the remainder needs a
// "10"), bumps the second-last digit, which moves the remainder, and retries.
std::string CompleteTfn(std::string body, const int* weights, size_t n) {
  for (;;) {
    int sum = 0;
    for (size_t i = 0; i + 1 < n; ++i) sum += (body[i] - '0') * weights[i];
    const int last_weight = weights[n - 1];
    for (int d = 0; d <= 9; ++d) {
      if ((sum + d * last_weight) % 11 == 0) {
        body.push_back(static_cast<char>('0' + d));
        return body;
      }
    }
    char& bump = body[n - 2];
    bump = bump == '9' ? '0' : static_cast<char>(bump + 1);
  }
}

}  // namespace

bool IsValidAbn(absl::string_view abn) {
  if (abn.size() != 11 || !AllDigits(abn) || abn[0] == '0') return false;
  int sum = WeightedSum(abn, kAbnWeights) - kAbnWeights[0];  // first digit minus 1
  return sum % 89 == 0;
}

bool IsValidTfn(absl::string_view tfn) {
  if (!AllDigits(tfn)) return false;
  if (tfn.size() == 9) return WeightedSum(tfn, kTfn9Weights) % 11 == 0;
  if (tfn.size() == 8) return WeightedSum(tfn, kTfn8Weights) % 11 == 0;
  return false;
}

bool IsTfnExemptionCode(absl::string_view tfn) {
  return tfn == "000000000" || tfn == "111111111" || tfn == "333333333" || tfn == "444444444";
}

std::string MakeValidAbn(uint64_t seed) {
  // The nine trailing digits are free; the leading two are the check: with
  // c = 10 * (d1 - 1) + d2 the weighted sum is c + S, so c = -S mod 89,
  // which is always in 0..88, giving d1 in 1..9.
  const std::string tail = SeededDigits(seed, 9, 0, 9);
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (tail[i] - '0') * kAbnWeights[i + 2];
  const int c = (89 - sum % 89) % 89;
  std::string abn;
  abn.push_back(static_cast<char>('0' + c / 10 + 1));
  abn.push_back(static_cast<char>('0' + c % 10));
  return abn + tail;
}

std::string MakeValidTfn(uint64_t seed) {
  return CompleteTfn(SeededDigits(seed, 8, 1, 7), kTfn9Weights.data(), kTfn9Weights.size());
}

std::string MakeValidTfn8(uint64_t seed) {
  return CompleteTfn(SeededDigits(seed, 7, 1, 7), kTfn8Weights.data(), kTfn8Weights.size());
}

std::string BreakAbnCheckDigit(absl::string_view abn, uint64_t seed) {
  // Changing the last digit by delta in 1..9 changes the sum by 19 * delta,
  // never a multiple of 89.
  std::string out(abn);
  const int delta = 1 + static_cast<int>(Mix(seed) % 9);
  out.back() = static_cast<char>('0' + (out.back() - '0' + delta) % 10);
  return out;
}

std::string MakeInvalidAbn(uint64_t seed) { return BreakAbnCheckDigit(MakeValidAbn(seed), seed); }

std::string MakeInvalidTfn(uint64_t seed) {
  // The last weight is 10 (= -1 mod 11): changing the last digit by delta in
  // 1..9 changes the sum by -delta or -delta-1 mod 11, never 0. A result
  // that happens to be an exemption code (which STP accepts) is skipped.
  const std::string valid = MakeValidTfn(seed);
  const int first = static_cast<int>(Mix(seed ^ 0x5bd1e995) % 9);
  for (int k = 0;; ++k) {
    const int delta = 1 + (first + k) % 9;
    std::string tfn = valid;
    tfn.back() = static_cast<char>('0' + (tfn.back() - '0' + delta) % 10);
    if (!IsTfnExemptionCode(tfn)) return tfn;
  }
}

}  // namespace sbrgate::identifiers
