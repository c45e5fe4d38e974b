#include "pipeline/platform/common/group_commit.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace sbrgate {
namespace {

TEST(GroupCommit, CallersThatComeDuringAWriteShareTheNextOne) {
  absl::Notification first_writing, release_first;
  absl::Mutex mu;
  std::vector<std::vector<int>> writes;
  GroupCommit<int> commit([&](std::vector<int>& group) {
    {
      absl::MutexLock lock(&mu);
      writes.push_back(group);
    }
    if (group.front() == 0) {
      first_writing.Notify();
      release_first.WaitForNotification();
    }
    return absl::OkStatus();
  });
  std::vector<std::thread> callers;
  callers.emplace_back([&] { EXPECT_TRUE(commit.Commit(0).ok()); });
  first_writing.WaitForNotification();
  // Eight callers while the first write is under way...
  for (int i = 1; i <= 8; ++i) callers.emplace_back([&, i] { EXPECT_TRUE(commit.Commit(i).ok()); });
  absl::SleepFor(absl::Milliseconds(100));
  release_first.Notify();
  for (std::thread& t : callers) t.join();
  // ...share one write after it.
  absl::MutexLock lock(&mu);
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0], std::vector<int>{0});
  EXPECT_EQ(std::set<int>(writes[1].begin(), writes[1].end()),
            (std::set<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(GroupCommit, EveryCallerOfAGroupGetsItsWritesOutcome) {
  std::atomic<int> written{0};
  GroupCommit<int> commit([&](std::vector<int>& group) {
    written += static_cast<int>(group.size());
    return group.front() % 2 == 0 ? absl::OkStatus() : absl::UnavailableError("disk full");
  });
  EXPECT_TRUE(commit.Commit(2).ok());
  EXPECT_TRUE(absl::IsUnavailable(commit.Commit(3)));
  std::vector<std::thread> callers;
  std::atomic<int> outcomes{0};
  for (int i = 0; i < 16; ++i) {
    callers.emplace_back([&, i] {
      commit.Commit(i).IgnoreError();
      ++outcomes;
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(outcomes, 16);
  EXPECT_EQ(written, 18);  // each item written once
}

}  // namespace
}  // namespace sbrgate
