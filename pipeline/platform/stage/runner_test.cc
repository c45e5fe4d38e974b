// StageRunner against librdkafka's mock cluster over loopback: retries,
// dead letters (as kcat shows them), state stores across restarts and
// checkpoints, punctuation, lost records.
#include "pipeline/platform/stage/kafka_runner.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pipeline/platform/stage/dead_letter.h"
#include "pipeline/platform/kafka/producer.h"
#include "pipeline/platform/kafka/transactional_producer.h"
#include "pipeline/platform/stage/runner_testing.h"
#include "pipeline/platform/stage/test_stages.h"
#include "proto/events.pb.h"

namespace sbrgate::stage {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::KeysNotInRoundOrder;
using testing::RoundRecords;
using testing::ConcurrentMapStage;
using testing::CountStage;
using testing::MapStage;
using testing::ReleaseStage;
using testing::RunnerHarness;

std::map<std::string, std::string> LastValueByKey(const std::vector<kafka::TopicRecord>& records) {
  std::map<std::string, std::string> last;
  for (const auto& r : records) last[r.key] = r.value;
  return last;
}

TEST(StageRunner, RetriesTransientErrorsInOrderAndDeadLettersPermanentOnes) {
  RunnerHarness h({{"in", 1}, {"out", 1}, {"notes", 1}});
  h.ProduceInputs("in", 0, 20);
  MapStage stage("map", "in", "out");
  stage.fail_transiently["k5"] = 3;
  stage.fail_permanently.insert("k7");
  auto run = h.Start(h.Config(), stage.spec(), &stage);
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == 20; }));
  ASSERT_TRUE(run->StopAndJoin().ok());
  const RunnerMetrics m = run->metrics();
  EXPECT_EQ(m.retries, 3);
  EXPECT_EQ(m.dead_letters, 1);
  EXPECT_EQ(m.notifications, 3);
  EXPECT_FALSE(m.holding);

  // In input order, k5 once (after its retries), k7 missing.
  std::vector<std::string> values;
  for (const auto& r : h.ReadAll("out")) values.push_back(r.value);
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) {
    if (i != 7) expected.push_back("out:v" + std::to_string(i));
  }
  EXPECT_EQ(values, expected);

  // Notify() outputs were committed while k5 was held.
  EXPECT_EQ(h.ReadAll("notes").size(), 3u);

  std::vector<kafka::TopicRecord> dead = h.ReadAll("sbrgate.deadletter");
  ASSERT_EQ(dead.size(), 1u);
  events::DeadLetter dl;
  ASSERT_TRUE(dl.ParseFromString(dead[0].value));
  EXPECT_EQ(dl.stage(), "map");
  EXPECT_EQ(dl.topic(), "in");
  EXPECT_EQ(dl.partition(), 0);
  EXPECT_EQ(dl.offset(), 7);
  EXPECT_EQ(dl.key(), "k7");
  EXPECT_EQ(dl.value(), "v7");
  EXPECT_THAT(dl.error(), HasSubstr("INVALID_ARGUMENT: cannot map k7"));
  EXPECT_GT(dl.at().seconds(), 0);
  // The same facts as Kafka headers, as kcat shows them.
  const kafka::Headers dlt_headers = {{kDltOriginalTopic, "in"},
                                      {kDltOriginalPartition, "0"},
                                      {kDltOriginalOffset, "7"}};
  for (const auto& header : dlt_headers) {
    EXPECT_NE(std::find(dead[0].headers.begin(), dead[0].headers.end(), header),
              dead[0].headers.end())
        << header.first;
  }
  const std::string shown = ::testing::TempDir() + "/kcat-headers";
  const std::string kcat = absl::StrCat("kcat -b ", h.kafka().bootstrap,
                                        " -C -t sbrgate.deadletter -e -q -f '%h\\n' > ", shown,
                                        " 2>&1");
  ASSERT_EQ(std::system(kcat.c_str()), 0) << kcat;
  std::ifstream in(shown);
  const std::string headers((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* expected : {"kafka_dlt-original-topic=in", "kafka_dlt-original-offset=7",
                               "sbrgate_dlt-stage=map", "sbrgate_dlt-attempts=1"}) {
    EXPECT_THAT(headers, HasSubstr(expected));
  }
}

