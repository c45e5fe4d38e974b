// SbrIcsExchange over a scripted Single-sync: what it sends (Service, Action,
// From party, the CLREG) and how each kind of answer comes back.
#include "pipeline/clients/ics/exchange/sbr_exchange.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/clients/ics/rules/registration_rules.h"
#include "pipeline/clients/ics/wire/wire.h"

namespace sbrgate::ics {
namespace {

using ::testing::HasSubstr;
using Response = v1::RegisterClientResponse;

// Answers every exchange with `answer` and keeps the last request.
class ScriptedSingle : public sbr_client::SingleSyncApi {
 public:
  absl::StatusOr<sbr_client::SingleOutcome> Exchange(
      const sbr_client::SingleRequest& request) const override {
    last = request;
    return answer;
  }
  mutable sbr_client::SingleRequest last;
  absl::StatusOr<sbr_client::SingleOutcome> answer;
};

v1::RegisterClientRequest Request(const std::string& ran) {
  v1::RegisterClientRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran(ran);
  r.mutable_abn()->set_abn("53004085616");
  return r;
}

sbr_client::SingleOutcome Answering(const Response& response) {
  sbr_client::SingleOutcome out;
  out.http_status = 200;
  out.body_xml = WriteResponse(response);
  return out;
}

TEST(SbrIcsExchangeTest, SendsTheClregFromThePracticeAndReadsTheAnswer) {
  ScriptedSingle single;
  Response registered;
  registered.set_outcome(Response::REGISTERED);
  registered.mutable_client()->set_client_id("53004085616");
  registered.mutable_client()->set_type(v1::IcsClient::ABN);
  registered.mutable_client()->set_status(v1::IcsClient::ACTIVE);
  registered.set_cac(2);
  single.answer = Answering(registered);
  SbrIcsExchange sbr(&single, "sbrgate.test");

  absl::StatusOr<Response> answer = sbr.Register(Request("12345678"));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->outcome(), Response::REGISTERED);
  EXPECT_EQ(answer->cac(), 2);
  EXPECT_EQ(answer->message_id(), single.last.message_id);
  EXPECT_THAT(single.last.message_id, HasSubstr("@sbrgate.test"));
  EXPECT_EQ(single.last.service, kIcsService);
  EXPECT_EQ(single.last.action, kIcsActionRegister);
  EXPECT_EQ(single.last.from.id, "12345678");
  EXPECT_EQ(single.last.from.type, ebms::kPartyTypeTan);
  EXPECT_EQ(ReadRequest(single.last.body_xml)->abn().abn(), "53004085616");

  // A practice without a RAN sends as its ABN.
  ASSERT_TRUE(sbr.Register(Request("")).ok());
  EXPECT_EQ(single.last.from.id, "51824753556");
  EXPECT_EQ(single.last.from.type, ebms::kPartyTypeAbn);
}

TEST(SbrIcsExchangeTest, RefusalsAndDuplicatesAreAnswers) {
  ScriptedSingle single;
  SbrIcsExchange sbr(&single, "sbrgate.test");
  Response rejected;
  rejected.set_outcome(Response::REJECTED);
  rejected.add_errors()->set_code(kCodeAbnRegistered);
  single.answer = Answering(rejected);
  EXPECT_EQ(sbr.Register(Request("1"))->errors(0).code(), kCodeAbnRegistered);
  Response duplicate;
  duplicate.set_outcome(Response::DUPLICATE);
  duplicate.add_duplicates()->set_client_id("CC000000001");
  single.answer = Answering(duplicate);
  EXPECT_EQ(sbr.Register(Request("1"))->duplicates(0).client_id(), "CC000000001");
}

TEST(SbrIcsExchangeTest, FailuresAreStatuses) {
  ScriptedSingle single;
  SbrIcsExchange sbr(&single, "sbrgate.test");
  Response system_error;
  system_error.set_outcome(Response::REJECTED);
  system_error.add_errors()->set_code(kCodeSystemError);
  single.answer = Answering(system_error);
  EXPECT_EQ(sbr.Register(Request("1")).status().code(), absl::StatusCode::kUnavailable);

  sbr_client::SingleOutcome refused;
  refused.errors.push_back(ebms::MakeError(ebms::kErrorProcessingModeMismatch, "x", "no"));
  single.answer = refused;
  absl::StatusOr<Response> answer = sbr.Register(Request("1"));
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(answer.status().message(), HasSubstr("EBMS:0010"));

  sbr_client::SingleOutcome garbage;
  garbage.body_xml = "<nonsense/>";
  single.answer = garbage;
  EXPECT_EQ(sbr.Register(Request("1")).status().code(), absl::StatusCode::kDataLoss);

  single.answer = absl::UnavailableError("connection refused");
  EXPECT_EQ(sbr.Register(Request("1")).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sbrgate::ics
