// SingleSyncHandler: Single-sync, where the agency answers a single CLNTCOMM
// list or get at once: the request is the signed SOAP Body (no
// attachments), the response the Body of the synchronous answer, unsigned
// (SBR signs only bulk pull responses). What the answer says comes from
// ServeClntcomm (clntcomm_serve.h) over the agency's corpus.
//
//   SingleSyncHandler single_sync(clock, &http, &state, &corpus);
//   server.Post("/services/Single-sync",
//               [&single_sync](const httplib::Request& req, httplib::Response& res,
//                              const httplib::ContentReader& reader) {
//                 single_sync.Handle(req, res, reader);
//               });
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_SINGLE_SYNC_HANDLER_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_SINGLE_SYNC_HANDLER_H_

#include <httplib.h>

#include "pipeline/platform/common/clock.h"
#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"
#include "pipeline/sim/simulator/ebms_http.h"

namespace sbrgate::sim {

class SingleSyncHandler {
 public:
  SingleSyncHandler(const Clock* clock, EbmsHttp* http, AgencyState* state,
                    const ClntcommCorpus* corpus);

  void Handle(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader);

 private:
  const Clock* const clock_;
  EbmsHttp* const http_;
  AgencyState* const state_;
  const ClntcommCorpus* const corpus_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_SINGLE_SYNC_HANDLER_H_
