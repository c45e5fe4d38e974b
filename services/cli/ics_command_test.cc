// `sbrgate ics register` (ics_command.cc) run as a separate process against
// a scripted ClientRegistrationService served from this test: what it
// sends, what it prints for each outcome, and its exit status. The real
// service and simulator are tests/ics_e2e_test.cc's concern.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/testing/run_program.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"
#include "proto/ics.grpc.pb.h"

namespace sbrgate::cli {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;
using Response = v1::RegisterClientResponse;

// Answers by the family name: "Duplicate", "Rejected", "Broken" (a field
// violation), anything else registered.
class ScriptedRegistration final : public v1::ClientRegistrationService::Service {
 public:
  grpc::Status Register(grpc::ServerContext*, const v1::RegisterClientRequest* request,
                        Response* response) override {
    absl::MutexLock lock(&mu_);
    last_ = *request;
    response->set_message_id("m-1@sbrgate");
    const std::string& name = request->ccid().family_name();
    if (name == "Broken") {
      google::rpc::BadRequest bad;
      auto* v = bad.add_field_violations();
      v->set_field("role_names[0]");
      v->set_description("Invalid Role name 'PIRATE' (CMN.ATO.CLREG.000013)");
      google::rpc::Status rich;
      rich.set_code(grpc::StatusCode::INVALID_ARGUMENT);
      rich.set_message("the registration was not sent");
      rich.add_details()->PackFrom(bad);
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, rich.message(),
                          rich.SerializeAsString());
    }
    if (name == "Rejected") {
      response->set_outcome(Response::REJECTED);
      v1::RegistrationError* e = response->add_errors();
      e->set_code("CMN.ATO.CLREG.000012");
      e->set_field("role_names[0]");
      e->set_message("User does not contain a valid role to create/register this CCID");
      return grpc::Status::OK;
    }
    v1::IcsClient client;
    client.set_client_id(request->has_abn() ? request->abn().abn() : "CC000000007");
    client.set_type(request->has_abn() ? v1::IcsClient::ABN : request->ccid().client_type());
    client.set_name(request->has_abn() ? "Wattle Freight Pty Ltd" : name);
    client.set_status(v1::IcsClient::ACTIVE);
    client.mutable_address()->set_type("BUSINESS");
    client.mutable_address()->add_lines("1 Wharf St");
    client.mutable_address()->set_locality("Sydney");
    if (name == "Duplicate") {
      response->set_outcome(Response::DUPLICATE);
      *response->add_duplicates() = client;
      return grpc::Status::OK;
    }
    response->set_outcome(Response::REGISTERED);
    *response->mutable_client() = client;
    if (request->has_abn()) response->set_cac(2);
    return grpc::Status::OK;
  }

  v1::RegisterClientRequest last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }

 private:
  absl::Mutex mu_;
  v1::RegisterClientRequest last_ ABSL_GUARDED_BY(mu_);
};

using Result = ::sbrgate::testing::ProgramResult;

class IcsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

  // `sbrgate --gateway=... ics register ARGS`, as user carol.
  Result Register(std::vector<std::string> args) {
    args.insert(args.begin(), {absl::StrCat("--gateway=127.0.0.1:", port_), "ics", "register"});
    return ::sbrgate::testing::RunProgram(::sbrgate::testing::SbrgateBinary(), args,
                                          "env -u SBRGATE_GATEWAY USER=carol");
  }

  ScriptedRegistration service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

std::vector<std::string> Individual(const std::string& family_name) {
  return {"--type=ind",
          "--abn=51824753556",
          "--ran=12345678",
          "--family-name=" + family_name,
          "--address-type=BUSINESS",
          "--address-line=1 Wharf St",
          "--locality=Sydney",
          "--contact-name=Pat",
          "--contact-address=02 9000 0000",
          "--role=importer"};
}

std::vector<std::string> With(std::vector<std::string> args, const std::string& more) {
  args.push_back(more);
  return args;
}

TEST_F(IcsCommandTest, RegisteredSendsEveryFlagAndPrintsTheClient) {
  Result r = Register(With(Individual("Nguyen"), "--json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const v1::RegisterClientRequest sent = service_.last();
  EXPECT_EQ(sent.agent().agent_abn(), "51824753556");
  EXPECT_EQ(sent.agent().user_id(), "carol");
  EXPECT_EQ(sent.ccid().client_type(), v1::IcsClient::IND);
  EXPECT_EQ(sent.ccid().business_address().lines(0), "1 Wharf St");
  EXPECT_EQ(sent.role_names(0), "IMPORTER");
  const Json out = Json::parse(r.out);
  EXPECT_EQ(out["outcome"], "REGISTERED");
  EXPECT_EQ(out["message_id"], "m-1@sbrgate");
  EXPECT_EQ(out["client"]["client_id"], "CC000000007");
  EXPECT_EQ(out["client"]["address"]["lines"][0], "1 Wharf St");

  r = Register({"--type=abn", "--client-abn=53004085616", "--contact-name=Pat",
                "--contact-purpose=GENERAL", "--contact-address=x", "--role=OWNER"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("registered 53004085616  ABN  Wattle Freight Pty Ltd  ACTIVE"));
  EXPECT_THAT(r.out, HasSubstr("business address from CAC 2"));
}

TEST_F(IcsCommandTest, RejectedAndDuplicateArePrintedAndExitOne) {
  Result r = Register(With(Individual("Rejected"), "--json"));
  EXPECT_EQ(r.exit_code, 1);
  Json out = Json::parse(r.out);
  EXPECT_EQ(out["outcome"], "REJECTED");
  EXPECT_EQ(out["errors"][0]["code"], "CMN.ATO.CLREG.000012");
  EXPECT_EQ(out["errors"][0]["field"], "role_names[0]");

  r = Register(With(Individual("Duplicate"), "--json"));
  EXPECT_EQ(r.exit_code, 1);
  out = Json::parse(r.out);
  EXPECT_EQ(out["outcome"], "DUPLICATE");
  EXPECT_EQ(out["duplicates"][0]["client_id"], "CC000000007");

  r = Register(Individual("Duplicate"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("not registered: 1 existing client(s) match"));
  EXPECT_THAT(r.out, HasSubstr("CC000000007  IND  Duplicate  ACTIVE  1 Wharf St, Sydney"));
}

TEST_F(IcsCommandTest, TheGatewaysFieldViolationsAreShown) {
  const Result r = Register(With(Individual("Broken"), "--json"));
  EXPECT_EQ(r.exit_code, 1);
  const Json err = Json::parse(r.err)["error"];
  EXPECT_EQ(err["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(err["details"][0]["field"], "role_names[0]");
}

TEST_F(IcsCommandTest, BadArgumentsAreUsageErrors) {
  Result r = Register(With(Individual("Nguyen"), "--org-name=X"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--org-name goes with --type=org"));
  EXPECT_THAT(r.err, HasSubstr("usage: sbrgate"));
  r = Register({"--type=abn", "--colour=red", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Json::parse(r.err)["error"]["code"], "INVALID_ARGUMENT");
  r = ::sbrgate::testing::RunProgram(::sbrgate::testing::SbrgateBinary(), {"ics", "amend"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown ics command 'amend'"));
}

}  // namespace
}  // namespace sbrgate::cli
