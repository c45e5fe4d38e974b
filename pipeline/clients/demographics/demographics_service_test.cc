// DemographicsServiceImpl over a scripted SBR: what is refused before SBR is
// asked, where each service's requests go, the ATO's answers and refusals,
// and the audit. The real simulator behind, across processes, is
// tests/demographics_e2e_test.cc's.
#include "pipeline/clients/demographics/demographics_service.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "pipeline/clients/demographics/wire.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace sbrgate::demographics {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Sent {
  std::string ebms_service;
  std::string action;
  v1::DemographicsRequest request;
};

class ScriptedExchange : public clients::AgentExchange {
 public:
  absl::StatusOr<std::string> Exchange(const v1::AgentContext& agent,
                                       absl::string_view ebms_service, absl::string_view action,
                                       std::string body_xml) const override {
    absl::StatusOr<v1::DemographicsRequest> read = ReadRequest(body_xml);
    EXPECT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->agent().agent_abn(), agent.agent_abn());
    sent.push_back({std::string(ebms_service), std::string(action), *read});
    return answer;
  }
  mutable std::vector<Sent> sent;
  absl::StatusOr<std::string> answer;
};

std::vector<std::string> BadRequestFields(const grpc::Status& s) {
  std::vector<std::string> fields;
  google::rpc::Status rich;
  if (!rich.ParseFromString(s.error_details())) return fields;
  for (const google::protobuf::Any& any : rich.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) fields.push_back(v.field());
  }
  return fields;
}

v1::DemographicsRequest Request(v1::CudemogrService service, v1::CudemogrOperation op) {
  v1::DemographicsRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran("12345678");
  r.mutable_agent()->set_user_id("alice");
  r.set_service(service);
  r.set_operation(op);
  r.mutable_client()->set_type(v1::ABN);
  r.mutable_client()->set_value("53004085616");
  return r;
}

v1::DemographicsRequest SubmitBankAccount() {
  v1::DemographicsRequest r = Request(v1::FINANCIAL_INSTITUTIONS, v1::SUBMIT);
  v1::FinancialInstitutionAccount* a = r.mutable_records()->add_financial_institution_accounts();
  a->set_purpose(v1::FinancialInstitutionAccount::INCOME_TAX_REFUND);
  a->set_bsb("062000");
  a->set_account_number("12345678");
  a->set_account_name("Harbour Joinery");
  return r;
}

class DemographicsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    audit_path_ = std::string(std::getenv("TEST_TMPDIR")) + "/" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".audit";
    auto audit = access::AuditLog::Open(audit_path_, &clock_);
    ASSERT_TRUE(audit.ok()) << audit.status();
    audit_ = *std::move(audit);
    service_ = std::make_unique<DemographicsServiceImpl>(
        DemographicsServiceOptions{&sbr_, &clock_, authenticator_.get(), audit_.get()});
  }

  grpc::Status Call(const v1::DemographicsRequest& r, v1::DemographicsResponse* out) {
    grpc::ServerContext context;
    return service_->Call(&context, &r, out);
  }

  std::vector<nlohmann::json> Audited() {
    absl::StatusOr<std::string> log = ReadFileToString(audit_path_);
    EXPECT_TRUE(log.ok()) << log.status();
    std::vector<nlohmann::json> events;
    for (absl::string_view line : absl::StrSplit(log.value_or(""), '\n', absl::SkipEmpty())) {
      events.push_back(nlohmann::json::parse(line));
    }
    return events;
  }

  // 2026-03-15 01:00 UTC: noon in Sydney.
  ManualClock clock_{absl::FromUnixSeconds(1773536400)};
  ScriptedExchange sbr_;
  std::unique_ptr<access::Authenticator> authenticator_ = access::Authenticator::LoopbackOperator();
  std::string audit_path_;
  std::unique_ptr<access::AuditLog> audit_;
  std::unique_ptr<DemographicsServiceImpl> service_;
};

TEST_F(DemographicsServiceTest, WhatBreaksTheRulesNeverReachesSbr) {
  v1::DemographicsRequest r = SubmitBankAccount();
  r.mutable_records()->mutable_financial_institution_accounts(0)->set_bsb("06200");
  v1::DemographicsResponse out;
  grpc::Status s = Call(r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadRequestFields(s), ElementsAre("records.financial_institution_accounts[0].bsb"));
  EXPECT_THAT(s.error_message(), HasSubstr("'06200' is not a BSB"));

  s = Call(Request(v1::ASSOCIATES, v1::SUBMIT), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadRequestFields(s), ElementsAre("operation"));

  // Tomorrow in Sydney is not a date of birth yet.
  r = Request(v1::DETAILS, v1::VALIDATE);
  r.mutable_records()->mutable_details()->set_entity(v1::ClientDetails::INDIVIDUAL);
  r.mutable_records()->mutable_details()->set_family_name("Nguyen");
  r.mutable_records()->mutable_details()->set_date_of_birth("2026-03-16");
  EXPECT_THAT(BadRequestFields(Call(r, &out)), ElementsAre("records.details.date_of_birth"));
  r.mutable_records()->mutable_details()->set_date_of_birth("2026-03-15");
  sbr_.answer = WriteResponse(v1::DemographicsResponse());
  EXPECT_TRUE(Call(r, &out).ok());
  EXPECT_EQ(sbr_.sent.size(), 1u);
}

