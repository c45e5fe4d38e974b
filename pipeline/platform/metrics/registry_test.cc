#include "pipeline/platform/metrics/registry.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RegistryTest, CountersAndGaugesPrintOneLinePerSeries) {
  Registry r;
  Family<Counter>& pulls = r.AddCounter("sbrgate_pulls_total", "Pulls sent.", {"timing"});
  pulls.With({"on_time"}).Increment();
  pulls.With({"on_time"}).Increment(2);
  pulls.With({"early"});
  r.AddGauge("sbrgate_in_flight", "Exchanges in flight.").With({}).Set(4);
  EXPECT_EQ(r.Exposition(),
            "# HELP sbrgate_in_flight Exchanges in flight.\n"
            "# TYPE sbrgate_in_flight gauge\n"
            "sbrgate_in_flight 4\n"
            "# HELP sbrgate_pulls_total Pulls sent.\n"
            "# TYPE sbrgate_pulls_total counter\n"
            "sbrgate_pulls_total{timing=\"early\"} 0\n"
            "sbrgate_pulls_total{timing=\"on_time\"} 3\n");
}

TEST(RegistryTest, HistogramsPrintCumulativeBucketsSumAndCount) {
  Registry r;
  Histogram& h =
      r.AddHistogram("sbrgate_sbr_exchange_seconds", "SBR exchanges.", {"action"}, {0.1, 1})
          .With({"push"});
  h.Observe(0.05);
  h.Observe(0.1);  // a bound is "less than or equal"
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_THAT(r.Exposition(),
              HasSubstr("# TYPE sbrgate_sbr_exchange_seconds histogram\n"
                        "sbrgate_sbr_exchange_seconds_bucket{action=\"push\",le=\"0.1\"} 2\n"
                        "sbrgate_sbr_exchange_seconds_bucket{action=\"push\",le=\"1\"} 3\n"
                        "sbrgate_sbr_exchange_seconds_bucket{action=\"push\",le=\"+Inf\"} 4\n"
                        "sbrgate_sbr_exchange_seconds_sum{action=\"push\"} 7.65\n"
                        "sbrgate_sbr_exchange_seconds_count{action=\"push\"} 4\n"));
}

TEST(RegistryTest, LabelValuesAndHelpAreEscaped) {
  Registry r;
  r.AddCounter("x_total", "a \\ b\nc", {"why"}).With({"say \"no\"\\\n"}).Increment();
  EXPECT_EQ(r.Exposition(),
            "# HELP x_total a \\\\ b\\nc\n"
            "# TYPE x_total counter\n"
            "x_total{why=\"say \\\"no\\\"\\\\\\n\"} 1\n");
}

TEST(RegistryTest, AddingTheSameFamilyAgainReturnsIt) {
  Registry r;
  Family<Counter>& a = r.AddCounter("c_total", "C.", {"k"});
  Family<Counter>& b = r.AddCounter("c_total", "C.", {"k"});
  EXPECT_EQ(&a, &b);
}

TEST(RegistryDeathTest, AFamilyDefinedOtherwiseAborts) {
  Registry r;
  r.AddCounter("c_total", "C.", {"k"});
  EXPECT_DEATH(r.AddGauge("c_total", "C.", {"k"}), "metric c_total is already defined otherwise");
  EXPECT_DEATH(r.AddCounter("c_total", "C.", {"k"}).With({"a", "b"}),
               "series with 2 label values for labels \\(k\\)");
}

TEST(RegistryTest, CollectorsReportAtScrapeUntilTheirRegistrationGoes) {
  Registry r;
  int calls = 0;
  {
    Registration reg = r.AddCollector([&](Collection& c) {
      ++calls;
      c.Counter("sbrgate_stage_records_total", "Records.", {{"stage", "poll"}}, 12);
      c.Counter("sbrgate_stage_records_total", "Records.", {{"stage", "submit"}}, 3);
      c.Gauge("sbrgate_stage_caught_up", "Caught up.", {{"stage", "poll"}}, 1);
    });
    const std::string text = r.Exposition();
    EXPECT_THAT(text, HasSubstr("# TYPE sbrgate_stage_records_total counter\n"
                                "sbrgate_stage_records_total{stage=\"poll\"} 12\n"
                                "sbrgate_stage_records_total{stage=\"submit\"} 3\n"));
    EXPECT_THAT(text, HasSubstr("sbrgate_stage_caught_up{stage=\"poll\"} 1\n"));
    EXPECT_EQ(calls, 1);
  }
  EXPECT_THAT(r.Exposition(), Not(HasSubstr("sbrgate_stage_records_total")));
  EXPECT_EQ(calls, 1);
}

TEST(RegistryTest, UpdatesFromManyThreadsAreAllCounted) {
  Registry r;
  Family<Counter>& c = r.AddCounter("n_total", "N.", {"t"});
  Histogram& h = r.AddHistogram("h_seconds", "H.", {}, {1}).With({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.With({"a"}).Increment();
        h.Observe(0.5);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c.With({"a"}).value(), 40000);
  EXPECT_EQ(h.snapshot().cumulative.back(), 40000u);
  EXPECT_EQ(h.snapshot().sum, 20000);
}

}  // namespace
}  // namespace sbrgate::metrics
