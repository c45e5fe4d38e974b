#include "pipeline/stp/status/replay_rule.h"

#include "gtest/gtest.h"

namespace sbrgate::lodgment {
namespace {

v1::ReplayOutcome::Action ActionFor(v1::LodgmentState state, bool has_submission = true) {
  v1::Lodgment l;
  l.set_state(state);
  l.set_attempts(1);
  l.set_message_id("m1@sbrgate.local");
  return DecideReplay(l, has_submission).action;
}

TEST(ReplayRuleTest, OnlyWhatSbrNeverProcessedIsSentAgain) {
  EXPECT_EQ(ActionFor(v1::REFUSED), v1::ReplayOutcome::RESENT);
  EXPECT_EQ(ActionFor(v1::SYSTEM_ERROR), v1::ReplayOutcome::RESENT);
  for (v1::LodgmentState receipted : {v1::RECEIPTED, v1::AWAITING_RESPONSE, v1::ESCALATED}) {
    EXPECT_EQ(ActionFor(receipted), v1::ReplayOutcome::POLLING) << receipted;
  }
  EXPECT_EQ(ActionFor(v1::NEEDS_ATTENTION), v1::ReplayOutcome::REDRIVEN);
  for (v1::LodgmentState other :
       {v1::RECEIVED, v1::SUBMITTED, v1::HELD, v1::REJECTED, v1::ACCEPTED,
        v1::PARTIALLY_ACCEPTED, v1::SUPERSEDED}) {
    EXPECT_EQ(ActionFor(other), v1::ReplayOutcome::NOTHING_TO_DO) << other;
  }
  EXPECT_EQ(ActionFor(v1::SYSTEM_ERROR, /*has_submission=*/false),
            v1::ReplayOutcome::NOTHING_TO_DO);
}

TEST(ReplayRuleTest, AsANewLodgmentOnlyWhatIsNeitherInFlightNorReplaced) {
  for (v1::LodgmentState state : {v1::ACCEPTED, v1::REJECTED, v1::AWAITING_RESPONSE,
                                  v1::ESCALATED, v1::REFUSED}) {
    v1::Lodgment l;
    l.set_state(state);
    l.set_attempts(1);
    const ReplayDecision d = DecideReplay(l, true, /*as_new_lodgment=*/true);
    EXPECT_EQ(d.action, v1::ReplayOutcome::RESENT) << state;
    EXPECT_NE(d.reason.find("new MessageId"), std::string::npos) << d.reason;
  }
  for (v1::LodgmentState state :
       {v1::RECEIVED, v1::SUBMITTED, v1::HELD, v1::SUPERSEDED, v1::NEEDS_ATTENTION}) {
    v1::Lodgment l;
    l.set_state(state);
    EXPECT_EQ(DecideReplay(l, true, true).action, v1::ReplayOutcome::NOTHING_TO_DO) << state;
  }
  v1::Lodgment accepted;
  accepted.set_state(v1::ACCEPTED);
  EXPECT_EQ(DecideReplay(accepted, false, true).action, v1::ReplayOutcome::NOTHING_TO_DO);
}

TEST(ReplayRuleTest, TheReasonSaysWhy) {
  v1::Lodgment l;
  l.set_state(v1::AWAITING_RESPONSE);
  l.set_message_id("m1@sbrgate.local");
  const ReplayDecision d = DecideReplay(l, true);
  EXPECT_NE(d.reason.find("m1@sbrgate.local"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("lodge it twice"), std::string::npos) << d.reason;
  l.set_state(v1::SYSTEM_ERROR);
  l.set_attempts(2);
  EXPECT_NE(DecideReplay(l, true).reason.find("attempt 3"), std::string::npos);
}

}  // namespace
}  // namespace sbrgate::lodgment
