// Fuzzes the ebMS3 envelope reader (ebms::ReadEnvelope, which runs
// ebms::Inspect) on what SBR, or anyone answering in its place, sends back.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "pipeline/sbr/ebms/envelope_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sbrgate::ebms::ReadEnvelope(absl::string_view(reinterpret_cast<const char*>(data), size),
                              "fuzz.xml")
      .IgnoreError();
  return 0;
}
