#include "pipeline/stp/payevnt/error_catalogue.h"

#include <iterator>

namespace sbrgate::payevnt {
namespace {

constexpr CatalogueEntry kCatalogue[] = {
    {codes::kNotWellFormed, Origin::kSbrgate, /*fatal=*/true, /*backend=*/false,
     "The message is not well-formed XML or uses refused XML features",
     "The lodgment could not be read: {Message}"},
    {codes::kMissingRecordDelimiter, Origin::kSbrgate, true, false,
     "A document is not preceded by its record delimiter",
     "The document <{Element}> ({Line}) has no Record_Delimiter before it. Each PAYEVNT and "
     "PAYEVNTEMP document must follow its own Record_Delimiter."},
    {codes::kRecordStructure, Origin::kSbrgate, true, false,
     "The lodgment's record structure is invalid", "{Reason} ({Line})"},
    {codes::kSchemaViolation, Origin::kProfile, false, false,
     "The document does not conform to the message schema", "{Message}"},
    {codes::kInvalidPayerAbn, Origin::kSbrgate, false, false,
     "Australian Business Number is invalid",
     "The Australian Business Number {Value} fails the ABN check digit algorithm."},
    {codes::kPayerIdentifierMissing, Origin::kSbrgate, false, false, "Payer identifier is missing",
     "The payer must be identified by an Australian Business Number or a Withholding Payer "
     "Number."},
    {codes::kRecordCountMismatch, Origin::kSbrgate, false, false,
     "InteractionRecordCt does not match the number of employee records",
     "InteractionRecordCt is {Declared} but the lodgment holds {Actual} PAYEVNTEMP records."},
    {codes::kTimestampNotUtc, Origin::kSbrgate, false, false, "Message timestamp must be in UTC",
     "MessageTimestampGenerationDt {Value} must be a UTC time, ending in Z or +00:00."},
    {codes::kPaymentDateTooFar, Origin::kSbrgate, false, false,
     "Payment date is too far in the future",
     "Payment date {Date} is more than {Days} days after the message timestamp {Timestamp}."},
    {codes::kPayerAmountOutOfRange, Origin::kSbrgate, false, false, "Amount is out of range",
     "The amount {Value} must not be negative."},
    {codes::kInvalidTfn, Origin::kSbrgate, false, false, "Tax File Number is invalid",
     "The Tax File Number {Value} fails the TFN check digit algorithm."},
    {codes::kInvalidPayeeAbn, Origin::kSbrgate, false, false,
     "Payee Australian Business Number is invalid",
     "The payee's Australian Business Number {Value} fails the ABN check digit algorithm."},
    {codes::kPayeeAmountOutOfRange, Origin::kSbrgate, false, false, "Amount is out of range",
     "The amount {Value} must not be negative."},
    {codes::kEndBeforeStart, Origin::kSbrgate, false, false, "End date is before start date",
     "The end date {EndDate} is before the start date {StartDate}."},
    {codes::kTfnRegisterNameMismatch, Origin::kProfile, false, /*backend=*/true,
     "Payee name does not match the TFN register",
     "The family name {FamilyName} does not match the name registered for this Tax File Number."},
    {codes::kPayerAbnCancelled, Origin::kProfile, false, /*backend=*/true,
     "Payer ABN is cancelled",
     "The payer's Australian Business Number {Value} is cancelled in the Australian Business "
     "Register; the pay event cannot be accepted."},
    {codes::kSenderNotPayerOrIntermediary, Origin::kSbrgate, false, /*backend=*/true,
     "The sender is neither the payer nor its intermediary",
     "The message was sent by {Sender}, which is neither the payer nor the intermediary the "
     "pay event names; the pay event cannot be accepted."},
};

}  // namespace

absl::Span<const CatalogueEntry> ErrorCatalogue() {
  return absl::MakeConstSpan(kCatalogue, std::size(kCatalogue));
}

const CatalogueEntry* FindCatalogueEntry(absl::string_view code) {
  for (const CatalogueEntry& e : kCatalogue) {
    if (code == e.code) return &e;
  }
  return nullptr;
}

FieldError MakeFieldError(absl::string_view code, absl::string_view document_id,
                          absl::string_view path,
                          std::vector<std::pair<std::string, std::string>> parameters) {
  FieldError e;
  e.code = std::string(code);
  e.document_id = std::string(document_id);
  e.path = std::string(path);
  e.parameters = std::move(parameters);
  if (const CatalogueEntry* entry = FindCatalogueEntry(code)) {
    e.short_description = entry->short_description;
    e.detailed_description = entry->detailed_description;
  } else {
    e.short_description = e.code;
  }
  return e;
}

}  // namespace sbrgate::payevnt
