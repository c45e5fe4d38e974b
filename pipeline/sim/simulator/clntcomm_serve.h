// The simulator's answer to one CLNTCOMM request: the checks the ATO makes
// on who asks and what, then the list or the documents from the corpus,
// written in the vocabulary of pipeline/clntcomm/wire/wire.h. The simulator calls
// it for Single-sync requests (mode kSingle) and for pushed bulk requests
// when they are processed (mode kBulk).
//
//   StringSink response;
//   absl::StatusOr<ServeOutcome> served = ServeClntcomm(
//       corpus, um.action, um.from, body_xml, ClntcommMode::kSingle, false, response);
//   // served->refused: the response is a cc:Error saying so.
#ifndef SBRGATE_PIPELINE_SIM_CLNTCOMM_SERVE_H_
#define SBRGATE_PIPELINE_SIM_CLNTCOMM_SERVE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"

namespace sbrgate::sim {

// The ATO's check that an agent's request comes from the agent: `from` is
// its ABN (party type ABN) or its RAN (party type TAN). PermissionDenied
// naming both otherwise.
absl::Status CheckFrom(const ebms::Party& from, const v1::AgentContext& agent);

enum class ClntcommMode { kSingle, kBulk };

struct ServeOutcome {
  absl::Status refused;   // not OK: the response is a cc:Error saying so
  int64_t items = 0;      // listed
  int64_t documents = 0;  // retrieved
  int64_t failures = 0;   // bulk get documents refused
};

// The simulator's answer to one CLNTCOMM request `request_xml` for `action`
// (List.001.00, Get.001.00) sent by `from`, written to `sink` as XML. The
// ATO-side checks: the request's agent is `from` (ABN or TAN party id), a
// registered agent with that RAN; list requests within the ATO's limits
// (clntcomm::ValidateListRequest, as of the corpus's clock); visibility as
// ClntcommCorpus says. With `system_error`, every request gets a SystemError
// (fault injection). Returns the sink's errors only.
absl::StatusOr<ServeOutcome> ServeClntcomm(const ClntcommCorpus& corpus, absl::string_view action,
                                           const ebms::Party& from, absl::string_view request_xml,
                                           ClntcommMode mode, bool system_error, ByteSink& sink);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_CLNTCOMM_SERVE_H_
