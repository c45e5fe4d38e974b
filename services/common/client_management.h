// Client management as a deployable unit: the gRPC services through which
// agent practices manage their clients with the ATO, each over the SBR
// client's single request processor and keeping no state of its own: the
// RelationshipService (CUREL, proto/relationships.proto), the
// DemographicsService (CUDEMOGR, proto/demographics.proto) and the
// ClientRegistrationService (ICS client registration, proto/ics.proto).
// Used by the all-in-one sbrgated, which serves them beside the
// LodgmentService and the CommunicationService on one port.
//
//   std::unique_ptr<ClientManagement> clients =
//       ClientManagement::Create(config, sbr, clock, authenticator, audit);
//   for (grpc::Service* s : clients->services()) gateway_options.extra_services.push_back(s);
#ifndef SBRGATE_SERVICES_COMMON_CLIENT_MANAGEMENT_H_
#define SBRGATE_SERVICES_COMMON_CLIENT_MANAGEMENT_H_

#include <memory>
#include <vector>

#include "pipeline/clients/agent_exchange/sbr_agent_exchange.h"
#include "pipeline/clients/demographics/demographics_service.h"
#include "pipeline/clients/ics/exchange/sbr_exchange.h"
#include "pipeline/clients/ics/service/registration_service.h"
#include "pipeline/clients/relationships/relationship_service.h"
#include "pipeline/platform/access/audit_log.h"
#include "pipeline/platform/access/authenticator.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "services/common/pipeline.h"

namespace sbrgate {

class ClientManagement {
 public:
  // `sbr`, `clock`, `authenticator` and `audit` must outlive the result.
  static std::unique_ptr<ClientManagement> Create(const PipelineConfig& config,
                                                  const sbr_client::SbrClient* sbr,
                                                  const Clock* clock,
                                                  const access::Authenticator* authenticator,
                                                  access::AuditLog* audit);
  std::vector<grpc::Service*> services() {
    return {relationships_.get(), demographics_.get(), registration_.get()};
  }

 private:
  ClientManagement() = default;
  std::unique_ptr<clients::SbrAgentExchange> agent_sbr_;  // CUREL and CUDEMOGR
  std::unique_ptr<relationships::RelationshipServiceImpl> relationships_;
  std::unique_ptr<demographics::DemographicsServiceImpl> demographics_;
  std::unique_ptr<ics::SbrIcsExchange> registration_sbr_;
  std::unique_ptr<ics::RegistrationServiceImpl> registration_;
};

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_CLIENT_MANAGEMENT_H_
