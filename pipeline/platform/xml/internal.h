// What the hardened XML readers of this folder share and nothing outside
// it uses: libxml2's one-time setup, the parse options, the DTD refusal, the
// text-length check and errors in the form "<source>:<line>: <what>".
//
//   InitLibxml();
//   xmlDoc* doc = xmlCtxtReadMemory(ctxt, data, size, name, nullptr, kParseOptions);
//   if (refused) return ErrorAt(source_name, line, kDtdRefusal);
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_INTERNAL_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_INTERNAL_H_

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/xml/limits.h"

namespace sbrgate::xml::internal {

// Network off; DTD loading, default attributes and entity substitution stay
// off because their options are never set.
inline constexpr int kParseOptions =
    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT | XML_PARSE_BIG_LINES;

// Initialises libxml2 once per process, with the loader of external
// resources limited to local files.
void InitLibxml();

inline constexpr char kDtdRefusal[] =
    "a DTD (<!DOCTYPE>/<!ENTITY>) is not allowed: entities and external references are refused";

// Whether a chunk of raw input holds DTD markup, also across the boundary
// with `tail`, the last bytes of the chunk before.
bool HasDtdMarkup(absl::string_view tail, absl::string_view chunk);

// libxml2's message without its trailing newline.
std::string Trimmed(const char* message);

// InvalidArgument "<source>:<line>: <what>", the form of every reader's errors.
absl::Status ErrorAt(absl::string_view source, int64_t line, absl::string_view what);

// Refuses text longer than limits.max_text_bytes in `node`, the siblings
// after it and their subtrees.
absl::Status CheckTextLengths(xmlNode* node, const Limits& limits, absl::string_view source);

}  // namespace sbrgate::xml::internal

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_INTERNAL_H_
