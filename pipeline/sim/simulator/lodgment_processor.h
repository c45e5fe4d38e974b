// What the SBR2 simulator does with a received pay event once the receipt
// has gone back: channel validation of the employer and every employee with
// the same rules sbrgate applies before lodging (pipeline/stp/payevnt), the
// ATO-side checks a DSP cannot run itself (the ABN register for the employer,
// the TFN register for each employee: payevnt/abn_register.h and
// tfn_register.h), then seed 002's partial-acceptance rule:
//
//   employer invalid                          -> Error
//   employer valid, no employee valid         -> Error
//   employer valid, some employees rejected   -> Partial (each rejected
//                                                employee named by DocumentID)
//   everything valid                          -> Information (Warning when
//                                                only warnings were raised)
//   injected fault                            -> SystemError
//
// The outcome is written as an event.02 business response (streamed: a
// lodgment can name 200,000 rejected records).
//
//   absl::StatusOr<ProcessingOutcome> o =
//       ProcessPayEvent(gzip_path, response_path, ProcessingOptions{});
#ifndef SBRGATE_PIPELINE_SIM_LODGMENT_PROCESSOR_H_
#define SBRGATE_PIPELINE_SIM_LODGMENT_PROCESSOR_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/sbr/event02/event02.h"

namespace sbrgate::sim {

struct ProcessingOptions {
  bool system_error = false;  // answer SystemError (fault injection)
  uint64_t max_uncompressed_bytes = kMaxBusinessDocumentBytes;
  // Bumped once per employee record read, for progress reporting.
  std::atomic<int64_t>* employees_seen = nullptr;
};

struct ProcessingOutcome {
  event02::Severity maximum = event02::Severity::kInformation;
  int64_t employees = 0;
  int64_t rejected_employees = 0;
  std::vector<std::string> rejected_document_ids;  // in file order
  bool employer_rejected = false;
  int64_t items = 0;  // EventItems written
};

// Reads the gzip-compressed payload at `payload_gzip_path` and writes the
// event.02 response to `response_path`, a working file (not fsync'd: the
// back office keeps its compressed copy durably). A payload that cannot be read at all
// (not gzip, not XML, no employer) is itself an Error outcome, not a failed
// call: the DSP gets told. Errors returned are the simulator's own (I/O).
absl::StatusOr<ProcessingOutcome> ProcessPayEvent(const std::string& payload_gzip_path,
                                                  const std::string& response_path,
                                                  const ProcessingOptions& options);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_LODGMENT_PROCESSOR_H_
