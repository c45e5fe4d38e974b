// SingleSyncHandler: Single-sync, where the agency answers a single request
// at once: the request is the signed SOAP Body (no attachments), the
// response the Body of the synchronous answer, unsigned (SBR signs only bulk
// pull responses). The handler checks what every such request shares and
// dispatches by the message's eb:Service to the SingleSyncService offering
// it (single_sync_service.h): CLNTCOMM list and get, ICS client
// registration. A Service or Action none offers is EBMS:0010.
//
//   SingleSyncHandler single_sync(clock, &http, &state, {&clntcomm, &ics});
//   server.Post("/services/Single-sync",
//               [&single_sync](const httplib::Request& req, httplib::Response& res,
//                              const httplib::ContentReader& reader) {
//                 single_sync.Handle(req, res, reader);
//               });
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_SINGLE_SYNC_HANDLER_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_SINGLE_SYNC_HANDLER_H_

#include <httplib.h>

#include <vector>

#include "pipeline/platform/common/clock.h"
#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/ebms_http.h"
#include "pipeline/sim/simulator/single_sync_service.h"

namespace sbrgate::sim {

class SingleSyncHandler {
 public:
  // Each of `services` (one per ebMS Service) must outlive the handler.
  SingleSyncHandler(const Clock* clock, EbmsHttp* http, AgencyState* state,
                    std::vector<SingleSyncService*> services);

  void Handle(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader);

 private:
  // The service offering `action` of `service`, or null.
  SingleSyncService* Find(absl::string_view service, absl::string_view action) const;

  const Clock* const clock_;
  EbmsHttp* const http_;
  AgencyState* const state_;
  const std::vector<SingleSyncService*> services_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_SINGLE_SYNC_HANDLER_H_
