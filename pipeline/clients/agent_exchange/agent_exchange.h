// AgentExchange: what a client-management service (CUREL relationships,
// CUDEMOGR demographics) needs of SBR: one request body, sent as the agent
// practice on SBR's single request processor under an ebMS Service and
// Action, and the ATO's answer body. SbrAgentExchange is the real one over
// the SBR client; unit tests use fakes.
//
//   absl::StatusOr<std::string> answer = exchange.Exchange(
//       agent, relationships::kServiceCurel, relationships::kActionSearch, body_xml);
//
// Errors: Unavailable / DeadlineExceeded when SBR could not be reached (ask
// again later); an ebMS error signal as FAILED_PRECONDITION (UNAUTHENTICATED
// for a failed authentication) naming its code.
#ifndef SBRGATE_PIPELINE_CLIENTS_AGENT_EXCHANGE_AGENT_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLIENTS_AGENT_EXCHANGE_AGENT_EXCHANGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/communications.pb.h"

namespace sbrgate::clients {

class AgentExchange {
 public:
  virtual ~AgentExchange() = default;
  virtual absl::StatusOr<std::string> Exchange(const v1::AgentContext& agent,
                                               absl::string_view ebms_service,
                                               absl::string_view action,
                                               std::string body_xml) const = 0;
};

}  // namespace sbrgate::clients

#endif  // SBRGATE_PIPELINE_CLIENTS_AGENT_EXCHANGE_AGENT_EXCHANGE_H_
