#include "pipeline/platform/stage/local_runner.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/log/local_log.h"
#include "pipeline/platform/logging/structured_log.h"
#include "pipeline/platform/stage/dead_letter.h"
#include "pipeline/platform/stage/test_stages.h"

namespace sbrgate::stage {
namespace {

using testing::ConcurrentMapStage;
using testing::CountStage;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using testing::KeysNotInRoundOrder;
using testing::RoundRecords;
using testing::MapStage;
using testing::ReleaseStage;

class LocalRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
    Open();
  }
  void TearDown() override { StopAndJoin().IgnoreError(); }

  void Open() {
    absl::StatusOr<std::unique_ptr<log::LocalLog>> log =
        log::LocalLog::Open(dir_,
                            {{"in", 4, absl::InfiniteDuration(), {"sbrgate.map", "sbrgate.count"}},
                             {"out", 2},
                             {"notes", 1},
                             {"sbrgate.deadletter", 1}},
                            &clock_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }
  RunnerOptions Options() const {
    RunnerOptions o;
    o.instance_id = "a";
    o.retry_min = absl::Milliseconds(10);
    o.retry_max = absl::Milliseconds(40);
    o.max_batch_delay = absl::Milliseconds(20);
    return o;
  }
  void Produce(int first, int count, const std::string& value_prefix = "v") {
    log::LogTransaction tx;
    for (int i = first; i < first + count; ++i) {
      tx.Append({"in", absl::StrCat("k", i), absl::StrCat(value_prefix, i)});
    }
    ASSERT_TRUE(log_->Commit(tx).ok());
  }
  // Every record of `topic`, partition by partition.
  std::vector<log::LogRecord> ReadAll(const std::string& topic) {
    std::vector<log::LogRecord> out;
    for (const log::LogTopic& t : log_->topics()) {
      if (t.name != topic) continue;
      for (int p = 0; p < t.partitions; ++p) {
        auto got = log_->Read({topic, p}, log_->Partition({topic, p}).low, 1 << 20);
        EXPECT_TRUE(got.ok()) << got.status();
        if (got.ok()) out.insert(out.end(), got->begin(), got->end());
      }
    }
    return out;
  }
  void Start(const StageSpec& spec, Stage* stage) { Start(spec, stage, Options()); }
  void Start(const StageSpec& spec, Stage* stage, RunnerOptions options) {
    auto runner = LocalStageRunner::Create(options, spec, stage, &clock_, log_.get());
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = *std::move(runner);
    thread_ = std::thread([this] { status_ = runner_->Run(); });
  }
  absl::Status StopAndJoin() {
    if (!thread_.joinable()) return status_;
    runner_->Stop();
    thread_.join();
    return status_;
  }
  static bool WaitUntil(const std::function<bool()>& done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (!done()) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

  std::string dir_;
  RealClock clock_;
  std::unique_ptr<log::LocalLog> log_;
  std::unique_ptr<StageRunner> runner_;
  std::thread thread_;
  absl::Status status_;
};

TEST_F(LocalRunnerTest, ProcessesEachRecordOnceAcrossRestarts) {
  MapStage map("map", "in", "out");
  Produce(0, 300);
  Start(map.spec(), &map);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 300; }));
  EXPECT_TRUE(runner_->metrics().caught_up);
  ASSERT_TRUE(StopAndJoin().ok());

  // Reopened from disk: the offsets held, so only the new records are read.
  runner_.reset();
  log_.reset();
  Open();
  Produce(300, 50);
  MapStage again("map", "in", "out");
  Start(again.spec(), &again);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 50; }));
  ASSERT_TRUE(StopAndJoin().ok());
  EXPECT_EQ(again.calls, 50);
  std::map<std::string, int> seen;
  for (const log::LogRecord& r : ReadAll("out")) {
    ++seen[r.key];
    EXPECT_EQ(r.value, "out:v" + r.key.substr(1));
  }
  EXPECT_EQ(seen.size(), 350u);
  for (const auto& [key, n] : seen) EXPECT_EQ(n, 1) << key;
}

