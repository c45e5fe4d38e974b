// The CUDEMOGR catalogue (seed 001, Client Update Demographics): each of the
// suite's five services with its ebMS Service, the operations it offers,
// whether it works at account level, and the name sbrgate gives it (audit
// actions "cudemogr.<name>.<operation>", the CLI's `sbrgate clients <name>`).
// Everything that differs between the services is in this one table, so the
// rules, the wire, the exchange, the gRPC service and the simulator each
// have one path for all five.
//
//   const ServiceSpec* spec = FindService(v1::ADDRESSES);
//   if (!Offers(*spec, v1::SUBMIT)) ...;
//   single.service = spec->ebms_service; single.action = Action(*spec, v1::SUBMIT);
//
// Service names and action versions are our reading, after the profile's
// shapes and the seed's service versions *(unverified)*:
//   CUADDR       http://sbr.gov.au/ato/cuaddr/2016       List|Submit|Validate.003.00
//   CUASSOC      http://sbr.gov.au/ato/cuassoc/2017      List.001.00
//   CUAUTHCNTCT  http://sbr.gov.au/ato/cuauthcntct/2017  Submit|Validate.001.00
//   CUDTL        http://sbr.gov.au/ato/cudtl/2017        Get|Submit|Validate.003.00
//   CUFI         http://sbr.gov.au/ato/cufi/2016         List|Submit|Validate.003.00
#ifndef SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_CATALOG_H_
#define SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_CATALOG_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "proto/demographics.pb.h"

namespace sbrgate::demographics {

struct ServiceSpec {
  v1::CudemogrService service;
  absl::string_view code;          // "CUADDR", also the bodies' PartProperties DocumentName
  absl::string_view name;          // "addresses"
  absl::string_view ebms_service;  // "http://sbr.gov.au/ato/cuaddr/2016"
  absl::string_view version;       // "003.00": its actions are "List.003.00", ...
  unsigned operations;             // OperationBit of each operation offered
  bool account_level;              // may name one of the client's accounts
  // The field of v1::DemographicRecords its submits carry and its reads answer.
  absl::string_view records_field;
};

constexpr unsigned OperationBit(v1::CudemogrOperation op) { return 1u << op; }

// Every service, in enum order.
absl::Span<const ServiceSpec> Services();
// nullptr for CUDEMOGR_SERVICE_UNSPECIFIED or an unknown value.
const ServiceSpec* FindService(v1::CudemogrService service);
const ServiceSpec* FindServiceByEbms(absl::string_view ebms_service);

bool Offers(const ServiceSpec& spec, v1::CudemogrOperation op);
// "LIST, SUBMIT or VALIDATE": what `spec` offers, for messages.
std::string OfferedText(const ServiceSpec& spec);
// "Submit.003.00".
std::string Action(const ServiceSpec& spec, v1::CudemogrOperation op);
// The offered operation `action` names, if it names one.
std::optional<v1::CudemogrOperation> OperationOf(const ServiceSpec& spec, absl::string_view action);
// "cudemogr.addresses.submit"; "unknown" for what the request leaves unset.
std::string AuditAction(v1::CudemogrService service, v1::CudemogrOperation op);

}  // namespace sbrgate::demographics

#endif  // SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_CATALOG_H_
