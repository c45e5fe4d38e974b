#include "pipeline/platform/log/local_log.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/clock.h"

namespace sbrgate::log {
namespace {

class LocalLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }

  std::unique_ptr<LocalLog> OpenOrDie(std::vector<LogTopic> topics) {
    absl::StatusOr<std::unique_ptr<LocalLog>> log =
        LocalLog::Open(dir_, std::move(topics), &clock_);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  static std::vector<LogTopic> Topics() {
    return {{"in", 4, absl::InfiniteDuration(), {"stage"}}, {"out", 2, absl::Hours(1), {"reader"}}};
  }

  // A child process opens the log and makes commit `i` = 0, 1, 2... with
  // `commit` (false: it failed) until it is killed with -9, 200 returned
  // commits in. The last commit that returned; -1 when the child stopped by
  // itself.
  int LastCommitBeforeKillNine(const std::function<bool(LocalLog&, int)>& commit) {
    int fds[2];
    if (::pipe(fds) != 0) return -1;
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(fds[0]);
      ManualClock clock(absl::FromUnixSeconds(1750000000));
      auto log = LocalLog::Open(dir_, Topics(), &clock);
      if (!log.ok()) ::_exit(2);
      for (int i = 0;; ++i) {
        if (!commit(**log, i)) ::_exit(3);
        if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(4);
      }
    }
    ::close(fds[1]);
    int last = -1, got = 0;
    while (got < 200 && ::read(fds[0], &last, sizeof last) == sizeof last) ++got;
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(fds[0]);
    EXPECT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself: " << status;
    return WIFSIGNALED(status) ? last : -1;
  }

  std::string dir_;
  ManualClock clock_{absl::FromUnixSeconds(1750000000)};
};

TEST_F(LocalLogTest, RecordsOfOneKeyStayInOrderOnOnePartition) {
  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  for (int i = 0; i < 10; ++i) {
    LogTransaction tx;
    tx.Append({"in", "lodgment-7", absl::StrCat("v", i)});
    tx.Append({"in", absl::StrCat("other-", i), "x"});
    ASSERT_TRUE(log->Commit(tx).ok());
  }
  const int32_t p = LocalLog::PartitionFor("lodgment-7", 4);
  absl::StatusOr<std::vector<LogRecord>> got = log->Read({"in", p}, 0, 1000);
  ASSERT_TRUE(got.ok()) << got.status();
  int next = 0;
  int64_t expected_offset = 0;
  for (const LogRecord& r : *got) {
    EXPECT_EQ(r.offset, expected_offset++);
    EXPECT_EQ(r.timestamp, clock_.Now());
    if (r.key == "lodgment-7") EXPECT_EQ(r.value, absl::StrCat("v", next++));
  }
  EXPECT_EQ(next, 10);
}

TEST_F(LocalLogTest, ATransactionIsOnDiskWholeAfterReopening) {
  {
    std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
    LogTransaction tx;
    tx.Append({"out", "k", "output", {{"origin", "in/2@41"}}});
    tx.Put("poll.pending", "k", "due at 10:00");
    tx.CommitOffset("stage", {"in", 2}, 42);
    tx.CommitOffset("stage", {"in", 1}, 7, "v1;end=+3;open=+2");
    ASSERT_TRUE(log->Commit(tx).ok());
  }
  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  const int32_t p = LocalLog::PartitionFor("k", 2);
  absl::StatusOr<std::vector<LogRecord>> got = log->Read({"out", p}, 0, 10);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].value, "output");
  ASSERT_EQ((*got)[0].headers.size(), 1u);
  EXPECT_EQ((*got)[0].headers[0].second, "in/2@41");
  EXPECT_EQ(*log->Get("poll.pending", "k"), std::optional<std::string>("due at 10:00"));
  EXPECT_EQ(*log->CommittedOffset("stage", {"in", 2}), 42);
  EXPECT_EQ(*log->CommittedOffset("stage", {"in", 3}), 0);
  EXPECT_EQ(log->Committed("stage", {"in", 2})->metadata, "");
  EXPECT_EQ(*log->CommittedOffset("stage", {"in", 1}), 7);
  EXPECT_EQ(log->Committed("stage", {"in", 1})->metadata, "v1;end=+3;open=+2");
  EXPECT_EQ(log->Committed("stage", {"in", 3})->offset, 0);
  EXPECT_EQ(log->Partition({"out", p}).high, 1);
}

TEST_F(LocalLogTest, ChangingAPartitionCountIsRefused) {
  { OpenOrDie(Topics()); }
  absl::StatusOr<std::unique_ptr<LocalLog>> log = LocalLog::Open(dir_, {{"in", 8}}, &clock_);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("in has 4 partitions on disk but 8"), std::string::npos)
      << log.status();
}

