// RecordReader: reads XML from outside whose root element holds a long
// sequence of records (its child elements), one record at a time, in bounded
// memory: libxml2's push parser builds the DOM of the record being read, and
// each complete record is handed over detached from the document. The limits
// of limits.h apply as for ParseDocument (no DTD, depth, text and attribute
// sizes), plus RecordReaderOptions::max_record_bytes; the total size is
// unbounded. The input is parsed exactly once, 16 KiB at a time. A reader
// that reads to the end cleanly leaves its parser context (the nodes and
// names it allocated) to a reader to come, on any thread.
//
// The DOM leaves out what schema validation ignores: text made only of
// whitespace next to an element (indentation in element content), unless
// libxml2 converts the input's encoding. Text of an element with no element
// children is kept whole, blank or not.
//
//   auto reader = xml::RecordReader::Open(std::move(source), "lodgment.xml");
//   for (;;) {
//     absl::StatusOr<xml::RecordReader::Event> e = (*reader)->Next();
//     if (!e.ok()) return e.status();  // "<name>:<line>: <what>"
//     if (*e == xml::RecordReader::Event::kEnd) break;
//     if (*e == xml::RecordReader::Event::kRecordEnd) {
//       xml::RecordReader::Record r = (*reader)->TakeRecord();
//       Use(r.node.get());  // a detached element
//     }
//   }
//
// Events come in document order. libxml2 reads ahead of them (up to 16 KiB),
// so a problem found further on is reported by Next() only once the events
// before it have been returned.
//
// Threads: a taken record may be read, not changed, on another thread while
// this reader goes on (its names are in the reader's dictionary, which only
// grows); it must be freed on the thread that calls Next(), before the
// reader is destroyed.
#ifndef SBRGATE_PIPELINE_PLATFORM_XML_RECORD_READER_H_
#define SBRGATE_PIPELINE_PLATFORM_XML_RECORD_READER_H_

#include <libxml/tree.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/limits.h"

namespace sbrgate::xml {

// Text kept in pieces of buffers it shares (RecordReader's input), so that
// handing it over copies nothing. It keeps those buffers alive and, once
// made, may be read on any thread.
class SharedText {
 public:
  SharedText() = default;
  explicit SharedText(std::string text);
  const std::vector<absl::string_view>& pieces() const { return pieces_; }
  size_t size() const;
  bool empty() const { return pieces_.empty(); }
  std::string ToString() const;

 private:
  friend class RecordReader;
  // Puts `text` after the first `at` bytes (which must exist).
  void Insert(size_t at, std::string text);
  std::vector<absl::string_view> pieces_;  // none empty
  std::vector<std::shared_ptr<const std::string>> buffers_;
};

struct RecordReaderOptions {
  Limits limits;
  // Largest record (child of the root) in bytes of input; 0 for no limit.
  // Bounds the memory one record's DOM takes.
  size_t max_record_bytes = 0;
  // Keep the input of each record, so that RecordText() gives it as it is
  // rather than serialising the DOM.
  bool keep_text = false;
};

class RecordReader {
 public:
  enum class Event {
    kRootStart,    // the root's start tag was read: local_name(), namespace_uri(), line()
    kRecordStart,  // a record's start tag was read: the same, and attribute()
    kRecordEnd,    // that record is complete: TakeRecord()
    kText,         // text between records that is not whitespace: line()
    kRootEnd,      // the root's end tag
    kEnd,          // the input ended, well-formed
  };
  struct Record {
    NodePtr node;  // the record's element, detached from the document
    int line = 0;  // of its start tag
  };

  static absl::StatusOr<std::unique_ptr<RecordReader>> Open(
      std::unique_ptr<ByteSource> source, absl::string_view source_name,
      RecordReaderOptions options = RecordReaderOptions());
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // The next event. After an error, returns the same error again.
  absl::StatusOr<Event> Next();

