// DemographicsServiceImpl: the gRPC DemographicsService (proto/
// demographics.proto) through which an agent practice's software reads and
// keeps up its clients' demographic information in ATO systems (CUDEMOGR,
// seed 001): addresses, associates, authorised contacts, client details and
// financial institution accounts, through one generic call whatever the
// service (catalog.h says what each offers).
//
// Access as for the RelationshipService (pipeline/clients/practice_access/
// practice_access.h): practices for their own practice, operators for any,
// payroll callers not at all; every request, allowed or denied, audited
// first as "cudemogr.<service>.<operation>" (e.g. "cudemogr.addresses.submit").
//
// Then the rules of rules.h, as of today in Sydney: a request breaking any
// (an operation its service does not offer among them) is INVALID_ARGUMENT
// with a google.rpc.BadRequest naming each field, and never reaches SBR.
// The ATO's refusals come back as their statuses: NOT_FOUND (no such
// client), PERMISSION_DENIED (no relationship with the client, or none at
// the level asked), FAILED_PRECONDITION (not one of the client's accounts;
// details of the other kind of entity).
//
//   DemographicsServiceImpl service({&sbr, &clock, authenticator, audit});
//   gateway_options.extra_services.push_back(&service);
#ifndef SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_DEMOGRAPHICS_SERVICE_H_
#define SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_DEMOGRAPHICS_SERVICE_H_

#include "pipeline/clients/agent_exchange/agent_exchange.h"
#include "pipeline/platform/access/audit_log.h"
#include "pipeline/platform/access/authenticator.h"
#include "pipeline/platform/common/clock.h"
#include "proto/demographics.grpc.pb.h"

namespace sbrgate::demographics {

struct DemographicsServiceOptions {
  const clients::AgentExchange* sbr = nullptr;
  const Clock* clock = nullptr;  // "today" for the rules
  // Who callers are, and where their requests are audited (both required).
  const access::Authenticator* authenticator = nullptr;
  access::AuditLog* audit = nullptr;
};

class DemographicsServiceImpl final : public v1::DemographicsService::Service {
 public:
  // Everything in `options` must outlive the service.
  explicit DemographicsServiceImpl(DemographicsServiceOptions options)
      : options_(std::move(options)) {}

  grpc::Status Call(grpc::ServerContext* context, const v1::DemographicsRequest* request,
                    v1::DemographicsResponse* response) override;

 private:
  const DemographicsServiceOptions options_;
};

}  // namespace sbrgate::demographics

#endif  // SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_DEMOGRAPHICS_SERVICE_H_
