// Fuzzes the CLNTCOMM wire parser (pipeline/clntcomm/wire) on both sides:
// the requests the simulator reads (ReadListRequest, ReadGetRequest) and the
// responses the gateway streams (ResponseReader, every entry to the end).
// Each reader refuses another's root at once, so one input feeds all three.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/byte_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sbrgate::clntcomm::ResponseReader;
  const absl::string_view xml(reinterpret_cast<const char*>(data), size);
  sbrgate::clntcomm::ReadListRequest(xml).IgnoreError();
  sbrgate::clntcomm::ReadGetRequest(xml).IgnoreError();
  absl::StatusOr<std::unique_ptr<ResponseReader>> reader =
      ResponseReader::Open(std::make_unique<sbrgate::StringSource>(std::string(xml)), "fuzz.xml");
  if (!reader.ok()) return 0;
  for (;;) {
    absl::StatusOr<std::optional<sbrgate::clntcomm::ResponseEntry>> entry = (*reader)->Next();
    if (!entry.ok() || !entry->has_value()) break;
  }
  return 0;
}
