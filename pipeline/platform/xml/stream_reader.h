// StreamReader: a pull reader over a ByteSource (libxml2 xmlTextReader), for
// XML from outside too large to hold. Next() moves node by node; the
// accessors describe the current node. The limits of limits.h apply as for
// ParseDocument (no DTD, depth, text and attribute sizes), except that the
// total size is unbounded.
//
//   auto reader = xml::StreamReader::Open(std::move(source), "lodgment.xml");
//   while (true) {
//     absl::StatusOr<bool> more = (*reader)->Next();
//     if (!more.ok()) return more.status();   // names the line and the problem
//     if (!*more) break;
//     if ((*reader)->type() == XML_READER_TYPE_ELEMENT) ...
//   }
//
// A root holding a long sequence of records reads better with RecordReader
// (record_reader.h).
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_STREAM_READER_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_STREAM_READER_H_

#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/xml/limits.h"

namespace sbrgate::xml {

class StreamReader {
 public:
  static absl::StatusOr<std::unique_ptr<StreamReader>> Open(std::unique_ptr<ByteSource> source,
                                                            absl::string_view source_name,
                                                            const Limits& limits = Limits());
  ~StreamReader();

  absl::StatusOr<bool> Next();
  int type() const;             // XML_READER_TYPE_*
  int depth() const;            // 0 for the document's top level
  bool is_empty_element() const;
  std::string local_name() const;
  std::string namespace_uri() const;
  std::string value() const;    // text of text/CDATA nodes
  // The attribute's value, or nullopt-like empty+false.
  bool attribute(const char* name, std::string* value) const;
  int line() const;
  // Expands the current element into a DOM subtree owned by the reader (valid
  // until the next Next()). Used to validate one record at a time.
  absl::StatusOr<xmlNode*> ExpandCurrent();
  // Skips the current element's subtree.
  absl::StatusOr<bool> SkipSubtree();
  // Bytes consumed from the source so far.
  uint64_t bytes_read() const;
  xmlTextReader* raw() const { return reader_; }

 private:
  struct Input;
  StreamReader() = default;
  absl::Status CheckCurrent();
  absl::Status ErrorHere(absl::string_view what) const;

  std::unique_ptr<Input> input_;
  xmlTextReader* reader_ = nullptr;
  std::string source_name_;
  Limits limits_;
};

}  // namespace sbrgate::xml

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_STREAM_READER_H_
