// PushHandler: BulkBatch-async-push, where pay events and bulk CLNTCOMM
// requests reach the agency. A push must be signed by a trusted credential
// (EbmsHttp refuses it otherwise) and pass the SBR checks on its user
// message (service and action offered, one attachment, DocumentType, PartInfo
// naming the attachment). Its payload is then stored and queued for the back
// office, and the synchronous Receipt echoes the digests the signature
// covers, once the message is saved (AgencyState::Persist, Saved). The same
// MessageId again, before or after a restart, gets the original receipt and
// is never processed twice. The receipt fault modes (lose_receipts,
// hold_receipts, hold_receipts_over_bytes) apply here.
//
//   PushHandler push(config, clock, &http, &state);
//   server.Post("/services/BulkBatch-async-push",
//               [&push](const httplib::Request& req, httplib::Response& res,
//                       const httplib::ContentReader& reader) { push.Handle(req, res, reader); });
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_PUSH_HANDLER_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_PUSH_HANDLER_H_

#include <httplib.h>

#include <string>

#include "absl/status/status.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/ebms_http.h"
#include "pipeline/sim/simulator/simulator.h"

namespace sbrgate::sim {

class PushHandler {
 public:
  PushHandler(const SimulatorConfig& config, const Clock* clock, EbmsHttp* http,
              AgencyState* state);

  void Handle(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader);

 private:
  // Counts a push that `res` refuses; if the count cannot be saved, `res`
  // says so instead.
  void CountRefused(httplib::Response& res);
  // `receipt_xml`, or, when what the push changed was not `saved`, that.
  void SendReceipt(httplib::Response& res, const std::string& receipt_xml,
                   const absl::Status& saved);
  // Whether hold_receipts_over_bytes holds the receipt of a push of a
  // payload of `payload_bytes`.
  bool HeldForSize(uint64_t payload_bytes) const ABSL_SHARED_LOCKS_REQUIRED(state_->mu);
  // Blocks while hold_receipts is on, or hold_receipts_over_bytes holds a
  // payload of `payload_bytes` (at most max_hang, in real time).
  void WaitWhileReceiptsHeld(uint64_t payload_bytes);

  const SimulatorConfig& config_;
  const Clock* const clock_;
  EbmsHttp* const http_;
  AgencyState* const state_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_PUSH_HANDLER_H_
