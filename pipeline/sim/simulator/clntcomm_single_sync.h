// ClntcommSingleSync: CLNTCOMM's single list and get on Single-sync (the
// SingleSyncService of Service http://sbr.gov.au/ato/clntcomm/2020, Actions
// List.001.00 and Get.001.00): the answer is ServeClntcomm's over the
// agency's corpus (clntcomm_serve.h), counted in the agency's state.
//
//   ClntcommSingleSync clntcomm(&state, &corpus);
//   SingleSyncHandler single_sync(clock, &http, &state, {&clntcomm});
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_CLNTCOMM_SINGLE_SYNC_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_CLNTCOMM_SINGLE_SYNC_H_

#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"
#include "pipeline/sim/simulator/single_sync_service.h"

namespace sbrgate::sim {

class ClntcommSingleSync : public SingleSyncService {
 public:
  // Both must outlive it.
  ClntcommSingleSync(AgencyState* state, const ClntcommCorpus* corpus)
      : state_(state), corpus_(corpus) {}

  absl::string_view service() const override;
  bool Offers(absl::string_view action) const override;
  absl::StatusOr<SingleSyncAnswer> Answer(const ebms::UserMessage& message,
                                          absl::string_view body_xml, bool system_error) override;

 private:
  AgencyState* const state_;
  const ClntcommCorpus* const corpus_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_CLNTCOMM_SINGLE_SYNC_H_
