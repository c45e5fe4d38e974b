// ICS client registration as a deployable unit: the gRPC
// ClientRegistrationService (proto/ics.proto) over the SBR client's
// single request processor. It keeps no state of its own. Used by the
// all-in-one sbrgated, which serves it beside the LodgmentService and the
// CommunicationService on one port.
//
//   std::unique_ptr<IcsRegistration> ics =
//       IcsRegistration::Create(config, sbr, authenticator, audit);
//   gateway_options.extra_services.push_back(ics->service());
#ifndef SBRGATE_SERVICES_COMMON_ICS_H_
#define SBRGATE_SERVICES_COMMON_ICS_H_

#include <memory>

#include "pipeline/ics/exchange/sbr_exchange.h"
#include "pipeline/ics/service/registration_service.h"
#include "pipeline/platform/access/audit_log.h"
#include "pipeline/platform/access/authenticator.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "services/common/pipeline.h"

namespace sbrgate {

class IcsRegistration {
 public:
  // `sbr`, `authenticator` and `audit` must outlive the result.
  static std::unique_ptr<IcsRegistration> Create(const PipelineConfig& config,
                                                 const sbr_client::SbrClient* sbr,
                                                 const access::Authenticator* authenticator,
                                                 access::AuditLog* audit);
  grpc::Service* service() { return service_.get(); }

 private:
  IcsRegistration() = default;
  std::unique_ptr<ics::SbrIcsExchange> sbr_;
  std::unique_ptr<ics::RegistrationServiceImpl> service_;
};

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_ICS_H_
