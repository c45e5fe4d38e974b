// Poll store benchmark: what pending polls cost a restart. It fills a log
// by running the real poll stage over generated LodgmentReceipted records,
// then, in a fresh process, restarts the stage and measures the RAM it
// takes per pending poll and how long it is out of service: from opening
// the log to the end of the first punctuation that pulled a due lodgment.
//
//   --log=local  the embedded default: a local log (pipeline/platform/log)
//                and the LocalStageRunner, whose stores are in the log;
//   --log=kafka  librdkafka's mock cluster, hosted by the parent process,
//                and the KafkaStageRunner, whose stores are RocksDB in a
//                state directory with changelog checkpoints. Restarted
//                twice: on its state directory ("warm": reads the changelog
//                from its checkpoints) and on an empty one ("cold": reads
//                it whole). The mock keeps 5 MiB a partition, which bounds
//                --pending to some tens of thousands.
//
// Targets (README.md): at most 200 bytes of RAM per pending poll, and back
// in service within 10 s of a restart.
//
//   bazel run -c opt //bench:poll_store_bench -- --pending=1000000
//   bazel run -c opt //bench:poll_store_bench -- --log=kafka --pending=30000
//
// The stage's clock stands still at the restart instant (T0); the first
// polls of the pending lodgments are spread from 10 s before T0 to an hour
// after it, so that about 0.3% are due when it restarts. SBR answers every
// pull with "nothing yet", which reschedules the lodgment as a real pull
// would. RAM is the restarted process's peak resident set (VmHWM) less its
// resident set before it opened the log, over the number of pending polls.
// Reports figures; it passes or fails nothing.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/elapsed.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/kafka/embedded_cluster.h"
#include "pipeline/platform/kafka/transactional_producer.h"
#include "pipeline/platform/log/local_log.h"
#include "pipeline/platform/stage/kafka_runner.h"
#include "pipeline/platform/stage/local_runner.h"
#include "pipeline/platform/stage/runner.h"
#include "pipeline/stp/poll_schedule/schedule.h"
#include "pipeline/stp/stages/poll_stage.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

ABSL_FLAG(int64_t, pending, 1000000, "pending polls to fill the store with");
ABSL_FLAG(std::string, work_dir, "/tmp/sbrgate-poll-store-bench", "scratch directory");
ABSL_FLAG(double, run_for, 5, "seconds to keep the restarted stage running once in service");
ABSL_FLAG(std::string, log, "local", "local (the embedded default) or kafka (the mock cluster)");
ABSL_FLAG(std::string, phase, "",
          "internal: fill, restart or restart-cold, each run in a process of its own");

namespace sbrgate {
namespace {

// The restart instant, as the stage's clock reads it.
const absl::Time kT0 = absl::FromUnixSeconds(1'796'000'000);
constexpr absl::Duration kMargin = absl::Seconds(2);  // the poll stage's default

using bench::SecondsSince;
using bench::Steady;

// A field of /proc/self/status in bytes (VmRSS, VmHWM).
int64_t ProcStatusBytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1)) * 1024;
  }
  return -1;
}

