// DemographicsExchange: what the DemographicsService needs of SBR for
// CUDEMOGR (seed 001): one request, in wire.h's vocabulary, sent as the
// agent on SBR's single request processor under the ebMS Service and Action
// the catalogue gives its service and operation (catalog.h), and the ATO's
// answer body. SbrDemographicsExchange is the real one over the SBR client;
// unit tests use fakes.
//
//   absl::StatusOr<std::string> answer = exchange.Exchange(
//       agent, spec->ebms_service, Action(*spec, v1::SUBMIT), WriteRequest(request));
//
// Errors: Unavailable / DeadlineExceeded when SBR could not be reached (ask
// again later); an ebMS error signal as FAILED_PRECONDITION (UNAUTHENTICATED
// for a failed authentication) naming its code.
#ifndef SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_EXCHANGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/communications.pb.h"

namespace sbrgate::demographics {

class DemographicsExchange {
 public:
  virtual ~DemographicsExchange() = default;
  virtual absl::StatusOr<std::string> Exchange(const v1::AgentContext& agent,
                                               absl::string_view ebms_service,
                                               absl::string_view action,
                                               std::string body_xml) const = 0;
};

}  // namespace sbrgate::demographics

#endif  // SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_EXCHANGE_H_
