// What the SBR2 simulator does with a received pay event once the receipt
// has gone back: channel validation of the employer and every employee with
// the same rules sbrgate applies before lodging (pipeline/stp/payevnt), the
// ATO-side check a DSP cannot run itself on the employer (the ABN register,
// payevnt/abn_register.h), then seed 002's partial-acceptance rule:
//
//   employer invalid                          -> Error
//   employer valid, no employee valid         -> Error
//   employer valid, some employees rejected   -> Partial (each rejected
//                                                employee named by DocumentID)
//   everything valid                          -> Information (Warning when
//                                                only warnings were raised)
//   injected fault                            -> SystemError
//
// Only channel validation rejects employee records. The backend matches each
// valid employee record of a lodgment that is not rejected against the TFN
// register (payevnt/tfn_register.h), and seed 002 has matching failures
// "posted against the employer record" as correspondence to the employer,
// not returned as rejections: they are no items of the response and leave its
// severity alone. The outcome lists them (TFNs masked) for
// MatchingFailureNotice, the correspondence the back office posts.
//
// The outcome is written as an event.02 business response (streamed: a
// lodgment can name 200,000 rejected records).
//
//   absl::StatusOr<ProcessingOutcome> o =
//       ProcessPayEvent(payload_gzip, response_sink, item_spool_path, ProcessingOptions{});
//   if (!o->matching_failures.empty())
//     corpus.Post(MatchingFailureNotice(message_id, *o, clock.Now()));
#ifndef SBRGATE_PIPELINE_SIM_LODGMENT_PROCESSOR_H_
#define SBRGATE_PIPELINE_SIM_LODGMENT_PROCESSOR_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/stored_bytes.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/event02/event02.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"
#include "proto/communications.pb.h"

namespace sbrgate::sim {

struct ProcessingOptions {
  bool system_error = false;  // answer SystemError (fault injection)
  // The push's From party, which must be the payer or the intermediary its
  // PAYEVNT names (payevnt::MaySend); unset: not checked.
  std::optional<ebms::Party> sender;
  uint64_t max_uncompressed_bytes = kMaxBusinessDocumentBytes;
  // Bumped once per employee record read, for progress reporting.
  std::atomic<int64_t>* employees_seen = nullptr;
};

// A valid employee record whose TFN is registered under another family name.
struct MatchingFailure {
  std::string document_id;
  std::string payroll_id;
  std::string family_name;  // as lodged
  std::string tfn_masked;   // "******782": the TFN itself stays in the payload
};

struct ProcessingOutcome {
  event02::Severity maximum = event02::Severity::kInformation;
  int64_t employees = 0;
  int64_t rejected_employees = 0;
  std::vector<std::string> rejected_document_ids;  // in file order
  bool employer_rejected = false;
  int64_t items = 0;  // EventItems written
  // The employer: its ABN, or its WPN when it has no ABN; and its name.
  v1::ClientId payer;
  std::string payer_name;
  // In file order; none when the lodgment is rejected (Error, SystemError).
  std::vector<MatchingFailure> matching_failures;
};

// Reads the gzip-compressed payload `payload_gzip` and writes the
// event.02 response to `response` (which it does not Close()). The response's
// items, if any, wait in a working file at `item_spool_path` until the
// severity that comes first is known. A payload that cannot be read at all
// (not gzip, not XML, no employer) is itself an Error outcome, not a failed
// call: the DSP gets told. Errors returned are the simulator's own (I/O).
absl::StatusOr<ProcessingOutcome> ProcessPayEvent(const StoredBytes& payload_gzip,
                                                  ByteSink& response,
                                                  const std::string& item_spool_path,
                                                  const ProcessingOptions& options);

// The correspondence to the employer about `outcome`'s matching failures,
// for the pay event pushed as `message_id` and processed at `processed_at`:
// filed under the payer as client, sent that day, and listing each failed
// record (DocumentID, payroll id, family name, masked TFN) and the MessageId.
Correspondence MatchingFailureNotice(absl::string_view message_id, const ProcessingOutcome& outcome,
                                     absl::Time processed_at);

// Its document id: from the MessageId alone, so that a message processed
// again (a restart while it was processed) posts nothing new.
std::string MatchingFailureDocumentId(absl::string_view message_id);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_LODGMENT_PROCESSOR_H_
