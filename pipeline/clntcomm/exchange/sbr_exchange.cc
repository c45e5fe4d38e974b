#include "pipeline/clntcomm/exchange/sbr_exchange.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/sbr/client/agent_party.h"

namespace sbrgate::comms {

ebms::Party AgentParty(const v1::AgentContext& agent) {
  return sbr_client::RegisteredAgentParty(agent.ran(), agent.agent_abn());
}

absl::StatusOr<std::string> SbrClntcommExchange::Single(const v1::AgentContext& agent, const char* action,
                                             std::string body_xml) const {
  sbr_client::SingleRequest request;
  request.message_id = ebms::NewMessageId(message_id_domain_);
  request.from = AgentParty(agent);
  request.service = ebms::kServiceClntcomm;
  request.action = action;
  request.body_xml = std::move(body_xml);
  absl::StatusOr<sbr_client::SingleOutcome> outcome = single_->Exchange(request);
  if (!outcome.ok()) return outcome.status();
  if (!outcome->errors.empty()) return sbr_client::EbmsErrorsToStatus(outcome->errors);
  return std::move(outcome->body_xml);
}

absl::StatusOr<v1::ListCommunicationsResponse> SbrClntcommExchange::QuickList(
    const v1::ListCommunicationsRequest& request) const {
  absl::StatusOr<std::string> body =
      Single(request.agent(), ebms::kActionClntcommList, clntcomm::WriteListRequest(request));
  if (!body.ok()) return body.status();
  return clntcomm::ReadListResponse(*body);
}

absl::StatusOr<clntcomm::ResponseEntry> SbrClntcommExchange::GetOne(
    const v1::GetCommunicationRequest& request) const {
  v1::BulkGetRequest get;
  *get.mutable_agent() = request.agent();
  *get.add_documents() = request;
  absl::StatusOr<std::string> body =
      Single(request.agent(), ebms::kActionClntcommGet, clntcomm::WriteGetRequest(get));
  if (!body.ok()) return body.status();
  absl::StatusOr<std::vector<clntcomm::ResponseEntry>> entries = clntcomm::ReadGetResponse(*body);
  if (!entries.ok()) return entries.status();
  if (entries->size() != 1) {
    return absl::DataLossError(absl::StrCat("SBR answered a get of document ",
                                            request.document_id(), " with ", entries->size(),
                                            " documents"));
  }
  clntcomm::ResponseEntry& entry = entries->front();
  if (!entry.status.ok()) return entry.status;
  if (entry.document.item.document_id() != request.document_id()) {
    return absl::DataLossError(absl::StrCat("SBR answered a get of document ",
                                            request.document_id(), " with document ",
                                            entry.document.item.document_id()));
  }
  return std::move(entry);
}

absl::Status SbrClntcommExchange::PushBulk(const BulkPush& push) const {
  // The request travels as SBR's one gzip attachment; the spooled copy goes
  // once the push is over (a resend writes it again, byte for byte).
  const std::string path = absl::StrCat(spool_dir_, "/", push.message_id, ".clntcomm.xml.gz");
  {
    absl::StatusOr<std::unique_ptr<FileSink>> file = FileSink::Create(path);
    if (!file.ok()) return file.status();
    GzipSink gz(*std::move(file));
    if (absl::Status s = gz.Write(push.request_xml); !s.ok()) return s;
    if (absl::Status s = gz.Close(); !s.ok()) return s;
  }
  sbr_client::LodgmentPush lodgment;
  lodgment.message_id = push.message_id;
  lodgment.timestamp = push.timestamp;
  lodgment.conversation_id = push.message_id;
  lodgment.from = AgentParty(push.agent);
  lodgment.service = ebms::kServiceClntcomm;
  const bool list = push.kind == BulkKind::kList;
  lodgment.action = list ? ebms::kActionClntcommList : ebms::kActionClntcommGet;
  lodgment.payload_gzip = StoredBytes::File(path);
  lodgment.document_name = clntcomm::kClntcommDocumentName;
  lodgment.document_type = list ? clntcomm::kClntcommListRequest : clntcomm::kClntcommGetRequest;
  absl::StatusOr<sbr_client::PushOutcome> pushed = bulk_->Push(lodgment);
  std::remove(path.c_str());
  if (!pushed.ok()) {
    // No receipt we can trust: the same message goes again later.
    if (pushed.status().code() == absl::StatusCode::kDataLoss) {
      return absl::UnavailableError(pushed.status().message());
    }
    return pushed.status();
  }
  if (!pushed->receipt) return sbr_client::EbmsErrorsToStatus(pushed->errors);
  return absl::OkStatus();
}

absl::StatusOr<BulkPull> SbrClntcommExchange::PullBulk(const std::string& message_id) const {
  absl::StatusOr<sbr_client::PullOutcome> pulled = bulk_->Pull(message_id);
  if (!pulled.ok()) return pulled.status();
  BulkPull out;
  switch (pulled->kind) {
    case sbr_client::PullOutcome::Kind::kNothingYet:
      return out;
    case sbr_client::PullOutcome::Kind::kResponse:
      out.ready = true;
      out.response = pulled->response;
      return out;
    case sbr_client::PullOutcome::Kind::kError:
      break;
  }
  return sbr_client::EbmsErrorsToStatus(pulled->errors);
}

}  // namespace sbrgate::comms
