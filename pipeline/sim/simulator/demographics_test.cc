// CUDEMOGR on the simulator across the real pieces: mutual TLS, signed
// Single-sync exchanges through SbrClient, each of the suite's five ebMS
// Services offering only its actions, the wire vocabulary, the agency
// re-checking the rules and who asks, and a change surviving a restart on
// the same data directory. The register's rules one by one are
// demographics_register_test's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "pipeline/clients/demographics/catalog.h"
#include "pipeline/clients/demographics/wire.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/sim/simulator/simulator.h"
#include "pipeline/sim/simulator/simulator_fixture.h"

namespace sbrgate::sim {
namespace {

using ::testing::HasSubstr;

constexpr char kPractice[] = "51824753556";
constexpr char kRan[] = "12345678";
constexpr char kClient[] = "53004085616";

v1::DemographicsRequest Request(v1::CudemogrService service, v1::CudemogrOperation op) {
  v1::DemographicsRequest r;
  r.mutable_agent()->set_agent_abn(kPractice);
  r.mutable_agent()->set_ran(kRan);
  r.set_service(service);
  r.set_operation(op);
  r.mutable_client()->set_type(v1::ABN);
  r.mutable_client()->set_value(kClient);
  return r;
}

v1::DemographicsRequest SubmitPostal(const std::string& postcode) {
  v1::DemographicsRequest r = Request(v1::ADDRESSES, v1::SUBMIT);
  v1::ClientAddress* a = r.mutable_records()->add_addresses();
  a->set_usage(v1::ClientAddress::POSTAL);
  a->add_lines("PO Box 7");
  a->set_locality("Hobart");
  a->set_state("TAS");
  a->set_postcode(postcode);
  return r;
}

class DemographicsTest : public SimulatorFixture {
 protected:
  void SetUp() override {
    StartSimulator("demographics");
    httplib::Client admin("127.0.0.1", sim_->admin_port());
    const nlohmann::json seed = {{"agent_abn", kPractice},
                                 {"ran", kRan},
                                 {"client", {{"type", "ABN"}, {"value", kClient}}},
                                 {"name", "Harbour Joinery Pty Ltd"},
                                 {"count", 0}};
    auto res = admin.Post("/admin/clntcomm/seed", seed.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }

  // One signed Single-sync exchange of `request` under `service` and
  // `action`, from `from` (a TAN).
  absl::StatusOr<sbr_client::SingleOutcome> Send(const v1::DemographicsRequest& request,
                                                 const std::string& service,
                                                 const std::string& action,
                                                 const std::string& from = kRan) {
    sbr_client::SingleRequest r;
    r.message_id = ebms::NewMessageId("test.sbrgate");
    r.from = {from, ebms::kPartyTypeTan, ebms::kRoleRegisteredAgent};
    r.service = service;
    r.action = action;
    r.body_xml = demographics::WriteRequest(request);
    return client_->Exchange(r);
  }

  // The answer to `request`, sent as its service and operation.
  absl::StatusOr<v1::DemographicsResponse> Ask(const v1::DemographicsRequest& request) {
    const demographics::ServiceSpec& spec = *demographics::FindService(request.service());
    auto out = Send(request, std::string(spec.ebms_service),
                    demographics::Action(spec, request.operation()));
    if (!out.ok()) return out.status();
    EXPECT_TRUE(out->errors.empty()) << out->errors.front().description;
    for (const ebms::Property& p : out->response_message.parts.at(0).properties) {
      if (p.name == ebms::kPartPropertyDocumentName) EXPECT_EQ(p.value, spec.code);
    }
    return demographics::ReadResponse(out->body_xml);
  }
};

TEST_F(DemographicsTest, EachServiceAnswersItsOwnActionsOnly) {
  for (const demographics::ServiceSpec& spec : demographics::Services()) {
    for (v1::CudemogrOperation op : {v1::LIST, v1::GET, v1::SUBMIT, v1::VALIDATE}) {
      auto out = Send(Request(spec.service, op), std::string(spec.ebms_service),
                      demographics::Action(spec, op));
      ASSERT_TRUE(out.ok()) << out.status();
      if (demographics::Offers(spec, op)) {
        EXPECT_TRUE(out->errors.empty()) << spec.code << " " << op;
      } else {
        ASSERT_EQ(out->errors.size(), 1u) << spec.code << " " << op;
        EXPECT_EQ(out->errors[0].error_code, ebms::kErrorProcessingModeMismatch);
      }
    }
  }
  absl::StatusOr<v1::DemographicsResponse> details = Ask(Request(v1::DETAILS, v1::GET));
  ASSERT_TRUE(details.ok()) << details.status();
  EXPECT_EQ(details->client_name(), "Harbour Joinery Pty Ltd");
  EXPECT_EQ(details->records().details().organisation_name(), "Harbour Joinery Pty Ltd");
  absl::StatusOr<v1::DemographicsResponse> associates = Ask(Request(v1::ASSOCIATES, v1::LIST));
  ASSERT_TRUE(associates.ok()) << associates.status();
  EXPECT_EQ(associates->records().associates_size(), 3);
}

TEST_F(DemographicsTest, TheAgencyChecksWhatArrivesAndWhoSentIt) {
  // Not the action the body says.
  auto sent =
      Send(Request(v1::ADDRESSES, v1::LIST), "http://sbr.gov.au/ato/cufi/2016", "List.003.00");
  ASSERT_TRUE(sent.ok()) << sent.status();
  absl::StatusOr<v1::DemographicsResponse> read = demographics::ReadResponse(sent->body_xml);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("CMN.ATO.GEN.XML03: a ADDRESSES LIST request"));

