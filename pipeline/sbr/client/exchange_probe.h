// ExchangeProbe: one SBR exchange (a push, a pull, a Single-sync request)
// as seen on /metrics: sbrgate_sbr_exchanges_in_flight{action} while it
// runs, and its wall time in sbrgate_sbr_exchange_seconds{action,outcome}
// once Done names how it ended; and one log line (component "sbr", event
// "exchange") naming the message, the outcome and the time taken.
//
//   ExchangeProbe probe("push", lodgment.message_id);
//   absl::StatusOr<PushOutcome> pushed = PushOnce(lodgment);
//   probe.Done(pushed.ok() ? "receipt" : ExchangeProbe::StatusOutcome(pushed.status()));
#ifndef SBRGATE_PIPELINE_SBR_CLIENT_EXCHANGE_PROBE_H_
#define SBRGATE_PIPELINE_SBR_CLIENT_EXCHANGE_PROBE_H_

#include <chrono>
#include <string>

#include "absl/status/status.h"

namespace sbrgate::sbr_client {

class ExchangeProbe {
 public:
  // `message_id`: the message sent, or the one pulled for.
  ExchangeProbe(std::string action, std::string message_id);
  ~ExchangeProbe();
  ExchangeProbe(const ExchangeProbe&) = delete;
  ExchangeProbe& operator=(const ExchangeProbe&) = delete;

  // Records the exchange's latency under `outcome`, and logs it (with
  // `error` when it failed); once.
  void Done(const std::string& outcome, const absl::Status& error = absl::OkStatus());

  // A failed exchange's outcome: its status code in lower case
  // ("unavailable", "deadline_exceeded", ...).
  static std::string StatusOutcome(const absl::Status& status);

 private:
  const std::string action_;
  const std::string message_id_;
  // Real elapsed time, not the (possibly scaled) clock of the pipeline:
  // this is how long the network and SBR took.
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace sbrgate::sbr_client

#endif  // SBRGATE_PIPELINE_SBR_CLIENT_EXCHANGE_PROBE_H_
