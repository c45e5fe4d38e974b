#include "pipeline/stp/payevnt/record.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sbrgate::payevnt {

std::string Substitute(const FieldError& error) {
  const std::string& text =
      error.detailed_description.empty() ? error.short_description : error.detailed_description;
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find('{', pos);
    if (open == std::string::npos) break;
    const size_t close = text.find('}', open + 1);
    if (close == std::string::npos) break;
    out.append(text, pos, open - pos);
    const std::string name = text.substr(open + 1, close - open - 1);
    const std::string* value = nullptr;
    for (const auto& [id, param_text] : error.parameters) {
      if (id == name) {
        value = &param_text;
        break;
      }
    }
    if (value != nullptr) {
      out += *value;
    } else {
      out.append(text, open, close - open + 1);
    }
    pos = close + 1;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

std::string UnpaddedWpn(absl::string_view field) {
  if (field.size() == 11 && absl::StartsWith(field, "00")) field.remove_prefix(2);
  return std::string(field);
}

std::string ToString(const FieldError& error) {
  return absl::StrCat(error.document_id.empty() ? "-" : error.document_id, " ", error.code,
                      error.path.empty() ? "" : " ", error.path, ": ", Substitute(error));
}

}  // namespace sbrgate::payevnt
