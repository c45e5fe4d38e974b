#include "pipeline/sbr/ebms/message.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/platform/common/uuid.h"

namespace sbrgate::ebms {
namespace {

constexpr ErrorDefinition kErrorTable[] = {
    {kErrorValueNotRecognized, "ValueNotRecognized", "Content", "failure", "ebMS"},
    {kErrorFeatureNotSupported, "FeatureNotSupported", "Content", "warning", "ebMS"},
    {kErrorValueInconsistent, "ValueInconsistent", "Content", "failure", "ebMS"},
    {kErrorOther, "Other", "Content", "failure", "ebMS"},
    {kErrorConnectionFailure, "ConnectionFailure", "Communication", "failure", "ebMS"},
    {kErrorEmptyMessagePartitionChannel, "EmptyMessagePartitionChannel", "Communication", "warning",
     "ebMS"},
    {kErrorMimeInconsistency, "MimeInconsistency", "Unpackaging", "failure", "ebMS"},
    {kErrorFeatureNotSupportedInconsistency, "FeatureNotSupported", "Unpackaging", "failure",
     "ebMS"},
    {kErrorInvalidHeader, "InvalidHeader", "Unpackaging", "failure", "ebMS"},
    {kErrorProcessingModeMismatch, "ProcessingModeMismatch", "Processing", "failure", "ebMS"},
    {kErrorExternalPayloadError, "ExternalPayloadError", "Content", "failure", "ebMS"},
    {kErrorFailedAuthentication, "FailedAuthentication", "Processing", "failure", "security"},
    {kErrorFailedDecryption, "FailedDecryption", "Processing", "failure", "security"},
    {kErrorPolicyNoncompliance, "PolicyNoncompliance", "Processing", "failure", "security"},
    {kErrorMissingReceipt, "MissingReceipt", "Communication", "failure", "ebMS"},
    {kErrorInvalidReceipt, "InvalidReceipt", "Communication", "failure", "ebMS"},
    {kErrorDecompressionFailure, "DecompressionFailure", "Communication", "failure", "ebMS"},
};

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Reads exactly `n` digits at `*pos`.
bool Digits(absl::string_view s, size_t* pos, int n, int64_t* out) {
  if (*pos + n > s.size()) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Literal(absl::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

const ErrorDefinition* FindErrorDefinition(absl::string_view code) {
  for (const ErrorDefinition& d : kErrorTable) {
    if (code == d.code) return &d;
  }
  return nullptr;
}

Error MakeError(absl::string_view code, absl::string_view ref_to_message_in_error,
                absl::string_view description) {
  Error e;
  e.error_code = std::string(code);
  e.ref_to_message_in_error = std::string(ref_to_message_in_error);
  e.description = std::string(description);
  if (const ErrorDefinition* d = FindErrorDefinition(code)) {
    e.short_description = d->short_description;
    e.category = d->category;
    e.severity = d->severity;
    e.origin = d->origin;
  } else {
    e.severity = "failure";
  }
  return e;
}

std::string NewMessageId(absl::string_view domain) { return absl::StrCat(NewUuid(), "@", domain); }

std::string FormatDateTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseDateTime(absl::string_view text) {
  const auto shape_error = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not an xsd:dateTime (expected YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm])"));
  };
  size_t pos = 0;
  int64_t year, month, day, hour, minute, second;
  if (!Digits(text, &pos, 4, &year) || !Literal(text, &pos, '-') ||
      !Digits(text, &pos, 2, &month) || !Literal(text, &pos, '-') || !Digits(text, &pos, 2, &day) ||
      !Literal(text, &pos, 'T') || !Digits(text, &pos, 2, &hour) || !Literal(text, &pos, ':') ||
      !Digits(text, &pos, 2, &minute) || !Literal(text, &pos, ':') ||
      !Digits(text, &pos, 2, &second)) {
    return shape_error();
  }
  absl::Duration fraction = absl::ZeroDuration();
  if (Literal(text, &pos, '.')) {
    const size_t start = pos;
    int64_t nanos = 0;
    int scale = 0;
    while (pos < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[pos]))) {
      if (scale < 9) {
        nanos = nanos * 10 + (text[pos] - '0');
        ++scale;
      }
      ++pos;
    }
    if (pos == start) return shape_error();
    for (; scale < 9; ++scale) nanos *= 10;
    fraction = absl::Nanoseconds(nanos);
  }
  absl::Duration offset = absl::ZeroDuration();
  std::vector<std::string> wrong;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int64_t oh, om;
    if (!Digits(text, &pos, 2, &oh) || !Literal(text, &pos, ':') || !Digits(text, &pos, 2, &om)) {
      return shape_error();
    }
    if (om > 59 || oh > 14 || (oh == 14 && om != 0)) {
      wrong.push_back(absl::StrCat("time zone offset ", text.substr(pos - 6, 6)));
    }
    offset = sign * (absl::Hours(oh) + absl::Minutes(om));
  }
  if (pos != text.size()) return shape_error();

  if (year == 0) wrong.push_back("year 0000");
  if (month < 1 || month > 12) {
    wrong.push_back(absl::StrCat("month ", month));
  } else if (day < 1 || day > DaysInMonth(year, static_cast<int>(month))) {
    wrong.push_back(absl::StrCat("day ", day, " of month ", month));
  }
  // 24:00:00 is the end of the day in XML Schema 1.0 (the next day's midnight).
  const bool end_of_day =
      hour == 24 && minute == 0 && second == 0 && fraction == absl::ZeroDuration();
  if (hour > 23 && !end_of_day) wrong.push_back(absl::StrCat("hour ", hour));
  if (minute > 59) wrong.push_back(absl::StrCat("minute ", minute));
  if (second > 59) wrong.push_back(absl::StrCat("second ", second));
  if (!wrong.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a real date and time: ", absl::StrJoin(wrong, ", "), " out of range"));
  }
  const absl::CivilSecond civil(year, month, day, end_of_day ? 0 : hour, minute, second);
  absl::Time t = absl::FromCivil(civil, absl::UTCTimeZone()) + fraction - offset;
  if (end_of_day) t += absl::Hours(24);
  return t;
}

}  // namespace sbrgate::ebms
