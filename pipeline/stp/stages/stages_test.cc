#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/stage/fake_context.h"
#include "pipeline/platform/stage/worker_pool.h"
#include "pipeline/sbr/event02/event02.h"
#include "pipeline/stp/poll_schedule/schedule.h"
#include "pipeline/stp/stages/poll_stage.h"
#include "pipeline/stp/stages/resubmit_stage.h"
#include "pipeline/stp/stages/submit_stage.h"
#include "pipeline/stp/stages/triage_stage.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/stp/status/status_view.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::lodgment {
namespace {

using ::sbrgate::stage::FakeContext;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Scripted SBR: pushes and pulls answer from queues.
class FakeSbr : public sbr_client::SbrApi {
 public:
  void CancelExchanges() const override {}
  absl::StatusOr<sbr_client::PushOutcome> Push(const sbr_client::LodgmentPush& p) const override {
    pushed.push_back(p.message_id);
    pushed_from.push_back(p.from);
    pushed_payloads.push_back(p.payload_gzip);
    pushed_given_up.push_back(p.given_up);
    auto next = push_answers.front();
    push_answers.pop_front();
    return next;
  }
  absl::StatusOr<sbr_client::PullOutcome> Pull(const std::string& id) const override {
    pulled.push_back(id);
    if (clock != nullptr) pull_times.push_back(clock->Now());
    if (pull_answers.empty()) {
      sbr_client::PullOutcome nothing;
      nothing.kind = sbr_client::PullOutcome::Kind::kNothingYet;
      nothing.errors.push_back({"EBMS:0006"});
      return nothing;
    }
    auto next = pull_answers.front();
    pull_answers.pop_front();
    return next;
  }
  mutable std::deque<absl::StatusOr<sbr_client::PushOutcome>> push_answers;
  mutable std::deque<absl::StatusOr<sbr_client::PullOutcome>> pull_answers;
  mutable std::vector<std::string> pushed;
  mutable std::vector<ebms::Party> pushed_from;
  mutable std::vector<StoredBytes> pushed_payloads;
  mutable std::vector<const std::atomic<bool>*> pushed_given_up;
  mutable std::vector<std::string> pulled;
  mutable std::vector<absl::Time> pull_times;
  const Clock* clock = nullptr;
};

class StagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto blobs = blob::BlobStore::Create(absl::StrCat(::testing::TempDir(), "/blobs"));
    ASSERT_TRUE(blobs.ok());
    blobs_ = *std::move(blobs);
  }

  // A status view of its own for the test.
  std::unique_ptr<StatusView> OpenView() {
    const std::string dir = absl::StrCat(
        ::testing::TempDir(), "/view-", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    auto view = StatusView::Open(dir, blobs_.get());
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? *std::move(view) : nullptr;
  }

  events::LodgmentToSubmit Submission(int attempt = 1) {
    events::LodgmentToSubmit s;
    s.set_lodgment_id("L1");
    s.set_message_id(absl::StrCat("m", attempt, "@test"));
    s.set_abn("51824753556");
    s.set_action("Submit.004.00");
    *s.mutable_payload() = blob::ToRef(*blobs_->PutString("gzip bytes"));
    s.set_employees_sent(50);
    s.set_attempt(attempt);
    return s;
  }

  stage::Record RecordOf(const std::string& topic, const google::protobuf::Message& m) {
    return {topic, 0, offset_++, "L1", m.SerializeAsString(), clock_.Now()};
  }

  std::string ResponseBlob(event02::Severity severity, std::vector<std::string> ids) {
    StringSink sink;
    event02::ResponseWriter w(sink);
    EXPECT_TRUE(w.Begin(severity).ok());
    for (const std::string& id : ids) {
      event02::EventItem item;
      item.error_code = "VR.ATO.PAYEVNTEMP.000181";
      item.detailed_description = "TFN {Value} fails its check digit";
      item.parameters = {{"Value", "*****6789"}};
      item.locations = {{id, "/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId"}};
      EXPECT_TRUE(w.Add(item).ok());
    }
    EXPECT_TRUE(w.Finish().ok());
    return blobs_->PutString(sink.data())->sha256;
  }

  // A push the agency receipts as "r1@ato", now.
  sbr_client::PushOutcome ReceiptedPush() const {
    sbr_client::PushOutcome ok;
    ok.receipt = ebms::Receipt{"r1@ato", clock_.Now(), "m1@test", {}};
    return ok;
  }

  // Punctuates every 10 ms until `done` (at most 5 s): pulls that run on
  // other threads come back in later punctuations.
  void PunctuateUntil(PollStage& poll, stage::Context& ctx, const std::function<bool()>& done) {
    for (int i = 0; i < 500 && !done(); ++i) {
      absl::SleepFor(absl::Milliseconds(10));
      ASSERT_TRUE(poll.Punctuate(clock_.Now(), ctx).ok());
    }
  }

  static std::vector<std::string> ScheduleKeys(FakeContext& ctx) {
    std::vector<std::string> keys;
    ctx.stores[PollStage::kScheduleStore].ForEach(
        [&](const std::string& key, const std::string&) { keys.push_back(key); });
    return keys;
  }

  std::unique_ptr<blob::BlobStore> blobs_;
  ManualClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  int64_t offset_ = 0;
};

TEST_F(StagesTest, SubmitRecordsTheReceipt) {
  FakeSbr sbr;
  sbr.push_answers.push_back(ReceiptedPush());
  SubmitStage stage(&sbr, blobs_.get());
  FakeContext ctx(&clock_);
  ASSERT_TRUE(stage.Process(RecordOf(topics::kReceived, Submission()), ctx).ok());
  auto receipted = ctx.On<events::LodgmentReceipted>(topics::kSubmitted);
  ASSERT_EQ(receipted.size(), 1u);
  EXPECT_EQ(receipted[0].receipt_message_id(), "r1@ato");
  EXPECT_EQ(receipted[0].submission().message_id(), "m1@test");
  auto status = ctx.On<events::StatusChange>(topics::kStatus);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].state(), v1::RECEIPTED);
  EXPECT_EQ(sbr.pushed, std::vector<std::string>{"m1@test"});
}