TEST_F(LocalRunnerTest, HoldsATransientFailureAndDeadLettersAPermanentOneWithHeaders) {
  MapStage map("map", "in", "out");
  map.fail_transiently["k1"] = 2;
  map.fail_permanently.insert("k2");
  Produce(0, 4);
  Start(map.spec(), &map);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 4; }));
  ASSERT_TRUE(StopAndJoin().ok());
  const RunnerMetrics m = runner_->metrics();
  EXPECT_EQ(m.retries, 2);
  EXPECT_EQ(m.dead_letters, 1);
  EXPECT_FALSE(m.holding);
  // Notifications commit at once, one per held try.
  EXPECT_EQ(ReadAll("notes").size(), 2u);
  EXPECT_EQ(ReadAll("out").size(), 3u);

  std::vector<log::LogRecord> dead = ReadAll("sbrgate.deadletter");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, "k2");
  std::map<std::string, std::string> headers(dead[0].headers.begin(), dead[0].headers.end());
  EXPECT_EQ(headers[kDltOriginalTopic], "in");
  EXPECT_EQ(headers[kDltOriginalPartition], absl::StrCat(log::LocalLog::PartitionFor("k2", 4)));
  EXPECT_EQ(headers[kDltExceptionFqcn], "INVALID_ARGUMENT");
  EXPECT_EQ(headers[kDltExceptionMessage], "cannot map k2");
  EXPECT_EQ(headers[kDltStage], "map");
  EXPECT_EQ(headers[kDltAttempts], "1");
  absl::StatusOr<events::DeadLetter> dl = ParseDeadLetter(dead[0].value);
  ASSERT_TRUE(dl.ok()) << dl.status();
  EXPECT_EQ(dl->value(), "v2");
  EXPECT_EQ(dl->topic(), "in");
  EXPECT_EQ(dl->offset(), std::stol(headers[kDltOriginalOffset]));
}

TEST_F(LocalRunnerTest, LogsEachRetryAndDeadLetterWithItsRecord) {
  std::FILE* out = std::tmpfile();
  logging::Configure({logging::Format::kJson, logging::Level::kInfo, out});
  MapStage map("map", "in", "out");
  map.fail_transiently["k1"] = 1;
  map.fail_permanently.insert("k2");
  Produce(0, 4);
  Start(map.spec(), &map);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 4; }));
  ASSERT_TRUE(StopAndJoin().ok());
  logging::Configure(logging::LogOptions());
  std::rewind(out);
  std::string written;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, out)) > 0;) written.append(buf, n);
  std::fclose(out);
  EXPECT_THAT(written, HasSubstr("\"level\":\"warning\",\"component\":\"map\",\"event\":\"retry\","
                                 "\"topic\":\"in\""));
  EXPECT_THAT(written, HasSubstr("\"key\":\"k1\",\"attempt\":\"1\""));
  EXPECT_THAT(written,
              HasSubstr("\"level\":\"error\",\"component\":\"map\",\"event\":\"dead_letter\""));
  EXPECT_THAT(written, HasSubstr("\"key\":\"k2\",\"attempts\":\"1\","
                                 "\"error\":\"INVALID_ARGUMENT: cannot map k2\""));
}

TEST_F(LocalRunnerTest, StoresLiveOnDiskAndRollBackWithTheirRecord) {
  CountStage count;
  Produce(0, 3);
  Produce(0, 3);
  Start(CountStage::Spec(), &count);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 6; }));
  ASSERT_TRUE(StopAndJoin().ok());
  runner_.reset();
  log_.reset();
  Open();
  Produce(0, 1);
  CountStage again;
  Start(CountStage::Spec(), &again);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 1; }));
  ASSERT_TRUE(StopAndJoin().ok());
  std::map<std::string, std::string> last;
  std::vector<std::string> inits;
  for (const log::LogRecord& r : ReadAll("out")) {
    if (r.key == "init") {
      inits.push_back(r.value);
    } else {
      last[r.key] = r.value;
    }
  }
  // The second start found the three keys on disk, nothing restored.
  EXPECT_EQ(inits, (std::vector<std::string>{"0", "3"}));
  EXPECT_EQ(last["k0"], "3");
  EXPECT_EQ(last["k1"], "2");
  EXPECT_EQ(runner_->metrics().restored_entries, 0);
}

// The batch's clock starts with its first record, not with its first store
// change (once, every record that changed a store was committed alone).
TEST_F(LocalRunnerTest, RecordsThatChangeAStoreShareCommits) {
  CountStage count;
  Produce(0, 200);
  Start(CountStage::Spec(), &count);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 200; }));
  ASSERT_TRUE(StopAndJoin().ok());
  EXPECT_LE(runner_->metrics().transactions, 50) << "records were committed one by one";
}

