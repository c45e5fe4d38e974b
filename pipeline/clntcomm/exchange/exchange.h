// ClntcommExchange: what the communication service and the job stage need
// of SBR for CLNTCOMM.0001.2020 LIST and GET, in both interaction patterns of
// seed 000:
//   - single (the single request processor, synchronous): QuickList and
//     GetOne, each one signed Single-sync exchange;
//   - bulk (the bulk and batch request processor, asynchronous): PushBulk
//     hands SBR a list or get request (one gzip attachment) and checks its
//     technical receipt; PullBulk asks for the response by reference until
//     it is there.
// SbrClntcommExchange (sbr_exchange.h) is the real one over the SBR client;
// unit tests use FakeClntcommExchange (fake_exchange.h).
//
//   absl::StatusOr<v1::ListCommunicationsResponse> page = exchange.QuickList(request);
//   absl::Status s = exchange.PushBulk({message_id, pushed_at, agent, BulkKind::kList, xml});
//   absl::StatusOr<BulkPull> pulled = exchange.PullBulk(message_id);
//
// Errors: Unavailable / DeadlineExceeded when SBR could not be reached (send
// the same message again later: a bulk request keeps its MessageId and
// timestamp, so SBR's duplicate elimination makes the resend harmless);
// the ATO's refusal of the request as its own status (PERMISSION_DENIED for
// an agent without the relationship, INVALID_ARGUMENT for a request past the
// limits, ...); an ebMS error signal as FAILED_PRECONDITION naming its code.
#ifndef SBRGATE_PIPELINE_CLNTCOMM_EXCHANGE_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLNTCOMM_EXCHANGE_EXCHANGE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/stored_bytes.h"
#include "proto/communications.pb.h"

namespace sbrgate::comms {

enum class BulkKind { kList, kGet };

struct BulkPush {
  std::string message_id;  // stable across resends
  absl::Time timestamp;    // likewise
  v1::AgentContext agent;
  BulkKind kind = BulkKind::kList;
  std::string request_xml;  // clntcomm::WriteListRequest / WriteGetRequest
};

struct BulkPull {
  bool ready = false;
  // When ready: the response document (a working file, if not in memory,
  // that the caller removes).
  StoredBytes response;
};

class ClntcommExchange {
 public:
  virtual ~ClntcommExchange() = default;
  // At most 100 items, and more_results past that (the ATO's limit).
  virtual absl::StatusOr<v1::ListCommunicationsResponse> QuickList(
      const v1::ListCommunicationsRequest& request) const = 0;
  // One document with its bytes.
  virtual absl::StatusOr<clntcomm::ResponseEntry> GetOne(
      const v1::GetCommunicationRequest& request) const = 0;
  // OK once SBR has receipted the request.
  virtual absl::Status PushBulk(const BulkPush& push) const = 0;
  virtual absl::StatusOr<BulkPull> PullBulk(const std::string& message_id) const = 0;
  // For a process that is stopping: exchanges in progress end soon, and
  // later ones at once, Unavailable (sbr_client::SbrApi::CancelExchanges).
  virtual void CancelExchanges() const = 0;
};

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_CLNTCOMM_EXCHANGE_EXCHANGE_H_
