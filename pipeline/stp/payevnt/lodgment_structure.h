// LodgmentStructure: the delimiter state machine of a lodgment file (see
// lodgment_reader.h for the format). It reads xml::RecordReader's events
// over the framed file (FramedSource) and checks the record structure: the
// wrapper, each Record_Delimiter and the document it announces, DocumentIDs
// (form, group, duplicates), one PARENT first and then its CHILDren. Each
// step hands over a document read whole with the delimiter that announced
// it, or ends the reading: at the end, or at a structural error (as an
// InvalidArgument status and the FieldError for the summary).
//
//   auto structure = LodgmentStructure::Open(std::move(file), "pay.xml", options);
//   if (!structure.ok()) return structure.status();  // the file could not be read
//   for (;;) {
//     LodgmentStructure::Step step = (*structure)->Next();
//     if (!step.document.has_value()) return step.status;  // OK at the end
//     Check(step.document->delimiter, step.document->root.get());
//   }
#ifndef SBRGATE_PIPELINE_STP_PAYEVNT_LODGMENT_STRUCTURE_H_
#define SBRGATE_PIPELINE_STP_PAYEVNT_LODGMENT_STRUCTURE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/record_reader.h"
#include "pipeline/stp/payevnt/framed_source.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "pipeline/stp/payevnt/record.h"

namespace sbrgate::payevnt {

class LodgmentStructure {
 public:
  struct Delimiter {
    std::string document_id;
    std::string document_name;  // PAYEVNT or PAYEVNTEMP
    std::string related_document_id;
    int line = 0;
  };
  // A document read whole.
  struct Document {
    Delimiter delimiter;  // its line is the document's start tag's
    // Detached; freed on the thread that calls Next(), before this is
    // destroyed (see xml::RecordReader).
    xml::NodePtr root;
    xml::SharedText text;  // LodgmentReaderOptions::keep_document_text
  };
  // What Next() reads on to: a document; else the end (status OK) or a
  // structural error.
  struct Step {
    std::optional<Document> document;
    absl::Status status;
    std::optional<FieldError> fatal;
    uint64_t bytes_read = 0;
  };

  // Fails only when the source cannot be read at all; problems in the
  // content come from Next(). Uses options.limits, max_record_bytes and
  // keep_document_text.
  static absl::StatusOr<std::unique_ptr<LodgmentStructure>> Open(
      std::unique_ptr<ByteSource> source, absl::string_view name,
      const LodgmentReaderOptions& options);
  ~LodgmentStructure();

  // The next step. Not to be called again once it has returned the end or
  // an error.
  Step Next();

  // Frees a document's root once done with it, keeping its nodes for the
  // documents to come (xml::RecordReader::Recycle). On the thread that
  // calls Next().
  void Recycle(xml::NodePtr root) { stream_->Recycle(std::move(root)); }

  // Whether the file is a bare SBR sequence (see lodgment_reader.h).
  bool bare() const { return bare_; }
  // DocumentID of the PARENT, once its delimiter is read.
  const std::string& parent_id() const { return parent_id_; }
  // "line N", where the reading is.
  std::string LineText() const;
  // A structural error where the reading is.
  Step Fatal(FieldError error) const;

 private:
  class IdSet;
  LodgmentStructure();
  void ReadRoot();
  void StartDelimiter();
  void EndDelimiter();
  void StartDocument();
  void EndDocument();
  void EndOfFile();
  // Ends the reading with this step (the end or an error): Next() returns
  // it and is not called again.
  void Last(Step step);
  void Fail(FieldError error);
  void FailStructure(absl::string_view document_id, std::string reason);
  void FailXml(const absl::Status& status);

  std::string name_;
  bool keep_text_ = false;
  bool bare_ = false;
  FramedSource* framed_ = nullptr;  // owned by stream_
  std::unique_ptr<xml::RecordReader> stream_;
  std::optional<Step> step_;  // the step read, for Next() to return
  bool root_seen_ = false;
  std::optional<Delimiter> open_delimiter_;  // its start tag read, its end not yet
  std::optional<Delimiter> open_document_;   // the same for the document it announces
  std::optional<Delimiter> pending_;         // read, its document not yet
  std::string parent_id_;
  uint64_t parent_group_ = 0;
  std::string last_id_;     // DocumentID of the last complete document
  std::string reading_id_;  // DocumentID of the delimiter or document being read
  std::unique_ptr<IdSet> seen_ids_;  // for the duplicate DocumentID check
};

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_STP_PAYEVNT_LODGMENT_STRUCTURE_H_