TEST_F(DemographicsServiceTest, EachServiceGoesToItsEbmsServiceAndAction) {
  v1::DemographicsResponse answer;
  answer.set_service(v1::FINANCIAL_INSTITUTIONS);
  answer.set_operation(v1::SUBMIT);
  *answer.mutable_client() = SubmitBankAccount().client();
  answer.set_client_name("Harbour Joinery Pty Ltd");
  answer.set_changed(true);
  *answer.mutable_records() = SubmitBankAccount().records();
  sbr_.answer = WriteResponse(answer);
  v1::DemographicsResponse out;
  ASSERT_TRUE(Call(SubmitBankAccount(), &out).ok());
  EXPECT_EQ(out.client_name(), "Harbour Joinery Pty Ltd");
  EXPECT_TRUE(out.changed());
  EXPECT_EQ(out.records().financial_institution_accounts(0).bsb(), "062000");

  v1::DemographicsRequest addresses = Request(v1::ADDRESSES, v1::LIST);
  addresses.set_account("AS:001");
  for (const v1::DemographicsRequest& r :
       {addresses, Request(v1::ASSOCIATES, v1::LIST), Request(v1::DETAILS, v1::GET)}) {
    ASSERT_TRUE(Call(r, &out).ok());
  }
  ASSERT_EQ(sbr_.sent.size(), 4u);
  EXPECT_EQ(sbr_.sent[0].ebms_service, "http://sbr.gov.au/ato/cufi/2016");
  EXPECT_EQ(sbr_.sent[0].action, "Submit.003.00");
  EXPECT_EQ(sbr_.sent[0].request.records().financial_institution_accounts_size(), 1);
  EXPECT_EQ(sbr_.sent[1].ebms_service, "http://sbr.gov.au/ato/cuaddr/2016");
  EXPECT_EQ(sbr_.sent[1].action, "List.003.00");
  EXPECT_EQ(sbr_.sent[1].request.account(), "AS:001");
  EXPECT_EQ(sbr_.sent[2].ebms_service, "http://sbr.gov.au/ato/cuassoc/2017");
  EXPECT_EQ(sbr_.sent[2].action, "List.001.00");
  EXPECT_EQ(sbr_.sent[3].ebms_service, "http://sbr.gov.au/ato/cudtl/2017");
  EXPECT_EQ(sbr_.sent[3].action, "Get.003.00");
}

TEST_F(DemographicsServiceTest, TheAtosRefusalsAreStatuses) {
  v1::DemographicsResponse out;
  sbr_.answer = WriteErrorResponse(
      absl::PermissionDeniedError("agent 51824753556 has no relationship with ABN:53004085616"),
      "SBR.GEN.AUTH.006");
  grpc::Status s = Call(Request(v1::DETAILS, v1::GET), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("no relationship"));
  sbr_.answer = absl::UnavailableError("SBR could not be reached");
  EXPECT_EQ(Call(Request(v1::DETAILS, v1::GET), &out).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(DemographicsServiceTest, EveryRequestIsAuditedAsItsServiceAndOperation) {
  sbr_.answer = WriteResponse(v1::DemographicsResponse());
  v1::DemographicsResponse out;
  v1::DemographicsRequest contacts = Request(v1::AUTHORISED_CONTACTS, v1::VALIDATE);
  contacts.set_account("IT");
  ASSERT_TRUE(Call(SubmitBankAccount(), &out).ok());
  EXPECT_FALSE(Call(contacts, &out).ok());  // no contact: refused, audited all the same
  ASSERT_TRUE(Call(Request(v1::ADDRESSES, v1::LIST), &out).ok());
  std::vector<std::string> actions, details;
  for (const nlohmann::json& e : Audited()) {
    EXPECT_EQ(e["identity"], "loopback");
    EXPECT_EQ(e["tenant"], "51824753556");
    EXPECT_EQ(e["allowed"], true);
    actions.push_back(e["action"]);
    details.push_back(e["detail"]);
  }
  EXPECT_THAT(actions, ElementsAre("cudemogr.banking.submit", "cudemogr.contacts.validate",
                                   "cudemogr.addresses.list"));
  EXPECT_THAT(details,
              ElementsAre("user alice: ABN 53004085616", "user alice: ABN 53004085616 account IT",
                          "user alice: ABN 53004085616"));
}

}  // namespace
}  // namespace sbrgate::demographics
