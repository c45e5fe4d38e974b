#include "pipeline/clients/demographics/demographics_service.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/clients/demographics/catalog.h"
#include "pipeline/clients/demographics/rules.h"
#include "pipeline/clients/demographics/wire.h"
#include "pipeline/clients/practice_access/practice_access.h"
#include "pipeline/clntcomm/rules/request_rules.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/platform/rpc/status.h"

namespace sbrgate::demographics {
namespace {

// What the audit log says was asked about: the client and the level.
std::string Detail(const v1::DemographicsRequest& r) {
  const std::string user =
      r.agent().user_id().empty() ? "" : absl::StrCat("user ", r.agent().user_id(), ": ");
  return absl::StrCat(user, v1::ClientIdType_Name(r.client().type()), " ", r.client().value(),
                      r.account().empty() ? "" : absl::StrCat(" account ", r.account()));
}

}  // namespace

grpc::Status DemographicsServiceImpl::Call(grpc::ServerContext* context,
                                           const v1::DemographicsRequest* request,
                                           v1::DemographicsResponse* response) {
  v1::DemographicsRequest acting = *request;
  absl::StatusOr<v1::AgentContext> agent = clients::ActForPractice(
      *options_.authenticator, *options_.audit, *context, request->agent(),
      AuditAction(request->service(), request->operation()), Detail(*request));
  if (!agent.ok()) return rpc::ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *agent;
  const std::vector<FieldViolation> violations = RequestViolations(
      acting, absl::ToCivilDay(options_.clock->Now(), clntcomm::SydneyTimeZone()));
  if (!violations.empty()) {
    return rpc::ToGrpcStatus(clntcomm::ViolationsToStatus(violations), violations);
  }
  const ServiceSpec& spec = *FindService(acting.service());
  absl::StatusOr<std::string> answer = options_.sbr->Exchange(
      *agent, spec.ebms_service, Action(spec, acting.operation()), WriteRequest(acting));
  if (!answer.ok()) return rpc::ToGrpcStatus(answer.status());
  absl::StatusOr<v1::DemographicsResponse> read = ReadResponse(*answer);
  if (!read.ok()) return rpc::ToGrpcStatus(read.status());
  *response = *std::move(read);
  return grpc::Status::OK;
}

}  // namespace sbrgate::demographics
