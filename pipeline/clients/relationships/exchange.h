// RelationshipExchange: what the RelationshipService needs of SBR for CUREL
// (seed 001): one request, in wire.h's vocabulary, sent as the agent on
// SBR's single request processor, and the ATO's answer body.
// SbrRelationshipExchange is the real one over the SBR client; unit tests
// use fakes.
//
//   absl::StatusOr<std::string> answer =
//       exchange.Exchange(agent, kActionSearch, WriteSearchRequest(request));
//
// Errors: Unavailable / DeadlineExceeded when SBR could not be reached (ask
// again later); an ebMS error signal as FAILED_PRECONDITION (UNAUTHENTICATED
// for a failed authentication) naming its code.
#ifndef SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_EXCHANGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/communications.pb.h"

namespace sbrgate::relationships {

class RelationshipExchange {
 public:
  virtual ~RelationshipExchange() = default;
  virtual absl::StatusOr<std::string> Exchange(const v1::AgentContext& agent, const char* action,
                                               std::string body_xml) const = 0;
};

}  // namespace sbrgate::relationships

#endif  // SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_EXCHANGE_H_
