// RegistrationServiceImpl over a scripted SBR: what is refused before SBR is
// asked, what is passed on, and the audit. Callers of each role over mutual
// TLS, and the real simulator behind, are tests/ics_e2e_test.cc's.
#include "pipeline/clients/ics/service/registration_service.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "pipeline/clients/ics/rules/registration_rules.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace sbrgate::ics {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using Response = v1::RegisterClientResponse;

class ScriptedExchange : public IcsExchange {
 public:
  absl::StatusOr<Response> Register(const v1::RegisterClientRequest& request) const override {
    requests.push_back(request);
    return answer;
  }
  mutable std::vector<v1::RegisterClientRequest> requests;
  absl::StatusOr<Response> answer;
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

v1::RegisterClientRequest Ind() {
  v1::RegisterClientRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran("12345678");
  r.mutable_agent()->set_user_id("alice");
  r.mutable_ccid()->set_client_type(v1::IcsClient::IND);
  r.mutable_ccid()->set_family_name("Nguyen");
  r.mutable_ccid()->mutable_business_address()->set_type("BUSINESS");
  r.mutable_ccid()->mutable_business_address()->add_lines("1 Wharf St");
  r.mutable_contact()->set_name("Pat");
  r.mutable_contact()->add_address("02 9000 0000");
  r.add_role_names("IMPORTER");
  return r;
}

class RegistrationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    audit_path_ = std::string(std::getenv("TEST_TMPDIR")) + "/" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".audit";
    auto audit = access::AuditLog::Open(audit_path_, &clock_);
    ASSERT_TRUE(audit.ok()) << audit.status();
    audit_ = *std::move(audit);
    service_ = std::make_unique<RegistrationServiceImpl>(
        RegistrationServiceOptions{&sbr_, authenticator_.get(), audit_.get()});
  }

  grpc::Status Register(const v1::RegisterClientRequest& r, Response* out) {
    grpc::ServerContext context;
    return service_->Register(&context, &r, out);
  }

  ManualClock clock_{absl::FromUnixSeconds(1780000000)};
  ScriptedExchange sbr_;
  std::unique_ptr<access::Authenticator> authenticator_ = access::Authenticator::LoopbackOperator();
  std::string audit_path_;
  std::unique_ptr<access::AuditLog> audit_;
  std::unique_ptr<RegistrationServiceImpl> service_;
};

TEST_F(RegistrationServiceTest, WhatBreaksTheRulesNeverReachesSbr) {
  v1::RegisterClientRequest r = Ind();
  r.mutable_ccid()->clear_family_name();
  r.set_role_names(0, "SMUGGLER");
  Response out;
  grpc::Status s = Register(r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadRequestFields(s), Contains("ccid.family_name"));
  EXPECT_THAT(BadRequestFields(s), Contains("role_names[0]"));
  EXPECT_THAT(s.error_message(), HasSubstr("the registration was not sent"));

  r = Ind();
  r.mutable_abn()->set_abn("53004085616");
  s = Register(r, &out);
  EXPECT_THAT(BadRequestFields(s), Contains("ccid"));

  r = Ind();
  r.clear_agent();  // an operator names the practice
  s = Register(r, &out);
  EXPECT_THAT(BadRequestFields(s), Contains("agent.agent_abn"));
  EXPECT_TRUE(sbr_.requests.empty());
}

TEST_F(RegistrationServiceTest, TheAtosAnswerIsTheResponse) {
  Response duplicate;
  duplicate.set_outcome(Response::DUPLICATE);
  duplicate.add_duplicates()->set_client_id("CC000000001");
  duplicate.set_message_id("m@sbrgate");
  sbr_.answer = duplicate;
  Response out;
  ASSERT_TRUE(Register(Ind(), &out).ok());
  EXPECT_EQ(out.outcome(), Response::DUPLICATE);
  EXPECT_EQ(out.duplicates(0).client_id(), "CC000000001");
  EXPECT_EQ(out.message_id(), "m@sbrgate");
  ASSERT_EQ(sbr_.requests.size(), 1u);
  EXPECT_EQ(sbr_.requests[0].ccid().family_name(), "Nguyen");

  sbr_.answer = absl::UnavailableError("SBR could not process registration m@sbrgate");
  EXPECT_EQ(Register(Ind(), &out).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(RegistrationServiceTest, EveryRegistrationIsAudited) {
  sbr_.answer = Response();
  Response out;
  ASSERT_TRUE(Register(Ind(), &out).ok());
  v1::RegisterClientRequest abn = Ind();
  abn.clear_ccid();
  abn.mutable_abn()->set_abn("53004085616");
  abn.mutable_contact()->set_purpose("GENERAL");
  ASSERT_TRUE(Register(abn, &out).ok());
  absl::StatusOr<std::string> log = ReadFileToString(audit_path_);
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::string> details;
  for (absl::string_view line : absl::StrSplit(*log, '\n', absl::SkipEmpty())) {
    const nlohmann::json e = nlohmann::json::parse(line);
    EXPECT_EQ(e["identity"], "loopback");
    EXPECT_EQ(e["action"], "ics.register");
    EXPECT_EQ(e["tenant"], "51824753556");
    EXPECT_EQ(e["allowed"], true);
    details.push_back(e["detail"]);
  }
  EXPECT_THAT(details, ::testing::ElementsAre("user alice: CCID IND 'Nguyen', roles IMPORTER",
                                              "user alice: ABN 53004085616, roles IMPORTER"));
}

}  // namespace
}  // namespace sbrgate::ics
