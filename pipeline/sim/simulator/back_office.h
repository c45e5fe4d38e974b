// BackOffice: what the agency does with a pushed message after its receipt
// has gone back. Worker threads take MessageIds off AgencyState's queue and
// answer each: a pay event through ProcessPayEvent (lodgment_processor.h),
// posting its TFN matching failures to the employer in the CLNTCOMM corpus
// (MatchingFailureNotice), a bulk CLNTCOMM request through ServeClntcomm
// (clntcomm_serve.h). The
// response is stored gzip-compressed for the pull handler and becomes
// available processing_base + processing_per_employee * employees (times
// the slow factor) after the push; the SystemError rate applies here. The
// message is saved (AgencyState::Persist, Saved) when processing starts
// (written, not synced) and ends;
// one still queued or being processed when the simulator stops is queued
// again when it starts on the same data directory. The correspondence is
// posted (and recorded) before the message is saved as processed, so a stop
// in between posts it again on the next run, which its document id makes a
// no-op.
//
//   BackOffice back_office(config, clock, &state, &corpus);
//   std::thread worker([&] { back_office.Work(); });  // returns once state.stopping
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_BACK_OFFICE_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_BACK_OFFICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"
#include "pipeline/sim/simulator/lodgment_processor.h"
#include "pipeline/sim/simulator/simulator.h"

namespace sbrgate::sim {

class BackOffice {
 public:
  BackOffice(const SimulatorConfig& config, const Clock* clock, AgencyState* state,
             ClntcommCorpus* corpus);

  // Processes queued messages until the state is stopping. Run it on as
  // many threads as there should be processing at once.
  void Work();

 private:
  // Says why `id` was not processed and ends its processing.
  void ReportNotProcessed(const std::string& id, const absl::Status& status);
  // The bulk CLNTCOMM request in `stored`'s payload, answered into
  // `response`. The outcome's severity says whether it was refused.
  absl::StatusOr<ProcessingOutcome> ProcessClntcomm(const StoredMessage& stored, ByteSink& response,
                                                    bool system_error);

  const SimulatorConfig& config_;
  const Clock* const clock_;
  AgencyState* const state_;
  ClntcommCorpus* const corpus_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_BACK_OFFICE_H_
