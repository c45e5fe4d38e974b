// RegistrationServiceImpl: the gRPC ClientRegistrationService (proto/
// ics.proto) through which an agent practice's software, or an operator,
// registers a client in the ATO's ICS register (seed 004): a CCID for an
// individual or organisation, or an ABN.
//
// Access (pipeline/platform/access): practices register for their own
// practice only (a request without an agent ABN is for it; one naming
// another practice is PERMISSION_DENIED); operators for any practice they
// name; payroll callers not at all. Every registration asked for, allowed
// or denied, goes to the audit log first (action "ics.register"), and one
// that cannot be audited is not sent.
//
// Then the rules sbrgate can check (pipeline/clients/ics/rules/registration_rules.h):
// a request breaking any is INVALID_ARGUMENT with a google.rpc.BadRequest
// naming each field ("description (code)") and never reaches SBR. The rest
// is the ATO's: its answer is the response (REGISTERED, REJECTED with its
// errors, DUPLICATE with the clients matched); SBR's failures are statuses
// as IcsExchange says (exchange.h).
//
//   RegistrationServiceImpl service({&sbr, authenticator, audit});
//   gateway_options.extra_services.push_back(&service);
#ifndef SBRGATE_PIPELINE_CLIENTS_ICS_SERVICE_REGISTRATION_SERVICE_H_
#define SBRGATE_PIPELINE_CLIENTS_ICS_SERVICE_REGISTRATION_SERVICE_H_

#include "absl/status/statusor.h"
#include "pipeline/clients/ics/exchange/exchange.h"
#include "pipeline/platform/access/audit_log.h"
#include "pipeline/platform/access/authenticator.h"
#include "proto/ics.grpc.pb.h"

namespace sbrgate::ics {

struct RegistrationServiceOptions {
  const IcsExchange* sbr = nullptr;
  // Who callers are, and where their requests are audited (both required).
  const access::Authenticator* authenticator = nullptr;
  access::AuditLog* audit = nullptr;
};

class RegistrationServiceImpl final : public v1::ClientRegistrationService::Service {
 public:
  // Everything in `options` must outlive the service.
  explicit RegistrationServiceImpl(RegistrationServiceOptions options)
      : options_(std::move(options)) {}

  grpc::Status Register(grpc::ServerContext* context, const v1::RegisterClientRequest* request,
                        v1::RegisterClientResponse* response) override;

 private:
  // `request` as its caller may send it, audited: the practice filled in
  // for a practice caller that names none.
  absl::StatusOr<v1::RegisterClientRequest> Acting(const grpc::ServerContext& context,
                                                   const v1::RegisterClientRequest& request) const;

  const RegistrationServiceOptions options_;
};

}  // namespace sbrgate::ics

#endif  // SBRGATE_PIPELINE_CLIENTS_ICS_SERVICE_REGISTRATION_SERVICE_H_
