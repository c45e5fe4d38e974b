// Fuzzes the multipart (SOAP with Attachments) reader, mime::MultipartReader,
// on a Content-Type header and a body (split as http_input.h says), with the
// default limits the SBR client and the simulator use, but reading the body
// a few bytes at a time; attachments stream into sinks that only count.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz/http_input.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/testing/test_streams.h"
#include "pipeline/platform/mime/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sbrgate::fuzz::HttpInput input = sbrgate::fuzz::SplitHttpInput(data, size);
  sbrgate::StringSource body(std::move(input.body));
  sbrgate::mime::MultipartReaderOptions options;
  // Small reads, so that delimiters and headers straddle reads as they do
  // in a large body read 64 KiB at a time.
  options.read_chunk_bytes = 7;
  sbrgate::mime::MultipartReader(options)
      .Read(input.content_type, body,
            [](const sbrgate::mime::PartHeaders&)
                -> absl::StatusOr<std::unique_ptr<sbrgate::ByteSink>> {
              return std::make_unique<sbrgate::testing::CountingSink>();
            })
      .IgnoreError();
  return 0;
}