TEST(StageRunner, AConcurrentStageProcessesManyRecordsAtOnceAndAHoldLosesNothing) {
  RunnerHarness h({{"in", 4}, {"out", 4}, {"notes", 1}});
  h.Produce("in", RoundRecords());
  ConcurrentMapStage stage;
  stage.fail_transiently["b7"] = 2;
  auto run = h.Start(h.Config(), ConcurrentMapStage::Spec(), &stage);
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == 200; }));
  ASSERT_TRUE(run->StopAndJoin().ok());
  EXPECT_GE(stage.most_overlapping, 4);
  EXPECT_EQ(run->metrics().retries, 2);
  // Every record once, each key's in order, also those processed again
  // after the hold.
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& r : h.ReadAll("out")) out[r.key].push_back(r.value);
  EXPECT_THAT(KeysNotInRoundOrder(out), IsEmpty());
  EXPECT_EQ(h.ReadAll("notes").size(), 2u);
}

// A record in process for longer than max.poll.interval.ms (a push of
// hours) costs the consumer neither its group nor the records after it: the
// runner's thread goes on reading, committing and serving the consumer
// meanwhile; only the records of its key wait for it.
TEST(StageRunner, AConcurrentStagesSlowRecordKeepsTheGroupAndHoldsBackOnlyTheRecordsOfItsKey) {
  RunnerHarness h({{"in", 4}, {"out", 4}, {"notes", 1}});
  h.Produce("in", {{"k0", "a0"}});
  ConcurrentMapStage stage;
  stage.slow_value = "a0";
  KafkaRunnerConfig config = h.Config();
  config.kafka.overrides["consumer.max.poll.interval.ms"] = "3000";
  auto run = h.Start(config, ConcurrentMapStage::Spec(), &stage);
  // Whatever fails below, the slow record ends and the runner stops before the stage goes.
  absl::Cleanup stop = [&] {
    if (!stage.release_slow.HasBeenNotified()) stage.release_slow.Notify();
    run->StopAndJoin().IgnoreError();
  };
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return stage.slow_calls == 1; }));
  const absl::Time slow_since = absl::Now();
  std::vector<std::pair<std::string, std::string>> kv = RoundRecords();
  kv.erase(kv.begin());  // k0 a0, in process
  h.Produce("in", kv);
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == 196; }))
      << stage.calls;
  // Past max.poll.interval.ms with a0 still in process.
  absl::SleepFor(slow_since + absl::Seconds(4) - absl::Now());
  EXPECT_EQ(run->metrics().records_processed, 196);
  EXPECT_EQ(h.ReadAll("out").size(), 196u);
  stage.release_slow.Notify();
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == 200; }));
  ASSERT_TRUE(run->StopAndJoin().ok());
  EXPECT_EQ(stage.slow_calls, 1);  // not read again by a consumer that lost its group
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& r : h.ReadAll("out")) out[r.key].push_back(r.value);
  EXPECT_THAT(KeysNotInRoundOrder(out), IsEmpty());
}

// What was done after a record still in process is committed with the
// offset: a new instance processes only what was not done.
TEST(StageRunner, AfterARestartOnlyTheRecordsNotDoneAreProcessed) {
  RunnerHarness h({{"in", 4}, {"out", 4}, {"notes", 1}});
  h.Produce("in", RoundRecords());
  // a0 takes long, then fails transiently until the runner stops.
  ConcurrentMapStage first;
  first.slow_value = "a0";
  first.fail_transiently["a0"] = 1'000'000;
  auto run = h.Start(h.Config(), ConcurrentMapStage::Spec(), &first);
  absl::Cleanup release = [&] {
    if (!first.release_slow.HasBeenNotified()) first.release_slow.Notify();
    run->StopAndJoin().IgnoreError();
  };
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == 196; }));
  first.release_slow.Notify();
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().holding; }));
  ASSERT_TRUE(run->StopAndJoin().ok());

  ConcurrentMapStage second;
  auto again = h.Start(h.Config(), ConcurrentMapStage::Spec(), &second);
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return again->metrics().records_processed == 4; }));
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_TRUE(again->StopAndJoin().ok());
  // Only k0's four, in order; nothing done before the restart again.
  EXPECT_EQ(second.calls, 4);
  EXPECT_EQ(second.values_by_key,
            (std::map<std::string, std::vector<std::string>>{{"k0", {"a0", "b0", "c0", "d0"}}}));
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& r : h.ReadAll("out")) out[r.key].push_back(r.value);
  EXPECT_THAT(KeysNotInRoundOrder(out), IsEmpty());
}

