// RelationshipServiceImpl: the gRPC RelationshipService (proto/
// relationships.proto) through which an agent practice's (or payroll
// provider's) software manages its links with clients in ATO systems (CUREL,
// seed 001): search for a new client, add or remove a link at client,
// account or role level (each with a validate-only form), list the links.
//
// Access (pipeline/platform/access), as for the CommunicationService: a
// practice caller acts only for its own practice (a request without an
// agent ABN is for it; one naming another practice is PERMISSION_DENIED);
// operators act for any practice; payroll callers not at all. Every
// request, allowed or denied, goes to the audit log first (actions
// "curel.search", "curel.add", "curel.validate", "curel.remove",
// "curel.validate-remove", "curel.list"); one that cannot be audited is not
// sent.
//
// Then the rules of rules.h: a request breaking any is INVALID_ARGUMENT
// with a google.rpc.BadRequest naming each field, and never reaches SBR.
// The ATO's refusals come back as their statuses: NOT_FOUND (no such client,
// no such link to remove), ALREADY_EXISTS (the link stands),
// FAILED_PRECONDITION (not one of the client's accounts), PERMISSION_DENIED.
//
//   RelationshipServiceImpl service({&sbr, authenticator, audit});
//   gateway_options.extra_services.push_back(&service);
#ifndef SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_RELATIONSHIP_SERVICE_H_
#define SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_RELATIONSHIP_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "pipeline/clients/agent_exchange/agent_exchange.h"
#include "pipeline/platform/access/audit_log.h"
#include "pipeline/platform/access/authenticator.h"
#include "proto/relationships.grpc.pb.h"

namespace sbrgate::relationships {

struct RelationshipServiceOptions {
  const clients::AgentExchange* sbr = nullptr;
  // Who callers are, and where their requests are audited (both required).
  const access::Authenticator* authenticator = nullptr;
  access::AuditLog* audit = nullptr;
};

class RelationshipServiceImpl final : public v1::RelationshipService::Service {
 public:
  // Everything in `options` must outlive the service.
  explicit RelationshipServiceImpl(RelationshipServiceOptions options)
      : options_(std::move(options)) {}

  grpc::Status SearchClient(grpc::ServerContext* context, const v1::SearchClientRequest* request,
                            v1::SearchClientResponse* response) override;
  grpc::Status AddRelationship(grpc::ServerContext* context, const v1::RelationshipRequest* request,
                               v1::RelationshipResponse* response) override;
  grpc::Status ValidateRelationship(grpc::ServerContext* context,
                                    const v1::RelationshipRequest* request,
                                    v1::RelationshipResponse* response) override;
  grpc::Status RemoveRelationship(grpc::ServerContext* context,
                                  const v1::RelationshipRequest* request,
                                  v1::RelationshipResponse* response) override;
  grpc::Status ValidateRemoveRelationship(grpc::ServerContext* context,
                                          const v1::RelationshipRequest* request,
                                          v1::RelationshipResponse* response) override;
  grpc::Status ListRelationships(grpc::ServerContext* context,
                                 const v1::ListRelationshipsRequest* request,
                                 v1::ListRelationshipsResponse* response) override;

 private:
  // The agent the caller acts for in `agent` (the practice filled in for a
  // practice caller that names none), audited as `action` with `detail`.
  absl::StatusOr<v1::AgentContext> Acting(const grpc::ServerContext& context,
                                          const v1::AgentContext& agent, const char* action,
                                          const std::string& detail) const;
  grpc::Status Change(grpc::ServerContext* context, const v1::RelationshipRequest& request,
                      const char* audit_action, const char* sbr_action,
                      v1::RelationshipResponse* response) const;

  const RelationshipServiceOptions options_;
};

}  // namespace sbrgate::relationships

#endif  // SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_RELATIONSHIP_SERVICE_H_
