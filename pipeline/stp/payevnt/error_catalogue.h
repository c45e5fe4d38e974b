// The error codes sbrgate raises about a pay event, with their SBR-style
// short and detailed descriptions ({Identifier} references filled from the
// FieldError's parameters by Substitute()).
//
//   FieldError e = MakeFieldError(codes::kInvalidTfn, "1.7",
//       "/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId",
//       {{"Value", MaskIdentifier(tfn)}});
//   const CatalogueEntry* entry = FindCatalogueEntry("CMN.ATO.GEN.XML03");
//
// Which codes are whose: the ATO's message repository is not public, so
// every description here is sbrgate's wording. Codes marked Origin::kProfile
// are listed in shared/reference/sbr-profile.md; the others keep the SBR code
// shapes (CMN.ATO.GEN.*, CMN.ATO.PAYEVNT*.nnnnnn, VR.ATO.PAYEVNT*.nnnnnn) with
// numbers sbrgate assigned, and must not be read as real ATO codes.
#ifndef SBRGATE_PIPELINE_PAYEVNT_ERROR_CATALOGUE_H_
#define SBRGATE_PIPELINE_PAYEVNT_ERROR_CATALOGUE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "pipeline/stp/payevnt/record.h"

namespace sbrgate::payevnt {

namespace codes {
// Structural: reading stops (the lodgment is rejected whole).
inline constexpr char kNotWellFormed[] = "CMN.ATO.GEN.XML01";                // {Message}
inline constexpr char kMissingRecordDelimiter[] = "CMN.ATO.PAYEVNT.000190";  // {Element} {Line}
inline constexpr char kRecordStructure[] = "CMN.ATO.PAYEVNT.000191";         // {Reason} {Line}
// Per record: the record is in error, reading goes on.
inline constexpr char kSchemaViolation[] = "CMN.ATO.GEN.XML03";      // {Message}
inline constexpr char kInvalidPayerAbn[] = "VR.ATO.PAYEVNT.000200";  // {Value}
inline constexpr char kPayerIdentifierMissing[] = "VR.ATO.PAYEVNT.000201";
inline constexpr char kRecordCountMismatch[] = "VR.ATO.PAYEVNT.000202";  // {Declared} {Actual}
inline constexpr char kTimestampNotUtc[] = "VR.ATO.PAYEVNT.000203";      // {Value}
inline constexpr char kPaymentDateTooFar[] = "VR.ATO.PAYEVNT.000204";  // {Date} {Timestamp} {Days}
inline constexpr char kPayerAmountOutOfRange[] = "VR.ATO.PAYEVNT.000205";     // {Value}
inline constexpr char kInvalidTfn[] = "VR.ATO.PAYEVNTEMP.000181";             // {Value}
inline constexpr char kInvalidPayeeAbn[] = "VR.ATO.PAYEVNTEMP.000182";        // {Value}
inline constexpr char kPayeeAmountOutOfRange[] = "VR.ATO.PAYEVNTEMP.000183";  // {Value}
inline constexpr char kEndBeforeStart[] = "VR.ATO.PAYEVNTEMP.000184";  // {StartDate} {EndDate}
// Backend (the ATO's records; a DSP cannot run it): see tfn_register.h.
inline constexpr char kTfnRegisterNameMismatch[] = "CMN.ATO.PAYEVNTEMP.000180";  // {FamilyName}
// Backend, employer: see abn_register.h.
inline constexpr char kPayerAbnCancelled[] = "CMN.ATO.PAYEVNT.000193";  // {Value}
// Backend, the message: see sender.h.
inline constexpr char kSenderNotPayerOrIntermediary[] = "CMN.ATO.PAYEVNT.000195";  // {Sender}
}  // namespace codes

enum class Origin {
  kProfile,  // the code is listed in sbr-profile.md (wording ours)
  kSbrgate,  // code number assigned by sbrgate in the SBR shape
};

struct CatalogueEntry {
  const char* code;
  Origin origin;
  bool fatal;    // stops reading the lodgment
  bool backend;  // only the agency can check it
  const char* short_description;
  const char* detailed_description;  // with {Identifier} references
};

absl::Span<const CatalogueEntry> ErrorCatalogue();

// The entry for `code`, or nullptr.
const CatalogueEntry* FindCatalogueEntry(absl::string_view code);

// A FieldError for `code` with its catalogue descriptions. `code` must be in
// the catalogue (an unknown code gets itself as the short description).
FieldError MakeFieldError(absl::string_view code, absl::string_view document_id,
                          absl::string_view path,
                          std::vector<std::pair<std::string, std::string>> parameters = {});

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_PAYEVNT_ERROR_CATALOGUE_H_
