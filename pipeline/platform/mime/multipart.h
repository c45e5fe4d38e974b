// SOAP with Attachments (multipart/related, RFC 2387) as SBR2 uses it: a
// SOAP 1.2 envelope as the root part, then the business document as one
// gzip-compressed binary attachment. Both directions stream: the attachment
// (gigabytes for a large STP lodgment) never sits in memory.
//
// Sending: MultipartSource is a ByteSource an HTTP client pulls the body from;
// MultipartWriter pushes the same bytes into a ByteSink.
//
//   std::vector<Attachment> atts;
//   absl::StatusOr<Attachment> payload =
//       Attachment::FromFile("payload-1@sbrgate", "application/gzip", "/spool/l.xml.gz");
//   if (!payload.ok()) return payload.status();
//   atts.push_back(*std::move(payload));
//   MultipartSource body(SoapPart{"soap-1@sbrgate", envelope_xml}, std::move(atts));
//   request.headers.push_back({"Content-Type", body.content_type_header()});
//   request.content_length = body.content_length();   // set: all sizes known
//   request.body = &body;
//
// Receiving: MultipartReader parses a body given its Content-Type header. The
// root (SOAP) part comes back in memory, bounded; each attachment streams into
// a sink that a callback makes from the part's headers.
//
//   MultipartReader reader;                      // default limits
//   absl::StatusOr<MultipartMessage> msg = reader.Read(
//       content_type, http_body,
//       [&](const PartHeaders& h) -> absl::StatusOr<std::unique_ptr<ByteSink>> {
//         return FileSink::Create(spool_dir + "/" + SafeName(h.content_id));
//       });
//   // msg->root: the envelope; msg->attachments[i].headers / .size
//
// Content-IDs are given and returned without angle brackets ("a@b", not
// "<a@b>"), which is the form ebMS PartInfo hrefs use after "cid:".
#ifndef SBRGATE_PIPELINE_MIME_MULTIPART_H_
#define SBRGATE_PIPELINE_MIME_MULTIPART_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::mime {

// A media type such as `multipart/related; boundary="x"; start="<a@b>"`.
struct MediaType {
  std::string type;                           // lower case, e.g. "multipart/related"
  std::map<std::string, std::string> params;  // names lower case, values unquoted
  // The parameter's value, or "" when absent.
  std::string Param(absl::string_view name) const;
};

// Parses a Content-Type header value (RFC 2045 syntax, quoted-string values
// with backslash escapes). Malformed input is InvalidArgument.
absl::StatusOr<MediaType> ParseMediaType(absl::string_view header_value);

// "<a@b>" -> "a@b"; also trims surrounding whitespace.
std::string StripAngleBrackets(absl::string_view content_id);

// ---------------------------------------------------------------- sending

struct SoapPart {
  std::string content_id;  // angle brackets optional
  std::string envelope;    // the SOAP 1.2 envelope, UTF-8
};

struct Attachment {
  std::string content_id;    // angle brackets optional
  std::string content_type;  // e.g. "application/gzip"
  std::unique_ptr<ByteSource> body;
  // Exact length of `body` when known; all attachments having one makes the
  // whole body's length known. A body that then gives a different number of
  // bytes fails the read with DataLoss.
  std::optional<uint64_t> size;

  // An attachment read from a file, with its size taken from the file.
  static absl::StatusOr<Attachment> FromFile(std::string content_id, std::string content_type,
                                             const std::string& path);
};

struct MultipartOptions {
  // Empty: a random boundary (128 random bits) that cannot occur in the
  // parts by accident. Tests may fix one (1 to 70 boundary characters).
  std::string boundary;
};

// The multipart/related body as a ByteSource, read once, front to back.
// Problems with the parts (a Content-ID or type with a line break, repeated
// Content-IDs, a bad boundary, an envelope containing the boundary) surface as
// InvalidArgument from the first Read().
class MultipartSource : public ByteSource {
 public:
  MultipartSource(SoapPart root, std::vector<Attachment> attachments,
                  MultipartOptions options = {});

  // The Content-Type header value for this body:
  // multipart/related; boundary="..."; type="application/soap+xml"; start="<root-cid>"
  std::string content_type_header() const;
  // Total body length when every attachment's size is known.
  std::optional<uint64_t> content_length() const;
  const std::string& boundary() const { return boundary_; }

