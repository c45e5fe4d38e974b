#include "pipeline/clients/practice_access/practice_access.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace sbrgate::clients {

absl::StatusOr<v1::AgentContext> ActForPractice(const access::Authenticator& authenticator,
                                                access::AuditLog& audit,
                                                const grpc::ServerContext& context,
                                                const v1::AgentContext& asked,
                                                absl::string_view action,
                                                absl::string_view detail) {
  absl::StatusOr<access::Caller> caller = authenticator.Authenticate(context);
  if (!caller.ok()) {
    // No certificate is no one to name; an identity the access file does
    // not know is.
    if (!absl::IsUnauthenticated(caller.status())) {
      audit
          .Record({access::PeerIdentity(context), std::string(action), asked.agent_abn(), false,
                   std::string(caller.status().message())})
          .IgnoreError();
    }
    return caller.status();
  }
  v1::AgentContext acting = asked;
  if (acting.agent_abn().empty() && caller->role() == access::Role::kPractice) {
    acting.set_agent_abn(caller->agent_abn());
    if (acting.ran().empty()) acting.set_ran(caller->ran());
  }
  absl::Status refused;
  if (caller->role() == access::Role::kPayroll) {
    refused = absl::PermissionDeniedError(absl::StrCat("identity '", caller->identity(),
                                                       "' is a payroll caller: ", action,
                                                       " is for agent practices"));
  } else if (!caller->MayActForPractice(acting.agent_abn())) {
    refused = absl::PermissionDeniedError(absl::StrCat(
        "identity '", caller->identity(), "' may not act for agent practice ", acting.agent_abn()));
  }
  const absl::Status audited =
      audit.Record({caller->identity(), std::string(action), acting.agent_abn(), refused.ok(),
                    std::string(detail)});
  if (!refused.ok()) return refused;
  if (!audited.ok()) return audited;
  return acting;
}

}  // namespace sbrgate::clients