TEST_F(LocalRunnerTest, RecordsThatArriveWhileABatchLingersShareItsCommit) {
  MapStage map("map", "in", "out");
  RunnerOptions options = Options();
  options.linger = absl::Hours(1);
  options.max_batch_delay = absl::Hours(1);
  Start(map.spec(), &map, options);
  Produce(0, 1);
  ASSERT_TRUE(WaitUntil([&] { return map.calls == 1; }));
  Produce(1, 1);
  ASSERT_TRUE(WaitUntil([&] { return map.calls == 2; }));
  EXPECT_EQ(runner_->metrics().transactions, 0);
  ASSERT_TRUE(StopAndJoin().ok());
  EXPECT_EQ(runner_->metrics().transactions, 1);
  EXPECT_EQ(ReadAll("out").size(), 2u);
}

TEST_F(LocalRunnerTest, WithoutLingerABatchCommitsAsSoonAsItsInputsRunDry) {
  MapStage map("map", "in", "out");
  RunnerOptions options = Options();
  options.linger = absl::ZeroDuration();
  options.max_batch_delay = absl::Hours(1);
  Start(map.spec(), &map, options);
  Produce(0, 1);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 1; }));
  Produce(1, 1);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 2; }));
  ASSERT_TRUE(StopAndJoin().ok());
  EXPECT_EQ(runner_->metrics().transactions, 2);
}

TEST_F(LocalRunnerTest, AStagesShorterBatchDelayCommitsItsBatchesSooner) {
  class ViewLikeStage : public MapStage {
   public:
    ViewLikeStage() : MapStage("map", "in", "out") {}
    absl::Duration max_batch_delay() const override { return absl::Milliseconds(20); }
  } map;
  RunnerOptions options = Options();
  options.linger = absl::Hours(1);
  options.max_batch_delay = absl::Hours(1);
  Start(map.spec(), &map, options);
  Produce(0, 1);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 1; }));
  ASSERT_TRUE(StopAndJoin().ok());
  EXPECT_EQ(ReadAll("out").size(), 1u);
}

TEST_F(LocalRunnerTest, PunctuationSeesUncommittedChangesInKeyOrder) {
  ReleaseStage release;
  Start(ReleaseStage::Spec(), &release);
  Produce(0, 20);
  ASSERT_TRUE(WaitUntil([&] {
    int released = 0;
    for (const log::LogRecord& r : ReadAll("out")) released += r.key != "init";
    return released == 20;
  }));
  ASSERT_TRUE(StopAndJoin().ok());
  std::map<std::string, int> seen;
  for (const log::LogRecord& r : ReadAll("out")) ++seen[r.key];
  for (int i = 0; i < 20; ++i) EXPECT_EQ(seen[absl::StrCat("k", i)], 1) << i;
}

// Committed entries and the batch's uncommitted ones, merged in key order.
TEST_F(LocalRunnerTest, ScansAStoreFromAKeyThroughUncommittedChanges) {
  auto on_first_partition = [](const std::string& key, const std::string& value) {
    log::Append a{"in", key, value};
    a.partition = 0;
    return a;
  };
  log::LogTransaction tx;
  for (const char* key : {"k1", "k3", "k5", "k7"}) tx.Append(on_first_partition(key, "1"));
  ASSERT_TRUE(log_->Commit(tx).ok());
  testing::ScanStage scan;
  Start(testing::ScanStage::Spec(), &scan);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 4; }));
  tx.Clear();
  tx.Append(on_first_partition("k4", "1"));
  tx.Append(on_first_partition("k5", "delete"));
  tx.Append(on_first_partition("scan", "k2"));
  tx.Append(on_first_partition("scan", "k6"));
  tx.Append(on_first_partition("scan", "k0"));
  ASSERT_TRUE(log_->Commit(tx).ok());
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 9; }));
  ASSERT_TRUE(StopAndJoin().ok());
  std::vector<std::string> scans;
  for (const log::LogRecord& r : ReadAll("out")) scans.push_back(r.value);
  EXPECT_EQ(scans, (std::vector<std::string>{"k3,k4,k7", "k7", "k1,k3,k4"}));
}

TEST_F(LocalRunnerTest, StopsRatherThanSkipTrimmedRecords) {
  // "in" keeps records only until its groups pass them; a group that never
  // read them but is not declared loses them to a trim.
  log_.reset();
  {
    auto log = log::LocalLog::Open(dir_,
                                   {{"in", 4, absl::ZeroDuration(), {"sbrgate.count"}},
                                    {"out", 2},
                                    {"notes", 1},
                                    {"sbrgate.deadletter", 1}},
                                   &clock_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }
  CountStage count;
  Produce(0, 8);
  Start(CountStage::Spec(), &count);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 8; }));
  ASSERT_TRUE(StopAndJoin().ok());
  ASSERT_TRUE(log_->Trim().ok());
  MapStage map("map", "in", "out");
  Start(map.spec(), &map);
  EXPECT_TRUE(absl::IsDataLoss(StopAndJoin())) << status_;
}

