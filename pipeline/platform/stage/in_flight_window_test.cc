// InFlightWindow: records start as they are added, outcomes are taken as
// records finish (a slow one holds back nothing after it), one key's
// records run one after the other, and a transient failure holds back the
// later records of its key.
#include "pipeline/platform/stage/in_flight_window.h"

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace sbrgate::stage {
namespace {

// Emits each record's value; the value "slow" waits for `release`, "busy"
// fails transiently, "store" uses a store the stage does not have.
class GatedStage : public Stage {
 public:
  std::string name() const override { return "gated"; }
  bool ProcessesConcurrently() const override { return true; }
  absl::Status Process(const Record& in, Context& ctx) override {
    {
      absl::MutexLock lock(&mu);
      started.push_back(in.value);
      if (++running_by_key[in.key] > 1) overlapped_key = true;
    }
    if (in.value == "slow") {
      release.WaitForNotification();
      slow_given_up = ctx.given_up().load();
      ctx.Notify({"notes", in.key, "slow released"});
    }
    absl::Status status = absl::OkStatus();
    if (in.value == "busy") status = absl::UnavailableError("SBR unavailable");
    if (in.value == "store") ctx.store("nowhere").Put("k", "v");
    if (status.ok()) ctx.Emit({"out", in.key, in.value});
    absl::MutexLock lock(&mu);
    --running_by_key[in.key];
    return status;
  }

  absl::Notification release;
  absl::Mutex mu;
  std::vector<std::string> started;
  std::map<std::string, int> running_by_key;
  bool overlapped_key = false;
  std::atomic<bool> slow_given_up{false};  // as the slow record saw it, released
};

class InFlightWindowTest : public ::testing::Test {
 protected:
  using Window = InFlightWindow<Record>;

  // A failed expectation must not leave a record waiting forever: the window
  // waits for it when destroyed.
  ~InFlightWindowTest() override {
    if (!stage_.release.HasBeenNotified()) stage_.release.Notify();
  }

  static Record Make(const std::string& key, const std::string& value, int64_t offset) {
    Record r;
    r.topic = "in";
    r.key = key;
    r.value = value;
    r.offset = offset;
    return r;
  }
  // Takes outcomes as a runner does (holding a transient failure back)
  // until the window is empty, waiting up to `wait` in all; what it hands
  // back to be read again goes to again_.
  std::vector<Window::Finished> TakeFinished(absl::Duration wait = absl::Seconds(5)) {
    std::vector<Window::Finished> out;
    const absl::Time deadline = absl::Now() + wait;
    while (window_.size() > 0 && absl::Now() < deadline) {
      const uint64_t seen = window_.finishes();
      if (!TakeOnce(out)) window_.WaitForFinish(seen, deadline);
    }
    return out;
  }
  bool TakeOnce(std::vector<Window::Finished>& out) {
    return window_.TakeFinished(
        [&](Window::Finished& f) {
          out.push_back(std::move(f));
          return !absl::IsUnavailable(out.back().status);
        },
        [&](std::vector<Record> again) {
          for (Record& r : again) again_.push_back(std::move(r));
        });
  }

  std::vector<Record> again_;

  GatedStage stage_;
  ManualClock clock_{absl::FromUnixSeconds(1796000000)};
  WorkerPool workers_{8};
  std::atomic<int> finished_calls_{0};
  absl::Mutex notes_mu_;
  std::vector<std::string> notes_;  // notified, by value
  Window window_{stage_,
                 clock_,
                 workers_,
                 [this](Output o) {
                   absl::MutexLock lock(&notes_mu_);
                   notes_.push_back(std::move(o.value));
                 },
                 [](const Record& r) -> const Record& { return r; },
                 [this] { ++finished_calls_; }};
};

TEST_F(InFlightWindowTest, ASlowRecordHoldsBackNeitherTheStartNorTheOutcomesAfterIt) {
  window_.Add(Make("a", "slow", 0));
  window_.Add(Make("b", "b1", 1));
  window_.Add(Make("c", "c1", 2));
  // b1 and c1 finish while the slow record runs...
  for (int i = 0; i < 500 && finished_calls_ < 2; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(finished_calls_, 2);
  EXPECT_EQ(window_.finishes(), 2u);
  EXPECT_EQ(window_.in_process(), 1);
  // ...and are taken at once, in input order.
  std::vector<Window::Finished> done;
  EXPECT_TRUE(TakeOnce(done));
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(window_.size(), 1u);
  EXPECT_FALSE(TakeOnce(done));
  stage_.release.Notify();
  for (Window::Finished& f : TakeFinished()) done.push_back(std::move(f));
  ASSERT_EQ(done.size(), 3u);
  const std::vector<int64_t> order = {1, 2, 0};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(done[i].item.offset, order[i]);
    EXPECT_TRUE(done[i].status.ok()) << done[i].status;
    ASSERT_EQ(done[i].emits.size(), 1u);
    EXPECT_EQ(done[i].emits[0].value, done[i].item.value);
  }
  EXPECT_EQ(window_.size(), 0u);
  // Still the window's: not given up, and its note went out.
  EXPECT_FALSE(stage_.slow_given_up);
  absl::MutexLock lock(&notes_mu_);
  EXPECT_EQ(notes_, std::vector<std::string>{"slow released"});
  EXPECT_TRUE(again_.empty());
}

TEST_F(InFlightWindowTest, TheRecordsOfOneKeyRunOneAfterTheOtherInInputOrder) {
  window_.Add(Make("a", "slow", 0));
  window_.Add(Make("a", "a2", 1));
  window_.Add(Make("b", "b1", 2));
  window_.Add(Make("a", "a3", 3));
  for (int i = 0; i < 500 && finished_calls_ < 1; ++i) absl::SleepFor(absl::Milliseconds(10));
  {
    absl::MutexLock lock(&stage_.mu);
    // Only the other key's record started beside the slow one.
    EXPECT_EQ(stage_.started, (std::vector<std::string>{"slow", "b1"}));
  }
  stage_.release.Notify();
  std::vector<Window::Finished> done = TakeFinished();
  ASSERT_EQ(done.size(), 4u);
  absl::MutexLock lock(&stage_.mu);
  EXPECT_FALSE(stage_.overlapped_key);
  EXPECT_EQ(stage_.started, (std::vector<std::string>{"slow", "b1", "a2", "a3"}));
}

TEST_F(InFlightWindowTest, AfterATransientFailureTheLaterRecordsOfItsKeyAreNotProcessed) {
  window_.Add(Make("a", "busy", 0));
  window_.Add(Make("a", "a2", 1));
  window_.Add(Make("b", "b1", 2));
  for (int i = 0; i < 500 && window_.finishes() < 3; ++i) absl::SleepFor(absl::Milliseconds(10));
  // Added after the failure, before the window is emptied: not processed either.
  window_.Add(Make("a", "a3", 3));
  std::vector<Window::Finished> done;
  EXPECT_TRUE(TakeOnce(done));
  // The record finished well first, then the failed one, held back...
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].item.value, "b1");
  ASSERT_EQ(done[0].emits.size(), 1u);  // processed
  EXPECT_EQ(done[1].item.value, "busy");
  EXPECT_TRUE(absl::IsUnavailable(done[1].status));
  // ...and the records of its key, unprocessed, to be read again after it.
  ASSERT_EQ(again_.size(), 2u);
  EXPECT_EQ(again_[0].value, "a2");
  EXPECT_EQ(again_[1].value, "a3");
  EXPECT_EQ(window_.size(), 0u);
  absl::MutexLock lock(&stage_.mu);
  EXPECT_EQ(stage_.started, (std::vector<std::string>{"busy", "b1"}));
}

