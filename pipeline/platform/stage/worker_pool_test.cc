// WorkerPool: items run at once, as many as the pool has threads, and RunAll
// returns when every item has, or when its wait has passed with an item
// still running, which then goes on.
#include "pipeline/platform/stage/worker_pool.h"

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "absl/synchronization/barrier.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace sbrgate::stage {
namespace {

TEST(WorkerPool, RunsAsManyItemsAtOnceAsItHasThreads) {
  WorkerPool pool(4);
  // Four items that each wait for all four: they finish only if they run at once.
  auto* barrier = new absl::Barrier(4);
  std::atomic<int> done{0};
  std::vector<std::function<void()>> work;
  for (int i = 0; i < 4; ++i) {
    work.push_back([&] {
      if (barrier->Block()) delete barrier;
      ++done;
    });
  }
  pool.RunAll(std::move(work));
  EXPECT_EQ(done, 4);
}

TEST(WorkerPool, NeverRunsMoreThanItsSizeAndReturnsWhenAllHave) {
  WorkerPool pool(3);
  std::atomic<int> running{0}, most{0}, done{0};
  for (int round = 0; round < 3; ++round) {
    std::vector<std::function<void()>> work;
    for (int i = 0; i < 20; ++i) {
      work.push_back([&] {
        const int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        absl::SleepFor(absl::Milliseconds(2));
        --running;
        ++done;
      });
    }
    pool.RunAll(std::move(work));
    EXPECT_EQ(done, 20 * (round + 1));
    EXPECT_EQ(running, 0);
  }
  EXPECT_LE(most, 3);
  EXPECT_GE(most, 2);
}

TEST(WorkerPool, OneThreadRunsItemsInOrder) {
  WorkerPool pool(1);
  std::vector<int> order;
  pool.RunAll({[&] { order.push_back(1); }, [&] { order.push_back(2); }});
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(WorkerPool, PostReturnsAtOnceAndItsItemsRunOnThePoolThreads) {
  WorkerPool pool(2);
  absl::Notification release;
  std::atomic<int> done{0};
  // Two posted items that wait: Post does not.
  for (int i = 0; i < 2; ++i) {
    pool.Post([&] {
      release.WaitForNotification();
      ++done;
    });
  }
  EXPECT_EQ(done, 0);
  release.Notify();
  pool.RunAll({[&] { ++done; }});
  while (done < 3) absl::SleepFor(absl::Milliseconds(1));
}

TEST(WorkerPool, RunAllReturnsAfterItsWaitAndTheSlowItemGoesOn) {
  WorkerPool pool(4);
  auto release = std::make_shared<absl::Notification>();
  auto slow_done = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> quick{0};
  std::vector<std::function<void()>> work;
  work.push_back([release, slow_done] {
    release->WaitForNotification();
    *slow_done = true;
  });
  for (int i = 0; i < 3; ++i) work.push_back([&] { ++quick; });
  const absl::Time start = absl::Now();
  pool.RunAll(std::move(work), absl::Milliseconds(100));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));
  EXPECT_EQ(quick, 3);
  EXPECT_FALSE(*slow_done);
  // The next call's items run beside the one still running.
  pool.RunAll({[&] { ++quick; }});
  EXPECT_EQ(quick, 4);
  EXPECT_FALSE(*slow_done);
  release->Notify();
  while (!*slow_done) absl::SleepFor(absl::Milliseconds(1));
}

}  // namespace
}  // namespace sbrgate::stage