double MiB(int64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

// Answers every pull "nothing yet" and counts them.
class NothingYetSbr : public sbr_client::SbrApi {
 public:
  void CancelExchanges() const override {}
  absl::StatusOr<sbr_client::PushOutcome> Push(const sbr_client::LodgmentPush&) const override {
    // The poll stage only pulls: a push here is a fault in this benchmark.
    return absl::FailedPreconditionError("NothingYetSbr answers pulls only; the poll stage pushed");
  }
  absl::StatusOr<sbr_client::PullOutcome> Pull(const std::string&) const override {
    pulls.fetch_add(1);
    sbr_client::PullOutcome nothing;
    nothing.kind = sbr_client::PullOutcome::Kind::kNothingYet;
    return nothing;
  }
  mutable std::atomic<int64_t> pulls{0};
};

// The poll stage, timing its Init and its first punctuation that pulled.
class TimedStage : public stage::Stage {
 public:
  TimedStage(stage::Stage* stage, const NothingYetSbr* sbr) : stage_(stage), sbr_(sbr) {}
  std::string name() const override { return stage_->name(); }
  absl::Status Init(stage::Context& ctx) override {
    absl::Status s = stage_->Init(ctx);
    init_done = Steady::now();
    initialised = true;
    return s;
  }
  absl::Status Process(const stage::Record& input, stage::Context& ctx) override {
    return stage_->Process(input, ctx);
  }
  absl::Status Punctuate(absl::Time now, stage::Context& ctx) override {
    const int64_t before = sbr_->pulls.load();
    absl::Status s = stage_->Punctuate(now, ctx);
    if (!in_service && sbr_->pulls.load() > before) {
      in_service_at = Steady::now();
      in_service = true;
    }
    return s;
  }
  absl::Duration punctuate_interval() const override { return stage_->punctuate_interval(); }

  std::atomic<bool> initialised{false};
  std::atomic<bool> in_service{false};
  Steady::time_point init_done;
  Steady::time_point in_service_at;

 private:
  stage::Stage* const stage_;
  const NothingYetSbr* const sbr_;
};

// The topology's topics the poll stage reads and writes, as the daemon
// declares them in its local log.
std::vector<log::LogTopic> PollTopics() {
  const stage::Topology& topology = topology::Sbrgate();
  const stage::StageSpec* poll = topology.FindStage(lodgment::stages::kPoll);
  std::vector<log::LogTopic> out;
  for (const stage::TopicSpec& t : topology.topics()) {
    const bool used = t.name == topology.dead_letter_topic() ||
                      std::count(poll->inputs.begin(), poll->inputs.end(), t.name) > 0 ||
                      std::count(poll->outputs.begin(), poll->outputs.end(), t.name) > 0;
    if (!used) continue;
    log::LogTopic topic{t.name, t.partitions, t.retention, {}};
    if (std::count(poll->inputs.begin(), poll->inputs.end(), t.name) > 0) {
      topic.consumer_groups.push_back(stage::GroupId(topology.app(), poll->name));
    }
    out.push_back(std::move(topic));
  }
  return out;
}

std::string Uuid(std::mt19937_64& random) {
  const uint64_t a = random(), b = random();
  return absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                         0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
}

// Receipt number `i` of `n`: a lodgment like the gateway's, whose first
// poll falls at T0 - 10 s + i/n of 3,610 s.
events::LodgmentReceipted Receipt(int64_t i, int64_t n, std::mt19937_64& random) {
  static const int64_t kEmployees[] = {12, 150, 640, 4800};
  const int64_t employees = kEmployees[random() % 4];
  const absl::Time first_poll = kT0 - absl::Seconds(10) + absl::Seconds(3610) * i / n;
  const absl::Time receipt =
      first_poll - poll::PollPlan::ForEmployees(employees).first() - kMargin;
  events::LodgmentToSubmit s;
  s.set_lodgment_id(Uuid(random));
  s.set_message_id(absl::StrCat(Uuid(random), "@sbrgate.example.com.au"));
  s.set_conversation_id(Uuid(random));
  s.set_action("Submit.004.00");
  s.set_abn("51824753556");
  s.mutable_payload()->set_sha256(absl::StrCat(Uuid(random), Uuid(random)).substr(0, 64));
  s.mutable_payload()->set_size(static_cast<int64_t>(employees * 2100));
  s.set_employees_sent(employees);
  s.set_attempt(1);
  *s.mutable_created_at() = ToProto(receipt - absl::Seconds(3));
  events::LodgmentReceipted r;
  r.set_lodgment_id(s.lodgment_id());
  r.set_message_id(s.message_id());
  r.set_receipt_message_id(absl::StrCat(Uuid(random), "@ato.gov.au"));
  *r.mutable_received_at() = ToProto(receipt);
  r.set_employees_sent(employees);
  r.set_attempt(1);
  *r.mutable_submission() = std::move(s);
  return r;
}

stage::RunnerOptions Options() {
  const stage::Topology& topology = topology::Sbrgate();
  stage::RunnerOptions options;
  options.app = topology.app();
  options.dead_letter_topic = topology.dead_letter_topic();
  options.instance_id = "bench";
  options.max_batch = 5000;
  return options;
}

int Fail(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

// Where the parent leaves the mock cluster's client settings (--log=kafka).
std::string KafkaProperties(const std::string& dir) { return dir + "/kafka.properties"; }

// The log a phase runs the poll stage on (--log).
class BenchLog {
 public:
  // `state` names the Kafka runner's state directory under `dir`.
  static absl::StatusOr<BenchLog> Open(const std::string& dir, const std::string& state,
                                       const Clock* clock) {
    BenchLog b;
    if (absl::GetFlag(FLAGS_log) == "kafka") {
      auto kafka = kafka::LoadKafkaConfigFile(KafkaProperties(dir));
      if (!kafka.ok()) return kafka.status();
      b.kafka_ = *std::move(kafka);
      b.state_dir_ = absl::StrCat(dir, "/", state);
      return b;
    }
    auto log = log::LocalLog::Open(dir + "/log", PollTopics(), clock);
    if (!log.ok()) return log.status();
    b.local_ = *std::move(log);
    return b;
  }

  absl::Status Append(const std::vector<events::LodgmentReceipted>& receipts) {
    if (local_ != nullptr) {
      log::LogTransaction tx;
      for (const auto& r : receipts) {
        tx.Append({lodgment::topics::kSubmitted, r.lodgment_id(), r.SerializeAsString()});
      }
      return local_->Commit(tx);
    }
    if (producer_ == nullptr) {
      auto txn = kafka::TransactionalProducer::Create(kafka_, "bench.fill", absl::Seconds(60));
      if (!txn.ok()) return txn.status();
      producer_ = *std::move(txn);
    }
    std::vector<kafka::OutgoingMessage> messages;
    for (const auto& r : receipts) {
      messages.push_back({lodgment::topics::kSubmitted, -1, r.lodgment_id(), r.SerializeAsString()});
    }
    return producer_->Commit(messages);
  }

  absl::StatusOr<std::unique_ptr<stage::StageRunner>> Runner(stage::Stage* stage, Clock* clock) {
    const stage::StageSpec& spec = *topology::Sbrgate().FindStage(lodgment::stages::kPoll);
    if (local_ != nullptr) {
      return stage::LocalStageRunner::Create(Options(), spec, stage, clock, local_.get());
    }
    stage::KafkaRunnerConfig config;
    static_cast<stage::RunnerOptions&>(config) = Options();
    config.kafka = kafka_;
    config.state_dir = state_dir_;
    return stage::KafkaStageRunner::Create(config, spec, stage, clock);
  }

 private:
  std::unique_ptr<log::LocalLog> local_;
  kafka::KafkaConfig kafka_;
  std::string state_dir_;
  std::unique_ptr<kafka::TransactionalProducer> producer_;
};

// Appends the receipts in large transactions, then runs the poll stage over
// them until it has committed them all.
int Fill(const std::string& dir, int64_t n) {
  ManualClock clock(kT0 - absl::Minutes(5));
  auto log = BenchLog::Open(dir, "state", &clock);
  if (!log.ok()) return Fail("opening the log", log.status());
  const Steady::time_point t0 = Steady::now();
  std::mt19937_64 random(2026'12'06);
  std::vector<events::LodgmentReceipted> batch;
  for (int64_t i = 0; i < n; ++i) {
    batch.push_back(Receipt(i, n, random));
    if ((i + 1) % 10000 == 0 || i + 1 == n) {
      if (absl::Status s = log->Append(batch); !s.ok()) return Fail("appending receipts", s);
      batch.clear();
    }
  }
  const double append_s = SecondsSince(t0);

  auto blobs = blob::BlobStore::Create(dir + "/blobs");
  if (!blobs.ok()) return Fail("blob store", blobs.status());
  NothingYetSbr sbr;
  lodgment::PollStage poll(&sbr, blobs->get(), kMargin);
  auto runner = log->Runner(&poll, &clock);
  if (!runner.ok()) return Fail("runner", runner.status());
  const Steady::time_point t1 = Steady::now();
  absl::Status run_status;
  std::thread run([&] { run_status = (*runner)->Run(); });
  while ((*runner)->metrics().records_processed < n && run_status.ok()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (*runner)->Stop();
  run.join();
  if (!run_status.ok()) return Fail("filling", run_status);
  std::printf("fill: %lld receipts appended in %.1f s, processed by the poll stage in %.1f s\n",
              static_cast<long long>(n), append_s, SecondsSince(t1));
  return 0;
}

// Restarts the poll stage on the filled log (on Kafka, with the state
// directory `state`) at `now` and reports RAM and time.
int Restart(const std::string& dir, const std::string& state, absl::Time now, int64_t n,
            double run_for) {
  const int64_t rss_start = ProcStatusBytes("VmRSS");
  ManualClock clock(now);
  const Steady::time_point t0 = Steady::now();
  auto log = BenchLog::Open(dir, state, &clock);
  if (!log.ok()) return Fail("opening the log", log.status());
  const double open_s = SecondsSince(t0);
  const int64_t rss_open = ProcStatusBytes("VmRSS");

  auto blobs = blob::BlobStore::Create(dir + "/blobs");
  if (!blobs.ok()) return Fail("blob store", blobs.status());
  NothingYetSbr sbr;
  lodgment::PollStage poll(&sbr, blobs->get(), kMargin);
  TimedStage timed(&poll, &sbr);
  const Steady::time_point t1 = Steady::now();
  auto runner = log->Runner(&timed, &clock);
  if (!runner.ok()) return Fail("runner", runner.status());
  absl::Status run_status;
  std::thread run([&] { run_status = (*runner)->Run(); });
  for (int waited_ms = 0; !timed.in_service && run_status.ok(); ++waited_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (waited_ms % 30000 == 29999) {
      const stage::RunnerMetrics m = (*runner)->metrics();
      std::fprintf(stderr, "not in service yet: %d partitions, %lld restored, last error: %s\n",
                   m.assigned_partitions, static_cast<long long>(m.restored_entries),
                   m.last_error.c_str());
    }
  }
  const int64_t rss_in_service = ProcStatusBytes("VmRSS");
  std::this_thread::sleep_for(std::chrono::duration<double>(run_for));
  (*runner)->Stop();
  run.join();
  if (!run_status.ok()) return Fail("running", run_status);
  const int64_t rss_end = ProcStatusBytes("VmRSS");
  const int64_t peak = ProcStatusBytes("VmHWM");

  auto seconds = [&](Steady::time_point at) {
    return std::chrono::duration<double>(at - t1).count();
  };
  const double nd = static_cast<double>(n);
  std::printf("restart (%s, %s) with %lld pending polls:\n", absl::GetFlag(FLAGS_log).c_str(),
              state.c_str(), static_cast<long long>(n));
  std::printf("  log opened in %.2f s\n", open_s);
  std::printf("  runner started -> Init done %.2f s -> first due poll handled %.2f s\n",
              seconds(timed.init_done), seconds(timed.in_service_at));
  std::printf("  changelog records restored: %lld\n",
              static_cast<long long>((*runner)->metrics().restored_entries));
  std::printf("  out of service (log open + runner to first due poll handled): %.2f s"
              " (target <= 10 s)\n",
              open_s + seconds(timed.in_service_at));
  std::printf("  polls done by %.0f s after that: %lld\n", run_for,
              static_cast<long long>(sbr.pulls.load()));
  std::printf("  RSS: %.1f MiB at start, %.1f MiB with the log open, %.1f MiB in service,"
              " %.1f MiB at the end, peak %.1f MiB\n",
              MiB(rss_start), MiB(rss_open), MiB(rss_in_service), MiB(rss_end), MiB(peak));
  std::printf("  RAM per pending poll: %.0f bytes peak, %.0f bytes in service"
              " (target <= 200 bytes)\n",
              static_cast<double>(peak - rss_start) / nd,
              static_cast<double>(rss_in_service - rss_start) / nd);
  return 0;
}

// Runs this binary again with `phase`, so that each phase has a process of
// its own; returns its exit status.
int RunPhase(const std::string& phase, char** argv) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string flag = "--phase=" + phase;
    std::vector<char*> args;
    for (char** a = argv; *a != nullptr; ++a) args.push_back(*a);
    args.push_back(const_cast<char*>(flag.c_str()));
    args.push_back(nullptr);
    execv("/proc/self/exe", args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace
}  // namespace sbrgate

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_work_dir);
  const int64_t n = absl::GetFlag(FLAGS_pending);
  const std::string phase = absl::GetFlag(FLAGS_phase);
  const double run_for = absl::GetFlag(FLAGS_run_for);
  if (phase == "fill") return sbrgate::Fill(dir, n);
  if (phase == "restart") return sbrgate::Restart(dir, "state", sbrgate::kT0, n, run_for);
  // Two minutes on: what the first restart pulled is not due again yet, the
  // first polls of the next two minutes are.
  if (phase == "restart-cold") {
    return sbrgate::Restart(dir, "state-cold", sbrgate::kT0 + absl::Minutes(2), n, run_for);
  }
  if (std::system(absl::StrCat("rm -rf ", dir, " && mkdir -p ", dir).c_str()) != 0) return 1;
  const bool on_kafka = absl::GetFlag(FLAGS_log) == "kafka";
  std::unique_ptr<sbrgate::kafka::EmbeddedCluster> cluster;
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  if (on_kafka) {
    auto started = sbrgate::kafka::EmbeddedCluster::Start(1);
    if (!started.ok()) return sbrgate::Fail("starting the mock cluster", started.status());
    cluster = *std::move(started);
    std::vector<sbrgate::kafka::TopicSpec> topics;
    for (const sbrgate::stage::TopicSpec& t : sbrgate::topology::Sbrgate().topics()) {
      topics.push_back({t.name, t.partitions});
    }
    if (absl::Status s = cluster->CreateTopics(topics); !s.ok()) {
      return sbrgate::Fail("creating topics", s);
    }
    const sbrgate::kafka::KafkaConfig client = cluster->client_config();
    std::ofstream properties(sbrgate::KafkaProperties(dir));
    properties << "bootstrap.servers=" << client.bootstrap << "\n";
    for (const auto& [key, value] : client.overrides) properties << key << "=" << value << "\n";
  }
  if (int rc = sbrgate::RunPhase("fill", args.data()); rc != 0) return rc;
  if (std::system(absl::StrCat("du -sh ", dir, on_kafka ? "/state" : "/log").c_str()) != 0) {
    return 1;
  }
  if (int rc = sbrgate::RunPhase("restart", args.data()); rc != 0) return rc;
  return on_kafka ? sbrgate::RunPhase("restart-cold", args.data()) : 0;
}