// A rebalance does not wait for a record in process (a push of hours): the
// instance commits what finished and gives its partitions up at once, and
// the record is processed again by whoever is assigned its partition; its
// first outcome, when it comes, is dropped.
TEST(StageRunner, ARebalanceDoesNotWaitForARecordInProcess) {
  RunnerHarness h({{"in", 4}, {"out", 4}, {"notes", 1}});
  h.Produce("in", RoundRecords());
  ConcurrentMapStage first;
  first.slow_value = "a0";
  auto a = h.Start(h.Config(), ConcurrentMapStage::Spec(), &first);
  absl::Cleanup release = [&] {
    if (!first.release_slow.HasBeenNotified()) first.release_slow.Notify();
    a->StopAndJoin().IgnoreError();
  };
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return a->metrics().records_processed == 196; }));
  ConcurrentMapStage second;
  KafkaRunnerConfig config = h.Config();
  config.instance_id = "b";
  auto b = h.Start(config, ConcurrentMapStage::Spec(), &second);
  // Both members hold partitions while a0 is still in process on the first.
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] {
    return a->metrics().assigned_partitions == 2 && b->metrics().assigned_partitions == 2;
  })) << a->metrics().assigned_partitions << " and " << b->metrics().assigned_partitions;
  // The first gave a0 up, and a0's Process saw it: a push would end there
  // rather than keep its worker.
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return first.slow_given_up >= 1; }));
  // (If k0's partition came back to the first, a0 is in process there again.)
  first.release_slow.Notify();
  // k0's four, by whichever member holds its partition now.
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] {
    return a->metrics().records_processed + b->metrics().records_processed == 200;
  }));
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_TRUE(b->StopAndJoin().ok());
  ASSERT_TRUE(a->StopAndJoin().ok());
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& r : h.ReadAll("out")) out[r.key].push_back(r.value);
  EXPECT_THAT(KeysNotInRoundOrder(out), IsEmpty());
  // What it noted once given up was dropped.
  for (const auto& r : h.ReadAll("notes")) EXPECT_THAT(r.value, Not(HasSubstr("given up")));
}

// A transaction the broker refuses is aborted, its records are read again,
// and each still comes out once.
TEST(StageRunner, RedoesAnAbortedTransaction) {
  RunnerHarness h({{"in", 1}, {"out", 1}});
  h.ProduceInputs("in", 0, 10);
  MapStage stage("map", "in", "out");
  auto run = h.Start(h.Config(), stage.spec(), &stage);
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == 10; }));
  constexpr int16_t kAddPartitionsToTxn = 24;  // Kafka protocol ApiKey
  rd_kafka_mock_push_request_errors(h.cluster().mock(), kAddPartitionsToTxn, 1,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  // Not transactional, so the injected error is the runner's.
  auto producer = kafka::Producer::Create(h.kafka());
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (int i = 10; i < 20; ++i) {
    ASSERT_TRUE((*producer)->Produce("in", "k" + std::to_string(i), "v" + std::to_string(i)).ok());
  }
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == 20; }));
  ASSERT_TRUE(run->StopAndJoin().ok());
  EXPECT_GE(run->metrics().aborted_transactions, 1);
  EXPECT_GT(stage.calls, 20);  // some records were processed twice...
  std::vector<std::string> values;
  for (const auto& r : h.ReadAll("out")) values.push_back(r.value);
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) expected.push_back("out:v" + std::to_string(i));
  EXPECT_EQ(values, expected);  // ...and committed once, in order
}

// Runs a CountStage with `config` until it has processed `records`; returns
// the run's metrics.
RunnerMetrics CountUntil(RunnerHarness& h, KafkaRunnerConfig config, int64_t records) {
  CountStage stage;
  auto run = h.Start(std::move(config), CountStage::Spec(), &stage);
  EXPECT_TRUE(
      RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == records; }));
  EXPECT_TRUE(run->StopAndJoin().ok());
  return run->metrics();
}

