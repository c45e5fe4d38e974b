// SplitHttpInput: how the fuzz targets that read an HTTP body with its
// Content-Type header (the multipart reader, the simulator's requests) take
// both from one input: the header value up to the first newline, then the
// body. The seed corpora (seed_corpus.cc) are written the same way.
#ifndef SBRGATE_FUZZ_HTTP_INPUT_H_
#define SBRGATE_FUZZ_HTTP_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace sbrgate::fuzz {

struct HttpInput {
  std::string content_type;
  std::string body;
};

// An input without a newline is all header, with an empty body.
inline HttpInput SplitHttpInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t newline = in.find('\n');
  if (newline == absl::string_view::npos) return {std::string(in), ""};
  return {std::string(in.substr(0, newline)), std::string(in.substr(newline + 1))};
}

// The inverse, for writing seeds.
inline std::string JoinHttpInput(absl::string_view content_type, absl::string_view body) {
  return std::string(content_type) + "\n" + std::string(body);
}

}  // namespace sbrgate::fuzz

#endif  // SBRGATE_FUZZ_HTTP_INPUT_H_
