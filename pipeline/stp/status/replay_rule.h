// ReplayRule: what an operator's replay may do to a lodgment, by its state,
// so that a pay event is never lodged twice. Seed 002: once SBR has given a
// technical receipt it will process the lodgment, and a second push is a
// second lodgment; so only what SBR never processed is sent again.
//
//   ReplayDecision d = DecideReplay(lodgment, /*has_submission=*/true);
//   if (d.action == v1::ReplayOutcome::RESENT) ...queue a ResubmitRequest...
//
//   REFUSED, SYSTEM_ERROR                 RESENT: a new attempt, new MessageId
//   RECEIPTED, AWAITING_RESPONSE          POLLING: under the original MessageId
//   ESCALATED                             POLLING: resumed under the original
//                                         MessageId (no answer in 72 hours)
//   NEEDS_ATTENTION                       REDRIVEN: its dead letters go back to
//                                         their stage
//   RECEIVED, SUBMITTED, HELD             NOTHING_TO_DO: in flight (a held push
//                                         is resent with its own MessageId by
//                                         the submit stage until SBR answers)
//   REJECTED                              NOTHING_TO_DO: correct it and lodge
//                                         the correction (--corrects)
//   ACCEPTED, PARTIALLY_ACCEPTED,
//   SUPERSEDED                            NOTHING_TO_DO: final
//
// As a new lodgment (an operator's explicit full-file replacement), any
// lodgment that sent something and is neither in flight, superseded nor
// waiting for a redrive is RESENT under a new MessageId.
#ifndef SBRGATE_PIPELINE_STP_STATUS_REPLAY_RULE_H_
#define SBRGATE_PIPELINE_STP_STATUS_REPLAY_RULE_H_

#include <string>

#include "proto/lodgment.pb.h"

namespace sbrgate::lodgment {

struct ReplayDecision {
  v1::ReplayOutcome::Action action = v1::ReplayOutcome::NOTHING_TO_DO;
  std::string reason;
};

// `has_submission`: sbrgate holds what was sent (a lodgment whose every
// record was held back sent nothing).
ReplayDecision DecideReplay(const v1::Lodgment& lodgment, bool has_submission,
                            bool as_new_lodgment = false);

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_STP_STATUS_REPLAY_RULE_H_
