// CommsSbr: CLNTCOMM.0001.2020 LIST and GET as sbrgate sends them to SBR2,
// in both interaction patterns of seed 000:
//   - single (the single request processor, synchronous): QuickList and
//     GetOne, each one signed Single-sync exchange;
//   - bulk (the bulk and batch request processor, asynchronous): PushBulk
//     hands SBR a list or get request (one gzip attachment) and checks its
//     technical receipt; PullBulk asks for the response by reference until
//     it is there.
// The request and response documents are pipeline/clntcomm/wire/wire.h's.
//
//   SbrComms sbr(&client, &client, spool_dir, "sbrgate.example.com");
//   absl::StatusOr<v1::ListCommunicationsResponse> page = sbr.QuickList(request);
//   absl::Status s = sbr.PushBulk({message_id, pushed_at, agent, BulkKind::kList, xml});
//   absl::StatusOr<BulkPull> pulled = sbr.PullBulk(message_id);
//   if (pulled->ready) ... clntcomm::ResponseReader over pulled->response_path ...
//
// Errors: Unavailable / DeadlineExceeded when SBR could not be reached (send
// the same message again later: a bulk request keeps its MessageId and
// timestamp, so SBR's duplicate elimination makes the resend harmless);
// the ATO's refusal of the request as its own status (PERMISSION_DENIED for
// an agent without the relationship, INVALID_ARGUMENT for a request past the
// limits, ...); an ebMS error signal as FAILED_PRECONDITION naming its code.
#ifndef SBRGATE_PIPELINE_COMMS_SBR_COMMS_H_
#define SBRGATE_PIPELINE_COMMS_SBR_COMMS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/sbr/client/sbr_client.h"
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
  std::string response_path;  // when ready: the response document; the caller removes it
};

// What the communication service and the job stage need of SBR; SbrComms is
// the real one, unit tests use fakes.
class CommsSbr {
 public:
  virtual ~CommsSbr() = default;
  // At most 100 items, and more_results past that (the ATO's limit).
  virtual absl::StatusOr<v1::ListCommunicationsResponse> QuickList(
      const v1::ListCommunicationsRequest& request) const = 0;
  // One document with its bytes.
  virtual absl::StatusOr<clntcomm::ResponseEntry> GetOne(
      const v1::GetCommunicationRequest& request) const = 0;
  // OK once SBR has receipted the request.
  virtual absl::Status PushBulk(const BulkPush& push) const = 0;
  virtual absl::StatusOr<BulkPull> PullBulk(const std::string& message_id) const = 0;
};

class SbrComms : public CommsSbr {
 public:
  // `bulk`, `single` (usually the same SbrClient) must outlive this.
  SbrComms(const sbr_client::SbrApi* bulk, const sbr_client::SingleSyncApi* single,
           std::string spool_dir, std::string message_id_domain)
      : bulk_(bulk),
        single_(single),
        spool_dir_(std::move(spool_dir)),
        message_id_domain_(std::move(message_id_domain)) {}

  absl::StatusOr<v1::ListCommunicationsResponse> QuickList(
      const v1::ListCommunicationsRequest& request) const override;
  absl::StatusOr<clntcomm::ResponseEntry> GetOne(
      const v1::GetCommunicationRequest& request) const override;
  absl::Status PushBulk(const BulkPush& push) const override;
  absl::StatusOr<BulkPull> PullBulk(const std::string& message_id) const override;

 private:
  absl::StatusOr<std::string> Single(const v1::AgentContext& agent, const char* action,
                                     std::string body_xml) const;

  const sbr_client::SbrApi* bulk_;
  const sbr_client::SingleSyncApi* single_;
  std::string spool_dir_;
  std::string message_id_domain_;
};

// The agent as the ebMS From party: its ABN, in the registered agent role.
ebms::Party AgentParty(const v1::AgentContext& agent);

// An ebMS error signal as a status naming each code and description.
absl::Status EbmsErrorsToStatus(const std::vector<ebms::Error>& errors);

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_COMMS_SBR_COMMS_H_
