// ActForPractice: which agent practice a call of a client-management service
// (CUREL relationships, ICS registration) acts for, decided and audited the
// same way for each: a practice caller acts for its own practice (a request
// naming none is for it, with its RAN); an operator for the practice the
// request names; a payroll caller for none (PERMISSION_DENIED). The
// decision, allowed or not, goes to the audit log as `action` with `detail`
// before anything is asked of SBR, and a call that cannot be audited is
// refused.
//
//   absl::StatusOr<v1::AgentContext> agent = ActForPractice(
//       *authenticator, *audit, *context, request->agent(), "curel.add", "ABN 5300...");
//   if (!agent.ok()) return rpc::ToGrpcStatus(agent.status());
#ifndef SBRGATE_PIPELINE_CLIENTS_PRACTICE_ACCESS_PRACTICE_ACCESS_H_
#define SBRGATE_PIPELINE_CLIENTS_PRACTICE_ACCESS_PRACTICE_ACCESS_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/access/audit_log.h"
#include "pipeline/platform/access/authenticator.h"
#include "proto/communications.pb.h"

namespace sbrgate::clients {

// `asked` as the caller may send it: the practice filled in for a practice
// caller that names none.
absl::StatusOr<v1::AgentContext> ActForPractice(const access::Authenticator& authenticator,
                                                access::AuditLog& audit,
                                                const grpc::ServerContext& context,
                                                const v1::AgentContext& asked,
                                                absl::string_view action, absl::string_view detail);

}  // namespace sbrgate::clients

#endif  // SBRGATE_PIPELINE_CLIENTS_PRACTICE_ACCESS_PRACTICE_ACCESS_H_
