// What every SBR service an agent practice uses shares (CLNTCOMM, ICS client
// registration): the practice as the ebMS From party, in the registered
// agent role (its agent number, RAN, as a TAN party, as the SBR profile
// gives a tax agent's; its ABN only for a practice without one), and an ebMS
// error signal as a status.
//
//   request.from = RegisteredAgentParty(agent.ran(), agent.agent_abn());
//   if (!outcome->errors.empty()) return EbmsErrorsToStatus(outcome->errors);
#ifndef SBRGATE_PIPELINE_SBR_CLIENT_AGENT_PARTY_H_
#define SBRGATE_PIPELINE_SBR_CLIENT_AGENT_PARTY_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::sbr_client {

ebms::Party RegisteredAgentParty(absl::string_view ran, absl::string_view abn);

// A status naming each code and description: Unauthenticated for a failed
// authentication (EBMS:0101), FailedPrecondition otherwise.
absl::Status EbmsErrorsToStatus(const std::vector<ebms::Error>& errors);

}  // namespace sbrgate::sbr_client

#endif  // SBRGATE_PIPELINE_SBR_CLIENT_AGENT_PARTY_H_
