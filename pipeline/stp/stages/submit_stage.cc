#include "pipeline/stp/stages/submit_stage.h"

#include "absl/strings/str_cat.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/common/transient.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::lodgment {

absl::Status SubmitStage::Process(const stage::Record& input, stage::Context& ctx) {
  events::LodgmentToSubmit submit;
  if (!submit.ParseFromString(input.value)) {
    return absl::DataLossError("not a LodgmentToSubmit");
  }
  absl::StatusOr<StoredBytes> payload = blob::BytesOf(*blobs_, submit.payload());
  if (!payload.ok()) {
    return absl::Status(payload.status().code(),
                        absl::StrCat("payload of lodgment ", submit.lodgment_id(), ": ",
                                     payload.status().message()));
  }
  const absl::Time now = ctx.clock().Now();
  ctx.Notify(StatusOutput(Change(submit.lodgment_id(), v1::SUBMITTED, now,
                                 absl::StrCat("pushing ", submit.message_id(), " (attempt ",
                                              submit.attempt(), ")"))));
  sbr_client::LodgmentPush push;
  push.message_id = submit.message_id();
  // Every resend of this attempt is the same message, byte for byte.
  if (submit.has_created_at()) push.timestamp = FromProto(submit.created_at());
  push.conversation_id = submit.conversation_id();
  push.from = submit.has_from()
                  ? ebms::Party{submit.from().id(), submit.from().type(), submit.from().role()}
                  : ebms::Party{submit.abn(), ebms::kPartyTypeAbn, ebms::kRoleBusiness};
  push.action = submit.action();
  push.payload_gzip = *std::move(payload);
  // A push given up (its partition moved) ends rather than keep its worker
  // for as long as a large upload takes; the next owner pushes it again.
  push.given_up = &ctx.given_up();
  absl::StatusOr<sbr_client::PushOutcome> pushed = sbr_->Push(push);
  if (!pushed.ok()) {
    // Every failure to get a receipt is held and resent with the same
    // MessageId; those that need an operator say so.
    const bool transient = IsTransient(pushed.status()) ||
                           pushed.status().code() == absl::StatusCode::kDataLoss;
    const std::string why = absl::StrCat(
        transient ? "SBR unavailable, holding to resend " : "cannot deliver (needs an operator), holding ",
        submit.message_id(), ": ", pushed.status().message());
    ctx.Notify(StatusOutput(Change(submit.lodgment_id(), v1::HELD, ctx.clock().Now(), why)));
    return absl::UnavailableError(why);
  }
  if (!pushed->receipt) {
    events::StatusChange refused =
        Change(submit.lodgment_id(), v1::REFUSED, ctx.clock().Now(),
               absl::StrCat("SBR refused message ", submit.message_id()));
    for (const ebms::Error& e : pushed->errors) {
      v1::RecordError* err = refused.mutable_lodgment()->add_lodgment_errors();
      err->set_code(e.error_code);
      err->set_severity(e.severity);
      err->set_description(e.description.empty() ? e.short_description : e.description);
    }
    ctx.Emit(StatusOutput(refused));
    return absl::OkStatus();
  }
  const ebms::Receipt& receipt = *pushed->receipt;
  events::LodgmentReceipted receipted;
  receipted.set_lodgment_id(submit.lodgment_id());
  receipted.set_message_id(submit.message_id());
  receipted.set_receipt_message_id(receipt.message_id);
  *receipted.mutable_received_at() = ToProto(receipt.timestamp);
  receipted.set_employees_sent(submit.employees_sent());
  receipted.set_attempt(submit.attempt());
  *receipted.mutable_submission() = submit;
  ctx.Emit({topics::kSubmitted, submit.lodgment_id(), receipted.SerializeAsString()});

  events::StatusChange change = Change(submit.lodgment_id(), v1::RECEIPTED, ctx.clock().Now(),
                                       absl::StrCat("technical receipt ", receipt.message_id));
  v1::Receipt* r = change.mutable_lodgment()->mutable_receipt();
  r->set_message_id(submit.message_id());
  r->set_receipt_message_id(receipt.message_id);
  *r->mutable_received_at() = ToProto(receipt.timestamp);
  ctx.Emit(StatusOutput(change));
  return absl::OkStatus();
}

}  // namespace sbrgate::lodgment
