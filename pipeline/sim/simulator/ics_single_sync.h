// IcsSingleSync: ICS client registration on Single-sync (the
// SingleSyncService of Service ics::kIcsService, Action
// ics::kIcsActionRegister; pipeline/clients/ics/wire/wire.h): reads the CLREG in
// the Body, checks that the request's practice is the sending party (its
// ABN, or its RAN as a TAN party), and answers with the register's
// judgement (ics_register.h): a CLRREGR in an ERM, or a CLNTDUP. An
// unreadable request, a practice that is not the sender, or a SystemError
// (fault mode) is an ERM refusing the whole request. Counted in the
// agency's state.
//
//   IcsSingleSync ics(&state, &register);
//   SingleSyncHandler single_sync(clock, &http, &state, {&clntcomm, &ics});
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_ICS_SINGLE_SYNC_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_ICS_SINGLE_SYNC_H_

#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/ics_register.h"
#include "pipeline/sim/simulator/single_sync_service.h"

namespace sbrgate::sim {

class IcsSingleSync : public SingleSyncService {
 public:
  // Both must outlive it.
  IcsSingleSync(AgencyState* state, IcsRegister* ics) : state_(state), ics_(ics) {}

  absl::string_view service() const override;
  bool Offers(absl::string_view action) const override;
  absl::StatusOr<SingleSyncAnswer> Answer(const ebms::UserMessage& message,
                                          absl::string_view body_xml, bool system_error) override;

 private:
  // The register's answer, or the ERM refusing the whole request.
  absl::StatusOr<v1::RegisterClientResponse> Judge(const ebms::Party& from,
                                                   absl::string_view body_xml, bool system_error);

  AgencyState* const state_;
  IcsRegister* const ics_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_ICS_SINGLE_SYNC_H_
