// EbmsHttp: the agency's side of one ebMS3 exchange on the simulator's HTTPS
// listener, shared by the push, pull and Single-sync handlers: the fault
// modes every request meets (unavailable, hang), reading the request as a
// signed packaged message (spooled to disk, WS-Security checked against the
// trusted CA), and the answers: an ebMS error signal, a packaged message
// streamed back, or, when the agency could not save what a request changed,
// HTTP 503 (the sender retries, as for an unavailable agency).
//
//   if (http.ApplyTransportFaults(res)) return;
//   std::optional<ebms_package::InboundMessage> in = http.ReceiveOrRefuse(req, reader, res);
//   if (!in) return;  // already answered with the ebMS error that says why
//   http.SendError(res, ebms::kErrorOther, um.message_id, "the agency could not ...");
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_EBMS_HTTP_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_EBMS_HTTP_H_

#include <httplib.h>

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/sbr/wssec/verifier.h"
#include "pipeline/sim/simulator/agency_state.h"
#include "pipeline/sim/simulator/simulator.h"

namespace sbrgate::sim {

inline constexpr char kSoapContentType[] = "application/soap+xml; charset=UTF-8";

class EbmsHttp {
 public:
  EbmsHttp(const SimulatorConfig& config, const Clock* clock, wssec::Verifier verifier,
           AgencyState* state);

  // Fault modes that apply to every request: answers 503 while the agency
  // is unavailable, blocks while requests hang (until cleared, shutdown or
  // max_hang). Returns true when `res` is answered.
  bool ApplyTransportFaults(httplib::Response& res);

  // The request as a packaged message, or nullopt once `res` is answered
  // with the ebMS error that says why it cannot be read (EBMS:0101 for a
  // signature or trust failure).
  std::optional<ebms_package::InboundMessage> ReceiveOrRefuse(const httplib::Request& req,
                                                              const httplib::ContentReader& reader,
                                                              httplib::Response& res);

  // HTTP 503: what the request changed could not be saved (`status`).
  void SendNotRecorded(httplib::Response& res, const absl::Status& status);

  // An ebMS error signal (HTTP 500) about the message `ref`.
  void SendError(httplib::Response& res, absl::string_view code, absl::string_view ref,
                 absl::string_view description);

  // `out` streamed back (HTTP 200), or an error about `ref` if it could not
  // be packaged.
  void SendPackaged(httplib::Response& res, absl::StatusOr<ebms_package::OutboundMessage>& out,
                    absl::string_view ref);

 private:
  // Spools the request body to a file and reads it as a packaged message.
  absl::StatusOr<ebms_package::InboundMessage> Receive(const httplib::Request& req,
                                                       const httplib::ContentReader& reader);

  const SimulatorConfig& config_;
  const Clock* const clock_;
  const wssec::Verifier verifier_;
  AgencyState* const state_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_EBMS_HTTP_H_
