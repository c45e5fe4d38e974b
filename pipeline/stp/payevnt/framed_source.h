// FramedSource: the framing of a lodgment file, between the file and
// xml::RecordReader. It sniffs the head of the file for a bare SBR sequence
// (its first element a Record_Delimiter) and, if it is one, serves the bytes
// inside a prefixed wrapper (see lodgment_reader.h); and it notes the line of
// each Record_Delimiter it passes on, to tell which record an XML error is
// in.
//
//   absl::StatusOr<std::unique_ptr<FramedSource>> framed = FramedSource::Create(std::move(file));
//   if (!framed.ok()) return framed.status();  // the source could not be read
//   FramedSource* frame = framed->get();
//   auto records = xml::RecordReader::Open(*std::move(framed), "pay.xml");
//   ... an XML error at line 7: frame->Locate(7) is "DocumentID 1.3"
#ifndef SBRGATE_PIPELINE_STP_PAYEVNT_FRAMED_SOURCE_H_
#define SBRGATE_PIPELINE_STP_PAYEVNT_FRAMED_SOURCE_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::payevnt {

// The lodgment file's element names: its wrapper (in kLodgmentNamespace) and
// the delimiter before each document.
inline constexpr char kWrapperName[] = "PayEventLodgment";
inline constexpr char kDelimiterName[] = "Record_Delimiter";

class FramedSource : public ByteSource {
 public:
  // Reads the head of `source` (up to 64 KiB, until its first element).
  static absl::StatusOr<std::unique_ptr<FramedSource>> Create(std::unique_ptr<ByteSource> source);

  absl::StatusOr<size_t> Read(char* buf, size_t n) override;

  // Which record libxml2's error at `line` is in, e.g. "DocumentID 1.5", or
  // "" before the first record. This comes from the raw bytes (all libxml2
  // has been given), not from the records read.
  std::string Locate(int line) const;

  // Whether the file is a bare SBR sequence, served inside the wrapper.
  bool bare() const { return bare_; }

 private:
  FramedSource() = default;
  std::unique_ptr<ByteSource> source_;
  bool source_done_ = false;
  bool bare_ = false;
  std::string head_;
  size_t head_pos_ = 0;
  std::string tail_;
  size_t tail_pos_ = 0;

  // Lexical scan for Record_Delimiter tags, counting lines as libxml2 does
  // (LF, CR LF and a lone CR each end one line).
  struct Seen {
    int line;
    std::string id;
  };
  static constexpr absl::string_view kTagStart = "<Record_Delimiter";
  static constexpr size_t kMaxSeen = 4096;  // far more than libxml2 reads ahead
  static constexpr size_t kMaxTag = 4096;

  void Scan(const char* p, size_t n);
  // The bytes of a chunk, or of the carried-over start of a tag and the
  // chunk after it.
  void ScanBytes(const char* p, size_t n);
  void CountLines(const char* p, size_t n);
  void RecordTag();

  int line_ = 1;
  bool after_cr_ = false;
  bool in_tag_ = false;
  int tag_line_ = 1;
  std::string tag_;
  std::string carry_;  // the start of a delimiter's tag at the end of the last chunk
  std::deque<Seen> seen_;
};

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_STP_PAYEVNT_FRAMED_SOURCE_H_