TEST_F(InFlightWindowTest, TakeAllWaitsForTheRunningRecordsAndGivesBackEveryOneNotTaken) {
  window_.Add(Make("a", "slow", 0));
  window_.Add(Make("b", "b1", 1));
  window_.Add(Make("a", "busy", 2));
  absl::Notification emptied;
  std::vector<Record> rest;
  std::thread taker([&] {
    rest = window_.TakeAll();
    emptied.Notify();
  });
  // Not while the slow record runs.
  EXPECT_FALSE(emptied.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  stage_.release.Notify();
  taker.join();
  ASSERT_EQ(rest.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rest[i].offset, i);
  EXPECT_EQ(window_.size(), 0u);
  // The window holds nothing of before: the key whose record was held runs again.
  window_.Add(Make("a", "a4", 3));
  std::vector<Window::Finished> done = TakeFinished();
  ASSERT_EQ(done.size(), 1u);
  ASSERT_EQ(done[0].emits.size(), 1u);  // processed
  EXPECT_EQ(done[0].emits[0].value, "a4");
}

TEST_F(InFlightWindowTest, AbandonDoesNotWaitAndDropsTheOutcomesStillToCome) {
  window_.Add(Make("a", "slow", 0));
  window_.Add(Make("a", "a2", 1));  // waits for the slow one: never started
  window_.Add(Make("b", "b1", 2));
  for (int i = 0; i < 500 && finished_calls_ < 1; ++i) absl::SleepFor(absl::Milliseconds(10));
  std::vector<Window::Finished> done;
  EXPECT_TRUE(TakeOnce(done));
  ASSERT_EQ(done.size(), 1u);
  window_.Abandon();  // returns with the slow one running
  EXPECT_EQ(window_.size(), 0u);
  EXPECT_EQ(window_.in_process(), 0);
  const uint64_t seen = window_.finishes();
  stage_.release.Notify();
  for (int i = 0; i < 500 && finished_calls_ < 2; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(finished_calls_, 2);
  EXPECT_EQ(window_.finishes(), seen);
  EXPECT_FALSE(TakeOnce(done));
  // It was told it was given up, and its note was dropped.
  EXPECT_TRUE(stage_.slow_given_up);
  {
    absl::MutexLock lock(&notes_mu_);
    EXPECT_TRUE(notes_.empty());
  }
  // The key is the window's again: a new record of it runs at once.
  window_.Add(Make("a", "a3", 3));
  done = TakeFinished();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].item.value, "a3");
  absl::MutexLock lock(&stage_.mu);
  EXPECT_EQ(stage_.started, (std::vector<std::string>{"slow", "b1", "a3"}));
}

TEST_F(InFlightWindowTest, TakeAllStartsNoRecordWaitingForARunningOneOfItsKey) {
  window_.Add(Make("a", "slow", 0));
  window_.Add(Make("a", "a2", 1));
  std::thread taker([&] { EXPECT_EQ(window_.TakeAll().size(), 2u); });
  absl::SleepFor(absl::Milliseconds(50));
  stage_.release.Notify();
  taker.join();
  absl::MutexLock lock(&stage_.mu);
  EXPECT_EQ(stage_.started, (std::vector<std::string>{"slow"}));
}

TEST_F(InFlightWindowTest, AStageUsingAStoreFailsItsRecord) {
  window_.Add(Make("a", "store", 0));
  std::vector<Window::Finished> done = TakeFinished();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(absl::IsInvalidArgument(done[0].status)) << done[0].status;
}

}  // namespace
}  // namespace sbrgate::stage