// A stage whose state outside its stores must be durable before its
// offsets commit: a failed flush undoes the commit, and the records are
// processed again.
class FlushingStage : public MapStage {
 public:
  FlushingStage() : MapStage("map", "in", "out") {}
  absl::Status Flush() override {
    ++flushes;
    if (fail_next_flush.exchange(false)) return absl::UnavailableError("disk busy");
    return absl::OkStatus();
  }
  std::atomic<int> flushes{0};
  std::atomic<bool> fail_next_flush{true};
};

TEST_F(LocalRunnerTest, FlushesTheStageBeforeItsOffsetsCommit) {
  FlushingStage stage;
  Produce(0, 10);
  Start(stage.spec(), &stage);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 10; }));
  ASSERT_TRUE(StopAndJoin().ok());
  EXPECT_GE(stage.flushes, 2);
  EXPECT_EQ(runner_->metrics().aborted_transactions, 1);
  // Processed again after the failed flush, but written once.
  EXPECT_GT(stage.calls, 10);
  EXPECT_EQ(ReadAll("out").size(), 10u);
}

TEST_F(LocalRunnerTest, RefusesTopicsTheLogDoesNotHave) {
  MapStage map("map", "nowhere", "out");
  auto runner = LocalStageRunner::Create(Options(), map.spec(), &map, &clock_, log_.get());
  ASSERT_TRUE(absl::IsFailedPrecondition(runner.status())) << runner.status();
  EXPECT_NE(runner.status().message().find("nowhere"), std::string::npos);
}

// Rounds "a".."d" of keys k0..k49: each key's four values, in order.
void ProduceRounds(log::LocalLog& log) {
  log::LogTransaction tx;
  for (const auto& [key, value] : RoundRecords()) tx.Append({"in", key, value});
  ASSERT_TRUE(log.Commit(tx).ok());
}

TEST_F(LocalRunnerTest, AConcurrentStageProcessesManyRecordsAtOnceEachKeyInOrder) {
  ConcurrentMapStage stage;
  ProduceRounds(*log_);
  Start(ConcurrentMapStage::Spec(), &stage);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 200; }));
  ASSERT_TRUE(StopAndJoin().ok());
  EXPECT_GE(stage.most_overlapping, 4);
  EXPECT_LE(stage.most_overlapping, Options().max_in_flight);
  std::map<std::string, std::vector<std::string>> out;
  for (const log::LogRecord& r : ReadAll("out")) out[r.key].push_back(r.value);
  EXPECT_THAT(KeysNotInRoundOrder(out), IsEmpty());
  EXPECT_THAT(KeysNotInRoundOrder(stage.values_by_key), IsEmpty());
}

TEST_F(LocalRunnerTest, AConcurrentStagesHeldRecordHoldsWhatComesAfterItAndLosesNothing) {
  ConcurrentMapStage stage;
  stage.fail_transiently["b7"] = 2;
  stage.fail_transiently["c30"] = 1;
  ProduceRounds(*log_);
  Start(ConcurrentMapStage::Spec(), &stage);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 200; }));
  ASSERT_TRUE(StopAndJoin().ok());
  EXPECT_EQ(runner_->metrics().retries, 3);
  EXPECT_EQ(runner_->metrics().dead_letters, 0);
  // Every record once on "out", each key's in order; records processed
  // again after a hold (pushes resent) did not write twice.
  std::map<std::string, std::vector<std::string>> out;
  for (const log::LogRecord& r : ReadAll("out")) out[r.key].push_back(r.value);
  EXPECT_THAT(KeysNotInRoundOrder(out), IsEmpty());
  EXPECT_EQ(ReadAll("notes").size(), 3u);
}

