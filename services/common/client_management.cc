#include "services/common/client_management.h"

namespace sbrgate {

std::unique_ptr<ClientManagement> ClientManagement::Create(
    const PipelineConfig& config, const sbr_client::SbrClient* sbr, const Clock* clock,
    const access::Authenticator* authenticator, access::AuditLog* audit) {
  std::unique_ptr<ClientManagement> c(new ClientManagement());
  c->agent_sbr_ = std::make_unique<clients::SbrAgentExchange>(sbr, config.message_id_domain);
  c->relationships_ = std::make_unique<relationships::RelationshipServiceImpl>(
      relationships::RelationshipServiceOptions{c->agent_sbr_.get(), authenticator, audit});
  c->demographics_ = std::make_unique<demographics::DemographicsServiceImpl>(
      demographics::DemographicsServiceOptions{c->agent_sbr_.get(), clock, authenticator, audit});
  c->registration_sbr_ = std::make_unique<ics::SbrIcsExchange>(sbr, config.message_id_domain);
  c->registration_ = std::make_unique<ics::RegistrationServiceImpl>(
      ics::RegistrationServiceOptions{c->registration_sbr_.get(), authenticator, audit});
  return c;
}

}  // namespace sbrgate