// A push ends when the runner gives its record up (a rebalance moved it).
TEST_F(StagesTest, SubmitPushesUntilItsRecordIsGivenUp) {
  FakeSbr sbr;
  sbr.push_answers.push_back(ReceiptedPush());
  SubmitStage stage(&sbr, blobs_.get());
  FakeContext ctx(&clock_);
  ASSERT_TRUE(stage.Process(RecordOf(topics::kReceived, Submission()), ctx).ok());
  ASSERT_EQ(sbr.pushed_given_up.size(), 1u);
  EXPECT_EQ(sbr.pushed_given_up[0], &ctx.given_up());
}

TEST_F(StagesTest, SubmitSendsFromTheSubmissionsSenderElseThePayersAbn) {
  FakeSbr sbr;
  sbr.push_answers = {ReceiptedPush(), ReceiptedPush()};
  SubmitStage stage(&sbr, blobs_.get());
  FakeContext ctx(&clock_);
  ASSERT_TRUE(stage.Process(RecordOf(topics::kReceived, Submission()), ctx).ok());
  events::LodgmentToSubmit by_agent = Submission();
  by_agent.mutable_from()->set_id("12345678");
  by_agent.mutable_from()->set_type(ebms::kPartyTypeTan);
  by_agent.mutable_from()->set_role(ebms::kRoleRegisteredAgent);
  ASSERT_TRUE(stage.Process(RecordOf(topics::kReceived, by_agent), ctx).ok());
  ASSERT_EQ(sbr.pushed_from.size(), 2u);
  // Written before submissions named their sender: the payer's ABN.
  EXPECT_EQ(sbr.pushed_from[0].id, "51824753556");
  EXPECT_EQ(sbr.pushed_from[0].type, ebms::kPartyTypeAbn);
  EXPECT_EQ(sbr.pushed_from[0].role, ebms::kRoleBusiness);
  EXPECT_EQ(sbr.pushed_from[1].id, "12345678");
  EXPECT_EQ(sbr.pushed_from[1].type, ebms::kPartyTypeTan);
  EXPECT_EQ(sbr.pushed_from[1].role, ebms::kRoleRegisteredAgent);
}

// A payload small enough to travel in the record is sent from memory; a
// larger one from its file in the blob store, and a file the store lost is
// an error for an operator, never a push of something else.
TEST_F(StagesTest, SubmitSendsAnInlinePayloadFromMemoryAndAFileFromTheStore) {
  FakeSbr sbr;
  sbr.push_answers = {ReceiptedPush(), ReceiptedPush()};
  SubmitStage stage(&sbr, blobs_.get());
  FakeContext ctx(&clock_);
  events::LodgmentToSubmit small = Submission();
  *small.mutable_payload() =
      blob::ToRef(*blobs_->PutString("small gzip", blob::BlobStore::Placement::kInlineIfSmall));
  ASSERT_TRUE(small.payload().has_content());
  ASSERT_TRUE(stage.Process(RecordOf(topics::kReceived, small), ctx).ok());
  ASSERT_TRUE(stage.Process(RecordOf(topics::kReceived, Submission()), ctx).ok());
  ASSERT_EQ(sbr.pushed_payloads.size(), 2u);
  EXPECT_TRUE(sbr.pushed_payloads[0].in_memory());
  EXPECT_EQ(*sbr.pushed_payloads[0].ReadAll(), "small gzip");
  EXPECT_EQ(sbr.pushed_payloads[1].path(), *blobs_->PathOf(Submission().payload().sha256()));
  EXPECT_EQ(*sbr.pushed_payloads[1].ReadAll(), "gzip bytes");
  // The inline payload goes on with the receipt, for a resubmission.
  auto receipted = ctx.On<events::LodgmentReceipted>(topics::kSubmitted);
  ASSERT_EQ(receipted.size(), 2u);
  EXPECT_EQ(receipted[0].submission().payload().content(), "small gzip");

  events::LodgmentToSubmit lost = Submission();
  lost.mutable_payload()->set_sha256(Sha256Hex("never stored"));
  absl::Status s = stage.Process(RecordOf(topics::kReceived, lost), ctx);
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("payload of lodgment L1"));
  EXPECT_EQ(sbr.pushed.size(), 2u);
}

TEST_F(StagesTest, SubmitHoldsWhileSbrIsUnavailable) {
  FakeSbr sbr;
  sbr.push_answers.push_back(absl::UnavailableError("HTTP 503"));
  SubmitStage stage(&sbr, blobs_.get());
  FakeContext ctx(&clock_);
  absl::Status s = stage.Process(RecordOf(topics::kReceived, Submission()), ctx);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(ctx.emitted.empty());
  auto notes = ctx.On<events::StatusChange>(topics::kStatus, /*notifications=*/true);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1].state(), v1::HELD);
  EXPECT_THAT(notes[1].detail(), HasSubstr("m1@test"));
}

TEST_F(StagesTest, SubmitRecordsRefusalWithoutResending) {
  FakeSbr sbr;
  sbr_client::PushOutcome refused;
  refused.errors.push_back({"EBMS:0101", "failure", "", "", "FailedAuthentication", "", "bad sig"});
  sbr.push_answers.push_back(refused);
  SubmitStage stage(&sbr, blobs_.get());
  FakeContext ctx(&clock_);
  ASSERT_TRUE(stage.Process(RecordOf(topics::kReceived, Submission()), ctx).ok());
  auto status = ctx.On<events::StatusChange>(topics::kStatus);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].state(), v1::REFUSED);
  EXPECT_EQ(status[0].lodgment().lodgment_errors(0).code(), "EBMS:0101");
  EXPECT_TRUE(ctx.On<events::LodgmentReceipted>(topics::kSubmitted).empty());
}

events::LodgmentReceipted Receipted(const events::LodgmentToSubmit& s, absl::Time at) {
  events::LodgmentReceipted r;
  r.set_lodgment_id(s.lodgment_id());
  r.set_message_id(s.message_id());
  *r.mutable_received_at() = ToProto(at);
  r.set_employees_sent(s.employees_sent());
  r.set_attempt(s.attempt());
  *r.mutable_submission() = s;
  return r;
}

