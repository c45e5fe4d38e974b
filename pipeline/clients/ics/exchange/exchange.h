// IcsExchange: what the registration service needs of SBR for ICS client
// registration (seed 004): one CLREG sent on SBR's single request processor
// and the ATO's answer. SbrIcsExchange (sbr_exchange.h) is the real one over
// the SBR client; unit tests use fakes.
//
//   absl::StatusOr<v1::RegisterClientResponse> answer = exchange.Register(request);
//   switch (answer->outcome()) { REGISTERED: answer->client(); REJECTED:
//     answer->errors(); DUPLICATE: answer->duplicates() }
//
// Errors: Unavailable / DeadlineExceeded when SBR could not be reached, or
// answered with a SystemError (send again later: a registration that did
// happen meanwhile comes back as a duplicate, never twice); an ebMS error
// signal as FAILED_PRECONDITION (UNAUTHENTICATED for a failed
// authentication) naming its code; DATA_LOSS for an answer that is not a
// CLREG response.
#ifndef SBRGATE_PIPELINE_CLIENTS_ICS_EXCHANGE_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLIENTS_ICS_EXCHANGE_EXCHANGE_H_

#include "absl/status/statusor.h"
#include "proto/ics.pb.h"

namespace sbrgate::ics {

class IcsExchange {
 public:
  virtual ~IcsExchange() = default;
  // `request` as it is (checked before): the ATO's answer, with the
  // MessageId it went as.
  virtual absl::StatusOr<v1::RegisterClientResponse> Register(
      const v1::RegisterClientRequest& request) const = 0;
};

}  // namespace sbrgate::ics

#endif  // SBRGATE_PIPELINE_CLIENTS_ICS_EXCHANGE_EXCHANGE_H_
