#include "pipeline/stp/stages/triage_stage.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/event02/event02.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::lodgment {
namespace {

v1::RecordError ToRecordError(const event02::EventItem& item, const std::string& path) {
  v1::RecordError e;
  e.set_code(item.error_code);
  e.set_path(path);
  e.set_severity(item.severity);
  const std::string& text =
      item.detailed_description.empty() ? item.short_description : item.detailed_description;
  e.set_description(event02::SubstituteParameters(text, item.parameters));
  return e;
}

}  // namespace

absl::Status TriageStage::Process(const stage::Record& input, stage::Context& ctx) {
  events::ResponseReady ready;
  if (!ready.ParseFromString(input.value)) return absl::DataLossError("not a ResponseReady");
  const std::string& id = ready.lodgment_id();
  auto source = blob::OpenRef(*blobs_, ready.response());
  if (!source.ok()) return source.status();
  auto reader = event02::ResponseReader::Open(*std::move(source), "event.02 response");
  if (!reader.ok()) return reader.status();

  // Employee records by DocumentID, in the order SBR named them; errors
  // without an employee (the employer's, or the lodgment's) apart. The
  // employer's DocumentID is the one its payload gave it; a submission
  // written before it was recorded had the generator's "1.1".
  const events::LodgmentToSubmit& sent = ready.submission();
  const std::string employer_id =
      !sent.employer_document_id().empty() ? sent.employer_document_id()
      : sent.action() == ebms::kActionPayevntSubmit ? "1.1"
                                           : "";
  std::map<std::string, size_t> index;
  std::vector<v1::RecordProblem> records;
  std::vector<v1::RecordError> lodgment_errors;
  for (;;) {
    absl::StatusOr<std::optional<event02::EventItem>> item = (*reader)->Next();
    if (!item.ok()) return item.status();
    if (!item->has_value()) break;
    const event02::EventItem& e = **item;
    if (e.locations.empty()) lodgment_errors.push_back(ToRecordError(e, ""));
    for (const event02::Location& l : e.locations) {
      if (l.instance_identifier.empty() ||
          (!employer_id.empty() && l.instance_identifier == employer_id)) {
        v1::RecordError err = ToRecordError(e, l.path);
        if (!l.instance_identifier.empty()) {
          err.set_description(absl::StrCat("record ", l.instance_identifier, ": ", err.description()));
        }
        lodgment_errors.push_back(std::move(err));
        continue;
      }
      auto [it, inserted] = index.try_emplace(l.instance_identifier, records.size());
      if (inserted) records.emplace_back().set_document_id(l.instance_identifier);
      *records[it->second].add_errors() = ToRecordError(e, l.path);
    }
  }
  if (!(*reader)->maximum_severity()) {
    return absl::InvalidArgumentError(
        absl::StrCat("response to ", ready.message_id(), " has no MaximumSeverity.Code"));
  }
  const event02::Severity severity = *(*reader)->maximum_severity();
  const absl::Time now = ctx.clock().Now();

  if (severity == event02::Severity::kSystemError) {
    const int next_attempt = ready.attempt() + 1;
    if (next_attempt > policy_.max_attempts) {
      events::StatusChange change =
          Change(id, v1::SYSTEM_ERROR, now,
                 absl::StrCat("SBR answered SystemError to ", ready.attempt(),
                              " attempts; the ATO may need to act"));
      change.mutable_lodgment()->set_maximum_severity("SystemError");
      for (auto& e : lodgment_errors) *change.mutable_lodgment()->add_lodgment_errors() = e;
      ctx.Emit(StatusOutput(change));
      return absl::OkStatus();
    }
    const absl::Time not_before = now + policy_.first_backoff * (1 << (ready.attempt() - 1));
    events::ResubmitRequest resubmit;
    resubmit.set_lodgment_id(id);
    resubmit.set_reason("system-error");
    resubmit.set_next_attempt(next_attempt);
    *resubmit.mutable_not_before() = ToProto(not_before);
    *resubmit.mutable_previous() = ready.submission();
    ctx.Emit({topics::kResubmit, id, resubmit.SerializeAsString()});
    events::StatusChange change =
        Change(id, v1::HELD, now,
               absl::StrCat("SBR answered SystemError; resubmitting as attempt ", next_attempt,
                            " at ", absl::FormatTime(not_before)));
    change.mutable_lodgment()->set_maximum_severity("SystemError");
    ctx.Emit(StatusOutput(change));
    return absl::OkStatus();
  }

  v1::LodgmentState state;
  std::string detail;
  switch (severity) {
    case event02::Severity::kInformation:
    case event02::Severity::kWarning:
      state = v1::ACCEPTED;
      detail = "accepted";
      break;
    case event02::Severity::kPartial:
      state = v1::PARTIALLY_ACCEPTED;
      detail = absl::StrCat(records.size(),
                            " employee records rejected; correct them in an update event or "
                            "the next pay run");
      break;
    default:
      state = v1::REJECTED;
      detail = "rejected: fix the lodgment and lodge it again";
      break;
  }
  events::StatusChange change = Change(id, state, now, detail);
  change.mutable_lodgment()->set_maximum_severity(std::string(event02::SeverityCode(severity)));
  for (auto& e : lodgment_errors) *change.mutable_lodgment()->add_lodgment_errors() = e;
  if (!records.empty()) {
    absl::StatusOr<events::BlobRef> ref = StoreProblems(*blobs_, records);
    if (!ref.ok()) return ref.status();
    *change.mutable_rejected_records() = *ref;
  }
  ctx.Emit(StatusOutput(change));
  return absl::OkStatus();
}

}  // namespace sbrgate::lodgment