TEST_F(StagesTest, PollFollowsTheScheduleAndHandsOverTheResponse) {
  FakeSbr sbr;
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  EXPECT_EQ(ctx.On<events::StatusChange>(topics::kStatus)[0].state(), v1::AWAITING_RESPONSE);

  // Not before the first minute (+ margin).
  clock_.Set(receipt + absl::Seconds(61));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_TRUE(sbr.pulled.empty());
  clock_.Set(receipt + absl::Seconds(62));
  // One punctuation marks the pull (committed with it), the next sends it.
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_TRUE(sbr.pulled.empty());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 1u);

  // The second poll comes a minute after the first answer, not sooner.
  const absl::Time first = clock_.Now();
  clock_.Set(first + absl::Seconds(61));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 1u);
  clock_.Set(first + absl::Seconds(62));

  sbr_client::PullOutcome response;
  response.kind = sbr_client::PullOutcome::Kind::kResponse;
  response.response = StoredBytes::Memory("<response/>");
  sbr.pull_answers.push_back(response);
  ctx.Clear();
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 2u);
  auto ready = ctx.On<events::ResponseReady>(topics::kResponses);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_TRUE(ready[0].response().has_content()) << "small: travels in the record";
  EXPECT_EQ(*blob::ReadRef(*blobs_, ready[0].response()), "<response/>");
  EXPECT_EQ(ready[0].submission().message_id(), "m1@test");

  // The same receipt read again (a stage that redid its work) polls no more.
  ctx.Clear();
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  EXPECT_TRUE(ctx.emitted.empty());
  for (int i = 0; i < 20; ++i) {
    clock_.Advance(absl::Minutes(10));
    ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  }
  EXPECT_EQ(sbr.pulled.size(), 2u);
  // It is remembered until 72 hours after the receipt, then forgotten.
  EXPECT_EQ(ctx.stores[PollStage::kStore].size(), 1u);
  clock_.Set(receipt + poll::kGiveUpAfter + absl::Seconds(1));
  ctx.Clear();
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_TRUE(ctx.emitted.empty());
  EXPECT_EQ(ctx.stores[PollStage::kStore].size(), 0u);
  EXPECT_EQ(ctx.stores[PollStage::kScheduleStore].size(), 0u);
}

// An agency whose pulls of the `slow` messages answer only once released
// (or after 10 s); every other pull answers with a response at once. Safe
// from several threads.
class SlowPullsSbr : public sbr_client::SbrApi {
 public:
  explicit SlowPullsSbr(const std::vector<std::string>& slow) {
    for (const std::string& id : slow) release_[id];
  }
  void CancelExchanges() const override {}
  // The poll stage only pulls: a push from it is a failure of the test.
  absl::StatusOr<sbr_client::PushOutcome> Push(const sbr_client::LodgmentPush& p) const override {
    ADD_FAILURE() << "the poll stage pushed " << p.message_id;
    return absl::InternalError(absl::StrCat("the poll stage pushed ", p.message_id));
  }
  absl::StatusOr<sbr_client::PullOutcome> Pull(const std::string& id) const override {
    {
      absl::MutexLock lock(&mu_);
      pulled_.push_back(id);
    }
    if (auto it = release_.find(id); it != release_.end()) {
      it->second.WaitForNotificationWithTimeout(absl::Seconds(10));
    }
    sbr_client::PullOutcome response;
    response.kind = sbr_client::PullOutcome::Kind::kResponse;
    response.response = StoredBytes::Memory(absl::StrCat("<response of=\"", id, "\"/>"));
    return response;
  }
  void Release(const std::string& id) const { release_.at(id).Notify(); }
  int PullsOf(const std::string& id) const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(std::count(pulled_.begin(), pulled_.end(), id));
  }

 private:
  mutable std::map<std::string, absl::Notification> release_;
  mutable absl::Mutex mu_;
  mutable std::vector<std::string> pulled_ ABSL_GUARDED_BY(mu_);
};

// A context whose RunConcurrently runs items on threads, as a runner's does.
class PooledContext : public stage::FakeContext {
 public:
  using FakeContext::FakeContext;
  void RunConcurrently(std::vector<std::function<void()>> work, absl::Duration wait) override {
    pool_.RunAll(std::move(work), wait);
  }

 private:
  stage::WorkerPool pool_{8};
};

// One slow pull (a connection that takes a second to open, an agency that
// stops answering) holds neither the other lodgments' answers nor new
// receipts: the punctuation waits for it at most kPullWait, a later one
// records its answer, and no second pull of it goes out meanwhile.
TEST_F(StagesTest, PollRecordsOthersWhileOnePullIsSlow) {
  SlowPullsSbr sbr({"m1@test"});
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  PooledContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  events::LodgmentToSubmit other = Submission();
  other.set_lodgment_id("L2");
  other.set_message_id("m2@test");
  for (const events::LodgmentToSubmit& s : {Submission(), other}) {
    ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(s, receipt)), ctx).ok());
  }
  clock_.Set(receipt + absl::Seconds(62));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // marks both
  ctx.Clear();
  const absl::Time start = absl::Now();
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // sends both
  EXPECT_LT(absl::Now() - start, PollStage::kPullWait + absl::Seconds(2));
  auto ready = ctx.On<events::ResponseReady>(topics::kResponses);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].lodgment_id(), "L2");

  // While it runs, later punctuations send no other pull of it, and a new
  // receipt is taken in.
  ctx.Clear();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  events::LodgmentToSubmit third = Submission();
  third.set_lodgment_id("L3");
  third.set_message_id("m3@test");
  ASSERT_TRUE(
      stage.Process(RecordOf(topics::kSubmitted, Receipted(third, clock_.Now())), ctx).ok());
  EXPECT_EQ(sbr.PullsOf("m1@test"), 1);
  EXPECT_TRUE(ctx.On<events::ResponseReady>(topics::kResponses).empty());

  sbr.Release("m1@test");
  PunctuateUntil(stage, ctx,
                 [&] { return !ctx.On<events::ResponseReady>(topics::kResponses).empty(); });
  ready = ctx.On<events::ResponseReady>(topics::kResponses);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].lodgment_id(), "L1");
  EXPECT_EQ(*blob::ReadRef(*blobs_, ready[0].response()), "<response of=\"m1@test\"/>");
  EXPECT_EQ(sbr.PullsOf("m1@test"), 1);
  EXPECT_EQ(sbr.PullsOf("m2@test"), 1);
}

