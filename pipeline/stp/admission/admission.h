// Admission: how a pay event or update event enters the STP pipeline. It
// reads the upload through Ingest (pipeline/stp/ingest), answers a repeated
// upload with the lodgment it repeats, stores the payload and record lists in
// the blob store, and hands the lodgment to the pipeline with one Publish:
// its first StatusChange and, when anything is to be sent, its
// LodgmentToSubmit on topics::kReceived (and, for a correction, the
// corrected lodgment's SUPERSEDED). The gateway's gRPC service
// (pipeline/stp/gateway) only translates between the wire and this.
//
//   AdmissionOptions o;
//   o.view = &view; o.publisher = &publisher; o.blobs = blobs.get();
//   o.clock = &clock; o.message_id_domain = "sbrgate.example.com.au";
//   Admission admission(std::move(o));
//   absl::StatusOr<v1::Lodgment> l = admission.Admit({EventKind::kPayEvent, "pay.xml"}, content);
//
// Idempotency: a pay event whose employer record has the ABN, BMS id and
// InteractionTransactionId of an earlier one returns that lodgment (its
// latest correction under the same key) and stores and publishes nothing;
// the rest of its content is not read. A corrected resubmission may reuse
// the key of the lodgment it corrects. The same key arriving while another
// upload with it is still being admitted is ABORTED (retry to get the
// lodgment). Lodgments admitted here that the view does not show yet are
// remembered, so a quick retry is not lodged twice.
//
// Errors (nothing is stored or published for them):
//   NOT_FOUND         corrects_lodgment_id names no lodgment
//   INVALID_ARGUMENT  an update event without corrects_lodgment_id; a
//                     correction from another payer; an upload Ingest
//                     refuses (its problems attached: ingest::UploadProblemsOf)
//   ABORTED           the idempotency key is being admitted by another upload
//   INTERNAL          a record would exceed the topic message limit
//   UNAVAILABLE       the records could not be published (send it again)
//   and whatever reading the content or the blob store fails with.
#ifndef SBRGATE_PIPELINE_STP_ADMISSION_ADMISSION_H_
#define SBRGATE_PIPELINE_STP_ADMISSION_ADMISSION_H_

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/publish/publisher.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "pipeline/stp/status/status_view.h"
#include "proto/lodgment.pb.h"

namespace sbrgate::admission {

enum class EventKind {
  kPayEvent,     // Submit.004.00: a new lodgment, or the correction of a rejected one
  kUpdateEvent,  // Update.004.00: corrected employee records of a lodgment
};

struct Upload {
  EventKind kind = EventKind::kPayEvent;
  // Names the upload in messages; empty: "upload".
  std::string file_name;
  // The lodgment this upload corrects (required for an update event).
  std::string corrects_lodgment_id;
  // PREVALIDATE_UNSPECIFIED: AdmissionOptions::default_prevalidate.
  v1::PrevalidateMode prevalidate = v1::PREVALIDATE_UNSPECIFIED;
  // Whether the caller may lodge for the payer, asked once the employer
  // record is read and before anything is stored or looked up; its error
  // refuses the upload. Empty: anyone may.
  std::function<absl::Status(const payevnt::EmployerRecord&)> may_lodge_for;
};

struct AdmissionOptions {
  // The lodgments known so far (idempotency, corrections).
  const lodgment::StatusView* view = nullptr;
  publish::Publisher* publisher = nullptr;
  blob::BlobStore* blobs = nullptr;
  const Clock* clock = nullptr;
  v1::PrevalidateMode default_prevalidate = v1::PREVALIDATE_HOLD;
  // MessageIds are "<uuid>@<domain>".
  std::string message_id_domain = "sbrgate.invalid";
  // Where uploads are spooled while read; empty: the blob store's tmp folder.
  std::string spool_dir;
  // Schemas and limits for reading uploads; the schemas are loaded once by
  // the constructor when left empty.
  payevnt::LodgmentReaderOptions reader;
  // Employee records per upload (ingest.h).
  int64_t max_employees = 200000;
};

class Admission {
 public:
  // Everything `options` points to must outlive the admission.
  explicit Admission(AdmissionOptions options);

  // Reads the upload's content and admits it: the lodgment as the view will
  // show it once it has applied the published change (with its held-back
  // records), or the earlier lodgment it repeats. Thread-safe.
  absl::StatusOr<v1::Lodgment> Admit(const Upload& upload, ByteSource& content);

 private:
  // ABN, BMS id, InteractionTransactionId.
  using Key = std::tuple<std::string, std::string, std::string>;
  class KeyReservation;

  // The lodgment from the view, else one admitted here and not yet shown.
  std::optional<v1::Lodgment> Find(const std::string& lodgment_id) const;

  // The lodgment an upload with `key` repeats, if any: the latest lodgment
  // under that key, unless it is the one the upload corrects.
  std::optional<v1::Lodgment> FindDuplicate(const Key& key, const std::string& corrects) const;
  // The view's latest lodgment under `key` (following superseded_by while
  // the successor has the same key).
  std::optional<v1::Lodgment> LatestInView(const Key& key) const;
  void Remember(const Key& key, const v1::Lodgment& lodgment);

  AdmissionOptions options_;

  mutable absl::Mutex mu_;
  std::set<Key> in_flight_ ABSL_GUARDED_BY(mu_);
  // Pay events admitted here whose key the view does not resolve to them yet.
  std::map<Key, v1::Lodgment> recent_ ABSL_GUARDED_BY(mu_);
  // recent_'s admissions in the order they were remembered (key, lodgment
  // id); one whose key was remembered again since is passed over.
  std::deque<std::pair<Key, std::string>> remembered_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate::admission

#endif  // SBRGATE_PIPELINE_STP_ADMISSION_ADMISSION_H_
