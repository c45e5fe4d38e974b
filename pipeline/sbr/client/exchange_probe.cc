#include "pipeline/sbr/client/exchange_probe.h"

#include "absl/strings/ascii.h"
#include "pipeline/platform/metrics/registry.h"

namespace sbrgate::sbr_client {
namespace {

metrics::Family<metrics::Gauge>& InFlight() {
  static auto& family = metrics::Registry::Default().AddGauge(
      "sbrgate_sbr_exchanges_in_flight", "SBR exchanges under way, by action.", {"action"});
  return family;
}

metrics::Family<metrics::Histogram>& Latency() {
  static auto& family = metrics::Registry::Default().AddHistogram(
      "sbrgate_sbr_exchange_seconds",
      "Wall time of SBR exchanges (packaging, HTTP and reading the answer), by action and "
      "outcome.",
      {"action", "outcome"}, metrics::kLatencyBuckets);
  return family;
}

}  // namespace

ExchangeProbe::ExchangeProbe(std::string action)
    : action_(std::move(action)), start_(std::chrono::steady_clock::now()) {
  InFlight().With({action_}).Add(1);
}

ExchangeProbe::~ExchangeProbe() { InFlight().With({action_}).Add(-1); }

void ExchangeProbe::Done(const std::string& outcome) {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  Latency().With({action_, outcome}).Observe(elapsed.count());
}

std::string ExchangeProbe::StatusOutcome(const absl::Status& status) {
  return absl::AsciiStrToLower(absl::StatusCodeToString(status.code()));
}

}  // namespace sbrgate::sbr_client
