#include "pipeline/stp/admission/admission.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/common/uuid.h"
#include "pipeline/platform/kafka/limits.h"
#include "pipeline/platform/metrics/registry.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/stp/ingest/ingest.h"
#include "pipeline/stp/payevnt/sender.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::admission {
namespace {

constexpr char kSubmitAction[] = "Submit.004.00";
constexpr char kUpdateAction[] = "Update.004.00";
constexpr char kNothingSent[] = "every employee record failed validation; nothing was sent";
// Lodgments remembered between publishing and the view showing them.
constexpr size_t kMaxRecent = 1000;

// What an admitted upload brought in, on /metrics (refused uploads show in
// the gRPC calls' codes).
void CountAdmitted(const ingest::IngestResult& result) {
  static auto& bytes = metrics::Registry::Default().AddCounter(
      "sbrgate_ingest_bytes_total", "Bytes of pay-event uploads admitted as lodgments.");
  static auto& records = metrics::Registry::Default().AddCounter(
      "sbrgate_ingest_records_total",
      "Employee records of admitted uploads, by what became of them.", {"disposition"});
  bytes.With({}).Increment(static_cast<double>(result.bytes_received));
  records.With({"sent"}).Increment(static_cast<double>(result.employees_sent));
  records.With({"held_back"}).Increment(static_cast<double>(result.employees - result.employees_sent));
}

}  // namespace

// Holds an idempotency key in the in-flight set for the life of one upload.
class Admission::KeyReservation {
 public:
  explicit KeyReservation(Admission* admission) : admission_(admission) {}
  ~KeyReservation() {
    if (!key_.has_value()) return;
    absl::MutexLock lock(&admission_->mu_);
    admission_->in_flight_.erase(*key_);
  }
  // False if another upload holds the key.
  bool Reserve(const Key& key) {
    absl::MutexLock lock(&admission_->mu_);
    if (!admission_->in_flight_.insert(key).second) return false;
    key_ = key;
    return true;
  }

 private:
  Admission* admission_;
  std::optional<Key> key_;
};

Admission::Admission(AdmissionOptions options) : options_(std::move(options)) {
  if (options_.spool_dir.empty()) options_.spool_dir = options_.blobs->root() + "/tmp";
  if (options_.reader.schemas.payevnt == nullptr || options_.reader.schemas.payevntemp == nullptr) {
    // On failure each upload loads them again and reports why it cannot.
    absl::StatusOr<payevnt::LodgmentSchemas> schemas = payevnt::LoadLodgmentSchemas();
    if (schemas.ok()) options_.reader.schemas = *std::move(schemas);
  }
}