  // The current event's element (kRootStart, kRecordStart, kRecordEnd).
  absl::string_view local_name() const;
  absl::string_view namespace_uri() const;
  // The current element's attribute in no namespace; false if absent.
  bool attribute(const char* name, std::string* value) const;
  // Line of the current event (for an element, of its start tag), or where
  // the parser is.
  int line() const;
  // The record of a kRecordEnd event as XML that stands on its own, UTF-8:
  // its bytes in the input as they are (RecordReaderOptions::keep_text and a
  // UTF-8 input), with the namespace declarations it uses from the root
  // added to its start tag; else serialised from its DOM, with those
  // declarations added to it. Before TakeRecord(), once.
  SharedText RecordText();
  // The record of a kRecordEnd event; once only. Not taken, it is freed by
  // the next Next().
  Record TakeRecord();
  // Frees a taken record, keeping its element and text nodes for the
  // records to come (libxml2's parser reuses the nodes a context holds):
  // allocating and freeing each node of every record is half the cost of
  // building a record's DOM. On the thread that calls Next().
  void Recycle(NodePtr record);
  // Bytes consumed from the source so far.
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  struct Callbacks;
  struct Pending {
    Event event;
    xmlNode* node = nullptr;  // for kRecordEnd, in the document until taken
    int line = 0;
    SharedText input;  // kRecordEnd (keep_text): the record's bytes
  };
  // Input kept for RecordText(), a chunk as read.
  struct Chunk {
    uint64_t start;  // offset in the input
    std::shared_ptr<const std::string> bytes;
  };
  RecordReader() = default;
  // A new push parser context with this class's handlers, for input `name`.
  static xmlParserCtxt* NewParser(const char* name);
  // Hands libxml2 the next chunk of input (or the end of it).
  void Feed();
  // Offset in the input (as libxml2 holds it) of the parser's position.
  uint64_t ParsePosition() const;
  // Ends the reading with an error: Refuse from libxml2's error handler,
  // Stop (which also halts the parser) from the others.
  void Refuse(int line, std::string message);
  // Refuse for a parse that failed (xmlParseChunk's `error`, 0 when it only
  // left the document not well-formed) with no report from libxml2.
  void RefuseUnreported(int error);
  void Stop(std::string why);
  // Stops if the open record reaches past `position` over its budget.
  bool OverBudget(uint64_t position);
  // The input bytes of the open record, which ends at `end`; empty if they
  // are not the record's UTF-8 text.
  SharedText RecordInput(uint64_t end) const;
  // Whether `ns` is declared on the root element.
  bool IsRootNamespace(const xmlNs* ns) const;
  // Notes that the open record uses `ns`.
  void NoteNamespace(const xmlNs* ns);
  // Adds the blank text held back (blanks_) to the open element.
  void FlushBlanks();
  // Frees `node` (detached) and what it holds, into the parser's free list
  // where it can (Recycle).
  void Release(xmlNode* node);

  std::unique_ptr<ByteSource> source_;
  std::string source_name_;
  RecordReaderOptions options_;
  xmlParserCtxt* ctxt_ = nullptr;
  std::deque<Pending> pending_;
  Pending current_{Event::kEnd};
  absl::Status error_;
  bool stopped_ = false;   // a problem was found: no more events
  bool eof_ = false;       // the source is exhausted
  bool finished_ = false;  // the parser has seen the end
  uint64_t bytes_read_ = 0;
  std::string chunk_;      // read buffer, when the input is not kept
  class BufferPool;
  std::shared_ptr<BufferPool> buffers_;  // read buffers, when it is
  std::string dtd_tail_;   // last bytes of the previous chunk, for the DTD check
  // The open record, if any.
  bool in_record_ = false;
  uint64_t record_start_ = 0;  // offset of its '<'
  int record_line_ = 0;
  // The root's declarations it uses: its input text needs them added.
  std::vector<const xmlNs*> borrowed_ns_;
  const xmlChar* record_prefix_ = nullptr;  // for messages, from the dictionary
  const xmlChar* record_name_ = nullptr;
  size_t text_run_ = 0;  // bytes of the text node being built
  // Blank text at the start of an element, kept back until it is known
  // whether the element has element content (then it is dropped).
  std::string blanks_;
  // (keep_text) The input from where a record may start on.
  std::deque<Chunk> kept_;
};

}  // namespace sbrgate::xml

#endif  // SBRGATE_PIPELINE_PLATFORM_XML_RECORD_READER_H_
