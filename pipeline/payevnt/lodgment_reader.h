// LodgmentReader: reads an STP pay-event lodgment file one record at a time
// (the employer's PAYEVNT, then each employee's PAYEVNTEMP), validating each
// record on its own against sbrgate's schemas and the business rules, so a
// 200,000-employee file is read in bounded memory.
//
//   auto reader = LodgmentReader::Open(std::move(source), "pay.xml");
//   if (!reader.ok()) return reader.status();          // schemas, I/O
//   for (;;) {
//     absl::StatusOr<std::optional<Record>> r = (*reader)->Next();
//     if (!r.ok()) return r.status();   // structural: names line, DocumentID
//     if (!r->has_value()) break;       // end: see summary().final_errors
//     for (const FieldError& e : (*r)->errors) ...
//   }
//
// File format. SBR's payload is a sequence of Record_Delimiter + document
// pairs, which is not one well-formed XML document (it has many top-level
// elements). A lodgment file is therefore sbrgate's wrapper around it:
//
//   <?xml version="1.0" encoding="UTF-8"?>
//   <PayEventLodgment xmlns="http://sbrgate.dev/ns/lodgment">
//   <Record_Delimiter DocumentID="1.1" DocumentName="PAYEVNT"
//                     DocumentType="PARENT" RelatedDocumentID=""/>
//   <tns:PAYEVNT xmlns:tns="http://www.sbr.gov.au/ato/payevnt">...</tns:PAYEVNT>
//   <Record_Delimiter DocumentID="1.2" DocumentName="PAYEVNTEMP"
//                     DocumentType="CHILD" RelatedDocumentID="1.1"/>
//   <tns:PAYEVNTEMP xmlns:tns="http://www.sbr.gov.au/ato/payevntemp">...</tns:PAYEVNTEMP>
//   ...
//   </PayEventLodgment>
//
// Record_Delimiter may be in no namespace (SBR's form) or in the wrapper's.
// The bare SBR sequence is accepted too: when the first element of the file
// is a Record_Delimiter, the reader wraps the byte stream on the fly in a
// prefixed wrapper (<sbrgateLodgment:PayEventLodgment xmlns:sbrgateLodgment=
// "http://sbrgate.dev/ns/lodgment">), inserted just before that element and
// closed after the last byte. That is safe: the prefixed wrapper changes no
// element's namespace, stays on the same line (line numbers in errors still
// match the file), keeps an XML declaration in front of it, and a file that
// closes the wrapper early is left with trailing content and fails as not
// well-formed. A file holds one pay event: one PARENT, then its CHILDren
// (DocumentIDs "<group>.<sequence>", e.g. 1.1, 1.2, ...).
//
// Errors come in two kinds:
//  - structural (not well-formed, DTD/entities, nesting, oversized text or
//    record, wrong root or namespace, Record_Delimiter missing or not
//    matching its document, duplicate DocumentID, parent not first): reading
//    stops; Next() returns InvalidArgument naming file, line and record:
//    "<name>:<line>: DocumentID <id>: <what>" for the record structure,
//    "<name>:<line>: <what> (in DocumentID <id>)" for XML problems (libxml2
//    parses ahead of the records, so those are placed by their line; in a
//    one-line file the message names the range of records on it), and
//    summary().fatal holds the same as a FieldError. Past line 65535 (where
//    libxml2 stops counting element lines) structural messages say "near";
//  - per record (schema, check digits, dates, amounts): in Record::errors,
//    and reading goes on. InteractionRecordCt can only be checked at the end,
//    so its error (about the employer) lands in summary().final_errors.
#ifndef SBRGATE_PIPELINE_PAYEVNT_LODGMENT_READER_H_
#define SBRGATE_PIPELINE_PAYEVNT_LODGMENT_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/common/byte_stream.h"
#include "pipeline/payevnt/record.h"
#include "pipeline/xml/hardened.h"

