// Fuzzes the PAYEVNT reader (payevnt::LodgmentReader over xml::RecordReader)
// as the gateway's ingest uses it on an upload: records kept as text, each
// checked record's text taken on the checker's thread, every record read to
// the end or to the structural error that stops the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"

namespace {

sbrgate::payevnt::LodgmentSchemas* schemas = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Compiled once, as the gateway does: schema loading is not under test.
  absl::StatusOr<sbrgate::payevnt::LodgmentSchemas> loaded =
      sbrgate::payevnt::LoadLodgmentSchemas();
  if (!loaded.ok()) std::abort();
  schemas = new sbrgate::payevnt::LodgmentSchemas(*std::move(loaded));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sbrgate::payevnt::LodgmentReader;
  sbrgate::payevnt::LodgmentReaderOptions options;
  options.schemas = *schemas;
  options.keep_document_text = true;
  size_t kept_bytes = 0;  // read only by the checker's thread until the reader is gone
  options.on_checked = [&kept_bytes](sbrgate::payevnt::Record& record) {
    kept_bytes += record.text.ToString().size();
  };
  auto source = std::make_unique<sbrgate::StringSource>(
      std::string(reinterpret_cast<const char*>(data), size));
  absl::StatusOr<std::unique_ptr<LodgmentReader>> reader =
      LodgmentReader::Open(std::move(source), "fuzz.xml", options);
  if (!reader.ok()) return 0;
  for (;;) {
    absl::StatusOr<std::optional<sbrgate::payevnt::Record>> record = (*reader)->Next();
    if (!record.ok() || !record->has_value()) break;
  }
  return 0;
}