// Records that change a store share a transaction like any others: the
// batch's clock starts with its first record, not with its first change
// (once, every such record was committed alone).
TEST(StageRunner, RecordsThatChangeAStoreShareTransactions) {
  RunnerHarness h({{"in", 1}, {"out", 1}, {"sbrgate.count.counts.changelog", 1}});
  h.ProduceInputs("in", 0, 200);
  const RunnerMetrics m = CountUntil(h, h.Config(), 200);
  EXPECT_LE(m.transactions, 50) << "records were committed one by one";
}

TEST(StageRunner, StateStoreRestartsFromItsCheckpointAndIsRestoredWholeWhenGone) {
  RunnerHarness h({{"in", 2}, {"out", 2}, {"sbrgate.count.counts.changelog", 2}});
  h.Produce("in", {{"a", "1"}, {"a", "1"}, {"a", "1"}, {"b", "1"}, {"b", "1"}});
  EXPECT_EQ(CountUntil(h, h.Config(), 5).restored_entries, 0);
  std::map<std::string, std::string> last = LastValueByKey(h.ReadAll("out"));
  EXPECT_EQ(last["a"], "3");
  EXPECT_EQ(last["b"], "2");
  EXPECT_EQ(last["init"], "0");

  // Restarted on its state directory, the instance finds its local copy
  // current: it reads nothing from the changelog, yet has the counts. A
  // deletion is logged as a tombstone.
  h.Produce("in", {{"a", "1"}, {"b", "reset"}, {"c", "1"}});
  EXPECT_EQ(CountUntil(h, h.Config(), 3).restored_entries, 0);
  last = LastValueByKey(h.ReadAll("out"));
  EXPECT_EQ(last["init"], "2");
  EXPECT_EQ(last["a"], "4");
  EXPECT_EQ(last["c"], "1");
  std::map<std::string, kafka::TopicRecord> changelog;
  for (const auto& r : h.ReadAll("sbrgate.count.counts.changelog")) changelog[r.key] = r;
  EXPECT_TRUE(changelog["b"].tombstone);
  EXPECT_EQ(changelog["a"].value, "4");

  // Another instance (its own state directory) takes the partitions and
  // counts on; back on the first, only what it missed is read.
  h.Produce("in", {{"a", "1"}, {"c", "1"}});
  KafkaRunnerConfig other = h.Config();
  other.instance_id = "b";
  const auto changelog_size = [&] {
    return static_cast<int64_t>(h.ReadAll("sbrgate.count.counts.changelog").size());
  };
  const int64_t logged = changelog_size();
  EXPECT_EQ(CountUntil(h, other, 2).restored_entries, logged);
  h.Produce("in", {{"a", "1"}});
  EXPECT_EQ(CountUntil(h, h.Config(), 1).restored_entries, 2);  // b's a=5 and c=2
  last = LastValueByKey(h.ReadAll("out"));
  EXPECT_EQ(last["a"], "6");
  EXPECT_EQ(last["c"], "2");

  // Its local copy gone, an instance reads the changelog whole.
  KafkaRunnerConfig fresh = h.Config();
  fresh.state_dir = h.state_dir() + "/gone";
  h.Produce("in", {{"c", "1"}});
  const int64_t logged_now = changelog_size();
  EXPECT_EQ(CountUntil(h, fresh, 1).restored_entries, logged_now);
  EXPECT_EQ(LastValueByKey(h.ReadAll("out"))["c"], "3");
}

// A state directory kept from another cluster (its changelogs are shorter
// than the checkpoints) is not trusted: the stage starts from that
// cluster's changelogs, not from stale counts.
TEST(StageRunner, StateStoreDropsALocalCopyOfAnotherCluster) {
  std::string state_dir;
  {
    RunnerHarness h({{"in", 1}, {"out", 1}, {"sbrgate.count.counts.changelog", 1}});
    h.Produce("in", {{"a", "1"}, {"a", "1"}, {"b", "1"}});
    CountUntil(h, h.Config(), 3);
    state_dir = h.state_dir();
  }
  RunnerHarness h({{"in", 1}, {"out", 1}, {"sbrgate.count.counts.changelog", 1}});
  h.Produce("in", {{"a", "1"}});
  KafkaRunnerConfig config = h.Config();
  config.state_dir = state_dir;
  CountUntil(h, config, 1);
  std::map<std::string, std::string> last = LastValueByKey(h.ReadAll("out"));
  EXPECT_EQ(last["init"], "0");
  EXPECT_EQ(last["a"], "1");
}

