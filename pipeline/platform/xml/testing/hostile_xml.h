// Hostile XML for the tests of the hardened readers: inputs each reader must
// refuse the same way (entity bombs, external entities, deep nesting, bytes
// that are not in the declared encoding).
//
//   EXPECT_THAT(xml::ParseDocument(kBillionLaughs, "bomb.xml").status().message(),
//               HasSubstr("DTD"));
//   xml::ParseDocument(Nested(10000), "deep.xml");  // nested deeper than the limit
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_TESTING_HOSTILE_XML_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_TESTING_HOSTILE_XML_H_

#include <string>

namespace sbrgate::testing {

// A DTD whose entities expand to gigabytes ("billion laughs").
inline constexpr char kBillionLaughs[] = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>)";

// An external entity that would read a local file (XXE).
inline constexpr char kExternalEntity[] = R"(<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<foo>&xxe;</foo>)";

// Bytes that are not UTF-7, the encoding declared (libxml2 decodes it with
// iconv). libxml2 stops at them without a parse error of its own, and
// writes its complaint to stderr (found by fuzz/payevnt_reader_fuzz).
inline constexpr char kUndecodable[] =
    "<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n<r><a>\xFF\xFF\xFF\xFF</a></r>";

// `depth` <a> elements, each inside the one before.
inline std::string Nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "<a>";
  for (int i = 0; i < depth; ++i) s += "</a>";
  return s;
}

}  // namespace sbrgate::testing

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_TESTING_HOSTILE_XML_H_