// A new receipt of the lodgment (another MessageId) while its pull runs:
// that pull's answer is not taken for the new message's, however late the
// new message's own pull answers.
TEST_F(StagesTest, PollDropsTheAnswerOfAMessageANewReceiptReplaced) {
  SlowPullsSbr sbr({"m1@test", "m9@test"});
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  PooledContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  ASSERT_TRUE(
      stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  clock_.Set(receipt + absl::Seconds(62));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // marks m1
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // sends m1; it hangs
  const absl::Time second = clock_.Now();
  ASSERT_TRUE(
      stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(9), second)), ctx).ok());
  sbr.Release("m1@test");
  clock_.Set(second + absl::Seconds(62));
  // m9 is marked once m1's pull has returned, and sent (to hang) after.
  PunctuateUntil(stage, ctx, [&] { return sbr.PullsOf("m9@test") > 0; });
  ASSERT_EQ(sbr.PullsOf("m9@test"), 1);
  EXPECT_TRUE(ctx.On<events::ResponseReady>(topics::kResponses).empty());
  sbr.Release("m9@test");
  PunctuateUntil(stage, ctx,
                 [&] { return !ctx.On<events::ResponseReady>(topics::kResponses).empty(); });
  auto ready = ctx.On<events::ResponseReady>(topics::kResponses);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].message_id(), "m9@test");
  EXPECT_EQ(*blob::ReadRef(*blobs_, ready[0].response()), "<response of=\"m9@test\"/>");
  EXPECT_EQ(sbr.PullsOf("m1@test"), 1);
}

TEST_F(StagesTest, PollEscalatesAfterSeventyTwoHours) {
  FakeSbr sbr;
  sbr.clock = &clock_;
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  bool escalated = false;
  while (!escalated && clock_.Now() < receipt + absl::Hours(80)) {
    clock_.Advance(absl::Seconds(1));
    ctx.Clear();
    ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
    for (const auto& c : ctx.On<events::StatusChange>(topics::kStatus)) {
      escalated |= c.state() == v1::ESCALATED;
    }
  }
  ASSERT_TRUE(escalated);
  EXPECT_EQ(ctx.stores[PollStage::kStore].size(), 0u);
  EXPECT_EQ(ctx.stores[PollStage::kScheduleStore].size(), 0u);
  EXPECT_LE(clock_.Now(), receipt + poll::kGiveUpAfter + absl::Minutes(6));
  // Never early: each poll waits its full interval after the previous answer.
  const poll::PollPlan plan = poll::PollPlan::ForEmployees(50);
  ASSERT_FALSE(sbr.pull_times.empty());
  EXPECT_GE(sbr.pull_times[0] - receipt, plan.first());
  for (size_t i = 1; i < sbr.pull_times.size(); ++i) {
    EXPECT_GE(sbr.pull_times[i] - sbr.pull_times[i - 1], plan.IntervalBefore(i)) << "poll " << i;
  }
  // And not lazy: the 2 s margin per poll costs at most a handful of the
  // schedule's 865 polls in 72 hours.
  const size_t expected = plan.Offsets(100000).size();
  EXPECT_LE(sbr.pulled.size(), expected);
  EXPECT_GE(sbr.pulled.size(), expected - 12);
}

TEST_F(StagesTest, PollingResumedAfterEscalationKeepsItsMessageIdAndTheSchedule) {
  FakeSbr sbr;
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now() - absl::Hours(80);
  const absl::Time resumed = clock_.Now();
  events::LodgmentReceipted r = Receipted(Submission(), receipt);
  *r.mutable_polling_resumed_at() = ToProto(resumed);
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, r), ctx).ok());
  // Not escalated again at once: the schedule starts from the resumption,
  // and its first poll is never early.
  clock_.Set(resumed + absl::Seconds(61));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_TRUE(sbr.pulled.empty());
  clock_.Set(resumed + absl::Seconds(62));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // marks the pull
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // sends it
  ASSERT_EQ(sbr.pulled.size(), 1u);
  EXPECT_EQ(sbr.pulled[0], "m1@test");
  for (const auto& c : ctx.On<events::StatusChange>(topics::kStatus)) {
    EXPECT_NE(c.state(), v1::ESCALATED);
  }
}

TEST_F(StagesTest, PollResumesFromItsStore) {
  FakeSbr sbr;
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  {
    PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
    ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  }
  PollStage restarted(&sbr, blobs_.get(), absl::Seconds(2));
  ASSERT_TRUE(restarted.Init(ctx).ok());
  EXPECT_EQ(ScheduleKeys(ctx),
            std::vector<std::string>{
                PollStage::ScheduleKey(receipt + absl::Minutes(1) + absl::Seconds(2), "L1")});
  clock_.Set(receipt + absl::Minutes(2));
  ASSERT_TRUE(restarted.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_TRUE(restarted.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 1u);
}

TEST_F(StagesTest, PollCountsAPullCutShortByAStop) {
  FakeSbr sbr;
  sbr.clock = &clock_;
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  {
    PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
    ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
    clock_.Set(receipt + absl::Seconds(62));
    ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // the pull is marked
  }
  // The process stopped before recording the answer (if it sent the pull at
  // all): a restarted stage counts that pull, as of when it finds the mark.
  PollStage restarted(&sbr, blobs_.get(), absl::Seconds(2));
  ASSERT_TRUE(restarted.Init(ctx).ok());
  clock_.Set(receipt + absl::Seconds(70));
  const absl::Time found = clock_.Now();
  ctx.Clear();
  ASSERT_TRUE(restarted.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_TRUE(sbr.pulled.empty());
  auto changes = ctx.On<events::StatusChange>(topics::kStatus);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].poll().result(), "no answer recorded: stopped during the pull");
  // The next pull waits the second interval from then.
  while (sbr.pulled.empty() && clock_.Now() < receipt + absl::Minutes(10)) {
    clock_.Advance(absl::Seconds(1));
    ASSERT_TRUE(restarted.Punctuate(clock_.Now(), ctx).ok());
  }
  ASSERT_EQ(sbr.pull_times.size(), 1u);
  EXPECT_GE(sbr.pull_times[0] - found, poll::PollPlan::ForEmployees(50).second());
}