absl::StatusOr<v1::Lodgment> Admission::Admit(const Upload& upload, ByteSource& content) {
  const bool pay_event = upload.kind == EventKind::kPayEvent;
  std::optional<v1::Lodgment> corrected;
  if (!upload.corrects_lodgment_id.empty()) {
    corrected = Find(upload.corrects_lodgment_id);
    if (!corrected.has_value()) {
      return absl::NotFoundError(absl::StrCat("corrects_lodgment_id: lodgment ",
                                              upload.corrects_lodgment_id, " not found"));
    }
  } else if (!pay_event) {
    return absl::InvalidArgumentError(
        "an update event needs corrects_lodgment_id: the pay event whose employee records it "
        "corrects");
  }

  ingest::IngestOptions options;
  const v1::PrevalidateMode mode = upload.prevalidate == v1::PREVALIDATE_UNSPECIFIED
                                       ? options_.default_prevalidate
                                       : upload.prevalidate;
  options.prevalidate =
      mode == v1::PREVALIDATE_OFF ? ingest::PrevalidateMode::kOff : ingest::PrevalidateMode::kHold;
  options.name = upload.file_name.empty() ? "upload" : upload.file_name;
  options.temp_dir = options_.spool_dir;
  options.reader = options_.reader;
  options.max_employees = options_.max_employees;
  std::optional<v1::Lodgment> duplicate;
  std::optional<Key> key;
  KeyReservation reservation(this);
  options.on_employer = [&](const payevnt::EmployerRecord& e) -> absl::Status {
    if (upload.may_lodge_for) {
      if (absl::Status s = upload.may_lodge_for(e); !s.ok()) return s;
    }
    const std::string payer = e.abn.empty() ? payevnt::UnpaddedWpn(e.wpn) : e.abn;
    if (corrected.has_value() && !lodgment::PayerOf(*corrected).empty() &&
        payer != lodgment::PayerOf(*corrected)) {
      return absl::InvalidArgumentError(absl::StrCat(
          options.name, ": the payer ", payer, " (DocumentID ", e.document_id,
          ") is not that of lodgment ", corrected->lodgment_id(), " (",
          lodgment::PayerOf(*corrected), "), which this upload corrects"));
    }
    if (payer.empty() || e.bms_id.empty() || e.interaction_transaction_id.empty()) {
      return absl::OkStatus();  // no idempotency key
    }
    key = Key{payer, e.bms_id, e.interaction_transaction_id};
    // Reserved before looking: an upload holding the key has not yet
    // remembered its lodgment.
    if (!reservation.Reserve(*key)) {
      return absl::AbortedError(
          absl::StrCat("a pay event of payer ", payer, ", BMS id ", e.bms_id,
                       " and InteractionTransactionId ", e.interaction_transaction_id,
                       " is being received by another request; retry to get its lodgment"));
    }
    if (pay_event) {
      duplicate = FindDuplicate(*key, upload.corrects_lodgment_id);
      if (duplicate.has_value()) {
        return absl::AlreadyExistsError(
            absl::StrCat("lodged before as ", duplicate->lodgment_id()));
      }
    }
    return absl::OkStatus();
  };

  // Who each sent record is, streamed into its blob as the ingest goes.
  std::optional<lodgment::ProblemsBlobWriter> sent;
  options.on_sent = [&](const ingest::SentRecord& s) -> absl::Status {
    if (!sent.has_value()) {
      absl::StatusOr<lodgment::ProblemsBlobWriter> made =
          lodgment::ProblemsBlobWriter::Create(*options_.blobs);
      if (!made.ok()) return made.status();
      sent.emplace(*std::move(made));
    }
    v1::RecordProblem p;
    p.set_document_id(s.document_id);
    p.set_payroll_id(s.payroll_id);
    p.set_family_name(s.family_name);
    p.set_tfn_masked(s.tfn_masked);
    return sent->Add(p);
  };

  absl::StatusOr<ingest::IngestResult> result = ingest::Ingest(content, options, *options_.blobs);
  if (duplicate.has_value()) return *std::move(duplicate);
  if (!result.ok()) return result.status();

  const absl::Time now = options_.clock->Now();
  const std::string id = NewUuid();
  const bool sending = result->employees_sent > 0;
  const payevnt::EmployerRecord& employer = result->employer;

  v1::Lodgment l;
  l.set_lodgment_id(id);
  l.set_kind(pay_event ? "Submit" : "Update");
  l.set_abn(employer.abn);
  l.set_wpn(payevnt::UnpaddedWpn(employer.wpn));
  l.set_intermediary_abn(employer.intermediary_abn);
  l.set_intermediary_tan(employer.intermediary_tan);
  l.set_bms_id(employer.bms_id);
  l.set_interaction_transaction_id(employer.interaction_transaction_id);
  l.set_employees(result->employees);
  l.set_employees_sent(result->employees_sent);
  l.set_corrects_lodgment_id(upload.corrects_lodgment_id);
  *l.mutable_created_at() = ToProto(now);
  if (sending) {
    l.set_message_id(ebms::NewMessageId(options_.message_id_domain));
    l.set_attempts(1);
  }

  events::StatusChange change =
      lodgment::Change(id, sending ? v1::RECEIVED : v1::REJECTED, now,
                       sending ? absl::StrCat("received ", result->employees,
                                              " employee records: ", result->employees_sent,
                                              " to send, ", result->held_back.size(), " held back")
                               : kNothingSent);
  *change.mutable_lodgment() = l;
  if (!result->held_back.empty()) {
    absl::StatusOr<events::BlobRef> ref =
        lodgment::StoreProblems(*options_.blobs, result->held_back);
    if (!ref.ok()) return ref.status();
    *change.mutable_held_back() = *std::move(ref);
  }
  if (sent.has_value()) {
    absl::StatusOr<events::BlobRef> ref = sent->Commit();
    if (!ref.ok()) return ref.status();
    *change.mutable_sent_records() = *std::move(ref);
  }
  events::LodgmentToSubmit submission;
  if (sending) {
    submission.set_lodgment_id(id);
    submission.set_message_id(l.message_id());
    submission.set_conversation_id(id);
    submission.set_action(pay_event ? kSubmitAction : kUpdateAction);
    submission.set_abn(l.abn());
    const ebms::Party from = payevnt::SenderOf(employer);
    submission.mutable_from()->set_id(from.id);
    submission.mutable_from()->set_type(from.type);
    submission.mutable_from()->set_role(from.role);
    *submission.mutable_payload() = blob::ToRef(*result->payload);
    submission.set_employees_sent(result->employees_sent);
    if (pay_event) submission.set_employer_document_id(employer.document_id);
    submission.set_attempt(1);
    *submission.mutable_created_at() = ToProto(now);
    *change.mutable_submission() = submission;
  }

  std::vector<kafka::Output> outputs;
  outputs.push_back(lodgment::StatusOutput(change));
  if (sending) outputs.push_back({lodgment::topics::kReceived, id, submission.SerializeAsString()});
  if (pay_event && corrected.has_value()) {
    events::StatusChange superseded = lodgment::Change(
        corrected->lodgment_id(), v1::SUPERSEDED, now, absl::StrCat("superseded by lodgment ", id));
    superseded.mutable_lodgment()->set_superseded_by(id);
    outputs.push_back(lodgment::StatusOutput(superseded));
  }
  for (const kafka::Output& o : outputs) {
    if (o.value.size() > kafka::kMaxMessageBytes) {
      return absl::InternalError(
          absl::StrCat("a ", o.topic, " message of lodgment ", id, " would be ", o.value.size(),
                       " bytes, over the topic limit of ", kafka::kMaxMessageBytes));
    }
  }
  if (absl::Status s = options_.publisher->Publish(std::move(outputs)); !s.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "the lodgment could not be queued (nothing was lodged; send it again): ", s.message()));
  }

  CountAdmitted(*result);

  // As the view will show it once it has applied the change.
  l.set_state(change.state());
  l.set_detail(change.detail());
  *l.mutable_updated_at() = change.at();
  for (v1::RecordProblem& p : result->held_back) *l.add_held_back() = std::move(p);
  if (key.has_value() && pay_event) Remember(*key, l);
  return l;
}

