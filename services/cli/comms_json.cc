// JSON renderings of CommunicationService messages; see comms_json.h.
#include "services/cli/comms_json.h"

#include "pipeline/stp/gateway/lodgment_json.h"

namespace sbrgate::cli {

using Json = nlohmann::ordered_json;

Json ClientIdJson(const v1::ClientId& id) {
  Json json{{"type", v1::ClientIdType_Name(id.type())}, {"value", id.value()}};
  if (!id.reference().empty()) json["reference"] = id.reference();
  return json;
}

Json CommunicationItemJson(const v1::CommunicationItem& item) {
  return Json{{"document_id", item.document_id()},
              {"client", ClientIdJson(item.client())},
              {"client_name", item.client_name()},
              {"channel", v1::Channel_Name(item.channel())},
              {"category", v1::Category_Name(item.category())},
              {"title", item.title()},
              {"sent_at", gateway::TimestampJson(item.sent_at())},
              {"account", item.account()}};
}

Json CommunicationJson(const v1::Communication& c) {
  return Json{{"item", CommunicationItemJson(c.item())},
              {"sha256", c.sha256()},
              {"size", c.size()},
              {"served_from_store", c.served_from_store()}};
}

Json JobJson(const v1::Job& job) {
  Json items = Json::array();
  for (const v1::CommunicationItem& item : job.items())
    items.push_back(CommunicationItemJson(item));
  Json documents = Json::array();
  for (const v1::Communication& c : job.documents()) documents.push_back(CommunicationJson(c));
  return Json{{"job_id", job.job_id()},
              {"kind", job.kind()},
              {"state", v1::JobState_Name(job.state())},
              {"not_before", gateway::TimestampJson(job.not_before())},
              {"created_at", gateway::TimestampJson(job.created_at())},
              {"finished_at", gateway::TimestampJson(job.finished_at())},
              {"detail", job.detail()},
              {"item_count", job.item_count()},
              {"document_count", job.document_count()},
              {"served_from_store", job.served_from_store()},
              {"failed_documents", job.failed_documents()},
              {"items", std::move(items)},
              {"documents", std::move(documents)}};
}

}  // namespace sbrgate::cli
