// The JSON `sbrgate comms ... --json` prints for items, documents and jobs.
#include "services/cli/comms_json.h"

#include "gtest/gtest.h"

namespace sbrgate::cli {
namespace {

using Json = nlohmann::ordered_json;

v1::CommunicationItem Item() {
  v1::CommunicationItem item;
  item.set_document_id("D-1");
  item.mutable_client()->set_type(v1::TFN);
  item.mutable_client()->set_value("123456782");
  item.set_client_name("Jane Citizen");
  item.set_channel(v1::AGENT_DIGITAL);
  item.set_category(v1::NOTIFY);
  item.set_title("Notice of assessment");
  item.mutable_sent_at()->set_seconds(1721005323);
  item.set_account("AS:001");
  return item;
}

TEST(CommsJsonTest, ItemAndCommunication) {
  v1::Communication c;
  *c.mutable_item() = Item();
  c.set_sha256("ab12");
  c.set_size(2048);
  c.set_served_from_store(true);
  EXPECT_EQ(CommunicationJson(c), Json::parse(R"({"item": {"document_id": "D-1",
                                     "client": {"type": "TFN", "value": "123456782"},
                                     "client_name": "Jane Citizen", "channel": "AGENT_DIGITAL",
                                     "category": "NOTIFY", "title": "Notice of assessment",
                                     "sent_at": "2024-07-15T01:02:03Z", "account": "AS:001"},
                            "sha256": "ab12", "size": 2048, "served_from_store": true})"));
}

TEST(CommsJsonTest, JobWithUnsetTimesAsNull) {
  v1::Job job;
  job.set_job_id("j-1");
  job.set_kind("bulk-list");
  job.set_state(v1::SCHEDULED);
  job.mutable_not_before()->set_seconds(1721005323);
  job.mutable_created_at()->set_seconds(1721005300);
  job.set_item_count(1);
  job.set_revision(3);  // internal: not shown
  *job.add_items() = Item();
  const Json j = JobJson(job);
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"job_id", "kind", "state", "not_before", "created_at",
                                            "finished_at", "detail", "item_count", "document_count",
                                            "served_from_store", "failed_documents", "items",
                                            "documents"}));
  EXPECT_EQ(j["state"], "SCHEDULED");
  EXPECT_EQ(j["not_before"], "2024-07-15T01:02:03Z");
  EXPECT_TRUE(j["finished_at"].is_null());
  EXPECT_EQ(j["item_count"], 1);
  EXPECT_EQ(j["items"][0]["client"]["type"], "TFN");
  EXPECT_EQ(j["documents"], Json::array());
}

}  // namespace
}  // namespace sbrgate::cli
