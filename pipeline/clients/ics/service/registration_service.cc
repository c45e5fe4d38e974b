#include "pipeline/clients/ics/service/registration_service.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/clients/ics/rules/registration_rules.h"
#include "pipeline/clients/practice_access/practice_access.h"
#include "pipeline/platform/common/field_violation.h"
#include "pipeline/platform/rpc/status.h"

namespace sbrgate::ics {
namespace {

constexpr char kAction[] = "ics.register";

// What the audit log says was asked for.
std::string Detail(const v1::RegisterClientRequest& r) {
  std::string what;
  if (r.has_abn()) {
    what = absl::StrCat("ABN ", r.abn().abn());
  } else if (r.has_ccid()) {
    const v1::CcidRegistration& c = r.ccid();
    what = absl::StrCat(
        "CCID ", v1::IcsClient::Type_Name(c.client_type()), " '",
        c.client_type() == v1::IcsClient::ORG
            ? c.organisation_name()
            : absl::StripAsciiWhitespace(absl::StrCat(c.given_names(), " ", c.family_name())),
        "'");
  } else {
    what = "neither a CCID nor an ABN";
  }
  const std::string user =
      r.agent().user_id().empty() ? "" : absl::StrCat("user ", r.agent().user_id(), ": ");
  return absl::StrCat(user, what, ", roles ", absl::StrJoin(r.role_names(), " "));
}

}  // namespace

absl::StatusOr<v1::RegisterClientRequest> RegistrationServiceImpl::Acting(
    const grpc::ServerContext& context, const v1::RegisterClientRequest& request) const {
  absl::StatusOr<v1::AgentContext> agent = clients::ActForPractice(
      *options_.authenticator, *options_.audit, context, request.agent(), kAction, Detail(request));
  if (!agent.ok()) return agent.status();
  v1::RegisterClientRequest acting = request;
  *acting.mutable_agent() = *std::move(agent);
  return acting;
}

grpc::Status RegistrationServiceImpl::Register(grpc::ServerContext* context,
                                               const v1::RegisterClientRequest* request,
                                               v1::RegisterClientResponse* response) {
  absl::StatusOr<v1::RegisterClientRequest> acting = Acting(*context, *request);
  if (!acting.ok()) return rpc::ToGrpcStatus(acting.status());
  const std::vector<v1::RegistrationError> errors = RegistrationErrors(*acting);
  if (!errors.empty()) {
    std::vector<FieldViolation> violations;
    std::vector<std::string> parts;
    for (const v1::RegistrationError& e : errors) {
      violations.push_back({e.field(), absl::StrCat(e.message(), " (", e.code(), ")")});
      parts.push_back(absl::StrCat(e.field(), ": ", e.message()));
    }
    return rpc::ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
                                 "the registration was not sent: ", absl::StrJoin(parts, "; "))),
                             violations);
  }
  absl::StatusOr<v1::RegisterClientResponse> answer = options_.sbr->Register(*acting);
  if (!answer.ok()) return rpc::ToGrpcStatus(answer.status());
  *response = *std::move(answer);
  return grpc::Status::OK;
}

}  // namespace sbrgate::ics
