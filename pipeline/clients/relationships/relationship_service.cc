#include "pipeline/clients/relationships/relationship_service.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/clients/practice_access/practice_access.h"
#include "pipeline/clients/relationships/rules.h"
#include "pipeline/clients/relationships/wire.h"
#include "pipeline/clntcomm/rules/request_rules.h"
#include "pipeline/platform/rpc/status.h"

namespace sbrgate::relationships {
namespace {

std::string ClientText(const v1::ClientId& c) {
  return absl::StrCat(v1::ClientIdType_Name(c.type()), " ", c.value());
}

std::string RelationshipText(const v1::Relationship& r) {
  return absl::StrCat(ClientText(r.client()), " ", v1::RelationshipLevel_Name(r.level()),
                      r.account().empty() ? "" : absl::StrCat(" ", r.account()),
                      r.role().empty() ? "" : absl::StrCat(" ", r.role()));
}

// INVALID_ARGUMENT naming each broken rule, or OK.
grpc::Status Refusal(const std::vector<FieldViolation>& violations) {
  if (violations.empty()) return grpc::Status::OK;
  return rpc::ToGrpcStatus(clntcomm::ViolationsToStatus(violations), violations);
}

}  // namespace

absl::StatusOr<v1::AgentContext> RelationshipServiceImpl::Acting(const grpc::ServerContext& context,
                                                                 const v1::AgentContext& agent,
                                                                 const char* action,
                                                                 const std::string& detail) const {
  return clients::ActForPractice(*options_.authenticator, *options_.audit, context, agent, action,
                                 detail);
}

grpc::Status RelationshipServiceImpl::SearchClient(grpc::ServerContext* context,
                                                   const v1::SearchClientRequest* request,
                                                   v1::SearchClientResponse* response) {
  v1::SearchClientRequest acting = *request;
  absl::StatusOr<v1::AgentContext> agent =
      Acting(*context, request->agent(), "curel.search", ClientText(request->client()));
  if (!agent.ok()) return rpc::ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *agent;
  if (grpc::Status s = Refusal(SearchRequestViolations(acting)); !s.ok()) return s;
  absl::StatusOr<std::string> answer =
      options_.sbr->Exchange(*agent, kServiceCurel, kActionSearch, WriteSearchRequest(acting));
  if (!answer.ok()) return rpc::ToGrpcStatus(answer.status());
  absl::StatusOr<v1::SearchClientResponse> found = ReadSearchResponse(*answer);
  if (!found.ok()) return rpc::ToGrpcStatus(found.status());
  *response = *std::move(found);
  return grpc::Status::OK;
}

grpc::Status RelationshipServiceImpl::Change(grpc::ServerContext* context,
                                             const v1::RelationshipRequest& request,
                                             const char* audit_action, const char* sbr_action,
                                             v1::RelationshipResponse* response) const {
  v1::RelationshipRequest acting = request;
  absl::StatusOr<v1::AgentContext> agent =
      Acting(*context, request.agent(), audit_action, RelationshipText(request.relationship()));
  if (!agent.ok()) return rpc::ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *agent;
  if (grpc::Status s = Refusal(RelationshipRequestViolations(acting)); !s.ok()) return s;
  absl::StatusOr<std::string> answer =
      options_.sbr->Exchange(*agent, kServiceCurel, sbr_action, WriteRelationshipRequest(acting));
  if (!answer.ok()) return rpc::ToGrpcStatus(answer.status());
  absl::StatusOr<v1::RelationshipResponse> changed = ReadRelationshipResponse(*answer);
  if (!changed.ok()) return rpc::ToGrpcStatus(changed.status());
  *response = *std::move(changed);
  return grpc::Status::OK;
}

grpc::Status RelationshipServiceImpl::AddRelationship(grpc::ServerContext* context,
                                                      const v1::RelationshipRequest* request,
                                                      v1::RelationshipResponse* response) {
  return Change(context, *request, "curel.add", kActionSubmit, response);
}

grpc::Status RelationshipServiceImpl::ValidateRelationship(grpc::ServerContext* context,
                                                           const v1::RelationshipRequest* request,
                                                           v1::RelationshipResponse* response) {
  return Change(context, *request, "curel.validate", kActionValidate, response);
}

grpc::Status RelationshipServiceImpl::RemoveRelationship(grpc::ServerContext* context,
                                                         const v1::RelationshipRequest* request,
                                                         v1::RelationshipResponse* response) {
  return Change(context, *request, "curel.remove", kActionRemove, response);
}

grpc::Status RelationshipServiceImpl::ValidateRemoveRelationship(
    grpc::ServerContext* context, const v1::RelationshipRequest* request,
    v1::RelationshipResponse* response) {
  return Change(context, *request, "curel.validate-remove", kActionValidateRemove, response);
}

grpc::Status RelationshipServiceImpl::ListRelationships(grpc::ServerContext* context,
                                                        const v1::ListRelationshipsRequest* request,
                                                        v1::ListRelationshipsResponse* response) {
  v1::ListRelationshipsRequest acting = *request;
  absl::StatusOr<v1::AgentContext> agent =
      Acting(*context, request->agent(), "curel.list",
             request->has_client() ? ClientText(request->client()) : "every client");
  if (!agent.ok()) return rpc::ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *agent;
  if (grpc::Status s = Refusal(ListRequestViolations(acting)); !s.ok()) return s;
  absl::StatusOr<std::string> answer =
      options_.sbr->Exchange(*agent, kServiceCurel, kActionList, WriteListRequest(acting));
  if (!answer.ok()) return rpc::ToGrpcStatus(answer.status());
  absl::StatusOr<v1::ListRelationshipsResponse> listed = ReadListResponse(*answer);
  if (!listed.ok()) return rpc::ToGrpcStatus(listed.status());
  *response = *std::move(listed);
  return grpc::Status::OK;
}

}  // namespace sbrgate::relationships
