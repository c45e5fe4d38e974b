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
//    "<name>:<line>: <what> (in DocumentID <id>)" for XML problems (placed
//    by their line; in a one-line file the message names the range of
//    records on it), and summary().fatal holds the same as a FieldError;
//  - per record (schema, check digits, dates, amounts): in Record::errors,
//    and reading goes on. InteractionRecordCt can only be checked at the end,
//    so its error (about the employer) lands in summary().final_errors.
//
// The file is parsed once (xml::RecordReader), on the caller's thread, and
// the business rules run there too. The schema validation of each record
// from the 65th on runs on two more threads, side by side, up to a few dozen
// records behind the parsing (a small file, checked as it is parsed, never
// starts them);
// records, errors and the summary come out exactly as if it were all done in
// order on one thread: every record complete before a structural problem is
// returned before it. The first record (the employer's) is returned before
// anything after it is read beyond libxml2's 16 KiB read-ahead, so a caller
// can stop there cheaply.
#ifndef SBRGATE_PIPELINE_PAYEVNT_LODGMENT_READER_H_
#define SBRGATE_PIPELINE_PAYEVNT_LODGMENT_READER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/xml/limits.h"
#include "pipeline/platform/xml/record_reader.h"
#include "pipeline/platform/xml/schema.h"
#include "pipeline/stp/payevnt/record.h"

namespace sbrgate::payevnt {

struct LodgmentSchemas {
  std::shared_ptr<const xml::Schema> payevnt;
  std::shared_ptr<const xml::Schema> payevntemp;
};

// pipeline/stp/payevnt/schemas/payevnt.xsd and payevntemp.xsd (ResourcePath),
// compiled on the first call and shared by every later one.
absl::StatusOr<LodgmentSchemas> LoadLodgmentSchemas();

struct Record;
class LodgmentStructure;

struct LodgmentReaderOptions {
  LodgmentSchemas schemas;  // loaded by Open when left empty
  xml::Limits limits;
  // Largest single document (PAYEVNT or PAYEVNTEMP) in bytes: each record is
  // expanded into a DOM, so this bounds the memory one record can take.
  size_t max_record_bytes = 1 << 20;
  // PaymentRecordTransactionD may be at most this many days after the day of
  // MessageTimestampGenerationDt (UTC).
  int max_payment_days_ahead = 366;
  // Fill Record::text.
  bool keep_document_text = false;
  // Called for each record once it is checked, in file order, one call at a
  // time, before Next() returns it: on the caller's thread for the first 64,
  // then on one of the checkers', in parallel with the caller's, which parses
  // the records after it. What it shares with the
  // caller needs a lock, or is left alone by the caller until the reader is
  // destroyed. It may change the record, e.g. take its text.
  std::function<void(Record&)> on_checked;
};

struct Record {
  enum class Kind { kEmployer, kEmployee };
  Kind kind = Kind::kEmployee;
  std::string document_id;
  std::string related_document_id;
  int line = 0;             // of the document's start tag
  EmployerRecord employer;  // when kind == kEmployer
  EmployeeRecord employee;  // when kind == kEmployee
  std::vector<FieldError> errors;
  // (LodgmentReaderOptions::keep_document_text) The document as XML that
  // stands on its own, UTF-8 (see xml::RecordReader::RecordText): its bytes
  // as in the file when that is UTF-8, with the declarations of any
  // namespace it took from the wrapper added to its start tag.
  xml::SharedText text;
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
  class Checker;
  struct Job;
  // What Next() returns next: a document (once checked); else a structural
  // error; else (status OK) the end.
  struct Item {
    std::unique_ptr<Job> job;
    absl::Status status;
    std::optional<FieldError> fatal;
    uint64_t bytes_read = 0;
  };

  // Documents in flight from the second record on: parsed, waiting for or
  // in their checks. Few enough that their DOMs are still in cache when
  // freed.
  static constexpr size_t kInFlight = 24;
  // Documents checked on the caller's thread before the checkers start:
  // a pay event of a few dozen employees never starts them.
  static constexpr uint64_t kCheckedHere = 64;

  LodgmentReader();
  // Parsing (this thread): reads on until one more item is queued: a
  // document to check (its business rules checked here), a structural
  // error or the end.
  void ParseItem();
  // One validation context per schema, for one thread at a time (from the
  // schema's pool, back to it after the reader).
  struct ValidCtxts {
    xml::Schema::ValidCtxt payevnt;
    xml::Schema::ValidCtxt payevntemp;
  };
  absl::StatusOr<ValidCtxts> TakeValidCtxts() const;
  // The schema check (a checker's thread), after the business rules (this
  // thread, when the document is parsed).
  void Validate(Job& job, const ValidCtxts& ctxts) const;
  // What follows the checks: on_checked, one job at a time, in file order.
  void Checked(Job& job) const;
  // Taking items (this thread): what Next() returns.
  absl::StatusOr<std::optional<Record>> Take(Item item);
  absl::Status Finish();

  LodgmentReaderOptions options_;
  // The delimiter state machine over the file: documents or the end.
  std::unique_ptr<LodgmentStructure> structure_;
  bool parse_done_ = false;  // the last item (an error or the end) is queued
  uint64_t parsed_ = 0;      // documents parsed
  // This thread's, for the first documents (the checkers have their own).
  ValidCtxts ctxts_;
  // Taking state.
  uint64_t taken_ = 0;  // items returned
  bool done_ = false;   // the end or an error was returned
  absl::Status fatal_status_;
  bool record_count_known_ = false;
  LodgmentSummary summary_;
  // In file order; destroyed (and the checkers stopped) before structure_.
  std::deque<Item> items_;
  std::unique_ptr<Checker> checker_;
};

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_PAYEVNT_LODGMENT_READER_H_
