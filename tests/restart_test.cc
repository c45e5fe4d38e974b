// Crashes and restarts of the embedded default: sbrgated-sandbox runs every
// stage over the durable local log in --data-dir, with the SBR2 simulator in
// the same process keeping its state there too. While 50 pay events are
// lodged and worked through, the daemon is killed at random points (SIGKILL,
// once before it is ready, once SIGTERM) and restarted on the same data
// directory. The client lodges as payroll software would: it sends again
// what a dead or restarting daemon did not answer, and re-sends files it
// lodged before (the same ABN + BMS id + InteractionTransactionId must give
// the same lodgment). After the last restart every lodgment has the final
// state its content calls for, SBR processed each pay event exactly once
// and was never polled early, and the log holds nothing unconsumed and no
// dead letter.
//
// The kill points and the client's pacing come from seeded generators
// (kSeed); a failure names the lodgment, and every start of the daemon logs
// to one file (restart/daemon.log under the test's temporary directory).
#include <signal.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/log/local_log.h"
#include "pipeline/platform/stage/runner.h"
#include "pipeline/platform/stage/topology.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/topology/topology.h"
#include "proto/lodgment.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::sbrgate::testing::Process;

constexpr uint32_t kSeed = 20261206;
constexpr int kLodgments = 50;
// 1 s = 1 min: a lodgment of up to 100 employees is first polled one second
// after its receipt, then a second later, then every five seconds.
constexpr int kTimeScale = 60;
// SBR answers 90 simulated seconds after the push, so every lodgment spends
// a couple of real seconds between its push and its final state: kills land
// on lodgments being pushed, processed and polled for.
constexpr char kProcessingBase[] = "90s";
constexpr int kKills = 7;
constexpr int kTermKill = 3;         // this one is SIGTERM: a clean stop
constexpr int kKillBeforeReady = 5;  // this one lands during start-up
constexpr absl::Duration kRpcDeadline = absl::Seconds(20);
constexpr absl::Duration kGiveUp = absl::Seconds(120);

bool IsFinal(v1::LodgmentState s) {
  return s == v1::ACCEPTED || s == v1::PARTIALLY_ACCEPTED || s == v1::REJECTED ||
         s == v1::SYSTEM_ERROR || s == v1::ESCALATED || s == v1::SUPERSEDED || s == v1::REFUSED;
}

// What a dead, stopping or restarting daemon answers: send the same request
// again. (This client never cancels: a CANCELLED comes from a gRPC server
// that stops with calls it has not started.)
bool IsRetryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::ABORTED || code == grpc::StatusCode::CANCELLED;
}

// One generated pay event, how it is lodged and what SBR must make of it.
struct PayEvent {
  std::string path;
  int64_t employees = 0;
  v1::PrevalidateMode prevalidate = v1::PREVALIDATE_HOLD;
  v1::LodgmentState expected = v1::ACCEPTED;
};

