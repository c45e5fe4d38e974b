// Registry: a process's Prometheus metrics (counters, gauges, histograms,
// each a family of series by label values) and their text exposition
// (format 0.0.4), served on /metrics by the admin server. No Prometheus C++
// client is packaged for Debian; this is the small part of one sbrgate
// needs.
//
//   metrics::Registry& r = metrics::Registry::Default();
//   metrics::Family<metrics::Counter>& pulls = r.AddCounter(
//       "sbrgate_pulls_total", "Pulls sent to SBR, by timing.", {"timing"});
//   pulls.With({"on_time"}).Increment();
//   metrics::Family<metrics::Histogram>& latency = r.AddHistogram(
//       "sbrgate_sbr_exchange_seconds", "...", {"action"}, metrics::kLatencyBuckets);
//   latency.With({"push"}).Observe(0.012);
//
// Values known elsewhere (a runner's counts, a view's states) are read at
// scrape time by a collector, unregistered when its handle goes:
//
//   metrics::Registration reg = r.AddCollector([runner](metrics::Collection& c) {
//     c.Counter("sbrgate_stage_records_total", "...", {{"stage", "poll"}},
//               runner->metrics().records_processed);
//   });
//
// Instruments are lock-free to update (atomics); a family's series are made
// under its lock once. Families live as long as the registry: a library
// defines its instruments once (a function-local static) and updates them
// from any thread. Adding a family whose name is taken returns the one there
// when type, help and labels match; anything else is a programming error
// and aborts with the name.
#ifndef SBRGATE_PIPELINE_PLATFORM_METRICS_REGISTRY_H_
#define SBRGATE_PIPELINE_PLATFORM_METRICS_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace sbrgate::metrics {

// Upper bounds (seconds) for exchange and call latencies: 1 ms to 5 min.
inline const std::vector<double> kLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,   0.25,   0.5,   1,    2.5,   5,
                                                    10,    30,     60,    300};

class Counter {
 public:
  // `by` must not be negative: a counter only goes up.
  void Increment(double by = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double by);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bound, then +Inf
  std::atomic<double> sum_{0};
};

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { kCounter, kGauge, kHistogram };

// A family of one type: one series per distinct tuple of label values.
template <typename Metric>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::vector<double> bounds)
      : label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}

  // The series for `values`, one per label name in order; made on first use.
  // Aborts when the count differs from the family's label names.
  Metric& With(const std::vector<std::string>& values);

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Every series, in label-value order.
  std::vector<std::pair<std::vector<std::string>, const Metric*>> series() const;

 private:
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;  // histograms only
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_ ABSL_GUARDED_BY(mu_);
};

// What a collector reports at one scrape. Samples of one name must agree on
// help and type; the registry groups them by name.
class Collection {
 public:
  void Counter(const std::string& name, const std::string& help, Labels labels, double value) {
    Add(name, help, Type::kCounter, std::move(labels), value);
  }
  void Gauge(const std::string& name, const std::string& help, Labels labels, double value) {
    Add(name, help, Type::kGauge, std::move(labels), value);
  }

  struct Sample {
    std::string name;
    std::string help;
    Type type;
    Labels labels;
    double value;
  };
  const std::vector<Sample>& samples() const { return samples_; }

 private:
  void Add(const std::string& name, const std::string& help, Type type, Labels labels,
           double value) {
    samples_.push_back({name, help, type, std::move(labels), value});
  }
  std::vector<Sample> samples_;
};

class Registry;

// Keeps a collector registered; removes it when destroyed.
class Registration {
 public:
  Registration() = default;
  Registration(Registry* registry, uint64_t id) : registry_(registry), id_(id) {}
  Registration(Registration&& other) noexcept { *this = std::move(other); }
  Registration& operator=(Registration&& other) noexcept;
  ~Registration();

 private:
  Registry* registry_ = nullptr;
  uint64_t id_ = 0;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process's registry, which /metrics serves.
  static Registry& Default();

  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names,
                                  std::vector<double> bounds);

  // `collect` runs at each scrape, on the scraping thread.
  [[nodiscard]] Registration AddCollector(std::function<void(Collection&)> collect);

  // Every family and collected sample in the text exposition format,
  // families sorted by name.
  std::string Exposition() const;

 private:
  friend class Registration;
  struct Entry {
    std::string help;
    Type type;
    std::vector<std::string> label_names;
    std::vector<double> bounds;
    std::unique_ptr<Family<Counter>> counters;
    std::unique_ptr<Family<Gauge>> gauges;
    std::unique_ptr<Family<Histogram>> histograms;
  };
  Entry& Find(const std::string& name, const std::string& help, Type type,
              const std::vector<std::string>& label_names, const std::vector<double>& bounds)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveCollector(uint64_t id);
  // The family of `name` in the entry's slot `family`, made on first use.
  template <typename Metric>
  Family<Metric>& Add(const std::string& name, const std::string& help, Type type,
                      std::vector<std::string> label_names, std::vector<double> bounds,
                      std::unique_ptr<Family<Metric>> Entry::*family);

  mutable absl::Mutex mu_;
  std::map<std::string, Entry> families_ ABSL_GUARDED_BY(mu_);
  // Held while collectors run, so a collector is never removed mid-call.
  mutable absl::Mutex collectors_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::map<uint64_t, std::function<void(Collection&)>> collectors_
      ABSL_GUARDED_BY(collectors_mu_);
  uint64_t next_collector_ ABSL_GUARDED_BY(collectors_mu_) = 0;
};

}  // namespace sbrgate::metrics

#endif  // SBRGATE_PIPELINE_PLATFORM_METRICS_REGISTRY_H_
