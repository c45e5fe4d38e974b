// Ingest: takes a pay-event upload (lodgment_reader.h's file format) in one
// streaming pass, decides what of it goes to SBR, and stores that payload in
// the blob store, gzip-compressed, as the bare SBR sequence
// (Record_Delimiter + document pairs, no wrapper). The gateway calls it for
// every SubmitPayEvent / SubmitUpdateEvent.
//
//   IngestOptions options;
//   options.name = "pay.xml";
//   options.on_employer = [&](const payevnt::EmployerRecord& e) {
//     return AlreadyLodged(e) ? absl::AlreadyExistsError("...") : absl::OkStatus();
//   };
//   absl::StatusOr<IngestResult> r = Ingest(upload, options, blobs);
//   if (absl::IsInvalidArgument(r.status())) {
//     for (const UploadProblem& p : UploadProblemsOf(r.status())) ...  // refused
//   }
//   r->payload;    // the blob to push, unless every employee was held back
//                  // (inline when small: BlobStore::Placement::kInlineIfSmall)
//   r->held_back;  // employee records not sent, with their errors
//
// Outcomes:
//  - refused (InvalidArgument with UploadProblems attached): a structural
//    error (not well-formed, DTD, nesting, oversized field, wrong namespace,
//    broken record structure), any Error-severity problem on the employer's
//    PAYEVNT, an InteractionRecordCt that does not match the file's own
//    PAYEVNTEMP count (it is checked against the file as the provider sent
//    it, before anything is held back), or a file with no employee record.
//    These refuse the upload in either prevalidate mode: SBR rejects such a
//    lodgment whole (seed 002), so sending it would only cost a round trip.
//    Nothing is stored.
//  - PrevalidateMode::kHold: employee records with an Error-severity problem
//    are held back (IngestResult::held_back) and the rest are sent, with the
//    PAYEVNT's InteractionRecordCt rewritten to the number actually sent and
//    every record keeping its DocumentID, so SBR's answers name the
//    provider's records. If every employee is held back nothing is sent:
//    employees_sent is 0 and there is no payload.
//  - PrevalidateMode::kOff: every record is sent as given; SBR judges.
//
// One pass, on two threads: LodgmentReader parses the upload on the
// caller's thread and validates each record past the first 64 on a second
// one; as soon as an employee record is validated and kept, its document
// (its bytes as uploaded, plus any namespace declarations it relied on from
// the wrapper) is compressed on the validating thread, into memory and,
// past 256 KiB of it (several hundred employees), an unlinked temporary
// file. A pay event of a few dozen employees needs no second thread and
// makes no file. The
// employer's PAYEVNT, whose InteractionRecordCt is only known at the end,
// is compressed last and spliced in front: the blob is a single gzip
// member. Results do not depend on the threads' timing. Memory stays
// bounded however large the upload: a few dozen records are in flight at
// a time, only the list of held-back records grows with the file, and who
// was sent goes to IngestOptions::on_sent record by record. The upload is
// read on the caller's thread only.
#ifndef SBRGATE_PIPELINE_INGEST_INGEST_H_
#define SBRGATE_PIPELINE_INGEST_INGEST_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/ingest/upload_problems.pb.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "pipeline/stp/payevnt/record.h"
#include "proto/lodgment.pb.h"

namespace sbrgate::ingest {

// zlib level of the employer's document at the head of the payload (the
// employees' documents go through RawDeflater, raw_deflate.h): on XML,
// levels 1 to 3 take about a third of the time of the default 6 for 14:1
// against 19:1; 3 compresses best of them, for no more work.
inline constexpr int kEmployerGzipLevel = 3;

enum class PrevalidateMode {
  kHold,  // hold back employee records that fail our checks, send the rest
  kOff,   // send every record as given
};

// An employee record in the payload: who it is, so that SBR's rejections,
// which name records by DocumentID only, can say whom they are about.
struct SentRecord {
  std::string document_id;
  std::string payroll_id;
  std::string family_name;
  std::string tfn_masked;
};

struct IngestOptions {
  PrevalidateMode prevalidate = PrevalidateMode::kHold;
  // Names the upload in messages ("pay.xml:12: ...").
  std::string name = "upload";
  // Where the compressed employee documents are spooled, past what is kept
  // in memory, until the payload is written (an unlinked file, so nothing
  // is left behind even by a crash). Empty: $TMPDIR, else /tmp.
  std::string temp_dir;
  // Schemas and limits for the reader; schemas load on each call when empty.
  payevnt::LodgmentReaderOptions reader;
  // Called once, as soon as the employer's PAYEVNT has been read and before
  // any employee record. A non-OK status stops the ingest: nothing is stored
  // and Ingest returns that status (the gateway's idempotency check).
  std::function<absl::Status(const payevnt::EmployerRecord&)> on_employer;
  // Called for each employee record that goes into the payload, in upload
  // order, as soon as it is checked, on the thread that checks it (one
  // call at a time; Ingest returns after the last): the caller keeps what it
  // needs (the gateway streams them into a blob), so 200,000 of them are
  // never held in memory at once. A non-OK status fails the ingest, nothing
  // stored, and no more calls come. May be empty.
  std::function<absl::Status(const SentRecord&)> on_sent;
  // Employee records an upload may hold (an STP pay event carries at most
  // 200,000); past it the ingest stops, RESOURCE_EXHAUSTED, nothing stored.
  int64_t max_employees = 200000;
};

struct IngestResult {
  payevnt::EmployerRecord employer;
  int64_t employees = 0;       // PAYEVNTEMP records in the upload
  int64_t employees_sent = 0;  // of which in the payload
  // In upload order; errors carry code, path, substituted description and
  // severity; the TFN is masked.
  std::vector<v1::RecordProblem> held_back;
  std::optional<blob::BlobId> payload;  // gzip of the bare sequence; none when nothing is sent
  uint64_t bytes_received = 0;
};

absl::StatusOr<IngestResult> Ingest(ByteSource& upload, const IngestOptions& options,
                                    blob::BlobStore& blobs);

// The type URL under which Ingest attaches UploadProblems to its status.
inline constexpr char kUploadProblemsTypeUrl[] =
    "type.googleapis.com/sbrgate.ingest.UploadProblems";

// The problems attached to a status from Ingest (empty for any other status).
std::vector<UploadProblem> UploadProblemsOf(const absl::Status& status);

// "record 1.7 /tns:PAYEVNTEMP/...", "record 1.3", "line 12" or "the upload":
// where a problem is, as the gateway's BadRequest field names it.
std::string ProblemLocation(const UploadProblem& problem);

}  // namespace sbrgate::ingest

#endif  // SBRGATE_PIPELINE_INGEST_INGEST_H_
