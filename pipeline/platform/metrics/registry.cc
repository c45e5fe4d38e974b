#include "pipeline/platform/metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace sbrgate::metrics {
namespace {

void AddTo(std::atomic<double>& a, double by) {
  double now = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(now, now + by, std::memory_order_relaxed)) {
  }
}

[[noreturn]] void Misuse(const std::string& what) {
  std::fprintf(stderr, "metrics: %s\n", what.c_str());
  std::abort();
}

const char* TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// HELP text escapes backslash and newline; label values the quote too.
std::string Escape(const std::string& s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// Whole numbers (every counter) print as integers; the rest round-trip.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  for (int precision = 15;; ++precision) {  // the shortest that reads back the same
    std::string text = absl::StrFormat("%.*g", precision, v);
    if (precision == 17 || std::strtod(text.c_str(), nullptr) == v) return text;
  }
}

std::string LabelText(const Labels& labels) {
  if (labels.empty()) return "";
  std::vector<std::string> parts;
  for (const auto& [name, value] : labels) {
    parts.push_back(absl::StrCat(name, "=\"", Escape(value, /*quote=*/true), "\""));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

Labels Zip(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  Labels out;
  for (size_t i = 0; i < names.size(); ++i) out.emplace_back(names[i], values[i]);
  return out;
}

template <typename Metric>
std::unique_ptr<Metric> MakeMetric(const std::vector<double>&) {
  return std::make_unique<Metric>();
}
template <>
std::unique_ptr<Histogram> MakeMetric<Histogram>(const std::vector<double>& bounds) {
  return std::make_unique<Histogram>(bounds);
}

// One name's block of the exposition.
struct Block {
  std::string help;
  Type type = Type::kGauge;
  std::vector<std::string> lines;
};

}  // namespace

void Counter::Increment(double by) {
  if (by < 0) Misuse("a counter cannot go down");
  AddTo(value_, by);
}

void Gauge::Add(double by) { AddTo(value_, by); }

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) Misuse("histogram bounds must be sorted");
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  AddTo(sum_, value);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(total);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

template <typename Metric>
Metric& Family<Metric>::With(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    Misuse(absl::StrCat("series with ", values.size(), " label values for labels (",
                        absl::StrJoin(label_names_, ","), ")"));
  }
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Metric>& m = series_[values];
  if (m == nullptr) m = MakeMetric<Metric>(bounds_);
  return *m;
}

template <typename Metric>
std::vector<std::pair<std::vector<std::string>, const Metric*>> Family<Metric>::series() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::vector<std::string>, const Metric*>> out;
  for (const auto& [values, m] : series_) out.emplace_back(values, m.get());
  return out;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registration& Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    if (registry_ != nullptr) registry_->RemoveCollector(id_);
    registry_ = other.registry_;
    id_ = other.id_;
    other.registry_ = nullptr;
  }
  return *this;
}

Registration::~Registration() {
  if (registry_ != nullptr) registry_->RemoveCollector(id_);
}

Registry& Registry::Default() {
  static auto* registry = new Registry();
  return *registry;
}

Registry::Entry& Registry::Find(const std::string& name, const std::string& help, Type type,
                                const std::vector<std::string>& label_names,
                                const std::vector<double>& bounds) {
  auto [it, added] = families_.try_emplace(name);
  Entry& e = it->second;
  if (added) {
    e.help = help;
    e.type = type;
    e.label_names = label_names;
    e.bounds = bounds;
    return e;
  }
  if (e.type != type || e.help != help || e.label_names != label_names || e.bounds != bounds) {
    Misuse(absl::StrCat("metric ", name, " is already defined otherwise"));
  }
  return e;
}

template <typename Metric>
Family<Metric>& Registry::Add(const std::string& name, const std::string& help, Type type,
                              std::vector<std::string> label_names, std::vector<double> bounds,
                              std::unique_ptr<Family<Metric>> Entry::*family) {
  absl::MutexLock lock(&mu_);
  Entry& e = Find(name, help, type, label_names, bounds);
  if (e.*family == nullptr) {
    e.*family = std::make_unique<Family<Metric>>(std::move(label_names), std::move(bounds));
  }
  return *(e.*family);
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  return Add(name, help, Type::kCounter, std::move(label_names), {}, &Entry::counters);
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
  return Add(name, help, Type::kGauge, std::move(label_names), {}, &Entry::gauges);
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  return Add(name, help, Type::kHistogram, std::move(label_names), std::move(bounds),
             &Entry::histograms);
}

Registration Registry::AddCollector(std::function<void(Collection&)> collect) {
  absl::MutexLock lock(&collectors_mu_);
  const uint64_t id = ++next_collector_;
  collectors_.emplace(id, std::move(collect));
  return Registration(this, id);
}

void Registry::RemoveCollector(uint64_t id) {
  absl::MutexLock lock(&collectors_mu_);
  collectors_.erase(id);
}

std::string Registry::Exposition() const {
  std::map<std::string, Block> blocks;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, e] : families_) {
      Block& b = blocks[name];
      b.help = e.help;
      b.type = e.type;
      // Counters and gauges: one line a series.
      auto append_values = [&](const auto& family) {
        if (family == nullptr) return;
        for (const auto& [values, m] : family->series()) {
          b.lines.push_back(absl::StrCat(name, LabelText(Zip(e.label_names, values)), " ",
                                         FormatValue(m->value())));
        }
      };
      append_values(e.counters);
      append_values(e.gauges);
      if (e.histograms == nullptr) continue;
      for (const auto& [values, h] : e.histograms->series()) {
        const Labels labels = Zip(e.label_names, values);
        const Histogram::Snapshot s = h->snapshot();
        for (size_t i = 0; i <= s.bounds.size(); ++i) {
          Labels with_le = labels;
          with_le.emplace_back("le", i < s.bounds.size() ? FormatValue(s.bounds[i]) : "+Inf");
          b.lines.push_back(absl::StrCat(name, "_bucket", LabelText(with_le), " ",
                                         FormatValue(static_cast<double>(s.cumulative[i]))));
        }
        b.lines.push_back(absl::StrCat(name, "_sum", LabelText(labels), " ", FormatValue(s.sum)));
        b.lines.push_back(absl::StrCat(name, "_count", LabelText(labels), " ",
                                       FormatValue(static_cast<double>(s.cumulative.back()))));
      }
    }
  }
  {
    Collection collected;
    absl::MutexLock lock(&collectors_mu_);
    for (const auto& [id, collect] : collectors_) collect(collected);
    for (const Collection::Sample& s : collected.samples()) {
      auto [it, added] = blocks.try_emplace(s.name);
      if (added) {
        it->second.help = s.help;
        it->second.type = s.type;
      }
      it->second.lines.push_back(
          absl::StrCat(s.name, LabelText(s.labels), " ", FormatValue(s.value)));
    }
  }
  std::string out;
  for (const auto& [name, b] : blocks) {
    absl::StrAppend(&out, "# HELP ", name, " ", Escape(b.help, /*quote=*/false), "\n# TYPE ", name, " ",
                    TypeName(b.type), "\n");
    for (const std::string& line : b.lines) absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace sbrgate::metrics