TEST_F(StagesTest, PollScheduleKeysOrderByTimeThenLodgment) {
  const absl::Time t = absl::FromUnixSeconds(1'790'000'000);
  std::vector<std::string> keys = {
      PollStage::ScheduleKey(t + absl::Microseconds(1), "A"),
      PollStage::ScheduleKey(t, "B"),
      PollStage::ScheduleKey(t, "A"),
      PollStage::ScheduleKey(t + absl::Hours(1), "0"),
      PollStage::ScheduleKey(absl::FromUnixSeconds(-5), "Z"),
      PollStage::ScheduleKey(absl::FromUnixSeconds(0), "Z"),
  };
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{
                      PollStage::ScheduleKey(absl::FromUnixSeconds(-5), "Z"),
                      PollStage::ScheduleKey(absl::FromUnixSeconds(0), "Z"),
                      PollStage::ScheduleKey(t, "A"),
                      PollStage::ScheduleKey(t, "B"),
                      PollStage::ScheduleKey(t + absl::Microseconds(1), "A"),
                      PollStage::ScheduleKey(t + absl::Hours(1), "0"),
                  }));
  // A time between microseconds counts as the next one: never early.
  EXPECT_EQ(PollStage::ScheduleKey(t + absl::Nanoseconds(1), "A"),
            PollStage::ScheduleKey(t + absl::Microseconds(1), "A"));
}

TEST_F(StagesTest, PollScheduleEntryMovesWithEachPollAndGoesWithTheResponse) {
  FakeSbr sbr;
  sbr.clock = &clock_;
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  const absl::Time first = receipt + absl::Minutes(1) + absl::Seconds(2);
  EXPECT_EQ(ScheduleKeys(ctx), std::vector<std::string>{PollStage::ScheduleKey(first, "L1")});

  clock_.Set(first + absl::Seconds(3));  // answered 3 s late
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // marks the pull
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // sends it
  ASSERT_EQ(sbr.pulled.size(), 1u);
  const absl::Time second = first + absl::Seconds(3) + absl::Minutes(1) + absl::Seconds(2);
  EXPECT_EQ(ScheduleKeys(ctx), std::vector<std::string>{PollStage::ScheduleKey(second, "L1")});
  events::PendingPoll pending;
  ASSERT_TRUE(pending.ParseFromString(*ctx.stores[PollStage::kStore].Get("L1")));
  EXPECT_EQ(FromProto(pending.next_poll()), second);
  EXPECT_EQ(pending.polls_done(), 1);

  // A response in a working file (one too large for memory) is kept the
  // same way, and its working file goes.
  const std::string response_path = absl::StrCat(::testing::TempDir(), "/moves.xml");
  ASSERT_TRUE(WriteFileDurably(response_path, "<response/>").ok());
  sbr_client::PullOutcome response;
  response.kind = sbr_client::PullOutcome::Kind::kResponse;
  response.response = StoredBytes::File(response_path);
  sbr.pull_answers.push_back(response);
  clock_.Set(second);
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(response_path));
  auto ready = ctx.On<events::ResponseReady>(topics::kResponses);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(*blob::ReadRef(*blobs_, ready[0].response()), "<response/>");
  // What is left marks it answered, and goes 72 hours after the receipt.
  EXPECT_EQ(ScheduleKeys(ctx), std::vector<std::string>{PollStage::ScheduleKey(
                                   receipt + poll::kGiveUpAfter, "L1")});
}

TEST_F(StagesTest, PollTakesDueLodgmentsInTimeOrderAFewAtATime) {
  FakeSbr sbr;
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  FakeContext ctx(&clock_);
  const absl::Time start = clock_.Now();
  // Lodgment "L<i>" is receipted i seconds after the start, in reverse id
  // order, so that time order and id order differ.
  std::vector<std::string> in_time_order;
  const int lodgments = static_cast<int>(PollStage::kPullsPerPunctuation) + 8;
  for (int i = 0; i < lodgments; ++i) {
    events::LodgmentToSubmit s = Submission();
    s.set_lodgment_id(absl::StrCat("L", 1000 - i));
    s.set_message_id(absl::StrCat("m", 1000 - i));
    in_time_order.push_back(s.message_id());
    ASSERT_TRUE(
        stage.Process(RecordOf(topics::kSubmitted, Receipted(s, start + absl::Seconds(i))), ctx)
            .ok());
  }
  clock_.Set(start + absl::Minutes(5));
  // Each punctuation marks or sends at most kPullsPerPunctuation pulls.
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_TRUE(sbr.pulled.empty());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), PollStage::kPullsPerPunctuation);
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled, in_time_order);
}

TEST_F(StagesTest, PollKeepsItsScheduleWhenTheSameReceiptIsReadAgain) {
  FakeSbr sbr;
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  const absl::Time first = receipt + absl::Minutes(1) + absl::Seconds(2);
  clock_.Set(first);
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_EQ(sbr.pulled.size(), 1u);
  const std::vector<std::string> scheduled = ScheduleKeys(ctx);
  // A repeat of the receipt, even one stamped later, does not start over.
  ctx.Clear();
  ASSERT_TRUE(stage
                  .Process(RecordOf(topics::kSubmitted,
                                    Receipted(Submission(), receipt + absl::Seconds(30))),
                           ctx)
                  .ok());
  EXPECT_TRUE(ctx.emitted.empty());
  EXPECT_EQ(ScheduleKeys(ctx), scheduled);
  ASSERT_TRUE(stage.Punctuate(first + absl::Seconds(30), ctx).ok());
  ASSERT_TRUE(stage.Punctuate(first + absl::Seconds(30), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 1u);
}

TEST_F(StagesTest, PollTakesANewReceiptsScheduleForAPendingLodgment) {
  FakeSbr sbr;
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  const absl::Time later = receipt + absl::Minutes(10);
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(2), later)), ctx).ok());
  // The earlier receipt's first poll is not made, and its key goes.
  clock_.Set(later);
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_TRUE(sbr.pulled.empty());
  const absl::Time first = later + absl::Minutes(1) + absl::Seconds(2);
  EXPECT_EQ(ScheduleKeys(ctx), std::vector<std::string>{PollStage::ScheduleKey(first, "L1")});
  clock_.Set(first);
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled, std::vector<std::string>{"m2@test"});
}