TEST(StageRunner, PunctuationCommitsOutputsAndStoreChanges) {
  RunnerHarness h({{"in", 2}, {"out", 2}, {"sbrgate.release.pending.changelog", 2}});
  h.ProduceInputs("in", 0, 3);
  {
    ReleaseStage stage;
    auto run = h.Start(h.Config(), ReleaseStage::Spec(), &stage);
    ASSERT_TRUE(RunnerHarness::WaitUntil([&] {
      return run->metrics().records_processed == 3 && run->metrics().punctuations > 0;
    }));
    ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return h.ReadAll("out").size() == 4; }));
    ASSERT_TRUE(run->StopAndJoin().ok());
    EXPECT_NE(stage.last_now, absl::Time());
  }
  std::map<std::string, std::string> last = LastValueByKey(h.ReadAll("out"));
  EXPECT_EQ(last["k0"], "released:v0");
  EXPECT_EQ(last["k2"], "released:v2");
  EXPECT_EQ(last["init"], "0");
  // Released records were deleted from the store by tombstones: an instance
  // without a local copy restores an empty store.
  {
    ReleaseStage stage;
    KafkaRunnerConfig fresh = h.Config();
    fresh.instance_id = "b";
    auto run = h.Start(fresh, ReleaseStage::Spec(), &stage);
    // Both partitions: until the group has let the first instance go, the
    // new one may hold only one, whose changelog can be empty (and it says
    // "init" again for each assignment).
    ASSERT_TRUE(RunnerHarness::WaitUntil([&] {
      return h.ReadAll("out").size() >= 5 && run->metrics().assigned_partitions == 2 &&
             run->metrics().caught_up;
    }));
    ASSERT_TRUE(run->StopAndJoin().ok());
    EXPECT_GT(run->metrics().restored_entries, 0);
    EXPECT_EQ(run->metrics().records_processed, 0);  // the offsets were committed
  }
  // Nothing released again; every "init" saw an empty store.
  int released = 0, inits = 0;
  for (const kafka::TopicRecord& r : h.ReadAll("out")) {
    if (r.key != "init") {
      ++released;
      continue;
    }
    ++inits;
    EXPECT_EQ(r.value, "0");
  }
  EXPECT_EQ(released, 3);
  EXPECT_GE(inits, 2);
}

TEST(StageRunner, ScansAStoreFromAKey) {
  RunnerHarness h({{"in", 1}, {"out", 1}, {"sbrgate.scan.keys.changelog", 1}});
  h.Produce("in", {{"k1", "1"}, {"k3", "1"}, {"k5", "1"}, {"k7", "1"}, {"k5", "delete"},
                   {"scan", "k2"}, {"scan", "k6"}, {"scan", "k8"}});
  testing::ScanStage stage;
  auto run = h.Start(h.Config(), testing::ScanStage::Spec(), &stage);
  ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == 8; }));
  ASSERT_TRUE(run->StopAndJoin().ok());
  std::vector<std::string> scans;
  for (const auto& r : h.ReadAll("out")) scans.push_back(r.value);
  EXPECT_EQ(scans, (std::vector<std::string>{"k3,k7", "k7", ""}));
}

// An entry created in Punctuate beside another goes to that entry's
// partition of the changelog, not to the instance's first: after a
// rebalance both are on the same instance.
TEST(StageRunner, PutsAnEntryBesideItsOwnerInItsPartition) {
  RunnerHarness h({{"in", 2},
                   {"out", 2},
                   {"sbrgate.index.items.changelog", 2},
                   {"sbrgate.index.index.changelog", 2}});
  h.ProduceInputs("in", 0, 10);
  testing::IndexStage stage;
  auto run = h.Start(h.Config(), testing::IndexStage::Spec(), &stage);
  ASSERT_TRUE(RunnerHarness::WaitUntil(
      [&] { return h.ReadAll("sbrgate.index.index.changelog").size() == 10; }));
  ASSERT_TRUE(run->StopAndJoin().ok());
  std::map<std::string, int32_t> item_partition;
  for (const auto& r : h.ReadAll("sbrgate.index.items.changelog")) {
    item_partition[r.key] = r.partition;
  }
  ASSERT_EQ(item_partition.size(), 10u);
  int on_second = 0;
  for (const auto& r : h.ReadAll("sbrgate.index.index.changelog")) {
    const std::string item = r.key.substr(2);
    ASSERT_EQ(item_partition.count(item), 1u) << r.key;
    EXPECT_EQ(r.partition, item_partition[item]) << r.key;
    on_second += r.partition == 1;
  }
  EXPECT_GT(on_second, 0);  // some items are not on the first partition
}

