#include "pipeline/stp/stages/resubmit_stage.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/uuid.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::lodgment {

absl::Status ResubmitStage::Init(stage::Context& ctx) {
  // Called again after each rebalance: the store then holds the new
  // assignment's entries, and the timer must hold exactly those.
  timer_ = PollTimer();
  absl::Status status;
  ctx.store(kStore).ForEach([&](const std::string& id, const std::string& value) {
    events::ResubmitRequest r;
    if (!r.ParseFromString(value)) {
      status = absl::DataLossError(absl::StrCat("resubmission of ", id, " is unreadable"));
      return;
    }
    timer_.Schedule(id, FromProto(r.not_before()));
  });
  return status;
}

absl::Status ResubmitStage::Process(const stage::Record& input, stage::Context& ctx) {
  events::ResubmitRequest request;
  if (!request.ParseFromString(input.value)) return absl::DataLossError("not a ResubmitRequest");
  if (request.previous().lodgment_id().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("resubmission of ", request.lodgment_id(), " names no earlier submission"));
  }
  if (Released(request, ctx)) return absl::OkStatus();
  if (FromProto(request.not_before()) <= ctx.clock().Now()) {
    Release(request, ctx);
    return absl::OkStatus();
  }
  ctx.store(kStore).Put(request.lodgment_id(), request.SerializeAsString());
  timer_.Schedule(request.lodgment_id(), FromProto(request.not_before()));
  return absl::OkStatus();
}

absl::Status ResubmitStage::Punctuate(absl::Time now, stage::Context& ctx) {
  for (const std::string& id : timer_.TakeDue(now, 64)) {
    std::optional<std::string> value = ctx.store(kStore).Get(id);
    events::ResubmitRequest request;
    if (!value || !request.ParseFromString(*value)) continue;
    ctx.store(kStore).Delete(id);
    Release(request, ctx);
  }
  return absl::OkStatus();
}

bool ResubmitStage::Released(const events::ResubmitRequest& request, stage::Context& ctx) const {
  std::optional<std::string> last = ctx.store(kReleasedStore).Get(request.lodgment_id());
  int attempt = 0;
  return last && absl::SimpleAtoi(*last, &attempt) && request.next_attempt() <= attempt;
}

void ResubmitStage::Release(const events::ResubmitRequest& request, stage::Context& ctx) {
  ctx.store(kReleasedStore).Put(request.lodgment_id(), absl::StrCat(request.next_attempt()));
  events::LodgmentToSubmit next = request.previous();
  next.set_message_id(ebms::NewMessageId(message_id_domain_));
  next.set_conversation_id(NewUuid());
  next.set_attempt(request.next_attempt());
  *next.mutable_created_at() = ToProto(ctx.clock().Now());
  ctx.Emit({topics::kReceived, request.lodgment_id(), next.SerializeAsString()});
  events::StatusChange change =
      Change(request.lodgment_id(), v1::RECEIVED, ctx.clock().Now(),
             absl::StrCat("resubmitted (", request.reason(), ") as attempt ",
                          request.next_attempt(), ", MessageId ", next.message_id()));
  change.mutable_lodgment()->set_message_id(next.message_id());
  change.mutable_lodgment()->set_attempts(request.next_attempt());
  *change.mutable_submission() = next;
  ctx.Emit(StatusOutput(change));
}

}  // namespace sbrgate::lodgment
