#include "pipeline/platform/stage/runner_collector.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::stage {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FixedRunner : public StageRunner {
 public:
  absl::Status Run() override { return absl::OkStatus(); }
  void Stop() override {}
  RunnerMetrics metrics() const override { return metrics_; }
  RunnerMetrics metrics_;
};

TEST(RunnerCollectorTest, ReportsTheRunnersMetricsAtEachScrapeByStage) {
  metrics::Registry registry;
  FixedRunner runner;
  runner.metrics_.records_processed = 12;
  runner.metrics_.dead_letters = 1;
  runner.metrics_.caught_up = true;
  runner.metrics_.lag = {{"orders", 0, 0}, {"orders", 1, 7}};
  {
    metrics::Registration r = ExposeRunnerMetrics(registry, "poll", &runner);
    EXPECT_THAT(registry.Exposition(), HasSubstr("sbrgate_stage_records_total{stage=\"poll\"} 12\n"));
    runner.metrics_.records_processed = 20;
    const std::string text = registry.Exposition();
    EXPECT_THAT(text, HasSubstr("# TYPE sbrgate_stage_records_total counter\n"
                                "sbrgate_stage_records_total{stage=\"poll\"} 20\n"));
    EXPECT_THAT(text, HasSubstr("sbrgate_stage_dead_letters_total{stage=\"poll\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE sbrgate_stage_consumer_lag gauge\n"
                                "sbrgate_stage_consumer_lag{stage=\"poll\",topic=\"orders\",partition=\"0\"} 0\n"
                                "sbrgate_stage_consumer_lag{stage=\"poll\",topic=\"orders\",partition=\"1\"} 7\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE sbrgate_stage_caught_up gauge\n"
                                "sbrgate_stage_caught_up{stage=\"poll\"} 1\n"));
  }
  EXPECT_THAT(registry.Exposition(), Not(HasSubstr("stage=\"poll\"")));
}

}  // namespace
}  // namespace sbrgate::stage