// The runner undoes a punctuation whose commit failed: its polls happened
// all the same, and the next must still wait its interval (counted from
// when the left mark is found).
TEST_F(StagesTest, PollNeverRepeatsAPollWhoseOutcomeWasUndone) {
  FakeSbr sbr;
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  clock_.Set(receipt + absl::Minutes(2));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());  // marks the pull
  const std::map<std::string, stage::FakeStore> before = ctx.stores;
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_EQ(sbr.pulled.size(), 1u);
  ctx.stores = before;  // the commit failed
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 1u);
  clock_.Advance(absl::Minutes(1) + absl::Seconds(1));
  ctx.Clear();
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 1u);
  const auto counted = ctx.On<events::StatusChange>(topics::kStatus);
  ASSERT_EQ(counted.size(), 1u);
  EXPECT_EQ(counted[0].poll().result(), "no answer recorded: stopped during the pull");
  clock_.Advance(absl::Minutes(1) + absl::Seconds(2));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 2u);
}

TEST_F(StagesTest, PollSchedulesAStoreWrittenBeforeItsSchedule) {
  FakeSbr sbr;
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  events::PendingPoll pending;
  *pending.mutable_receipted() = Receipted(Submission(), receipt);
  *pending.mutable_next_poll() = ToProto(receipt + absl::Minutes(1));
  ctx.stores[PollStage::kStore].Put("L1", pending.SerializeAsString());
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  ASSERT_TRUE(stage.Init(ctx).ok());
  EXPECT_EQ(ScheduleKeys(ctx),
            std::vector<std::string>{PollStage::ScheduleKey(receipt + absl::Minutes(1), "L1")});
  clock_.Set(receipt + absl::Minutes(1));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 1u);
}

