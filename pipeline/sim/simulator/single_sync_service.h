// SingleSyncService: what the agency offers on Single-sync for one ebMS
// Service. The Single-sync handler (single_sync_handler.h) checks the
// envelope every service shares (one signed eb:UserMessage, its request in
// the SOAP Body, no attachments), picks the service the message's
// eb:Service names and sends back what it answers; a Service or Action no
// service offers gets EBMS:0010. One implementation per service:
// ClntcommSingleSync (CLNTCOMM list and get), IcsSingleSync (ICS client
// registration).
//
//   class CurelSingleSync : public SingleSyncService { ... };
//   SingleSyncHandler single_sync(clock, &http, &state, {&clntcomm, &ics, &curel});
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_SINGLE_SYNC_SERVICE_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_SINGLE_SYNC_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::sim {

// The business response: the SOAP Body of the answer and its PartProperties.
struct SingleSyncAnswer {
  std::string body_xml;
  std::string document_name;
  std::string document_type;
};

class SingleSyncService {
 public:
  virtual ~SingleSyncService() = default;

  // The ebMS Service it answers, e.g. http://sbr.gov.au/ato/clntcomm/2020.
  virtual absl::string_view service() const = 0;
  // Whether `action` of that Service is offered on Single-sync.
  virtual bool Offers(absl::string_view action) const = 0;
  // The answer to `message` (an offered action) whose request is
  // `body_xml`; with `system_error`, the agency's SystemError (fault mode).
  // A request the agency refuses is an answer saying so. Errors:
  // Unavailable when what the request changed could not be saved (HTTP 503:
  // the sender tries again); anything else means the agency could not
  // answer (EBMS:0004).
  virtual absl::StatusOr<SingleSyncAnswer> Answer(const ebms::UserMessage& message,
                                                  absl::string_view body_xml,
                                                  bool system_error) = 0;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_SINGLE_SYNC_SERVICE_H_
