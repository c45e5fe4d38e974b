#include "pipeline/stp/payevnt/abn_register.h"

#include "absl/strings/str_format.h"
#include "pipeline/sbr/identifiers/check_digits.h"
#include "pipeline/stp/payevnt/error_catalogue.h"

namespace sbrgate::payevnt {
namespace {

constexpr int kWeights[] = {10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19};

}  // namespace

std::string CancelledAbn(int i) {
  const int n = ((i % kCancelledAbnCount) + kCancelledAbnCount) % kCancelledAbnCount;
  const std::string tail = absl::StrFormat("99999%04d", n);
  int sum = 0;
  for (int k = 0; k < 9; ++k) sum += (tail[k] - '0') * kWeights[k + 2];
  const int c = (89 - sum % 89) % 89;  // 10 * (d1 - 1) + d2
  std::string abn;
  abn.push_back(static_cast<char>('0' + c / 10 + 1));
  abn.push_back(static_cast<char>('0' + c % 10));
  return abn + tail;
}

bool IsCancelledAbn(absl::string_view abn) {
  return abn.size() == 11 && abn.substr(2, 5) == "99999" && identifiers::IsValidAbn(abn);
}

std::optional<FieldError> CheckAbnRegister(const EmployerRecord& employer) {
  if (!IsCancelledAbn(employer.abn)) return std::nullopt;
  return MakeFieldError(codes::kPayerAbnCancelled, employer.document_id,
                        "/tns:PAYEVNT/tns:Rp/tns:AustralianBusinessNumberId",
                        {{"Value", employer.abn}});
}

}  // namespace sbrgate::payevnt
