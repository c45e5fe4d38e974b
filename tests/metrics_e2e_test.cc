// The admin port of the embedded default, across processes: sbrgated-sandbox
// runs with --admin-listen; three pay events are lodged over gRPC (one SBR
// accepts, one it rejects whole, one it accepts in part) and followed to
// their final states while /metrics is scraped over HTTP. The counters move
// with the lodgments, the gauge of lodgments by state ends where the API
// says they are, no pull is early (sbrgate's count and the simulator's),
// and /healthz and /readyz answer. The daemon logs in JSON (--log-format=json):
// each lodgment's state changes and SBR exchanges are there, and none of the
// pay events' TFNs.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/payevnt/generator.h"
#include "proto/lodgment.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::sbrgate::testing::Process;

// 1 s = 10 min: first polls come a tenth of a second after the receipt.
constexpr int kTimeScale = 600;

// Every series of one scrape: "name{labels}" -> value.
using Scrape = std::map<std::string, double>;

class MetricsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/metrics-e2e");
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_).c_str()), 0);
    log_ = dir_ + "/daemon.log";
    absl::StatusOr<std::unique_ptr<Process>> p = Process::Start(
        "services/sbrgated/sbrgated-sandbox",
        {"--embedded-sim", "--data-dir=" + dir_ + "/data", "--grpc-listen=127.0.0.1:0",
         "--grpc-insecure-loopback", "--admin-listen=127.0.0.1:0", "--instance-id=metrics",
         "--log-format=json",
         absl::StrCat("--time-scale=", kTimeScale), "--sim-processing-base=30s",
         "--sim-processing-per-employee=0s"},
        log_);
    ASSERT_TRUE(p.ok()) << p.status();
    daemon_ = *std::move(p);
    const std::string ready = testing::ReadyLineOrFail(daemon_.get(), log_);
    admin_ = JsonField(ready, "admin");
    sim_admin_ = JsonField(ready, "sim_admin");
    ASSERT_FALSE(admin_.empty()) << "ready line without the admin port: " << ready;
    client_ = v1::LodgmentService::NewStub(
        grpc::CreateChannel(JsonField(ready, "grpc"), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "daemon log: " << log_ << "\n";
  }

  // GET `path` on the admin port: status and body.
  std::pair<int, std::string> Get(const std::string& path) {
    httplib::Client admin(admin_);
    httplib::Result res = admin.Get(path);
    if (!res) return {0, ""};
    return {res->status, res->body};
  }

  // /metrics, each line checked against the text exposition format.
  Scrape ScrapeMetrics() {
    auto [status, body] = Get("/metrics");
    EXPECT_EQ(status, 200);
    static const std::regex kSample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})?) (-?[0-9.e+]+|\+Inf|NaN)$)");
    static const std::regex kComment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
    Scrape out;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_match(line, kComment)) continue;
      if (!std::regex_match(line, m, kSample)) {
        ADD_FAILURE() << "not a sample line: " << line;
        continue;
      }
      out[m[1]] = std::stod(m[6]);
    }
    return out;
  }

  static double Value(const Scrape& s, const std::string& series) {
    auto it = s.find(series);
    return it == s.end() ? 0 : it->second;
  }

  std::string Generate(int seed, bool cancelled_employer, int invalid_tfns) {
    payevnt::GeneratorOptions o;
    o.seed = seed;
    o.employees = 4;
    o.message_timestamp = absl::Now();
    o.cancelled_employer = cancelled_employer;
    o.invalid_tfns = invalid_tfns;
    const std::string path = absl::StrCat(dir_, "/pay-", seed, ".xml");
    auto sink = FileSink::Create(path);
    EXPECT_TRUE(sink.ok()) << sink.status();
    EXPECT_TRUE(payevnt::GenerateLodgment(o, **sink).ok());
    EXPECT_TRUE((*sink)->Close().ok());
    absl::StatusOr<std::string> content = ReadFileToString(path);
    if (!content.ok()) return "";
    static const std::regex kTfn("TaxFileNumberId>([0-9]+)<");
    for (std::sregex_iterator it(content->begin(), content->end(), kTfn), end; it != end; ++it) {
      tfns_.push_back((*it)[1]);
    }
    return *content;
  }

  // The daemon's JSON log lines (stderr holds nothing else that starts
  // with '{').
  std::vector<nlohmann::json> LogLines() {
    std::vector<nlohmann::json> out;
    absl::StatusOr<std::string> log = ReadFileToString(log_);
    EXPECT_TRUE(log.ok()) << log.status();
    std::istringstream lines(log.ok() ? *log : "");
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line[0] != '{') continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) {
        ADD_FAILURE() << "not a JSON log line: " << line;
        continue;
      }
      out.push_back(std::move(j));
    }
    return out;
  }

  v1::Lodgment Lodge(const std::string& content,
                     v1::PrevalidateMode prevalidate = v1::PREVALIDATE_HOLD) {
    grpc::ClientContext ctx;
    v1::Lodgment out;
    auto writer = client_->SubmitPayEvent(&ctx, &out);
    v1::SubmitRequest first;
    first.mutable_metadata()->set_prevalidate(prevalidate);
    EXPECT_TRUE(writer->Write(first));
    v1::SubmitRequest chunk;
    chunk.set_chunk(content);
    EXPECT_TRUE(writer->Write(chunk));
    writer->WritesDone();
    const grpc::Status s = writer->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::Lodgment AwaitFinal(const std::string& id) {
    v1::Lodgment l;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      grpc::ClientContext ctx;
      v1::GetLodgmentRequest req;
      req.set_lodgment_id(id);
      if (client_->GetLodgment(&ctx, req, &l).ok() &&
          (l.state() == v1::ACCEPTED || l.state() == v1::PARTIALLY_ACCEPTED ||
           l.state() == v1::REJECTED)) {
        return l;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << id << " did not reach a final state; last " << v1::LodgmentState_Name(l.state());
    return l;
  }

  std::string dir_;
  std::string log_;
  std::string admin_;
  std::string sim_admin_;
  std::unique_ptr<Process> daemon_;
  std::unique_ptr<v1::LodgmentService::Stub> client_;
  std::vector<std::string> tfns_;  // of the generated pay events
};

TEST_F(MetricsE2eTest, CountersMoveAsLodgmentsMoveAndNoPullIsEarly) {
  EXPECT_EQ(Get("/healthz").first, 200);
  EXPECT_EQ(Get("/readyz"), std::make_pair(200, std::string("ok\n")));

  const Scrape before = ScrapeMetrics();
  EXPECT_EQ(Value(before, "sbrgate_lodgments{state=\"ACCEPTED\"}"), 0);
  // The status view (its stage named after the instance and the view's
  // copy) has caught up: that is what made the daemon ready.
  auto view = before.lower_bound("sbrgate_stage_caught_up{stage=\"status-view-metrics-");
  ASSERT_NE(view, before.end());
  EXPECT_THAT(view->first, ::testing::StartsWith("sbrgate_stage_caught_up{stage=\"status-view-"));
  EXPECT_EQ(view->second, 1);

  const std::string accepted = Generate(8101, false, 0);
  const std::string rejected = Generate(8102, true, 0);
  // A bad TFN check digit, sent as it is: SBR's channel validation rejects
  // that record and accepts the rest.
  const std::string partial = Generate(8103, false, 1);
  const v1::Lodgment a = Lodge(accepted);
  const v1::Lodgment r = Lodge(rejected);
  const v1::Lodgment p = Lodge(partial, v1::PREVALIDATE_OFF);

  // Received and counted before any of them is final.
  const Scrape lodged = ScrapeMetrics();
  EXPECT_EQ(Value(lodged, "sbrgate_ingest_records_total{disposition=\"sent\"}"), 12);
  EXPECT_EQ(Value(lodged, "sbrgate_ingest_bytes_total"),
            static_cast<double>(accepted.size() + rejected.size() + partial.size()));
  EXPECT_EQ(Value(lodged, "sbrgate_grpc_requests_total{method=\"/sbrgate.v1.LodgmentService/"
                          "SubmitPayEvent\",code=\"OK\"}"),
            3);
  EXPECT_EQ(Value(lodged, "sbrgate_lodgment_transitions_total{state=\"RECEIVED\"}"), 3);

  EXPECT_EQ(AwaitFinal(a.lodgment_id()).state(), v1::ACCEPTED);
  EXPECT_EQ(AwaitFinal(r.lodgment_id()).state(), v1::REJECTED);
  EXPECT_EQ(AwaitFinal(p.lodgment_id()).state(), v1::PARTIALLY_ACCEPTED);

  const Scrape after = ScrapeMetrics();
  // The gauge ends where the API says the lodgments are.
  EXPECT_EQ(Value(after, "sbrgate_lodgments{state=\"ACCEPTED\"}"), 1);
  EXPECT_EQ(Value(after, "sbrgate_lodgments{state=\"REJECTED\"}"), 1);
  EXPECT_EQ(Value(after, "sbrgate_lodgments{state=\"PARTIALLY_ACCEPTED\"}"), 1);
  EXPECT_EQ(Value(after, "sbrgate_lodgments{state=\"RECEIVED\"}"), 0);
  EXPECT_EQ(Value(after, "sbrgate_lodgment_transitions_total{state=\"SUBMITTED\"}"), 3);
  // Every lodgment was pushed once, receipted, and pulled on time until its
  // response came.
  EXPECT_EQ(Value(after, "sbrgate_sbr_exchange_seconds_count{action=\"push\",outcome=\"receipt\"}"), 3);
  EXPECT_EQ(Value(after, "sbrgate_sbr_exchange_seconds_count{action=\"pull\",outcome=\"response\"}"), 3);
  EXPECT_GE(Value(after, "sbrgate_polls_total{timing=\"on_time\"}"), 3);
  EXPECT_EQ(Value(after, "sbrgate_polls_total{timing=\"early\"}"), 0);
  EXPECT_EQ(Value(after, "sbrgate_sbr_exchanges_in_flight{action=\"push\"}"), 0);
  EXPECT_EQ(Value(after, "sbrgate_sbr_exchanges_in_flight{action=\"pull\"}"), 0);
  EXPECT_GE(Value(after, "sbrgate_stage_records_total{stage=\"submit\"}"), 3);
  EXPECT_GE(Value(after, "sbrgate_stage_records_total{stage=\"triage\"}"), 3);
  EXPECT_GT(Value(after, "sbrgate_stage_transactions_total{stage=\"poll\"}"),
            Value(before, "sbrgate_stage_transactions_total{stage=\"poll\"}"));
  EXPECT_EQ(Value(after, "sbrgate_stage_dead_letters_total{stage=\"submit\"}"), 0);
  // The submit stage's lag on each partition of its input: known, and none
  // left once every lodgment is final.
  int partitions = 0;
  const std::string lag = "sbrgate_stage_consumer_lag{stage=\"submit\",topic=\"sbrgate.lodgments.received\",";
  for (auto it = after.lower_bound(lag); it != after.end() && it->first.rfind(lag, 0) == 0; ++it) {
    ++partitions;
    EXPECT_EQ(it->second, 0) << it->first;
  }
  EXPECT_GT(partitions, 0);

  // The simulator (the ATO's side) saw no early pull either.
  httplib::Client sim(sim_admin_);
  httplib::Result stats = sim.Get("/admin/stats");
  ASSERT_TRUE(stats && stats->status == 200);
  EXPECT_EQ(nlohmann::json::parse(stats->body)["early_pulls"], 0);

  // The log: one JSON object a line, each state change and exchange there.
  const std::vector<nlohmann::json> lines = LogLines();
  std::map<std::string, std::vector<std::string>> states;  // lodgment id -> states logged
  std::map<std::string, std::vector<std::string>> exchanges;  // message id -> outcomes
  bool ready = false;
  for (const nlohmann::json& j : lines) {
    for (const char* field : {"time", "level", "component", "event"}) {
      EXPECT_TRUE(j.contains(field)) << field << " missing in " << j.dump();
    }
    const std::string event = j.value("event", "");
    if (event == "state_change") states[j.value("lodgment_id", "")].push_back(j.value("state", ""));
    if (event == "exchange") exchanges[j.value("message_id", "")].push_back(j.value("outcome", ""));
    if (j.value("component", "") == "pipeline" && event == "ready") ready = true;
  }
  EXPECT_TRUE(ready);
  const std::vector<std::pair<v1::Lodgment, std::string>> expected = {
      {a, "ACCEPTED"}, {r, "REJECTED"}, {p, "PARTIALLY_ACCEPTED"}};
  for (const auto& [l, final_state] : expected) {
    EXPECT_THAT(states[l.lodgment_id()],
                ::testing::ElementsAre("RECEIVED", "SUBMITTED", "RECEIPTED", "AWAITING_RESPONSE",
                                       final_state))
        << l.lodgment_id();
    EXPECT_THAT(exchanges[l.message_id()], ::testing::Contains("receipt")) << l.message_id();
    EXPECT_THAT(exchanges[l.message_id()], ::testing::Contains("response")) << l.message_id();
  }
  // No TFN of the pay events, whole, anywhere in what the daemon wrote.
  absl::StatusOr<std::string> log = ReadFileToString(log_);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(tfns_.size(), 12u);
  for (const std::string& tfn : tfns_) EXPECT_EQ(log->find(tfn), std::string::npos) << tfn;
}

}  // namespace
}  // namespace sbrgate