TEST_F(StagesTest, PollSetsAsideAnUnreadableLodgmentAndDropsAStaleScheduleEntry) {
  FakeSbr sbr;
  PollStage stage(&sbr, blobs_.get(), absl::Seconds(2));
  FakeContext ctx(&clock_);
  const absl::Time receipt = clock_.Now();
  ASSERT_TRUE(stage.Process(RecordOf(topics::kSubmitted, Receipted(Submission(), receipt)), ctx).ok());
  ctx.stores[PollStage::kStore].Put("L0", "\xff not a PendingPoll");
  ctx.stores[PollStage::kScheduleStore].Put(PollStage::ScheduleKey(receipt, "L0"), "");
  // L1's entry where its pending poll does not say it is.
  const std::string stale = PollStage::ScheduleKey(receipt + absl::Seconds(1), "L1");
  ctx.stores[PollStage::kScheduleStore].Put(stale, "");
  clock_.Set(receipt + absl::Seconds(30));
  absl::Status unreadable = stage.Punctuate(clock_.Now(), ctx);
  EXPECT_EQ(unreadable.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(unreadable.message(), HasSubstr("L0"));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_TRUE(sbr.pulled.empty());
  EXPECT_FALSE(ctx.stores[PollStage::kScheduleStore].Get(stale).has_value());
  clock_.Set(receipt + absl::Seconds(62));  // L1 due; L0 set aside for a minute
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_EQ(sbr.pulled.size(), 1u);
}

TEST_F(StagesTest, TriageSortsOutcomes) {
  TriageStage stage(blobs_.get());
  struct Case {
    event02::Severity severity;
    std::vector<std::string> ids;
    v1::LodgmentState state;
  };
  for (const Case& c : {Case{event02::Severity::kInformation, {}, v1::ACCEPTED},
                        Case{event02::Severity::kWarning, {}, v1::ACCEPTED},
                        Case{event02::Severity::kPartial, {"1.4", "1.9"}, v1::PARTIALLY_ACCEPTED},
                        Case{event02::Severity::kError, {"1.2"}, v1::REJECTED}}) {
    FakeContext ctx(&clock_);
    events::ResponseReady ready;
    ready.set_lodgment_id("L1");
    ready.mutable_response()->set_sha256(ResponseBlob(c.severity, c.ids));
    ready.set_attempt(1);
    ASSERT_TRUE(stage.Process(RecordOf(topics::kResponses, ready), ctx).ok());
    auto status = ctx.On<events::StatusChange>(topics::kStatus);
    ASSERT_EQ(status.size(), 1u);
    EXPECT_EQ(status[0].state(), c.state);
    if (c.ids.empty()) continue;
    auto bytes = blob::ReadRef(*blobs_, status[0].rejected_records());
    ASSERT_TRUE(bytes.ok());
    events::RecordProblems problems;
    ASSERT_TRUE(problems.ParseFromString(*bytes));
    std::vector<std::string> ids;
    for (const auto& p : problems.problems()) ids.push_back(p.document_id());
    EXPECT_EQ(ids, c.ids);
    EXPECT_EQ(problems.problems(0).errors(0).description(), "TFN *****6789 fails its check digit");
    EXPECT_THAT(problems.problems(0).errors(0).path(), HasSubstr("TaxFileNumberId"));
  }
}

// The employer's PAYEVNT is whatever DocumentID the payload gave it: its
// errors are the lodgment's, and "1.1" is then an employee like any other.
TEST_F(StagesTest, TriageTakesTheEmployerDocumentIdFromTheSubmission) {
  TriageStage stage(blobs_.get());
  FakeContext ctx(&clock_);
  events::ResponseReady ready;
  ready.set_lodgment_id("L1");
  ready.mutable_response()->set_sha256(
      ResponseBlob(event02::Severity::kError, {"2.1", "1.1"}));
  ready.set_attempt(1);
  *ready.mutable_submission() = Submission();
  ready.mutable_submission()->set_employer_document_id("2.1");
  ASSERT_TRUE(stage.Process(RecordOf(topics::kResponses, ready), ctx).ok());
  auto status = ctx.On<events::StatusChange>(topics::kStatus);
  ASSERT_EQ(status.size(), 1u);
  ASSERT_EQ(status[0].lodgment().lodgment_errors_size(), 1);
  EXPECT_THAT(status[0].lodgment().lodgment_errors(0).description(), HasSubstr("record 2.1: "));
  auto bytes = blob::ReadRef(*blobs_, status[0].rejected_records());
  ASSERT_TRUE(bytes.ok());
  events::RecordProblems problems;
  ASSERT_TRUE(problems.ParseFromString(*bytes));
  ASSERT_EQ(problems.problems_size(), 1);
  EXPECT_EQ(problems.problems(0).document_id(), "1.1");

  // An update event has no employer document: every named record is an employee's.
  FakeContext update_ctx(&clock_);
  ready.mutable_submission()->set_action("Update.004.00");
  ready.mutable_submission()->clear_employer_document_id();
  ASSERT_TRUE(stage.Process(RecordOf(topics::kResponses, ready), update_ctx).ok());
  auto update = update_ctx.On<events::StatusChange>(topics::kStatus);
  ASSERT_EQ(update.size(), 1u);
  EXPECT_EQ(update[0].lodgment().lodgment_errors_size(), 0);
}

TEST_F(StagesTest, TriageResubmitsSystemErrorsBoundedly) {
  TriageStage stage(blobs_.get(), TriagePolicy{3, absl::Minutes(15)});
  for (int attempt : {1, 2, 3}) {
    FakeContext ctx(&clock_);
    events::ResponseReady ready;
    ready.set_lodgment_id("L1");
    ready.mutable_response()->set_sha256(ResponseBlob(event02::Severity::kSystemError, {}));
    ready.set_attempt(attempt);
    *ready.mutable_submission() = Submission(attempt);
    ASSERT_TRUE(stage.Process(RecordOf(topics::kResponses, ready), ctx).ok());
    auto resubmits = ctx.On<events::ResubmitRequest>(topics::kResubmit);
    auto status = ctx.On<events::StatusChange>(topics::kStatus);
    if (attempt < 3) {
      ASSERT_EQ(resubmits.size(), 1u);
      EXPECT_EQ(resubmits[0].next_attempt(), attempt + 1);
      EXPECT_EQ(FromProto(resubmits[0].not_before()),
                clock_.Now() + absl::Minutes(15) * (1 << (attempt - 1)));
      EXPECT_EQ(status[0].state(), v1::HELD);
    } else {
      EXPECT_TRUE(resubmits.empty());
      EXPECT_EQ(status[0].state(), v1::SYSTEM_ERROR);
    }
  }
}

TEST_F(StagesTest, ResubmitWaitsThenSendsANewMessageId) {
  ResubmitStage stage("sbrgate.test");
  FakeContext ctx(&clock_);
  events::ResubmitRequest r;
  r.set_lodgment_id("L1");
  r.set_reason("system-error");
  r.set_next_attempt(2);
  *r.mutable_not_before() = ToProto(clock_.Now() + absl::Minutes(15));
  *r.mutable_previous() = Submission(1);
  ASSERT_TRUE(stage.Process(RecordOf(topics::kResubmit, r), ctx).ok());
  EXPECT_TRUE(ctx.emitted.empty());
  clock_.Advance(absl::Minutes(14));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  EXPECT_TRUE(ctx.emitted.empty());
  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(stage.Punctuate(clock_.Now(), ctx).ok());
  auto next = ctx.On<events::LodgmentToSubmit>(topics::kReceived);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].attempt(), 2);
  EXPECT_NE(next[0].message_id(), "m1@test");
  EXPECT_EQ(next[0].payload().sha256(), Submission(1).payload().sha256());
  EXPECT_EQ(ctx.On<events::StatusChange>(topics::kStatus)[0].state(), v1::RECEIVED);
  EXPECT_EQ(ctx.stores[ResubmitStage::kStore].size(), 0u);

  // The same attempt asked for again (a replay asked twice, a redelivered
  // record) is not sent again; the next attempt is.
  ctx.emitted.clear();
  *r.mutable_not_before() = ToProto(clock_.Now());
  ASSERT_TRUE(stage.Process(RecordOf(topics::kResubmit, r), ctx).ok());
  EXPECT_TRUE(ctx.emitted.empty());
  r.set_next_attempt(3);
  ASSERT_TRUE(stage.Process(RecordOf(topics::kResubmit, r), ctx).ok());
  ASSERT_EQ(ctx.On<events::LodgmentToSubmit>(topics::kReceived).size(), 1u);
  EXPECT_EQ(ctx.On<events::LodgmentToSubmit>(topics::kReceived)[0].attempt(), 3);
}

