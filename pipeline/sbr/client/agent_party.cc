#include "pipeline/sbr/client/agent_party.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sbrgate::sbr_client {

ebms::Party RegisteredAgentParty(absl::string_view ran, absl::string_view abn) {
  if (!ran.empty()) return {std::string(ran), ebms::kPartyTypeTan, ebms::kRoleRegisteredAgent};
  return {std::string(abn), ebms::kPartyTypeAbn, ebms::kRoleRegisteredAgent};
}

absl::Status EbmsErrorsToStatus(const std::vector<ebms::Error>& errors) {
  std::vector<std::string> parts;
  bool authentication = false;
  for (const ebms::Error& e : errors) {
    parts.push_back(absl::StrCat(e.error_code, " ",
                                 e.description.empty() ? e.short_description : e.description));
    authentication |= e.error_code == ebms::kErrorFailedAuthentication;
  }
  const std::string message = absl::StrCat("SBR refused the message: ", absl::StrJoin(parts, "; "));
  return authentication ? absl::UnauthenticatedError(message)
                        : absl::FailedPreconditionError(message);
}

}  // namespace sbrgate::sbr_client
