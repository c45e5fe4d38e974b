// End-to-end tests of the gateway commands of `sbrgate`
// (lodgment_command.cc): the built binary, run as a separate process, against
// a real gRPC gateway served from this test.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/testing/run_program.h"
#include "pipeline/platform/rpc/server.h"
#include "pipeline/platform/publish/fake_publisher.h"
#include "pipeline/stp/status/view_feeder.h"
#include "pipeline/stp/gateway/lodgment_service.h"
#include "pipeline/stp/status/status_view.h"
#include "pipeline/stp/payevnt/generator.h"
#include "proto/events.pb.h"

namespace sbrgate::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Json = nlohmann::ordered_json;

const absl::Time kNow = absl::FromUnixSeconds(1721005323);  // 2024-07-15T01:02:03Z

using Result = ::sbrgate::testing::ProgramResult;
using ::sbrgate::testing::RunProgram;
using ::sbrgate::testing::SbrgateBinary;
using ::sbrgate::testing::TestTempDir;

// sbrgate with `args`, with $SBRGATE_GATEWAY unset unless `env` sets it
// (e.g. "SBRGATE_GATEWAY=...").
Result Sbrgate(const std::vector<std::string>& args, const std::string& env = "") {
  return RunProgram(SbrgateBinary(), args, absl::StrCat("env -u SBRGATE_GATEWAY ", env));
}

std::string GenerateFile(const std::string& name, int64_t employees, int64_t invalid,
                         bool invalid_employer = false, uint64_t seed = 3) {
  payevnt::GeneratorOptions o;
  o.employees = employees;
  o.invalid_tfns = invalid;
  o.invalid_employer = invalid_employer;
  o.seed = seed;
  o.message_timestamp = kNow;
  const std::string path = absl::StrCat(TestTempDir(), "/", name);
  auto sink = FileSink::Create(path);
  EXPECT_TRUE(sink.ok());
  EXPECT_TRUE(payevnt::GenerateLodgment(o, **sink).ok());
  EXPECT_TRUE((*sink)->Close().ok());
  return path;
}

class LodgmentCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string root = absl::StrCat(
        TestTempDir(), "/cli-", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto blobs = blob::BlobStore::Create(root + "/blobs");
    ASSERT_TRUE(blobs.ok());
    blobs_ = *std::move(blobs);
    auto view = lodgment::StatusView::Open(root + "/view", blobs_.get());
    ASSERT_TRUE(view.ok()) << view.status();
    view_ = *std::move(view);
    publisher_.Observe(lodgment::StatusViewFeeder(view_.get()));
    gateway::LodgmentServiceOptions o;
    o.view = view_.get();
    o.publisher = &publisher_;
    o.blobs = blobs_.get();
    o.clock = &clock_;
    o.message_id_domain = "cli.test";
    o.authenticator = authenticator_.get();
    auto audit = access::AuditLog::Open(root + "/audit.log", &clock_);
    ASSERT_TRUE(audit.ok()) << audit.status();
    audit_ = *std::move(audit);
    o.audit = audit_.get();
    service_ = std::make_unique<gateway::LodgmentServiceImpl>(std::move(o));
    auto server = rpc::StartServer({service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    gateway_ = absl::StrCat("127.0.0.1:", server_.port);
  }
  void TearDown() override { server_.server->Shutdown(absl::ToChronoTime(absl::Now())); }

  // `lodge FILE --json`, the gateway given before the command.
  Json Lodge(const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--gateway=" + gateway_, "lodge", file, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = Sbrgate(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? Json::parse(r.out) : Json();
  }

  void Apply(events::StatusChange change) {
    *change.mutable_at() = google::protobuf::Timestamp();
    change.mutable_at()->set_seconds(absl::ToUnixSeconds(kNow) + 60);
    ASSERT_TRUE(view_->Apply(change).ok());
  }

  std::unique_ptr<blob::BlobStore> blobs_;
  std::unique_ptr<lodgment::StatusView> view_;
  publish::FakePublisher publisher_;
  ManualClock clock_{kNow};
  std::unique_ptr<access::Authenticator> authenticator_ = access::Authenticator::LoopbackOperator();
  std::unique_ptr<access::AuditLog> audit_;
  std::unique_ptr<gateway::LodgmentServiceImpl> service_;
  rpc::RunningServer server_;
  std::string gateway_;
};

TEST_F(LodgmentCliTest, LodgeThenWaitForTheOutcome) {
  const std::string file = GenerateFile("pay.xml", 20, 2);
  const Json lodged = Lodge(file);
  std::vector<std::string> keys;
  for (auto it = lodged.begin(); it != lodged.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"lodgment_id", "state", "employees", "employees_sent"}));
  EXPECT_EQ(lodged["state"], "RECEIVED");
  EXPECT_EQ(lodged["employees"], 20);
  EXPECT_EQ(lodged["employees_sent"], 18);
  const std::string id = lodged["lodgment_id"];

  // The pipeline moves it on while `wait` follows it.
  std::thread stages([&] {
    absl::SleepFor(absl::Milliseconds(500));
    events::StatusChange receipted;
    receipted.set_lodgment_id(id);
    receipted.set_state(v1::AWAITING_RESPONSE);
    v1::Receipt* receipt = receipted.mutable_lodgment()->mutable_receipt();
    receipt->set_message_id("m-1@cli.test");
    receipt->mutable_received_at()->set_seconds(absl::ToUnixSeconds(kNow) + 5);
    receipted.mutable_poll()->set_result("nothing-yet");
    receipted.mutable_poll()->mutable_at()->set_seconds(absl::ToUnixSeconds(kNow) + 65);
    Apply(receipted);
    absl::SleepFor(absl::Milliseconds(300));
    events::StatusChange done;
    done.set_lodgment_id(id);
    done.set_state(v1::PARTIALLY_ACCEPTED);
    done.set_detail("1 employee record rejected");
    done.mutable_lodgment()->set_maximum_severity("Partial");
    v1::RecordProblem* rejected = done.mutable_lodgment()->add_rejected_records();
    rejected->set_document_id("1.5");
    v1::RecordError* e = rejected->add_errors();
    e->set_code("VR.ATO.PAYEVNTEMP.000181");
    e->set_path("/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId");
    e->set_description("The TFN ******781 fails the check digit algorithm.");
    Apply(done);
  });
  Result waited = Sbrgate({"--gateway", gateway_, "wait", id, "--timeout=20", "--json"});
  stages.join();
  ASSERT_EQ(waited.exit_code, 0) << waited.err;
  const Json l = Json::parse(waited.out);
  EXPECT_EQ(l["lodgment_id"], id);
  EXPECT_EQ(l["state"], "PARTIALLY_ACCEPTED");
  EXPECT_EQ(l["employees"], 20);
  EXPECT_EQ(l["employees_sent"], 18);
  ASSERT_EQ(l["held_back"].size(), 2u);
  EXPECT_FALSE(l["held_back"][0]["errors"][0]["code"].get<std::string>().empty());
  ASSERT_EQ(l["rejected_records"].size(), 1u);
  EXPECT_EQ(l["rejected_records"][0]["document_id"], "1.5");
  EXPECT_EQ(l["rejected_records"][0]["errors"][0]["code"], "VR.ATO.PAYEVNTEMP.000181");
  EXPECT_EQ(l["receipt"]["message_id"], "m-1@cli.test");
  EXPECT_EQ(l["receipt"]["received_at"], "2024-07-15T01:02:08Z");
  ASSERT_EQ(l["polls"].size(), 1u);
  EXPECT_EQ(l["polls"][0]["result"], "nothing-yet");
  EXPECT_EQ(l["maximum_severity"], "Partial");
  EXPECT_EQ(l["attempts"], 1);
  EXPECT_EQ(l["detail"], "1 employee record rejected");

  // status, from $SBRGATE_GATEWAY.
  Result status = Sbrgate({"status", id, "--json"}, "SBRGATE_GATEWAY=" + gateway_);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(Json::parse(status.out)["state"], "PARTIALLY_ACCEPTED");

  Result rejections = Sbrgate({"--gateway=" + gateway_, "rejections", "--lodgment", id, "--json"});
  ASSERT_EQ(rejections.exit_code, 0) << rejections.err;
  const Json records = Json::parse(rejections.out)["records"];
  ASSERT_EQ(records.size(), 3u);  // 2 held back, 1 rejected by SBR
  EXPECT_EQ(records[0]["held_back"], true);
  EXPECT_EQ(records[2]["document_id"], "1.5");

  // Page by page: two, then the last, with the token the first page gave.
  Result first = Sbrgate(
      {"--gateway=" + gateway_, "rejections", "--lodgment", id, "--page-size=2", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const Json first_page = Json::parse(first.out);
  ASSERT_EQ(first_page["records"].size(), 2u);
  const std::string token = first_page["next_page_token"];
  ASSERT_FALSE(token.empty());
  Result text = Sbrgate({"--gateway=" + gateway_, "rejections", "--lodgment", id, "--page-size=2"});
  EXPECT_THAT(text.out, HasSubstr("more: --page-token=" + token));
  Result last = Sbrgate({"--gateway=" + gateway_, "rejections", "--lodgment", id, "--page-size=2",
                         "--page-token=" + token, "--json"});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  const Json last_page = Json::parse(last.out);
  ASSERT_EQ(last_page["records"].size(), 1u);
  EXPECT_EQ(last_page["records"][0]["document_id"], "1.5");
  EXPECT_EQ(last_page["next_page_token"], "");
}

TEST_F(LodgmentCliTest, WaitTimesOutWithExitThree) {
  const Json lodged = Lodge(GenerateFile("slow.xml", 3, 0));
  Result r =
      Sbrgate({"--gateway=" + gateway_, "wait", lodged["lodgment_id"], "--timeout=1", "--json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(r.out.empty());
  const Json error = Json::parse(r.err)["error"];
  EXPECT_EQ(error["code"], "DEADLINE_EXCEEDED");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("still RECEIVED"));
}

TEST_F(LodgmentCliTest, RefusedUploadsPrintTheViolations) {
  Result r = Sbrgate({"--gateway=" + gateway_, "lodge",
                      GenerateFile("bad.xml", 3, 0, /*invalid_employer=*/true), "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  const Json error = Json::parse(r.err)["error"];
  EXPECT_EQ(error["code"], "INVALID_ARGUMENT");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("record 1.1"));
  ASSERT_EQ(error["details"].size(), 1u);
  EXPECT_EQ(error["details"][0]["field"],
            "record 1.1 /tns:PAYEVNT/tns:Rp/tns:AustralianBusinessNumberId");
  EXPECT_THAT(error["details"][0]["description"].get<std::string>(),
              StartsWith("VR.ATO.PAYEVNT.000200"));
  EXPECT_TRUE(publisher_.calls().empty());

  Result missing = Sbrgate({"--gateway=" + gateway_, "status", "nope", "--json"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(Json::parse(missing.err)["error"]["code"], "NOT_FOUND");
  Result unreachable = Sbrgate({"--gateway=127.0.0.1:1", "status", "x", "--json"});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_EQ(Json::parse(unreachable.err)["error"]["code"], "UNAVAILABLE");
}

TEST_F(LodgmentCliTest, ResubmitListAndReplay) {
  const Json first = Lodge(GenerateFile("all-bad.xml", 2, 2, false, 7));
  EXPECT_EQ(first["state"], "REJECTED");
  const std::string old_id = first["lodgment_id"];
  Result resubmitted = Sbrgate({"--gateway=" + gateway_, "resubmit", old_id,
                                GenerateFile("fixed.xml", 2, 0, false, 7), "--json"});
  ASSERT_EQ(resubmitted.exit_code, 0) << resubmitted.err;
  const std::string new_id = Json::parse(resubmitted.out)["lodgment_id"];
  EXPECT_EQ(view_->Get(old_id)->state(), v1::SUPERSEDED);
  EXPECT_EQ(view_->Get(new_id)->corrects_lodgment_id(), old_id);

  Result listed = Sbrgate({"--gateway=" + gateway_, "list", "--state=superseded", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const Json lodgments = Json::parse(listed.out)["lodgments"];
  ASSERT_EQ(lodgments.size(), 1u);
  EXPECT_EQ(lodgments[0]["lodgment_id"], old_id);

  events::StatusChange failed;
  failed.set_lodgment_id(new_id);
  failed.set_state(v1::SYSTEM_ERROR);
  Apply(failed);
  Result replayed = Sbrgate({"--gateway=" + gateway_, "replay", new_id, "--json"});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(Json::parse(replayed.out)["lodgment_ids"], Json::array({new_id}));
  EXPECT_EQ(publisher_.calls().back()[0].topic, lodgment::topics::kResubmit);
  EXPECT_EQ(Json::parse(replayed.out)["outcomes"][0]["action"], "RESENT");
  // A superseded lodgment is final: the replay says so and queues nothing.
  const size_t queued = publisher_.calls().size();
  Result final_one = Sbrgate({"--gateway=" + gateway_, "replay", old_id});
  ASSERT_EQ(final_one.exit_code, 0) << final_one.err;
  EXPECT_NE(final_one.out.find("NOTHING_TO_DO: SUPERSEDED: final"), std::string::npos)
      << final_one.out;
  EXPECT_EQ(publisher_.calls().size(), queued);

  Result update_without_target = Sbrgate(
      {"--gateway=" + gateway_, "lodge", GenerateFile("u.xml", 1, 0), "--update", "--json"});
  EXPECT_EQ(update_without_target.exit_code, 2);
}

TEST_F(LodgmentCliTest, TextOutputAndAProgressBarOnATerminal) {
  const std::string file = GenerateFile("big.xml", 700, 0);  // over 1 MB
  // script(1) gives sbrgate a terminal, where large uploads show progress.
  Result r = RunProgram(
      "script",
      {"-qec", absl::StrCat(SbrgateBinary(), " --gateway=", gateway_, " lodge ", file),
       "/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("sending big.xml ["));
  EXPECT_THAT(r.out, HasSubstr("100%"));
  EXPECT_THAT(r.out, HasSubstr(" MB/s "));
  EXPECT_THAT(r.out, HasSubstr(" 701 records"));  // the employer's and 700 employees
  EXPECT_THAT(r.out, HasSubstr(": RECEIVED"));
  EXPECT_THAT(r.out, HasSubstr("employees 700, sent 700"));

  // On a terminal with --json: the JSON alone.
  const std::string again = GenerateFile("big2.xml", 700, 0, false, /*seed=*/4);
  Result json = RunProgram(
      "script",
      {"-qec",
       absl::StrCat(SbrgateBinary(), " --gateway=", gateway_, " lodge ", again, " --json"),
       "/dev/null"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.find("sending"), std::string::npos) << json.out;
  EXPECT_THAT(json.out, HasSubstr("\"lodgment_id\""));

  // Not a terminal: no progress bar.
  Result plain = Sbrgate({"--gateway=" + gateway_, "lodge", file});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, HasSubstr(": RECEIVED"));
  EXPECT_EQ(plain.err.find("sending"), std::string::npos);
}

TEST(PollPlanCliTest, PrintsTheScheduleLocally) {
  Result r = Sbrgate({"poll-plan", "--employees", "150", "--count", "4", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out), Json::parse(R"({"offsets_seconds": [120, 240, 840, 1440],
                            "give_up_after_seconds": 259200})"));
  EXPECT_EQ(Sbrgate({"--gateway=127.0.0.1:9", "poll-plan", "--employees", "1"}).exit_code, 2);
  EXPECT_EQ(Sbrgate({"poll-plan", "--json"}).exit_code, 2);
}

}  // namespace
}  // namespace sbrgate::cli
