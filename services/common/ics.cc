#include "services/common/ics.h"

namespace sbrgate {

std::unique_ptr<IcsRegistration> IcsRegistration::Create(const PipelineConfig& config,
                                                         const sbr_client::SbrClient* sbr,
                                                         const access::Authenticator* authenticator,
                                                         access::AuditLog* audit) {
  std::unique_ptr<IcsRegistration> ics(new IcsRegistration());
  ics->sbr_ = std::make_unique<ics::SbrIcsExchange>(sbr, config.message_id_domain);
  ics->service_ = std::make_unique<ics::RegistrationServiceImpl>(
      ics::RegistrationServiceOptions{ics->sbr_.get(), authenticator, audit});
  return ics;
}

}  // namespace sbrgate
