#include "pipeline/stp/gateway/lodgment_json.h"

#include "gtest/gtest.h"

namespace sbrgate::gateway {
namespace {

using Json = nlohmann::ordered_json;

v1::RecordProblem Problem(const std::string& id) {
  v1::RecordProblem p;
  p.set_document_id(id);
  v1::RecordError* e = p.add_errors();
  e->set_code("VR.ATO.PAYEVNTEMP.000181");
  e->set_path("/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId");
  e->set_description("The Tax File Number ******782 fails the TFN check digit algorithm.");
  e->set_severity("Error");
  p.set_tfn_masked("******782");
  p.set_family_name("O'Neil");
  p.set_payroll_id("E1000007");
  return p;
}

TEST(LodgmentJsonTest, RendersEveryFieldUsersSee) {
  v1::Lodgment l;
  l.set_lodgment_id("5f0c");
  l.set_state(v1::PARTIALLY_ACCEPTED);
  l.set_kind("Submit");
  l.set_abn("24159816632");
  l.set_employees(40);
  l.set_employees_sent(39);
  *l.add_held_back() = Problem("1.7");
  *l.add_rejected_records() = Problem("1.9");
  l.mutable_receipt()->set_message_id("m-1@sbrgate.test");
  l.mutable_receipt()->mutable_received_at()->set_seconds(1721005323);
  v1::Poll* poll = l.add_polls();
  poll->mutable_at()->set_seconds(1721005383);
  poll->mutable_at()->set_nanos(500000000);
  poll->set_result("nothing-yet");
  l.set_maximum_severity("Partial");
  l.set_attempts(2);
  l.set_detail("1 employee record rejected");
  l.mutable_created_at()->set_seconds(1721005300);

  const Json j = LodgmentJson(l);
  EXPECT_EQ(j["lodgment_id"], "5f0c");
  EXPECT_EQ(j["state"], "PARTIALLY_ACCEPTED");
  EXPECT_EQ(j["employees"], 40);
  EXPECT_EQ(j["employees_sent"], 39);
  ASSERT_EQ(j["held_back"].size(), 1u);
  EXPECT_EQ(j["held_back"][0]["document_id"], "1.7");
  EXPECT_EQ(j["held_back"][0]["errors"][0]["code"], "VR.ATO.PAYEVNTEMP.000181");
  EXPECT_EQ(j["held_back"][0]["errors"][0]["path"],
            "/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId");
  EXPECT_EQ(j["held_back"][0]["payroll_id"], "E1000007");
  EXPECT_EQ(j["rejected_records"][0]["document_id"], "1.9");
  EXPECT_EQ(j["receipt"]["message_id"], "m-1@sbrgate.test");
  EXPECT_EQ(j["receipt"]["received_at"], "2024-07-15T01:02:03Z");
  EXPECT_EQ(j["polls"][0]["at"], "2024-07-15T01:03:03.5Z");
  EXPECT_EQ(j["polls"][0]["result"], "nothing-yet");
  EXPECT_EQ(j["maximum_severity"], "Partial");
  EXPECT_EQ(j["attempts"], 2);
  EXPECT_EQ(j["detail"], "1 employee record rejected");
  EXPECT_EQ(j["created_at"], "2024-07-15T01:01:40Z");
  EXPECT_TRUE(j["updated_at"].is_null());
}

TEST(LodgmentJsonTest, NoReceiptIsNull) {
  v1::Lodgment l;
  l.set_state(v1::RECEIVED);
  const Json j = LodgmentJson(l);
  EXPECT_TRUE(j["receipt"].is_null());
  EXPECT_EQ(j["state"], "RECEIVED");
  EXPECT_TRUE(j["held_back"].is_array());
  EXPECT_TRUE(j["polls"].empty());
}

TEST(LodgmentJsonTest, RejectedRecordsCarryTheirLodgment) {
  v1::RejectedRecord r;
  r.set_lodgment_id("5f0c");
  r.set_abn("24159816632");
  r.set_held_back(true);
  *r.mutable_problem() = Problem("1.7");
  const Json j = RejectedRecordJson(r);
  EXPECT_EQ(j["lodgment_id"], "5f0c");
  EXPECT_EQ(j["held_back"], true);
  EXPECT_EQ(j["document_id"], "1.7");
  EXPECT_EQ(j["family_name"], "O'Neil");
  EXPECT_EQ(j["errors"][0]["severity"], "Error");
}

}  // namespace
}  // namespace sbrgate::gateway
