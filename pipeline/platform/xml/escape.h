// Escape: text made safe to write into XML character data or an attribute
// value, for code that writes XML as text.
//
//   absl::StrAppend(&xml, "<Name>", xml::Escape(name), "</Name>");
//   absl::StrAppend(&xml, "<Item id=\"", xml::Escape(id), "\"/>");
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_ESCAPE_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sbrgate::xml {

// Escapes text for use in XML character data and attribute values.
std::string Escape(absl::string_view text);

}  // namespace sbrgate::xml

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_ESCAPE_H_
