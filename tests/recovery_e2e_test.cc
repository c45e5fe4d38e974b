// Recovery on the embedded default, across real processes: sbrgated-sandbox
// (every stage over the durable local log, the SBR2 simulator in the same
// process) on an accelerated clock (1 s = 1 h), driven through gRPC and the
// sbrgate CLI. A record a stage cannot process becomes a dead letter, its
// lodgment NEEDS_ATTENTION, and once the cause is fixed a redrive takes it to
// its final state; replays, asked twice, push only what SBR never processed,
// as the simulator's own counts show.
#include <stdio.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/payevnt/generator.h"
#include "proto/lodgment.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

namespace fs = std::filesystem;
using ::sbrgate::testing::JsonField;
using ::sbrgate::testing::Process;
using ::sbrgate::testing::RunfilesPath;

constexpr int kTimeScale = 3600;
// The simulator merges fault modes: this clears the ones the tests set.
constexpr char kNoFaults[] = R"({"unavailable": false, "slow_factor": 1, "system_error_rate": 0})";

class RecoveryE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(absl::StrCat(::testing::TempDir(), "/recovery"));
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", *dir_, " && mkdir -p ", *dir_).c_str()), 0);
    log_ = new std::string(*dir_ + "/daemon.log");
    daemon_ = testing::StartOrFail(
        "services/sbrgated/sbrgated-sandbox",
        {"--embedded-sim", "--grpc-listen=127.0.0.1:0", "--grpc-insecure-loopback", "--data-dir=" + *dir_ + "/data",
         "--instance-id=recovery", absl::StrCat("--time-scale=", kTimeScale),
         "--sim-processing-base=30s", "--sim-processing-per-employee=0s",
         "--system-error-backoff=10m", "--max-attempts=2"},
        *log_);
    const std::string ready = testing::ReadyLineOrFail(daemon_, *log_);
    grpc_ = new std::string(JsonField(ready, "grpc"));
    admin_ = new std::string(JsonField(ready, "sim_admin"));
    ASSERT_FALSE(grpc_->empty()) << ready;
    lodgments_ = v1::LodgmentService::NewStub(
                grpc::CreateChannel(*grpc_, grpc::InsecureChannelCredentials()))
                .release();
  }

  static void TearDownTestSuite() {
    delete lodgments_;
    delete daemon_;
  }

  void TearDown() override { SimFaults(kNoFaults); }

  static std::string Generate(const std::string& name, uint64_t seed, int employees = 3) {
    payevnt::GeneratorOptions o;
    o.employees = employees;
    o.seed = seed;
    o.message_timestamp = absl::Now();
    const std::string path = absl::StrCat(*dir_, "/", name, ".xml");
    auto sink = FileSink::Create(path);
    EXPECT_TRUE(sink.ok());
    EXPECT_TRUE(payevnt::GenerateLodgment(o, **sink).ok());
    EXPECT_TRUE((*sink)->Close().ok());
    return path;
  }

  static v1::Lodgment Lodge(const std::string& path) {
    grpc::ClientContext ctx;
    v1::Lodgment out;
    auto writer = lodgments_->SubmitPayEvent(&ctx, &out);
    v1::SubmitRequest first;
    first.mutable_metadata()->set_prevalidate(v1::PREVALIDATE_OFF);
    writer->Write(first);
    auto content = ReadFileToString(path);
    EXPECT_TRUE(content.ok());
    v1::SubmitRequest chunk;
    chunk.set_chunk(*content);
    writer->Write(chunk);
    writer->WritesDone();
    const grpc::Status s = writer->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static v1::Lodgment Get(const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetLodgmentRequest req;
    req.set_lodgment_id(id);
    v1::Lodgment l;
    const grpc::Status s = lodgments_->GetLodgment(&ctx, req, &l);
    EXPECT_TRUE(s.ok()) << id << ": " << s.error_message();
    return l;
  }

  // Polls until the lodgment is in `state`; the last seen otherwise.
  static v1::Lodgment AwaitState(const std::string& id, v1::LodgmentState state,
                                 absl::Duration timeout = absl::Seconds(60)) {
    const absl::Time deadline = absl::Now() + timeout;
    v1::Lodgment l;
    while (absl::Now() < deadline) {
      l = Get(id);
      if (l.state() == state) return l;
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << id << " is " << v1::LodgmentState_Name(l.state()) << " (" << l.detail()
                  << "), not " << v1::LodgmentState_Name(state) << "; see " << *log_;
    return l;
  }

  static std::vector<v1::ReplayOutcome> Replay(const std::string& id) {
    grpc::ClientContext ctx;
    v1::ReplayLodgmentsRequest req;
    req.add_lodgment_ids(id);
    v1::ReplayLodgmentsResponse resp;
    const grpc::Status s = lodgments_->ReplayLodgments(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.outcomes().begin(), resp.outcomes().end()};
  }

  // The simulator's own record: messages received and processing runs.
  struct SimCounts {
    int64_t messages = 0;
    int64_t processed = 0;
  };
  static SimCounts Sim() {
    httplib::Client admin(*admin_);
    auto res = admin.Get("/admin/stats");
    EXPECT_TRUE(res && res->status == 200);
    SimCounts c;
    if (!res) return c;
    const nlohmann::json stats = nlohmann::json::parse(res->body);
    for (const auto& m : stats["messages"]) {
      ++c.messages;
      c.processed += m["process_count"].get<int64_t>();
    }
    return c;
  }

  static void SimFaults(const std::string& json) {
    httplib::Client admin(*admin_);
    auto res = admin.Post("/admin/faults", json, "application/json");
    ASSERT_TRUE(res && res->status == 200);
  }

  // Runs the sbrgate CLI against the daemon; its stdout.
  static std::string Cli(const std::string& args) {
    const std::string command = absl::StrCat(RunfilesPath("services/cli/sbrgate"),
                                             " --gateway=", *grpc_, " ", args, " 2>>", *log_);
    FILE* p = popen(command.c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    EXPECT_EQ(pclose(p), 0) << command;
    return out;
  }

  static std::set<std::string> Blobs() {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(*dir_ + "/data/blobs")) {
      if (e.is_regular_file() && e.path().string().find("/tmp/") == std::string::npos) {
        out.insert(e.path().string());
      }
    }
    return out;
  }

  static inline std::string* dir_ = nullptr;
  static inline std::string* log_ = nullptr;
  static inline std::string* grpc_ = nullptr;
  static inline std::string* admin_ = nullptr;
  static inline Process* daemon_ = nullptr;
  static inline v1::LodgmentService::Stub* lodgments_ = nullptr;
};

TEST_F(RecoveryE2eTest, ADeadLetterIsRedrivenOnceItsCauseIsFixed) {
  // SBR is down, so the push is held; meanwhile its payload goes missing
  // (a blob volume unmounted): the next try is a dead letter. 80 employees:
  // a payload too large to travel inline in its record, so a file.
  SimFaults(R"({"unavailable": true})");
  const std::set<std::string> before = Blobs();
  const v1::Lodgment l = Lodge(Generate("dead-letter", 31, 80));
  const std::string id = l.lodgment_id();
  AwaitState(id, v1::HELD);
  std::vector<std::pair<std::string, std::string>> moved;
  for (const std::string& blob : Blobs()) {
    if (before.count(blob) > 0) continue;
    moved.emplace_back(blob, blob + ".away");
    fs::rename(blob, blob + ".away");
  }
  ASSERT_FALSE(moved.empty());
  const v1::Lodgment attention = AwaitState(id, v1::NEEDS_ATTENTION);
  EXPECT_NE(attention.detail().find("is missing"), std::string::npos) << attention.detail();

  const nlohmann::json listed = nlohmann::json::parse(Cli("deadletters list --json"));
  ASSERT_EQ(listed["dead_letters"].size(), 1u) << listed;
  const nlohmann::json& dl = listed["dead_letters"][0];
  EXPECT_EQ(dl["lodgment_id"], id);
  EXPECT_EQ(dl["stage"], "submit");
  EXPECT_EQ(dl["topic"], "sbrgate.lodgments.received");
  EXPECT_EQ(dl["error_code"], "NOT_FOUND");
  EXPECT_TRUE(dl["redrivable"].get<bool>());

  // The cause is fixed; the redrive takes it to its final state, once.
  for (const auto& [from, away] : moved) fs::rename(away, from);
  SimFaults(kNoFaults);
  const SimCounts sim_before = Sim();
  const nlohmann::json redriven = nlohmann::json::parse(Cli("deadletters redrive --all --json"));
  ASSERT_EQ(redriven["outcomes"].size(), 1u) << redriven;
  EXPECT_TRUE(redriven["outcomes"][0]["redriven"].get<bool>());
  const nlohmann::json again =
      nlohmann::json::parse(Cli(absl::StrCat("deadletters redrive --id=", dl["id"].get<std::string>(),
                                             " --json")));
  EXPECT_FALSE(again["outcomes"][0]["redriven"].get<bool>()) << again;
  EXPECT_EQ(AwaitState(id, v1::ACCEPTED).state(), v1::ACCEPTED);
  EXPECT_EQ(Sim().messages - sim_before.messages, 1);
  EXPECT_EQ(nlohmann::json::parse(Cli("deadletters list --json"))["dead_letters"].size(), 0u);
}

TEST_F(RecoveryE2eTest, ReplayAskedTwicePushesOnlyWhatSbrNeverProcessed) {
  // Accepted: final, nothing to do.
  const std::string accepted = Lodge(Generate("accepted", 41)).lodgment_id();
  AwaitState(accepted, v1::ACCEPTED);
  SimCounts start = Sim();
  for (int i = 0; i < 2; ++i) {
    const auto outcomes = Replay(accepted);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].action(), v1::ReplayOutcome::NOTHING_TO_DO) << outcomes[0].reason();
  }
  EXPECT_EQ(Sim().messages, start.messages);

  // Receipted and waiting for SBR's response: polled for, never pushed again.
  SimFaults(R"({"slow_factor": 100000})");
  start = Sim();
  const std::string waiting = Lodge(Generate("waiting", 42)).lodgment_id();
  AwaitState(waiting, v1::AWAITING_RESPONSE);
  for (int i = 0; i < 2; ++i) {
    const auto outcomes = Replay(waiting);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].action(), v1::ReplayOutcome::POLLING) << outcomes[0].reason();
  }
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(Sim().messages - start.messages, 1);
  SimFaults(kNoFaults);

  // SystemError after the automatic resubmissions: sent again once.
  SimFaults(R"({"system_error_rate": 1})");
  start = Sim();
  const std::string failed = Lodge(Generate("system-error", 43)).lodgment_id();
  const v1::Lodgment gave_up = AwaitState(failed, v1::SYSTEM_ERROR);
  EXPECT_EQ(Sim().messages - start.messages, gave_up.attempts());
  SimFaults(kNoFaults);
  const auto first = Replay(failed);
  const auto second = Replay(failed);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].action(), v1::ReplayOutcome::RESENT) << first[0].reason();
  // The first replay returned once the lodgment was queued again, so the
  // second sees it in flight.
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].action(), v1::ReplayOutcome::NOTHING_TO_DO) << second[0].reason();
  AwaitState(failed, v1::ACCEPTED);
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(Sim().messages - start.messages, gave_up.attempts() + 1)
      << "second replay: " << v1::ReplayOutcome::Action_Name(second[0].action());
  EXPECT_EQ(Sim().processed - start.processed, gave_up.attempts() + 1);
}

}  // namespace
}  // namespace sbrgate
