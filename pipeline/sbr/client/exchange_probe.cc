#include "pipeline/sbr/client/exchange_probe.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "pipeline/platform/logging/structured_log.h"
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

ExchangeProbe::ExchangeProbe(std::string action, std::string message_id)
    : action_(std::move(action)),
      message_id_(std::move(message_id)),
      start_(std::chrono::steady_clock::now()) {
  InFlight().With({action_}).Add(1);
}

ExchangeProbe::~ExchangeProbe() { InFlight().With({action_}).Add(-1); }

void ExchangeProbe::Done(const std::string& outcome, const absl::Status& error) {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  Latency().With({action_, outcome}).Observe(elapsed.count());
  logging::Log(error.ok() ? logging::Level::kInfo : logging::Level::kWarning, "sbr", "exchange")
      .Field("action", action_)
      .Field("message_id", message_id_)
      .Field("outcome", outcome)
      .Field("seconds", absl::StrFormat("%.3f", elapsed.count()))
      .Error(error);
}

std::string ExchangeProbe::StatusOutcome(const absl::Status& status) {
  return absl::AsciiStrToLower(absl::StatusCodeToString(status.code()));
}

}  // namespace sbrgate::sbr_client
