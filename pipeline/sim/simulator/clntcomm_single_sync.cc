#include "pipeline/sim/simulator/clntcomm_single_sync.h"

#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sim/simulator/clntcomm_serve.h"

namespace sbrgate::sim {

absl::string_view ClntcommSingleSync::service() const { return ebms::kServiceClntcomm; }

bool ClntcommSingleSync::Offers(absl::string_view action) const {
  return action == ebms::kActionClntcommList || action == ebms::kActionClntcommGet;
}

absl::StatusOr<SingleSyncAnswer> ClntcommSingleSync::Answer(const ebms::UserMessage& message,
                                                            absl::string_view body_xml,
                                                            bool system_error) {
  StringSink response;
  absl::StatusOr<ServeOutcome> served =
      ServeClntcomm(*corpus_, message.action, message.from, body_xml, ClntcommMode::kSingle,
                    system_error, response);
  // Not Unavailable, whatever the sink said: nothing was left unsaved.
  if (!served.ok()) return absl::InternalError(served.status().message());
  if (absl::Status s = state_->CountClntcomm(message.action, /*bulk=*/false, *served); !s.ok()) {
    return absl::UnavailableError(s.message());
  }
  const bool list = message.action == ebms::kActionClntcommList;
  return SingleSyncAnswer{response.data(), clntcomm::kClntcommDocumentName,
                          list ? clntcomm::kClntcommListResponse : clntcomm::kClntcommGetResponse};
}

}  // namespace sbrgate::sim
