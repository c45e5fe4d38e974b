// ValidateLodgment: runs a whole lodgment file through LodgmentReader and
// collects what a DSP can check before sending it: every FieldError (schema,
// check digits, dates, amounts, InteractionRecordCt), the employer's details
// and which DocumentIDs are in error. Memory grows with the number of errors,
// not with the size of the file.
//
//   absl::StatusOr<ValidationReport> report =
//       ValidateLodgment(*FileSource::Open(path), path);
//   if (!report.ok()) ...              // schemas missing or file unreadable
//   if (!report->valid) for (const FieldError& e : report->errors) ...
//
// A structural problem (not well-formed, missing Record_Delimiter, ...) is
// not a failed status: it ends the report with `fatal` set and its error
// last in `errors`, since it is a fact about the file like any other error.
#ifndef SBRGATE_PIPELINE_PAYEVNT_VALIDATOR_H_
#define SBRGATE_PIPELINE_PAYEVNT_VALIDATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "pipeline/stp/payevnt/record.h"

namespace sbrgate::payevnt {

struct ValidationReport {
  // No fatal problem, the employer record is free of errors and so is every
  // employee record.
  bool valid = false;
  bool has_employer = false;
  EmployerRecord employer;
  int64_t employees = 0;          // PAYEVNTEMP records read
  int64_t invalid_employees = 0;  // of which with at least one error
  // In file order; the InteractionRecordCt check and a fatal problem last.
  std::vector<FieldError> errors;
  // Each DocumentID with an error, once, in file order (the parent's too).
  std::vector<std::string> invalid_document_ids;
  std::optional<FieldError> fatal;
  bool bare_sequence = false;
  uint64_t bytes = 0;
};

absl::StatusOr<ValidationReport> ValidateLodgment(
    std::unique_ptr<ByteSource> source, absl::string_view name,
    LodgmentReaderOptions options = LodgmentReaderOptions());

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_PAYEVNT_VALIDATOR_H_
