// Fuzzes the event.02 reader (event02::ResponseReader), which the triage
// stage streams SBR's business responses through, item by item to the end.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sbr/event02/event02.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sbrgate::event02::ResponseReader;
  auto source = std::make_unique<sbrgate::StringSource>(
      std::string(reinterpret_cast<const char*>(data), size));
  absl::StatusOr<std::unique_ptr<ResponseReader>> reader =
      ResponseReader::Open(std::move(source), "fuzz.xml");
  if (!reader.ok()) return 0;
  for (;;) {
    absl::StatusOr<std::optional<sbrgate::event02::EventItem>> item = (*reader)->Next();
    if (!item.ok() || !item->has_value()) break;
    sbrgate::event02::SubstituteParameters((*item)->detailed_description, (*item)->parameters);
  }
  return 0;
}