TEST_F(LocalLogTest, UnknownTopicsAndPartitionsAreRefusedNamingThem) {
  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  LogTransaction tx;
  tx.Append({"nope", "k", "v"});
  absl::Status s = log->Commit(tx);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'nope'"), std::string::npos);
  LogTransaction bad_partition;
  bad_partition.Append({"in", "k", "v", {}, 9});
  EXPECT_EQ(log->Commit(bad_partition).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log->Read({"in", 9}, 0, 1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LocalLogTest, ConcurrentCommitsEachLandWholeWithTheirOwnOffsets) {
  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  constexpr int kThreads = 8, kCommits = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < kCommits; ++i) {
        LogTransaction tx;
        tx.Append({"in", "shared", absl::StrCat(t, "-", i), {}, 0});
        tx.Put("progress", absl::StrCat("thread-", t), absl::StrCat(i));
        // Committed alongside others, a bad transaction fails alone.
        if (i % 10 == 0) {
          LogTransaction bad;
          bad.Append({"nope", "k", "v"});
          EXPECT_EQ(log->Commit(bad).code(), absl::StatusCode::kInvalidArgument);
        }
        EXPECT_TRUE(log->Commit(tx).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  absl::StatusOr<std::vector<LogRecord>> got = log->Read({"in", 0}, 0, 100000);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), size_t{kThreads * kCommits});
  std::vector<int> next(kThreads, 0);
  for (size_t i = 0; i < got->size(); ++i) {
    const LogRecord& r = (*got)[i];
    EXPECT_EQ(r.offset, static_cast<int64_t>(i));
    const size_t dash = r.value.find('-');
    const int t = std::stoi(r.value.substr(0, dash));
    EXPECT_EQ(r.value.substr(dash + 1), absl::StrCat(next[t]++)) << "each thread's in its order";
  }
  EXPECT_EQ(log->Partition({"in", 0}).high, kThreads * kCommits);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(*log->Get("progress", absl::StrCat("thread-", t)),
              std::optional<std::string>(absl::StrCat(kCommits - 1)));
  }
}

TEST_F(LocalLogTest, TrimRemovesOnlyWhatEveryGroupPassedAndRetentionReleased) {
  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  const TopicPartition out{"out", 0};
  for (int i = 0; i < 5; ++i) {
    LogTransaction tx;
    tx.Append({"out", "k", absl::StrCat(i), {}, 0});
    ASSERT_TRUE(log->Commit(tx).ok());
  }
  // Nobody has read anything: nothing goes, however old.
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(*log->Trim(), 0);
  LogTransaction read3;
  read3.CommitOffset("reader", out, 3);
  ASSERT_TRUE(log->Commit(read3).ok());
  EXPECT_EQ(*log->Trim(), 3);
  EXPECT_EQ(log->Partition(out).low, 3);
  EXPECT_EQ(log->Read(out, 2, 10).status().code(), absl::StatusCode::kOutOfRange);
  // Newer records wait for their retention even once read.
  LogTransaction fresh;
  fresh.Append({"out", "k", "5", {}, 0});
  fresh.CommitOffset("reader", out, 6);
  ASSERT_TRUE(log->Commit(fresh).ok());
  EXPECT_EQ(*log->Trim(), 2);  // offsets 3 and 4, two hours old
  EXPECT_EQ(log->Partition(out).low, 5);
  // Infinite retention keeps replayable history.
  LogTransaction in;
  in.Append({"in", "k", "v", {}, 0});
  in.CommitOffset("stage", {"in", 0}, 1);
  ASSERT_TRUE(log->Commit(in).ok());
  clock_.Advance(absl::Hours(1000));
  EXPECT_EQ(log->Partition({"in", 0}).low, 0);
  log.reset();
  // The offsets go on from where they were, after trimming and reopening.
  log = OpenOrDie(Topics());
  EXPECT_EQ(log->Partition(out).low, 5);
  EXPECT_EQ(log->Partition(out).high, 6);
}