TEST_F(StagesTest, StatusViewHoldsADeadLetteredLodgmentUntilItIsRedriven) {
  std::unique_ptr<StatusView> opened = OpenView();
  StatusView& view = *opened;
  ASSERT_TRUE(view.Apply(Change("L1", v1::RECEIVED, clock_.Now(), "")).ok());
  events::DeadLetter dl;
  dl.set_stage("submit");
  dl.set_topic(topics::kReceived);
  dl.set_key("L1");
  dl.set_value("the record");
  dl.set_error("NOT_FOUND: payload blob is missing");
  ASSERT_TRUE(view.ApplyDeadLetter(0, 7, dl, /*lodgment=*/true).ok());
  ASSERT_TRUE(view.ApplyDeadLetter(0, 7, dl, /*lodgment=*/true).ok());  // read again: once
  EXPECT_EQ(view.Get("L1")->state(), v1::NEEDS_ATTENTION);
  EXPECT_NE(view.Get("L1")->detail().find("redrive --id=0-7"), std::string::npos);
  // What the stages report meanwhile waits for the redrive.
  ASSERT_TRUE(view.Apply(Change("L1", v1::HELD, clock_.Now(), "holding")).ok());
  EXPECT_EQ(view.Get("L1")->state(), v1::NEEDS_ATTENTION);
  ASSERT_EQ(view.DeadLetters(false).size(), 1u);
  std::optional<StatusView::HeldDeadLetter> held = view.DeadLetter("0-7");
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->info.lodgment_id(), "L1");
  EXPECT_TRUE(held->info.redrivable());
  EXPECT_EQ(held->record.value(), "the record");
  EXPECT_EQ(held->resume_state, v1::HELD);

  events::StatusChange redrive = Change("L1", v1::HELD, clock_.Now(), "sent back");
  redrive.set_redriven_dead_letter("0-7");
  ASSERT_TRUE(view.Apply(redrive).ok());
  EXPECT_EQ(view.Get("L1")->state(), v1::HELD);
  EXPECT_TRUE(view.DeadLetters(false).empty());
  EXPECT_TRUE(view.DeadLetters(true)[0].redriven());

  // A dead letter of another kind is listed, and touches no lodgment.
  events::DeadLetter other = dl;
  other.set_topic("sbrgate.clntcomm.jobs");
  other.set_key("job-1");
  ASSERT_TRUE(view.ApplyDeadLetter(1, 3, other, /*lodgment=*/false).ok());
  EXPECT_FALSE(view.Get("job-1").has_value());
  EXPECT_EQ(view.DeadLetters(false).size(), 1u);
}

TEST_F(StagesTest, StatusViewKeepsItsEntriesAndAppliedOffsetsAcrossRestarts) {
  std::unique_ptr<StatusView> view = OpenView();
  const std::string generation = view->generation();
  ASSERT_TRUE(view->Apply(Change("L2", v1::RECEIVED, clock_.Now(), ""), 0).ok());
  ASSERT_TRUE(view->Apply(Change("L1", v1::RECEIVED, clock_.Now(), ""), 1).ok());
  ASSERT_TRUE(view->Apply(Change("L1", v1::RECEIPTED, clock_.Now(), ""), 2).ok());
  const std::string dir = absl::StrCat(::testing::TempDir(), "/view-",
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  view.reset();
  auto reopened = StatusView::Open(dir, blobs_.get());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  view = *std::move(reopened);
  EXPECT_EQ(view->generation(), generation);
  EXPECT_EQ(view->Get("L1")->state(), v1::RECEIPTED);
  EXPECT_EQ(view->Version("L1"), 2);
  // Read again after a crash (its offset never committed): not applied twice.
  events::StatusChange polled = Change("L1", v1::AWAITING_RESPONSE, clock_.Now(), "");
  polled.mutable_poll()->set_result("nothing-yet");
  ASSERT_TRUE(view->Apply(polled, 3).ok());
  ASSERT_TRUE(view->Apply(polled, 3).ok());
  EXPECT_EQ(view->Get("L1")->polls_size(), 1);
  EXPECT_EQ(view->Version("L1"), 3);
  // Listed in the order the view learnt of them, new ones after.
  ASSERT_TRUE(view->Apply(Change("L0", v1::RECEIVED, clock_.Now(), ""), 4).ok());
  std::string token;
  std::vector<std::string> listed;
  for (const v1::Lodgment& l : view->List({}, 10, "", &token)) listed.push_back(l.lodgment_id());
  EXPECT_EQ(listed, (std::vector<std::string>{"L2", "L1", "L0"}));
}

TEST_F(StagesTest, StatusViewFoldsChangesAndResolvesCorrections) {
  std::unique_ptr<StatusView> opened = OpenView();
  StatusView& view = *opened;
  events::StatusChange received = Change("L1", v1::RECEIVED, clock_.Now(), "");
  received.mutable_lodgment()->set_abn("51824753556");
  received.mutable_lodgment()->set_bms_id("BMS");
  received.mutable_lodgment()->set_interaction_transaction_id("T1");
  received.mutable_lodgment()->set_kind("Submit");
  v1::RecordProblem sent;
  sent.set_document_id("1.4");
  sent.set_payroll_id("E4");
  *received.mutable_sent_records() = *StoreProblems(*blobs_, {sent});
  ASSERT_TRUE(view.Apply(received).ok());
  EXPECT_EQ(view.FindByIdempotencyKey("51824753556", "BMS", "T1"), "L1");

  events::StatusChange partial = Change("L1", v1::PARTIALLY_ACCEPTED, clock_.Now(), "");
  v1::RecordProblem rejected;
  rejected.set_document_id("1.4");
  rejected.add_errors()->set_code("VR.ATO.PAYEVNTEMP.000181");
  *partial.mutable_rejected_records() = *StoreProblems(*blobs_, {rejected});
  ASSERT_TRUE(view.Apply(partial).ok());
  auto l = view.Get("L1");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->state(), v1::PARTIALLY_ACCEPTED);
  ASSERT_EQ(l->rejected_records_size(), 1);
  EXPECT_EQ(l->rejected_records(0).payroll_id(), "E4");
  ASSERT_EQ(view.Rejected("", "").size(), 1u);

  // An accepted update event carrying employee E4 resolves the record.
  events::StatusChange update = Change("U1", v1::RECEIVED, clock_.Now(), "");
  update.mutable_lodgment()->set_kind("Update");
  update.mutable_lodgment()->set_corrects_lodgment_id("L1");
  v1::RecordProblem corrected;
  corrected.set_document_id("1.2");
  corrected.set_payroll_id("E4");
  *update.mutable_sent_records() = *StoreProblems(*blobs_, {corrected});
  ASSERT_TRUE(view.Apply(update).ok());
  EXPECT_EQ(view.Rejected("", "").size(), 1u);
  ASSERT_TRUE(view.Apply(Change("U1", v1::ACCEPTED, clock_.Now(), "")).ok());
  EXPECT_TRUE(view.Rejected("", "").empty());
}

}  // namespace
}  // namespace sbrgate::lodgment