  // sbrgate would not send this: the agency refuses it all the same.
  read = Ask(SubmitPostal("70000"));
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("records.addresses[0].postcode"));

  // The practice is not the sender.
  sent = Send(Request(v1::DETAILS, v1::GET), "http://sbr.gov.au/ato/cudtl/2017", "Get.003.00",
              "87654321");
  ASSERT_TRUE(sent.ok()) << sent.status();
  read = demographics::ReadResponse(sent->body_xml);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(read.status().message(), HasSubstr("SBR.GEN.AUTH.006"));

  sim_->SetFaults({.system_error_rate = 1});
  read = Ask(Request(v1::DETAILS, v1::GET));
  EXPECT_THAT(read.status().message(), HasSubstr("SBR.GEN.FAULT.SYSTEMERROR"));

  // Four answered, each a refusal; the admin endpoint says so too.
  const SimulatorStats stats = sim_->Stats();
  EXPECT_EQ(stats.demographics_requests, 4);
  EXPECT_EQ(stats.demographics_refused, 4);
  EXPECT_EQ(stats.relationships_requests, 0);
  httplib::Client admin("127.0.0.1", sim_->admin_port());
  auto res = admin.Get("/admin/stats");
  ASSERT_TRUE(res);
  const nlohmann::json json = nlohmann::json::parse(res->body);
  EXPECT_EQ(json["demographics_requests"], 4);
  EXPECT_EQ(json["demographics_refused"], 4);
}

TEST_F(DemographicsTest, AChangeSurvivesARestart) {
  absl::StatusOr<v1::DemographicsResponse> submitted = Ask(SubmitPostal("7000"));
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_TRUE(submitted->changed());
  Restart();
  absl::StatusOr<v1::DemographicsResponse> listed = Ask(Request(v1::ADDRESSES, v1::LIST));
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->records().addresses_size(), 2);
  EXPECT_EQ(listed->records().addresses(1).lines(0), "PO Box 7");
  // The answers are counted across the restart.
  EXPECT_EQ(sim_->Stats().demographics_requests, 2);
  EXPECT_EQ(sim_->Stats().demographics_refused, 0);
}

}  // namespace
}  // namespace sbrgate::sim
