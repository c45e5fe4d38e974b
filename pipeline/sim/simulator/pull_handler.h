// PullHandler: BulkBatch-async-pull, where a sender collects the response to
// a message it pushed, by reference (eb:PullRequest naming the MessageId).
// Only the credential that signed the push may pull; until the response is
// ready the answer is EBMS:0006 (empty channel), then the response, signed
// by the agency with gzip-compressed content. Every pull is recorded in the
// message's report, and saved, before it is answered; pay event pulls
// earlier than the STP polling table allows (pipeline/stp/poll_schedule)
// are counted as early.
//
//   PullHandler pull(clock, &http, &state, std::move(agency_credential));
//   server.Post("/services/BulkBatch-async-pull",
//               [&pull](const httplib::Request& req, httplib::Response& res,
//                       const httplib::ContentReader& reader) { pull.Handle(req, res, reader); });
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_PULL_HANDLER_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_PULL_HANDLER_H_

#include <httplib.h>

#include <string>

#include "pipeline/platform/common/clock.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/ebms_http.h"

namespace sbrgate::sim {

class PullHandler {
 public:
  // `agency` signs the responses.
  PullHandler(const Clock* clock, EbmsHttp* http, AgencyState* state, wssec::Credential agency);

  void Handle(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader);

 private:
  void SendResponse(httplib::Response& res, const StoredMessage& stored,
                    const StoredBytes& response_gzip);

  const Clock* const clock_;
  EbmsHttp* const http_;
  AgencyState* const state_;
  const wssec::Credential agency_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_PULL_HANDLER_H_