// The running daemon's gRPC client, replaced at each start; the lodging thread
// uses whichever is current.
class CurrentGateway {
 public:
  void Set(const std::string& address) {
    auto client = std::shared_ptr<v1::LodgmentService::Stub>(v1::LodgmentService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
    absl::MutexLock lock(&mu_);
    lodgments_ = std::move(client);
  }
  std::shared_ptr<v1::LodgmentService::Stub> Get() const {
    absl::MutexLock lock(&mu_);
    return lodgments_;
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<v1::LodgmentService::Stub> lodgments_ ABSL_GUARDED_BY(mu_);
};

class RestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/restart");
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_).c_str()), 0);
    log_ = dir_ + "/daemon.log";
    // Every start shares the epoch, so the scaled clock runs on across
    // restarts instead of starting again from now.
    epoch_ = absl::StrCat(absl::ToUnixSeconds(absl::Now()));
  }

  void TearDown() override {
    // However the test ended: no lodger is left retrying against a daemon
    // that is gone.
    abandon_ = true;
    if (lodger_.joinable()) lodger_.join();
    if (HasFailure()) std::cerr << "daemon log: " << log_ << "\n" << LogTail();
  }

  std::unique_ptr<Process> StartDaemon() {
    ++starts_;
    std::ofstream(log_, std::ios::app) << "=== restart_test: start " << starts_ << "\n";
    absl::StatusOr<std::unique_ptr<Process>> p = Process::Start(
        "services/sbrgated/sbrgated-sandbox",
        {"--embedded-sim", "--data-dir=" + dir_ + "/data", "--grpc-listen=127.0.0.1:0", "--grpc-insecure-loopback",
         "--instance-id=restart", absl::StrCat("--time-scale=", kTimeScale),
         "--clock-epoch=" + epoch_, absl::StrCat("--sim-processing-base=", kProcessingBase),
         "--sim-processing-per-employee=0s"},
        log_);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *std::move(p) : nullptr;
  }

  // Starts the daemon and waits for its ready line; points the client at it.
  std::unique_ptr<Process> StartReady() {
    std::unique_ptr<Process> daemon = StartDaemon();
    const std::string ready = testing::ReadyLineOrFail(daemon.get(), log_);
    const std::string grpc = JsonField(ready, "grpc");
    EXPECT_FALSE(grpc.empty()) << "start " << starts_ << ": ready line '" << ready << "'";
    sim_admin_ = JsonField(ready, "sim_admin");
    gateway_.Set(grpc);
    return daemon;
  }

  PayEvent Generate(int i) {
    payevnt::GeneratorOptions o;
    o.seed = 7001 + i;
    o.employees = 2 + i % 3;
    o.message_timestamp = absl::Now();
    PayEvent e;
    e.employees = o.employees;
    if (i % 10 == 3) {
      o.cancelled_employer = true;  // SBR's ABN register refuses the employer
      e.expected = v1::REJECTED;
    } else if (i % 10 == 6) {
      o.invalid_tfns = 1;  // sent as it is: SBR's channel validation rejects that record
      e.prevalidate = v1::PREVALIDATE_OFF;
      e.expected = v1::PARTIALLY_ACCEPTED;
    } else if (i % 10 == 8) {
      // Only SBR's TFN register catches it, and posts it to the employer
      // (seed 002): no rejection.
      o.name_mismatches = 1;
    }
    e.path = absl::StrCat(dir_, "/pay-", i, ".xml");
    auto sink = FileSink::Create(e.path);
    EXPECT_TRUE(sink.ok()) << sink.status();
    auto generated = payevnt::GenerateLodgment(o, **sink);
    EXPECT_TRUE(generated.ok()) << generated.status();
    EXPECT_TRUE((*sink)->Close().ok());
    return e;
  }

  // Uploads the file in 256 KiB chunks to the current daemon, once.
  static grpc::Status Upload(v1::LodgmentService::Stub& client, const std::string& content,
                             v1::PrevalidateMode prevalidate, v1::Lodgment* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + kRpcDeadline));
    auto writer = client.SubmitPayEvent(&ctx, out);
    v1::SubmitRequest first;
    first.mutable_metadata()->set_prevalidate(prevalidate);
    bool open = writer->Write(first);
    for (size_t at = 0; open && at < content.size(); at += 256 << 10) {
      v1::SubmitRequest chunk;
      chunk.set_chunk(content.substr(at, 256 << 10));
      open = writer->Write(chunk);
    }
    if (open) writer->WritesDone();
    return writer->Finish();
  }

  // Lodges the pay event, sending it again to whichever daemon is current
  // for as long as the answer says the daemon was not there to give one.
  absl::StatusOr<v1::Lodgment> LodgeUntilAnswered(const PayEvent& event) {
    const std::string& path = event.path;
    absl::StatusOr<std::string> content = ReadFileToString(path);
    if (!content.ok()) return content.status();
    const absl::Time give_up = absl::Now() + kGiveUp;
    for (;;) {
      std::shared_ptr<v1::LodgmentService::Stub> client = gateway_.Get();
      v1::Lodgment lodgment;
      const grpc::Status s = Upload(*client, *content, event.prevalidate, &lodgment);
      if (s.ok()) {
        CheckReadable(*client, lodgment.lodgment_id());
        return lodgment;
      }
      if (!IsRetryable(s.error_code()) || absl::Now() > give_up || abandon_) {
        return absl::InternalError(absl::StrCat(path, ": lodge answered ", s.error_code(), " ",
                                                s.error_message()));
      }
      ++retries_;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  // Read-your-writes: the daemon that answered a lodge knows the lodgment
  // at once, and so does every daemon after it.
  void CheckReadable(v1::LodgmentService::Stub& answered_by, const std::string& id) {
    v1::Lodgment got;
    grpc::Status s = Get(answered_by, id, &got);
    const absl::Time give_up = absl::Now() + kGiveUp;
    bool restarted = false;
    while (IsRetryable(s.error_code()) && absl::Now() < give_up && !abandon_) {
      restarted = true;
      absl::SleepFor(absl::Milliseconds(50));
      s = Get(*gateway_.Get(), id, &got);
    }
    if (!s.ok()) {
      Problem(absl::StrCat("GetLodgment(", id, ") right after its lodge returned",
                           restarted ? " (from the daemon after a restart)" : "", ": ",
                           s.error_code(), " ", s.error_message()));
    }
  }

  static grpc::Status Get(v1::LodgmentService::Stub& client, const std::string& id,
                          v1::Lodgment* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + kRpcDeadline));
    v1::GetLodgmentRequest req;
    req.set_lodgment_id(id);
    return client.GetLodgment(&ctx, req, out);
  }

  // The payroll side: lodges every pay event in order at a random pace, and
  // now and then sends an earlier one again, which must give the lodgment
  // it gave the first time.
  void LodgeAll() {
    std::mt19937 rng(kSeed + 1);
    for (int i = 0; i < kLodgments && !abandon_; ++i) {
      absl::StatusOr<v1::Lodgment> l = LodgeUntilAnswered(events_[i]);
      if (!l.ok()) {
        Problem(std::string(l.status().message()));
        continue;
      }
      ids_[i] = l->lodgment_id();
      ++lodged_;
      if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
        const int again = std::uniform_int_distribution<int>(0, i)(rng);
        absl::StatusOr<v1::Lodgment> repeat = LodgeUntilAnswered(events_[again]);
        if (!repeat.ok()) {
          Problem(std::string(repeat.status().message()));
        } else if (!ids_[again].empty() && repeat->lodgment_id() != ids_[again]) {
          Problem(absl::StrCat("pay event ", again, " lodged again became ",
                               repeat->lodgment_id(), ", not ", ids_[again]));
        }
        ++relodged_;
      }
      absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(50, 300)(rng)));
    }
  }

  void Problem(const std::string& what) {
    absl::MutexLock lock(&mu_);
    problems_.push_back(what);
  }

  // The lodgment once final, or as it last was when `deadline` passed.
  v1::Lodgment AwaitFinal(const std::string& id, absl::Time deadline) {
    v1::Lodgment l;
    while (absl::Now() < deadline) {
      l.Clear();
      const grpc::Status s = Get(*gateway_.Get(), id, &l);
      EXPECT_TRUE(s.ok() || IsRetryable(s.error_code()))
          << id << ": " << s.error_code() << " " << s.error_message();
      if (!s.ok() && !IsRetryable(s.error_code())) return l;
      if (s.ok() && IsFinal(l.state())) return l;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return l;
  }

  nlohmann::json SimStats() {
    httplib::Client admin(sim_admin_);
    auto res = admin.Get("/admin/stats");
    EXPECT_TRUE(res && res->status == 200) << sim_admin_;
    return res && res->status == 200 ? nlohmann::json::parse(res->body) : nlohmann::json();
  }

  std::string LogTail() const {
    auto log = ReadFileToString(log_);
    if (!log.ok()) return "";
    return log->substr(log->size() > 6000 ? log->size() - 6000 : 0);
  }

  std::string dir_;
  std::string log_;
  std::string epoch_;
  int starts_ = 0;
  std::string sim_admin_;
  CurrentGateway gateway_;
  std::vector<PayEvent> events_;
  // Written by the lodging thread only, read after it is joined.
  std::vector<std::string> ids_ = std::vector<std::string>(kLodgments);
  std::thread lodger_;  // runs LodgeAll
  std::atomic<bool> abandon_{false};
  std::atomic<int> retries_{0};
  std::atomic<int> lodged_{0};
  int relodged_ = 0;
  absl::Mutex mu_;
  std::vector<std::string> problems_ ABSL_GUARDED_BY(mu_);
};