  absl::StatusOr<size_t> Read(char* buf, size_t n) override;

 private:
  // The body is a sequence of fixed text (boundaries, part headers, the
  // envelope) and attachment bodies; `attachment` < 0 marks text.
  struct Segment {
    std::string text;
    int attachment = -1;
  };

  absl::Status FinishAttachment(size_t index);

  std::string root_content_id_;
  std::string boundary_;
  std::vector<Attachment> attachments_;
  std::vector<Segment> segments_;
  absl::Status status_;  // sticky: a bad part, or the first read error
  size_t segment_ = 0;
  size_t offset_ = 0;             // into the current text segment
  uint64_t attachment_read_ = 0;  // of the current attachment
};

// Writes the same body as MultipartSource into a sink (for callers that push,
// e.g. into a spool file).
class MultipartWriter {
 public:
  MultipartWriter(SoapPart root, std::vector<Attachment> attachments, MultipartOptions options = {})
      : source_(std::move(root), std::move(attachments), std::move(options)) {}

  std::string content_type_header() const { return source_.content_type_header(); }
  std::optional<uint64_t> content_length() const { return source_.content_length(); }
  const std::string& boundary() const { return source_.boundary(); }

  // Writes the whole body (once; the attachments are consumed) and returns
  // its length. Does not Close() `out`.
  absl::StatusOr<uint64_t> WriteTo(ByteSink& out) { return Pump(source_, out); }

 private:
  MultipartSource source_;
};

// -------------------------------------------------------------- receiving

struct PartHeaders {
  // Every header of the part in order, names as received.
  std::vector<std::pair<std::string, std::string>> all;
  std::string content_id;    // without angle brackets; "" when absent
  std::string content_type;  // as received; "" when absent
  size_t index = 0;          // position of the part in the body, from 0

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string Get(absl::string_view name) const;
};

struct ReceivedAttachment {
  PartHeaders headers;
  uint64_t size = 0;  // bytes written to its sink
};

struct MultipartMessage {
  PartHeaders root_headers;
  std::string root;  // the SOAP envelope
  std::vector<ReceivedAttachment> attachments;
};

struct MultipartReaderOptions {
  size_t max_root_bytes = 4 << 20;     // the SOAP part, held in memory
  size_t max_parts = 16;               // root included
  size_t max_header_bytes = 16 << 10;  // the header block of one part
  size_t read_chunk_bytes = 64 << 10;  // reads from the body source
};

// Makes the sink one attachment streams into. The reader writes the part's
// bytes to it and Close()s it at the part's end; on an error it destroys the
// sink without Close() (a FileSink then leaves no file behind).
using AttachmentSinkFactory =
    std::function<absl::StatusOr<std::unique_ptr<ByteSink>>(const PartHeaders&)>;

// Parses a SOAP-with-Attachments body. Stateless apart from its options, so
// one reader may serve many threads.
//
// Accepted:
//   - multipart/related with a boundary parameter (quoted or not); the root
//     is the part whose Content-ID matches the `start` parameter, or the
//     first part without one; a preamble and an epilogue are skipped; header
//     names are case-insensitive; CRLF line ends as RFC 2046 requires;
//   - a plain SOAP body (application/soap+xml or text/xml): the root only.
// Errors (InvalidArgument, naming the limit or what is wrong): other media
// types, no boundary, no close delimiter before the end of the body, more
// than max_parts parts, a root over max_root_bytes, part headers over
// max_header_bytes, a `start` that names no part, a Content-Transfer-Encoding
// other than binary/8bit/7bit. Errors of the body source and of the sinks are
// returned as they are.
class MultipartReader {
 public:
  explicit MultipartReader(MultipartReaderOptions options = {}) : options_(options) {}

  absl::StatusOr<MultipartMessage> Read(absl::string_view content_type_header, ByteSource& body,
                                        const AttachmentSinkFactory& make_sink) const;

 private:
  MultipartReaderOptions options_;
};

}  // namespace sbrgate::mime

#endif  // SBRGATE_PIPELINE_MIME_MULTIPART_H_