// Records the broker no longer has (the mock keeps 5 MiB per partition) stop
// the runner: a new group starts at offset 0, which is out of range.
TEST(StageRunner, StopsOnLostInputRecordsAndLostChangelogRecords) {
  RunnerHarness h({{"in", 1}, {"out", 1}, {"in2", 1}, {"sbrgate.count2.counts.changelog", 1}});
  std::vector<std::pair<std::string, std::string>> big;
  for (int i = 0; i < 100; ++i) big.emplace_back("k", std::string(60 * 1024, 'x'));
  h.Produce("in", big);
  ASSERT_GT(h.LowWatermarks("in")[0], 0);

  class Count2 : public CountStage {
    std::string name() const override { return "count2"; }
  } count2;
  const StageSpec count2_spec{"count2", {"in2"}, {"out"}, {"counts"}};
  h.ProduceInputs("in2", 0, 1);
  auto txn = kafka::TransactionalProducer::Create(h.kafka(), "test.fill", absl::Seconds(20));
  ASSERT_TRUE(txn.ok());
  std::vector<kafka::OutgoingMessage> fill;
  for (int i = 0; i < 100; ++i) {
    fill.push_back({"sbrgate.count2.counts.changelog", 0, "k" + std::to_string(i),
                    std::string(60 * 1024, 'x')});
  }
  ASSERT_TRUE((*txn)->Commit(fill).ok());

  MapStage map("map", "in", "out");
  auto lost_input = h.Start(h.Config(), map.spec(), &map);
  auto lost_changelog = h.Start(h.Config(), count2_spec, &count2);
  absl::Status s = lost_input->Join();
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("records were lost: topic in partition 0"));
  EXPECT_EQ(lost_input->metrics().records_processed, 0);
  EXPECT_EQ(map.calls, 0);
  s = lost_changelog->Join();
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("restoring its stores: records were lost: topic "
                        "sbrgate.count2.counts.changelog partition 0 starts at offset"));
  EXPECT_EQ(lost_changelog->metrics().records_processed, 0);
}

TEST(StageRunner, CreateChecksConfigurationAndTopics) {
  RunnerHarness h({{"in", 2}, {"out", 2}, {"sbrgate.count.counts.changelog", 1}});
  MapStage missing_input("map", "nope", "out");
  auto r = KafkaStageRunner::Create(h.Config(), missing_input.spec(), &missing_input, &h.clock);
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("input topic nope does not exist"));

  CountStage count;
  r = KafkaStageRunner::Create(h.Config(), CountStage::Spec(), &count, &h.clock);
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("changelog topic sbrgate.count.counts.changelog has 1 partitions; the "
                        "input topics have 2"));

  MapStage map("map", "in", "out");
  KafkaRunnerConfig config = h.Config();
  config.instance_id = "";
  EXPECT_TRUE(
      absl::IsInvalidArgument(KafkaStageRunner::Create(config, map.spec(), &map, &h.clock).status()));
  config = h.Config();
  config.dead_letter_topic = "missing.deadletter";
  EXPECT_TRUE(absl::IsFailedPrecondition(
      KafkaStageRunner::Create(config, map.spec(), &map, &h.clock).status()));
  config = h.Config();
  config.kafka.overrides["consumer.partition.assignment.strategy"] = "cooperative-sticky";
  EXPECT_TRUE(
      absl::IsInvalidArgument(KafkaStageRunner::Create(config, map.spec(), &map, &h.clock).status()));

  // A stage runs the spec of its own name only (a per-instance spec: its instances).
  r = KafkaStageRunner::Create(h.Config(), CountStage::Spec(), &map, &h.clock);
  EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("stage map: it does not run the spec of stage count"));
  MapStage view("view-host-1", "in", "out");
  StageSpec view_spec{"view", {"in"}};
  view_spec.per_instance = true;
  EXPECT_TRUE(KafkaStageRunner::Create(h.Config(), view_spec, &view, &h.clock).ok());
}

}  // namespace
}  // namespace sbrgate::stage