std::optional<v1::Lodgment> Admission::Find(const std::string& lodgment_id) const {
  if (std::optional<v1::Lodgment> l = options_.view->Get(lodgment_id)) return l;
  absl::MutexLock lock(&mu_);
  for (const auto& [key, l] : recent_) {
    if (l.lodgment_id() == lodgment_id) return l;
  }
  return std::nullopt;
}

std::optional<v1::Lodgment> Admission::LatestInView(const Key& key) const {
  const auto& [abn, bms_id, transaction_id] = key;
  std::optional<std::string> id = options_.view->FindByIdempotencyKey(abn, bms_id, transaction_id);
  if (!id.has_value()) return std::nullopt;
  std::optional<v1::Lodgment> l = options_.view->Get(*id);
  // A chain of corrections is short; the bound only guards against a cycle.
  for (int hops = 0; l.has_value() && !l->superseded_by().empty() && hops < 100; ++hops) {
    std::optional<v1::Lodgment> next = options_.view->Get(l->superseded_by());
    if (!next.has_value() ||
        Key{lodgment::PayerOf(*next), next->bms_id(), next->interaction_transaction_id()} != key) {
      break;
    }
    l = std::move(next);
  }
  return l;
}

std::optional<v1::Lodgment> Admission::FindDuplicate(const Key& key,
                                                     const std::string& corrects) const {
  std::optional<v1::Lodgment> found;
  {
    absl::MutexLock lock(&mu_);
    auto it = recent_.find(key);
    if (it != recent_.end()) found = it->second;
  }
  if (found.has_value()) {
    // The view may know it better by now (a later state).
    if (std::optional<v1::Lodgment> shown = options_.view->Get(found->lodgment_id())) found = shown;
  } else {
    found = LatestInView(key);
  }
  if (!found.has_value() || found->lodgment_id() == corrects) return std::nullopt;
  return found;
}

void Admission::Remember(const Key& key, const v1::Lodgment& lodgment) {
  absl::MutexLock lock(&mu_);
  recent_[key] = lodgment;
  remembered_.emplace_back(key, lodgment.lodgment_id());
  // Forget, oldest first, what the view now resolves the same way. The view
  // applies lodgments about in the order they were admitted, so this stops
  // at the first it does not show yet: a few lookups an upload, however far
  // the view lags, rather than one for every lodgment remembered.
  while (!remembered_.empty()) {
    const auto& [oldest_key, id] = remembered_.front();
    auto it = recent_.find(oldest_key);
    if (it != recent_.end() && it->second.lodgment_id() == id) {
      if (remembered_.size() <= kMaxRecent) {
        std::optional<v1::Lodgment> shown = LatestInView(oldest_key);
        if (!shown.has_value() || shown->lodgment_id() != id) break;
      }
      recent_.erase(it);
    }
    remembered_.pop_front();
  }
}

}  // namespace sbrgate::admission
