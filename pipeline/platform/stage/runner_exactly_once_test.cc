// Exactly once across a crash: a runner maps 1,000 records; then a runner
// process is killed (SIGKILL) in the middle of a batch, and a new runner
// with the same group and transactional.id finishes the work. The output
// must hold every input exactly once, and no partition may have lost data.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "pipeline/platform/common/resources.h"
#include "pipeline/platform/stage/kafka_runner.h"
#include "pipeline/platform/stage/runner_testing.h"
#include "pipeline/platform/stage/test_stages.h"

extern char** environ;

namespace sbrgate::stage {
namespace {

using testing::MapStage;
using testing::RunnerHarness;

// Output value -> how many times it was committed.
std::map<std::string, int> OutputCounts(RunnerHarness& h) {
  std::map<std::string, int> counts;
  for (const auto& r : h.ReadAll("out")) {
    ++counts[r.value];
    EXPECT_EQ("out:v" + r.key.substr(1), r.value);  // k<i> -> out:v<i>
  }
  return counts;
}

void ExpectEachOnce(const std::map<std::string, int>& counts, int n) {
  EXPECT_EQ(counts.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto it = counts.find("out:v" + std::to_string(i));
    ASSERT_NE(it, counts.end()) << "lost: k" << i;
    EXPECT_EQ(it->second, 1) << "duplicated: k" << i;
  }
}

TEST(StageRunnerExactlyOnce, SurvivesAKillMidBatch) {
  RunnerHarness h({{"in", 4}, {"out", 4}});
  h.ProduceInputs("in", 0, 1000);
  {
    MapStage stage("map", "in", "out");
    auto run = h.Start(h.Config(), stage.spec(), &stage);
    ASSERT_TRUE(RunnerHarness::WaitUntil([&] { return run->metrics().records_processed == 1000; }));
    ASSERT_TRUE(run->StopAndJoin().ok());
    EXPECT_EQ(stage.calls, 1000);
  }
  ExpectEachOnce(OutputCounts(h), 1000);

  // A runner process (same group, same transactional.id) blocks in its
  // 500th Process call, with the batch of that record open, and is killed.
  h.ProduceInputs("in", 1000, 1000);
  const std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
  const std::string properties = dir + "/kafka.properties";
  const std::string marker = dir + "/blocked";
  {
    std::ofstream out(properties);
    out << "bootstrap.servers=" << h.kafka().bootstrap << "\n";
    for (const auto& [k, v] : h.kafka().overrides) out << k << "=" << v << "\n";
  }
  std::remove(marker.c_str());
  absl::StatusOr<std::string> helper = ResourcePath("pipeline/platform/stage/runner_crash_helper");
  ASSERT_TRUE(helper.ok()) << helper.status();
  std::vector<std::string> args = {*helper, properties, "500", marker};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, helper->c_str(), nullptr, nullptr, argv.data(), environ), 0);
  const bool blocked = RunnerHarness::WaitUntil(
      [&] { return std::ifstream(marker).good(); }, absl::Seconds(60));
  kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(blocked) << "the helper never reached its 500th record";
  ASSERT_TRUE(WIFSIGNALED(wstatus));

  // What the killed runner committed is there once; the rest of its batch
  // is not.
  std::map<std::string, int> after_crash = OutputCounts(h);
  const int committed = static_cast<int>(after_crash.size());
  std::printf("the killed runner committed %d of the 499 records it processed\n",
              committed - 1000);
  EXPECT_GE(committed, 1000);
  EXPECT_LT(committed, 1499);
  for (const auto& [value, n] : after_crash) EXPECT_EQ(n, 1) << value;

  // A new runner takes over and does exactly the rest.
  {
    MapStage stage("map", "in", "out");
    auto run = h.Start(h.Config(), stage.spec(), &stage);
    ASSERT_TRUE(RunnerHarness::WaitUntil(
        [&] { return run->metrics().records_processed >= 2000 - committed; }, absl::Seconds(60)));
    ASSERT_TRUE(run->StopAndJoin().ok());
    EXPECT_EQ(run->metrics().records_processed, 2000 - committed);
    EXPECT_EQ(run->metrics().dead_letters, 0);
  }
  ExpectEachOnce(OutputCounts(h), 2000);
  for (int64_t low : h.LowWatermarks("in")) EXPECT_EQ(low, 0);
  for (int64_t low : h.LowWatermarks("out")) EXPECT_EQ(low, 0);
}

}  // namespace
}  // namespace sbrgate::stage
