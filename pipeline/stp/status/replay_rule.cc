#include "pipeline/stp/status/replay_rule.h"

#include "absl/strings/str_cat.h"

namespace sbrgate::lodgment {

namespace {

ReplayDecision AsNewLodgment(const v1::Lodgment& l, bool has_submission) {
  if (!has_submission) {
    return {v1::ReplayOutcome::NOTHING_TO_DO,
            "nothing was sent, so nothing can be sent as a new lodgment"};
  }
  switch (l.state()) {
    case v1::RECEIVED:
    case v1::SUBMITTED:
    case v1::HELD:
      return {v1::ReplayOutcome::NOTHING_TO_DO,
              absl::StrCat(v1::LodgmentState_Name(l.state()),
                           ": in flight; wait for SBR's answer before replacing it")};
    case v1::SUPERSEDED:
      return {v1::ReplayOutcome::NOTHING_TO_DO,
              absl::StrCat("superseded by ", l.superseded_by(), ": replace that one")};
    case v1::NEEDS_ATTENTION:
      return {v1::ReplayOutcome::NOTHING_TO_DO,
              "a stage could not process it: redrive its dead letters first"};
    default:
      return {v1::ReplayOutcome::RESENT,
              absl::StrCat("as a new lodgment, at the operator's request: attempt ",
                           l.attempts() + 1, " under a new MessageId (the ATO processes it as "
                           "another lodgment)")};
  }
}

}  // namespace

ReplayDecision DecideReplay(const v1::Lodgment& l, bool has_submission, bool as_new_lodgment) {
  if (as_new_lodgment) return AsNewLodgment(l, has_submission);
  const std::string message_id =
      l.message_id().empty() ? "" : absl::StrCat(" (MessageId ", l.message_id(), ")");
  const bool final = l.state() == v1::ACCEPTED || l.state() == v1::PARTIALLY_ACCEPTED ||
                     l.state() == v1::SUPERSEDED;
  if (l.state() == v1::NEEDS_ATTENTION) {
    return {v1::ReplayOutcome::REDRIVEN,
            "a stage could not process one of its records: its dead letters were sent back to "
            "their stage"};
  }
  if (!final && !has_submission) {
    return {v1::ReplayOutcome::NOTHING_TO_DO,
            absl::StrCat("nothing was sent, so nothing can be sent again (", l.detail(), ")")};
  }
  switch (l.state()) {
    case v1::REFUSED:
    case v1::SYSTEM_ERROR:
      return {v1::ReplayOutcome::RESENT,
              absl::StrCat(v1::LodgmentState_Name(l.state()),
                           ": SBR did not process it; sent again as attempt ", l.attempts() + 1)};
    case v1::RECEIPTED:
    case v1::AWAITING_RESPONSE:
      return {v1::ReplayOutcome::POLLING,
              absl::StrCat("SBR receipted it", message_id,
                           " and will process it: its response is being polled for; sending it "
                           "again would lodge it twice")};
    case v1::ESCALATED:
      return {v1::ReplayOutcome::POLLING,
              absl::StrCat("SBR receipted it", message_id,
                           " but gave no response in 72 hours: polling resumes under the same "
                           "MessageId on the STP schedule; sending it again would lodge it "
                           "twice")};
    case v1::REJECTED:
      return {v1::ReplayOutcome::NOTHING_TO_DO,
              "SBR rejected it: correct it and lodge the correction (lodge --corrects=ID)"};
    case v1::ACCEPTED:
    case v1::PARTIALLY_ACCEPTED:
    case v1::SUPERSEDED:
      return {v1::ReplayOutcome::NOTHING_TO_DO,
              absl::StrCat(v1::LodgmentState_Name(l.state()),
                           ": final; sending it again would lodge it twice")};
    default:
      return {v1::ReplayOutcome::NOTHING_TO_DO,
              absl::StrCat(v1::LodgmentState_Name(l.state()), ": in flight", message_id,
                           "; a push without a receipt is resent with the same MessageId")};
  }
}

}  // namespace sbrgate::lodgment
