// CurelSingleSync: CUREL (seed 001: Client Update Relationship) on
// Single-sync, the SingleSyncService of Service
// http://sbr.gov.au/ato/curel/2018 (pipeline/clients/relationships/wire.h):
// the ATO's checks on who asks (the request's agent is the sender, a
// registered agent with that RAN) and what (the relationship rules), then
// the search, change or list on the CLNTCOMM corpus, whose relationships
// decide what each agent sees of its clients' communications. A refusal is
// a cr:Error answer saying why.
//
//   CurelSingleSync curel(&state, &corpus);
//   SingleSyncHandler single_sync(clock, &http, &state, {&clntcomm, &ics, &curel});
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_CUREL_SINGLE_SYNC_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_CUREL_SINGLE_SYNC_H_

#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"
#include "pipeline/sim/simulator/single_sync_service.h"

namespace sbrgate::sim {

class CurelSingleSync : public SingleSyncService {
 public:
  // The state (which counts the answers) and the corpus must outlive it.
  CurelSingleSync(AgencyState* state, ClntcommCorpus* corpus) : state_(state), corpus_(corpus) {}

  absl::string_view service() const override;
  bool Offers(absl::string_view action) const override;
  absl::StatusOr<SingleSyncAnswer> Answer(const ebms::UserMessage& message,
                                          absl::string_view body_xml, bool system_error) override;

 private:
  AgencyState* const state_;
  ClntcommCorpus* const corpus_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_CUREL_SINGLE_SYNC_H_
