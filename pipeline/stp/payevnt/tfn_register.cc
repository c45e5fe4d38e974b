#include "pipeline/stp/payevnt/tfn_register.h"

#include <cstdint>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "pipeline/sbr/identifiers/check_digits.h"
#include "pipeline/stp/payevnt/error_catalogue.h"

namespace sbrgate::payevnt {
namespace {

constexpr const char* kFamilyNames[] = {
    "Abbott",     "Anderson",  "Bennett", "Brown",    "Campbell",     "Chen",     "Clarke",
    "Davies",     "Edwards",   "Evans",   "Fraser",   "Gallagher",    "Graham",   "Harris",
    "Hughes",     "Jackson",   "Johnson", "Kaur",     "Kelly",        "King",     "Lee",
    "Lewis",      "MacDonald", "Martin",  "Mitchell", "Morris",       "Murphy",   "Nguyen",
    "O'Connor",   "Palmer",    "Patel",   "Quinn",    "Reid",         "Roberts",  "Robinson",
    "Russo",      "Ryan",      "Singh",   "Smith",    "Stewart",      "Sullivan", "Taylor",
    "Thompson",   "Tran",      "Walker",  "Watson",   "White",        "Williams", "Wilson",
    "Wong",       "Wright",    "Young",   "Zhang",    "Papadopoulos", "Kowalski", "Haddad",
    "Fitzgerald", "Lambert",   "Okafor",  "Rossi",    "Schmidt",      "Yamamoto", "Hall",
    "Te Whare"};
constexpr int kNameCount = static_cast<int>(std::size(kFamilyNames));
constexpr int kWeights[] = {1, 4, 3, 7, 5, 8, 6, 9, 10};

int Normalise(int i) {
  const int m = i % kRegisterSize;
  return m < 0 ? m + kRegisterSize : m;
}

int NameIndex(int i) {
  uint64_t x = static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ULL;
  x ^= x >> 29;
  return static_cast<int>(x % kNameCount);
}

}  // namespace

std::string RegisteredTfn(int i) {
  const int n = Normalise(i);
  std::string tfn = "8";
  for (int div = 100000; div > 0; div /= 10) tfn.push_back(static_cast<char>('0' + n / div % 10));
  // Adjustment digit (weight 9) 0, or 1 when 0 would need a check digit of
  // "10" (1 moves the remainder from 10 to 8); the check digit (weight
  // 10 = -1 mod 11) is then the sum mod 11.
  int sum = 0;
  for (int k = 0; k < 7; ++k) sum += (tfn[k] - '0') * kWeights[k];
  int adjust = 0;
  if (sum % 11 == 10) {
    adjust = 1;
    sum += kWeights[7];
  }
  tfn.push_back(static_cast<char>('0' + adjust));
  tfn.push_back(static_cast<char>('0' + sum % 11));
  return tfn;
}

std::string RegisteredFamilyName(int i) { return kFamilyNames[NameIndex(Normalise(i))]; }

std::optional<int> RegisterIndex(absl::string_view tfn) {
  if (tfn.size() != 9 || tfn[0] != '8' || !identifiers::IsValidTfn(tfn)) return std::nullopt;
  int n = 0;
  for (int k = 1; k <= 6; ++k) n = n * 10 + (tfn[k] - '0');
  if (RegisteredTfn(n) != tfn) return std::nullopt;
  return n;
}

std::optional<std::string> LookupRegisteredFamilyName(absl::string_view tfn) {
  std::optional<int> i = RegisterIndex(tfn);
  if (!i.has_value()) return std::nullopt;
  return RegisteredFamilyName(*i);
}

std::string OtherFamilyName(int i, int variant) {
  const int registered = NameIndex(Normalise(i));
  const int step = 1 + (variant % (kNameCount - 1) + kNameCount - 1) % (kNameCount - 1);
  return kFamilyNames[(registered + step) % kNameCount];
}

std::optional<FieldError> CheckTfnRegister(const EmployeeRecord& employee) {
  std::optional<std::string> registered = LookupRegisteredFamilyName(employee.tfn);
  if (!registered.has_value()) return std::nullopt;
  if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(employee.family_name), *registered)) {
    return std::nullopt;
  }
  return MakeFieldError(codes::kTfnRegisterNameMismatch, employee.document_id,
                        "/tns:PAYEVNTEMP/tns:Payee/tns:PersonNameDetails/tns:FamilyNameT",
                        {{"FamilyName", employee.family_name}});
}

}  // namespace sbrgate::payevnt