TEST_F(LocalRunnerTest, AConcurrentStagesSlowRecordHoldsBackOnlyTheRecordsOfItsKey) {
  ConcurrentMapStage stage;
  stage.slow_value = "a0";
  Produce(0, 1, "a");
  Start(ConcurrentMapStage::Spec(), &stage);
  // Whatever fails below, the slow record ends and the runner stops before the stage goes.
  absl::Cleanup stop = [&] {
    if (!stage.release_slow.HasBeenNotified()) stage.release_slow.Notify();
    StopAndJoin().IgnoreError();
  };
  ASSERT_TRUE(WaitUntil([&] { return stage.slow_calls == 1; }));
  // Read while a0 is in process.
  log::LogTransaction tx;
  for (const auto& [key, value] : RoundRecords()) {
    if (value != "a0") tx.Append({"in", key, value});
  }
  ASSERT_TRUE(log_->Commit(tx).ok());
  // The records after it are processed and committed, all but the three
  // of its key, which wait for it.
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 196; }));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(runner_->metrics().records_processed, 196);
  EXPECT_EQ(ReadAll("out").size(), 196u);
  // Its partition's offset stays at it; what is done past it is committed beside it.
  const log::TopicPartition slow_partition{"in", log::LocalLog::PartitionFor("k0", 4)};
  const std::string group = GroupId("sbrgate", "concurrent");
  absl::StatusOr<log::OffsetAndMetadata> committed = log_->Committed(group, slow_partition);
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(committed->offset, 0);
  EXPECT_THAT(committed->metadata, StartsWith("v1;"));
  stage.release_slow.Notify();
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 200; }));
  ASSERT_TRUE(StopAndJoin().ok());
  EXPECT_EQ(stage.slow_calls, 1);
  std::map<std::string, std::vector<std::string>> out;
  for (const log::LogRecord& r : ReadAll("out")) out[r.key].push_back(r.value);
  EXPECT_THAT(KeysNotInRoundOrder(out), IsEmpty());
  committed = log_->Committed(group, slow_partition);
  EXPECT_EQ(committed->offset, log_->Partition(slow_partition).high);
  EXPECT_EQ(committed->metadata, "");
}

TEST_F(LocalRunnerTest, AfterARestartOnlyTheRecordsNotDoneAreProcessed) {
  // a0 takes long, then fails transiently until the runner stops: the
  // records after it were done and committed meanwhile.
  ConcurrentMapStage first;
  first.slow_value = "a0";
  first.fail_transiently["a0"] = 1'000'000;
  ProduceRounds(*log_);
  Start(ConcurrentMapStage::Spec(), &first);
  absl::Cleanup release = [&] {
    if (!first.release_slow.HasBeenNotified()) first.release_slow.Notify();
  };
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 196; }));
  first.release_slow.Notify();
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().holding; }));
  ASSERT_TRUE(StopAndJoin().ok());

  ConcurrentMapStage second;
  Start(ConcurrentMapStage::Spec(), &second);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 4; }));
  absl::SleepFor(absl::Milliseconds(100));
  ASSERT_TRUE(StopAndJoin().ok());
  // Only k0's four, in order; nothing done before the restart again.
  EXPECT_EQ(second.calls, 4);
  EXPECT_EQ(second.values_by_key,
            (std::map<std::string, std::vector<std::string>>{{"k0", {"a0", "b0", "c0", "d0"}}}));
  std::map<std::string, std::vector<std::string>> out;
  for (const log::LogRecord& r : ReadAll("out")) out[r.key].push_back(r.value);
  EXPECT_THAT(KeysNotInRoundOrder(out), IsEmpty());
}

TEST_F(LocalRunnerTest, RefusesAConcurrentStageWithStores) {
  class ConcurrentCount : public CountStage {
   public:
    bool ProcessesConcurrently() const override { return true; }
  } stage;
  auto runner =
      LocalStageRunner::Create(Options(), CountStage::Spec(), &stage, &clock_, log_.get());
  ASSERT_FALSE(runner.ok());
  EXPECT_EQ(runner.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(runner.status().message().find("cannot process records concurrently"),
            std::string::npos);
}

TEST_F(LocalRunnerTest, RecordsAreReadBetweenPunctuationsHoweverLongOneTakes) {
  // Punctuate takes longer than its interval (the poll stage's pulls can).
  class SlowPunctuation : public MapStage {
   public:
    SlowPunctuation() : MapStage("map", "in", "out") {}
    absl::Duration punctuate_interval() const override { return absl::Milliseconds(20); }
    absl::Status Process(const Record& in, Context& ctx) override {
      absl::SleepFor(absl::Milliseconds(1));
      return MapStage::Process(in, ctx);
    }
    absl::Status Punctuate(absl::Time, Context&) override {
      ++punctuations;
      absl::SleepFor(absl::Milliseconds(30));
      return absl::OkStatus();
    }
    std::atomic<int> punctuations{0};
  } stage;
  Produce(0, 200);
  Start(stage.spec(), &stage);
  ASSERT_TRUE(WaitUntil([&] { return runner_->metrics().records_processed == 200; }));
  ASSERT_TRUE(StopAndJoin().ok());
  // Not one punctuation per record.
  EXPECT_LT(stage.punctuations, 50) << stage.punctuations;
}

}  // namespace
}  // namespace sbrgate::stage