// A push that takes long (a large upload) holds back only its own
// lodgment: those lodged after it go through to their final state, and the
// daemon killed meanwhile pushes only it again after its restart.
TEST_F(RestartTest, ASlowPushHoldsBackOnlyItsOwnLodgmentAcrossAKill) {
  std::unique_ptr<Process> daemon = StartReady();
  ASSERT_NE(daemon, nullptr);
  {
    httplib::Client admin(sim_admin_);
    auto res = admin.Post("/admin/faults", R"({"hold_receipts_over_bytes": 50000})",
                          "application/json");
    ASSERT_TRUE(res && res->status == 200) << sim_admin_;
  }
  PayEvent big;
  big.path = dir_ + "/slow-big.xml";
  {
    payevnt::GeneratorOptions o;
    o.seed = 7500;
    o.employees = 3000;
    o.message_timestamp = absl::Now();
    auto sink = FileSink::Create(big.path);
    ASSERT_TRUE(sink.ok()) << sink.status();
    ASSERT_TRUE(payevnt::GenerateLodgment(o, **sink).ok());
    ASSERT_TRUE((*sink)->Close().ok());
  }
  absl::StatusOr<v1::Lodgment> slow = LodgeUntilAnswered(big);
  ASSERT_TRUE(slow.ok()) << slow.status();
  auto received = [&](const std::string& message_id) -> nlohmann::json {
    const nlohmann::json stats = SimStats();
    for (const auto& m : stats["messages"]) {
      if (m["message_id"] == message_id) return m;
    }
    return nlohmann::json();
  };
  // Its MessageId, once the submit stage has it (the lodge answers at RECEIVED).
  auto pushed_as = [&](const std::string& lodgment_id) {
    v1::Lodgment l;
    for (int i = 0; i < 300 && l.message_id().empty(); ++i) {
      if (i > 0) absl::SleepFor(absl::Milliseconds(100));
      EXPECT_TRUE(Get(*gateway_.Get(), lodgment_id, &l).ok());
    }
    return l.message_id();
  };
  const std::string slow_message = pushed_as(slow->lodgment_id());
  for (int i = 0; i < 300 && received(slow_message).is_null(); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_FALSE(received(slow_message).is_null()) << "SBR never received " << slow_message;

  // Enough that some share the big one's partition.
  std::vector<std::pair<PayEvent, v1::Lodgment>> small;
  for (int i = 0; i < 12; ++i) {
    PayEvent e = Generate(i);
    absl::StatusOr<v1::Lodgment> l = LodgeUntilAnswered(e);
    ASSERT_TRUE(l.ok()) << l.status();
    small.emplace_back(e, *l);
  }
  const absl::Time deadline = absl::Now() + kGiveUp;
  for (const auto& [event, lodged] : small) {
    EXPECT_EQ(AwaitFinal(lodged.lodgment_id(), deadline).state(), event.expected)
        << lodged.lodgment_id();
  }
  v1::Lodgment now;
  ASSERT_TRUE(Get(*gateway_.Get(), slow->lodgment_id(), &now).ok());
  EXPECT_EQ(now.state(), v1::SUBMITTED) << now.detail();

  daemon->Kill(SIGKILL);
  daemon->Wait();
  daemon = StartReady();  // the simulator starts without fault modes
  EXPECT_EQ(AwaitFinal(slow->lodgment_id(), absl::Now() + kGiveUp).state(), v1::ACCEPTED);
  EXPECT_EQ(received(slow_message)["process_count"], 1);
  EXPECT_GE(received(slow_message)["receipts_sent"].get<int>(), 2);
  for (const auto& [event, lodged] : small) {
    EXPECT_EQ(received(pushed_as(lodged.lodgment_id()))["receipts_sent"], 1)
        << lodged.lodgment_id() << " was pushed again";
  }

  // A stop with a receipt held: the simulator lets it go (its fault modes
  // end with the daemon), so the stop does not wait out the hold.
  {
    httplib::Client admin(sim_admin_);
    auto res = admin.Post("/admin/faults", R"({"hold_receipts": true})", "application/json");
    ASSERT_TRUE(res && res->status == 200) << sim_admin_;
  }
  absl::StatusOr<v1::Lodgment> held = LodgeUntilAnswered(Generate(20));
  ASSERT_TRUE(held.ok()) << held.status();
  const std::string held_message = pushed_as(held->lodgment_id());
  for (int i = 0; i < 300 && received(held_message).is_null(); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_FALSE(received(held_message).is_null()) << "SBR never received " << held_message;
  const absl::Time stopping = absl::Now();
  daemon->Kill(SIGTERM);
  EXPECT_EQ(daemon->Wait(), 0);
  EXPECT_LT(absl::Now() - stopping, absl::Seconds(30));
}

TEST_F(RestartTest, KilledDaemonLosesNothingAndSbrProcessesEachPayEventOnce) {
  for (int i = 0; i < kLodgments; ++i) events_.push_back(Generate(i));
  std::unique_ptr<Process> daemon = StartReady();
  ASSERT_NE(daemon, nullptr);

  lodger_ = std::thread([this] { LodgeAll(); });
  std::mt19937 rng(kSeed);
  for (int k = 0; k < kKills; ++k) {
    const int signal = k == kTermKill ? SIGTERM : SIGKILL;
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(500, 2000)(rng)));
    std::cerr << "kill " << k << " (" << (signal == SIGTERM ? "SIGTERM" : "SIGKILL") << "): "
              << lodged_ << " of " << kLodgments << " pay events lodged\n";
    const absl::Time stop = absl::Now();
    daemon->Kill(signal);
    const int exit = daemon->Wait();
    std::cerr << "  stopped in " << absl::Now() - stop << "\n";
    if (signal == SIGTERM) {
      EXPECT_EQ(exit, 0) << "a SIGTERM'd daemon stops cleanly";
      // Within the 5 s its gRPC server gives calls in progress to finish.
      EXPECT_LT(absl::Now() - stop, absl::Seconds(5));
    } else {
      EXPECT_EQ(exit, -SIGKILL);
    }
    if (k == kKillBeforeReady) {
      daemon = StartDaemon();
      ASSERT_NE(daemon, nullptr);
      absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(0, 300)(rng)));
      daemon->Kill(SIGKILL);
      daemon->Wait();
    }
    const absl::Time start = absl::Now();
    daemon = StartReady();
    ASSERT_NE(daemon, nullptr);
    std::cerr << "  ready in " << absl::Now() - start << "\n";
  }
  lodger_.join();
  std::cerr << "starts " << starts_ << ", lodges sent again after no answer " << retries_
            << ", pay events lodged again on purpose " << relodged_ << "\n";
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& p : problems_) ADD_FAILURE() << p;
  }

  // Every lodgment reaches the final state its content calls for, pushed
  // once (one MessageId, its receipt recorded).
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  std::map<std::string, int> message_ids;  // MessageId -> pay event
  for (int i = 0; i < kLodgments; ++i) {
    if (ids_[i].empty()) continue;  // reported above
    const v1::Lodgment l = AwaitFinal(ids_[i], deadline);
    EXPECT_EQ(l.state(), events_[i].expected)
        << "pay event " << i << " (" << ids_[i] << "): " << v1::LodgmentState_Name(l.state())
        << ", " << l.detail();
    EXPECT_EQ(l.attempts(), 1) << ids_[i];
    EXPECT_EQ(l.receipt().message_id(), l.message_id()) << ids_[i];
    EXPECT_TRUE(message_ids.emplace(l.message_id(), i).second)
        << "pay events " << message_ids[l.message_id()] << " and " << i << " share MessageId "
        << l.message_id();
  }

  // The gateway holds the 50 lodgments and no other.
  {
    grpc::ClientContext ctx;
    v1::ListLodgmentsRequest req;
    req.set_page_size(1000);
    v1::ListLodgmentsResponse list;
    ASSERT_TRUE(gateway_.Get()->ListLodgments(&ctx, req, &list).ok());
    std::set<std::string> listed;
    for (const v1::Lodgment& l : list.lodgments()) listed.insert(l.lodgment_id());
    EXPECT_EQ(listed, std::set<std::string>(ids_.begin(), ids_.end()));
    EXPECT_TRUE(list.next_page_token().empty());
  }

  // SBR saw one message per lodgment and processed each once; repeats of a
  // push (same MessageId) were answered as duplicates. No pull came early.
  const nlohmann::json stats = SimStats();
  ASSERT_FALSE(stats.is_null());
  std::cerr << "SBR: " << stats["pushes"] << " pushes, " << stats["duplicate_pushes"]
            << " duplicates, " << stats["pulls"] << " pulls\n";
  EXPECT_EQ(stats["messages"].size(), static_cast<size_t>(kLodgments));
  for (const auto& m : stats["messages"]) {
    const std::string id = m["message_id"];
    const auto known = message_ids.find(id);
    EXPECT_NE(known, message_ids.end()) << "SBR received " << id << ", which no lodgment has";
    // A start cut short by the simulator's own kill left no trace at SBR.
    EXPECT_EQ(m["process_count"].get<int>() - m["interrupted_count"].get<int>(), 1)
        << "message " << id << ": " << m.dump();
    EXPECT_EQ(m["processed"], true) << "message " << id;
    if (known != message_ids.end()) {
      EXPECT_EQ(m["employees"], events_[known->second].employees) << "message " << id;
    }
  }
  EXPECT_GT(stats["pulls"].get<int>(), 0);
  EXPECT_EQ(stats["early_pulls"], 0);

  // Stopped cleanly, the log holds no dead letter, and each stage's group
  // has consumed its inputs to the end. (The views are left out: each start
  // reads the status topic from the beginning under a group of its own.)
  daemon->Kill(SIGTERM);
  EXPECT_EQ(daemon->Wait(), 0);
  ASSERT_EQ(std::system(absl::StrCat("mkdir -p ", dir_, "/log-reader").c_str()), 0);
  auto local_log = log::LocalLog::OpenReadOnly(dir_ + "/data/log", dir_ + "/log-reader");
  ASSERT_TRUE(local_log.ok()) << local_log.status();
  const stage::Topology& topology = topology::Sbrgate();
  for (int p = 0; p < topology.FindTopic(lodgment::topics::kDeadLetter)->partitions; ++p) {
    EXPECT_EQ((*local_log)->Partition({lodgment::topics::kDeadLetter, p}).high, 0)
        << "dead letters on partition " << p;
  }
  for (const stage::StageSpec& spec : topology.stages()) {
    if (spec.per_instance) continue;
    const std::string group = stage::GroupId(topology.app(), spec.name);
    for (const std::string& topic : spec.inputs) {
      for (int p = 0; p < topology.FindTopic(topic)->partitions; ++p) {
        const log::TopicPartition tp{topic, p};
        absl::StatusOr<int64_t> committed = (*local_log)->CommittedOffset(group, tp);
        ASSERT_TRUE(committed.ok()) << committed.status();
        EXPECT_EQ(*committed, (*local_log)->Partition(tp).high)
            << group << " left " << topic << " partition " << p << " unconsumed";
      }
    }
  }
}

}  // namespace
}  // namespace sbrgate