namespace sbrgate::payevnt {

struct LodgmentSchemas {
  std::shared_ptr<const xml::Schema> payevnt;
  std::shared_ptr<const xml::Schema> payevntemp;
};

// Loads pipeline/payevnt/schemas/payevnt.xsd and payevntemp.xsd (ResourcePath).
absl::StatusOr<LodgmentSchemas> LoadLodgmentSchemas();

struct LodgmentReaderOptions {
  LodgmentSchemas schemas;  // loaded by Open when left empty
  xml::Limits limits;
  // Largest single document (PAYEVNT or PAYEVNTEMP) in bytes: each record is
  // expanded into a DOM, so this bounds the memory one record can take.
  size_t max_record_bytes = 1 << 20;
  // PaymentRecordTransactionD may be at most this many days after the day of
  // MessageTimestampGenerationDt (UTC).
  int max_payment_days_ahead = 366;
};

struct Record {
  enum class Kind { kEmployer, kEmployee };
  Kind kind = Kind::kEmployee;
  std::string document_id;
  std::string related_document_id;
  int line = 0;             // of the document's start tag (libxml2 caps it at 65535)
  EmployerRecord employer;  // when kind == kEmployer
  EmployeeRecord employee;  // when kind == kEmployee
  std::vector<FieldError> errors;
};

struct LodgmentSummary {
  bool bare_sequence = false;  // the file had no wrapper (see above)
  bool finished = false;       // read to the end without a structural error
  bool has_employer = false;
  EmployerRecord employer;
  bool employer_has_errors = false;  // including final_errors
  int64_t employees = 0;
  int64_t employees_with_errors = 0;
  std::vector<FieldError> final_errors;  // checks that need the whole file
  std::optional<FieldError> fatal;       // the structural error that stopped reading
  uint64_t bytes_read = 0;
};

class LodgmentReader {
 public:
  // Fails only when the schemas cannot be loaded or the source cannot be
  // read at all; problems in the content come from Next().
  static absl::StatusOr<std::unique_ptr<LodgmentReader>> Open(
      std::unique_ptr<ByteSource> source, absl::string_view name,
      LodgmentReaderOptions options = LodgmentReaderOptions());
  ~LodgmentReader();

  // The next record, nullopt after the last one. After an error, returns the
  // same error again.
  absl::StatusOr<std::optional<Record>> Next();

  const LodgmentSummary& summary() const { return summary_; }

 private:
  class FramedSource;
  class IdSet;
  enum class State { kStart, kRecords, kAfterRoot, kDone };
  struct Delimiter {
    std::string document_id;
    std::string document_name;  // PAYEVNT or PAYEVNTEMP
    std::string related_document_id;
    int line = 0;
  };

  LodgmentReader() = default;
  absl::StatusOr<bool> Advance();
  absl::Status ReadRoot();
  absl::Status ReadDelimiter();
  absl::StatusOr<Record> ReadDocument();
  absl::Status Finish();
  std::string LineText() const;
  absl::Status Fail(FieldError error);
  absl::Status FailStructure(absl::string_view document_id, std::string reason);
  absl::Status FailXml(const absl::Status& status);
  std::vector<FieldError> SchemaErrors(xmlSchemaValidCtxt* ctxt, xmlNode* root,
                                       const std::string& document_id, absl::string_view ns);
  void CheckEmployer(xmlNode* root, Record& rec);
  void CheckEmployee(xmlNode* root, Record& rec);

  std::string name_;
  LodgmentReaderOptions options_;
  FramedSource* framed_ = nullptr;  // owned by stream_
  std::unique_ptr<xml::StreamReader> stream_;
  State state_ = State::kStart;
  bool positioned_ = false;  // stream_ already sits on an unprocessed node
  absl::Status fatal_status_;
  std::optional<Delimiter> pending_;  // read, its document not yet
  std::string parent_id_;
  uint64_t parent_group_ = 0;
  std::string last_id_;     // DocumentID of the last complete record
  std::string reading_id_;  // DocumentID of the document being read
  bool eof_ = false;
  bool record_count_known_ = false;
  std::unique_ptr<IdSet> seen_ids_;  // for the duplicate DocumentID check
  // One validation context per schema, reused for every record.
  xmlSchemaValidCtxt* payevnt_ctxt_ = nullptr;
  xmlSchemaValidCtxt* payevntemp_ctxt_ = nullptr;
  LodgmentSummary summary_;
};

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_PAYEVNT_LODGMENT_READER_H_