TEST_F(LocalLogTest, StoresScanInKeyOrderWithinTheirOwnRange) {
  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  LogTransaction tx;
  tx.Put("timers", "2026-12-06T10:00|b", "b");
  tx.Put("timers", "2026-12-06T09:00|a", "a");
  tx.Put("timers", "2026-12-07T09:00|c", "c");
  tx.Put("timersx", "0", "another store");
  tx.Put("other", "0", "another store");
  ASSERT_TRUE(log->Commit(tx).ok());
  std::vector<std::string> seen;
  auto collect = [&](const std::string& k, const std::string& v) {
    seen.push_back(v);
    return true;
  };
  ASSERT_TRUE(log->Scan("timers", "", "", collect).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  seen.clear();
  ASSERT_TRUE(log->Scan("timers", "", "2026-12-07", collect).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  LogTransaction del;
  del.Delete("timers", "2026-12-06T09:00|a");
  ASSERT_TRUE(log->Commit(del).ok());
  EXPECT_FALSE(log->Get("timers", "2026-12-06T09:00|a")->has_value());
}

TEST_F(LocalLogTest, AReaderBesideTheWriterSeesNewCommitsAfterCatchingUp) {
  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  LogTransaction first;
  first.Append({"in", "k", "1", {}, 1});
  ASSERT_TRUE(log->Commit(first).ok());
  absl::StatusOr<std::unique_ptr<LocalLog>> reader = LocalLog::OpenReadOnly(dir_, dir_ + ".reader");
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->Read({"in", 1}, 0, 10)->size(), 1u);
  LogTransaction second;
  second.Append({"in", "k", "2", {}, 1});
  ASSERT_TRUE(log->Commit(second).ok());
  ASSERT_TRUE((*reader)->CatchUp().ok());
  EXPECT_EQ((*reader)->Read({"in", 1}, 0, 10)->size(), 2u);
  EXPECT_EQ((*reader)->Commit(second).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(LocalLogTest, AReaderSeesEachTopicAsTheWriterLastDeclaredIt) {
  OpenOrDie(Topics()).reset();
  std::vector<LogTopic> changed = Topics();
  changed[0].retention = absl::Hours(48);
  changed[1].consumer_groups = {"reader", "auditor"};
  std::unique_ptr<LocalLog> log = OpenOrDie(changed);
  absl::StatusOr<std::unique_ptr<LocalLog>> reader = LocalLog::OpenReadOnly(dir_, dir_ + ".reader");
  ASSERT_TRUE(reader.ok()) << reader.status();
  const std::vector<LogTopic> topics = (*reader)->topics();
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].name, "in");
  EXPECT_EQ(topics[0].partitions, 4);
  EXPECT_EQ(topics[0].retention, absl::Hours(48));
  EXPECT_EQ(topics[0].consumer_groups, std::vector<std::string>{"stage"});
  EXPECT_EQ(topics[1].name, "out");
  EXPECT_EQ(topics[1].retention, absl::Hours(1));
  EXPECT_EQ(topics[1].consumer_groups, (std::vector<std::string>{"reader", "auditor"}));
}

TEST_F(LocalLogTest, WaitersWakeOnAppendsToTheirTopics) {
  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  const std::vector<std::string> in = {"in"};
  const uint64_t seen = log->Appended(in);
  std::thread writer([&] {
    LogTransaction other;
    other.Append({"out", "k", "v"});
    ASSERT_TRUE(log->Commit(other).ok());
    LogTransaction tx;
    tx.Append({"in", "k", "v"});
    tx.Append({"in", "k2", "v"});
    ASSERT_TRUE(log->Commit(tx).ok());
  });
  EXPECT_EQ(log->WaitForAppend(in, seen, absl::Now() + absl::Seconds(30)), seen + 2);
  writer.join();
  EXPECT_EQ(log->Appended({"out"}), 1u);
  EXPECT_EQ(log->Appended({"in", "out", "unknown"}), 3u);
  // Nothing more appended: it waits until the deadline.
  EXPECT_EQ(log->WaitForAppend(in, seen + 2, absl::Now() + absl::Milliseconds(10)), seen + 2);
}

// kill -9 in the middle of committing: every commit that returned is on
// disk whole (record, store entry and offset together), and nothing beyond
// the last one is half there.
TEST_F(LocalLogTest, EveryReturnedCommitSurvivesKillNine) {
  const int last = LastCommitBeforeKillNine([](LocalLog& log, int i) {
    LogTransaction tx;
    tx.Append({"in", "k", absl::StrCat(i), {}, 0});
    tx.Put("progress", "k", absl::StrCat(i));
    tx.CommitOffset("stage", {"out", 0}, i + 1);
    return log.Commit(tx).ok();
  });
  ASSERT_GE(last, 0);

  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  absl::StatusOr<std::vector<LogRecord>> records = log->Read({"in", 0}, 0, 100000);
  ASSERT_TRUE(records.ok());
  ASSERT_GE(static_cast<int>(records->size()), last + 1);
  for (size_t i = 0; i < records->size(); ++i) EXPECT_EQ((*records)[i].value, absl::StrCat(i));
  const int committed = static_cast<int>(records->size());
  EXPECT_EQ(*log->Get("progress", "k"), std::optional<std::string>(absl::StrCat(committed - 1)));
  EXPECT_EQ(*log->CommittedOffset("stage", {"out", 0}), committed);
}

// The same for commits of offsets alone, which are not fsynced: written to
// the operating system, they survive kill -9 too.
TEST_F(LocalLogTest, EveryReturnedOffsetsOnlyCommitSurvivesKillNine) {
  const int last = LastCommitBeforeKillNine([](LocalLog& log, int i) {
    LogTransaction tx;
    tx.CommitOffset("view", {"in", 0}, i + 1);
    return tx.offsets_only() && log.Commit(tx).ok();
  });
  ASSERT_GE(last, 0);

  std::unique_ptr<LocalLog> log = OpenOrDie(Topics());
  EXPECT_GE(*log->CommittedOffset("view", {"in", 0}), last + 1);
}

}  // namespace
}  // namespace sbrgate::log
