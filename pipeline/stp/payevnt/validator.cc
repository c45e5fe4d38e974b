#include "pipeline/stp/payevnt/validator.h"

#include <algorithm>
#include <utility>

namespace sbrgate::payevnt {

absl::StatusOr<ValidationReport> ValidateLodgment(std::unique_ptr<ByteSource> source,
                                                  absl::string_view name,
                                                  LodgmentReaderOptions options) {
  absl::StatusOr<std::unique_ptr<LodgmentReader>> reader =
      LodgmentReader::Open(std::move(source), name, std::move(options));
  if (!reader.ok()) return reader.status();
  ValidationReport report;
  // Record DocumentIDs are unique (a duplicate is fatal), so only the final
  // and fatal errors can name an ID already listed.
  auto mark_invalid = [&report](const std::string& id) {
    if (id.empty() ||
        std::find(report.invalid_document_ids.begin(), report.invalid_document_ids.end(), id) !=
            report.invalid_document_ids.end()) {
      return;
    }
    report.invalid_document_ids.push_back(id);
  };
  for (;;) {
    absl::StatusOr<std::optional<Record>> record = (*reader)->Next();
    if (!record.ok() || !record->has_value()) break;
    for (FieldError& e : (*record)->errors) report.errors.push_back(std::move(e));
    if (!(*record)->errors.empty()) report.invalid_document_ids.push_back((*record)->document_id);
  }
  const LodgmentSummary& summary = (*reader)->summary();
  for (const FieldError& e : summary.final_errors) {
    report.errors.push_back(e);
    mark_invalid(e.document_id);
  }
  if (summary.fatal.has_value()) {
    report.fatal = summary.fatal;
    report.errors.push_back(*summary.fatal);
    mark_invalid(summary.fatal->document_id);
  }
  report.has_employer = summary.has_employer;
  report.employer = summary.employer;
  report.employees = summary.employees;
  report.invalid_employees = summary.employees_with_errors;
  report.bare_sequence = summary.bare_sequence;
  report.bytes = summary.bytes_read;
  report.valid = summary.finished && !summary.fatal.has_value() && summary.has_employer &&
                 !summary.employer_has_errors && summary.employees_with_errors == 0;
  return report;
}

}  // namespace sbrgate::payevnt
