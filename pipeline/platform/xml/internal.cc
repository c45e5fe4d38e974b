#include "pipeline/platform/xml/internal.h"

#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sbrgate::xml::internal {
namespace {

// Whether `text` holds DTD markup. '!' is rare in XML: look for it, then
// around it.
bool ContainsDtdMarkup(absl::string_view text) {
  const char* const end = text.data() + text.size();
  for (const char* p = text.data(); (p = static_cast<const char*>(std::memchr(p, '!', end - p)));
       ++p) {
    if (p == text.data() || p[-1] != '<') continue;
    const absl::string_view rest(p + 1, end - p - 1);
    if (absl::StartsWith(rest, "DOCTYPE") || absl::StartsWith(rest, "ENTITY")) return true;
  }
  return false;
}

void DiscardGenericError(void*, const char*, ...) {}

}  // namespace

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    // libxml2 also writes some errors (input it cannot decode, I/O) to its
    // generic handler, stderr by default: for this thread and every thread
    // to come, they go nowhere. Each reader reports its failures itself.
    xmlSetGenericErrorFunc(nullptr, DiscardGenericError);
    xmlThrDefSetGenericErrorFunc(nullptr, DiscardGenericError);
    // Schema imports and anything else libxml2 resolves come from local files.
    xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
  });
}

bool HasDtdMarkup(absl::string_view tail, absl::string_view chunk) {
  std::string window(tail);
  window.append(chunk.data(), std::min<size_t>(chunk.size(), 16));
  return ContainsDtdMarkup(window) || ContainsDtdMarkup(chunk);
}

std::string Trimmed(const char* message) {
  return std::string(absl::StripTrailingAsciiWhitespace(message == nullptr ? "" : message));
}

absl::Status ErrorAt(absl::string_view source, int64_t line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(source, ":", line, ": ", what));
}

absl::Status CheckTextLengths(xmlNode* node, const Limits& limits, absl::string_view source) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content != nullptr) {
      const size_t len = std::strlen(reinterpret_cast<const char*>(n->content));
      if (len > limits.max_text_bytes) {
        const char* element = n->parent ? reinterpret_cast<const char*>(n->parent->name) : "?";
        return ErrorAt(source, xmlGetLineNo(n->parent),
                       absl::StrCat("text of <", element, "> is ", len,
                                    " bytes, over the limit of ", limits.max_text_bytes));
      }
    }
    if (n->children != nullptr) {
      if (absl::Status s = CheckTextLengths(n->children, limits, source); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace sbrgate::xml::internal
