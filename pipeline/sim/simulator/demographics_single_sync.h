// DemographicsSingleSync: CUDEMOGR (seed 001: Client Update Demographics) on
// Single-sync, the SingleSyncService of one of the suite's ebMS Services
// (pipeline/clients/demographics/catalog.h): one object per Service, all
// alike, made by ForEveryService. Each checks that the request's service
// and operation are the message's Service and Action, the rules
// (pipeline/clients/demographics/rules.h, as of the corpus's today), and
// who asks (the request's agent is the sender, a registered agent with
// that RAN), then answers with the register's (demographics_register.h). A
// refusal is a cd:Error answer saying why.
//
//   DemographicsRegister demographics(&corpus);
//   std::vector<std::unique_ptr<DemographicsSingleSync>> cudemogr =
//       DemographicsSingleSync::ForEveryService(&state, &corpus, &demographics);
//   services.push_back(cudemogr[i].get());   // for the SingleSyncHandler
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_DEMOGRAPHICS_SINGLE_SYNC_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_DEMOGRAPHICS_SINGLE_SYNC_H_

#include <memory>
#include <vector>

#include "pipeline/clients/demographics/catalog.h"
#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"
#include "pipeline/sim/simulator/demographics_register.h"
#include "pipeline/sim/simulator/single_sync_service.h"

namespace sbrgate::sim {

class DemographicsSingleSync : public SingleSyncService {
 public:
  // The state (which counts the answers), the corpus and the register must
  // outlive it.
  DemographicsSingleSync(const demographics::ServiceSpec* spec, AgencyState* state,
                         ClntcommCorpus* corpus, DemographicsRegister* demographics)
      : spec_(spec), state_(state), corpus_(corpus), demographics_(demographics) {}

  // One for each service of the catalogue.
  static std::vector<std::unique_ptr<DemographicsSingleSync>> ForEveryService(
      AgencyState* state, ClntcommCorpus* corpus, DemographicsRegister* demographics);

  absl::string_view service() const override;
  bool Offers(absl::string_view action) const override;
  absl::StatusOr<SingleSyncAnswer> Answer(const ebms::UserMessage& message,
                                          absl::string_view body_xml, bool system_error) override;

 private:
  // The answer's body, with *refused set when it is an Error answer;
  // Unavailable when a change could not be saved.
  absl::StatusOr<std::string> Serve(const ebms::UserMessage& message, absl::string_view body_xml,
                                    bool* refused);

  const demographics::ServiceSpec* const spec_;
  AgencyState* const state_;
  ClntcommCorpus* const corpus_;
  DemographicsRegister* const demographics_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_DEMOGRAPHICS_SINGLE_SYNC_H_
