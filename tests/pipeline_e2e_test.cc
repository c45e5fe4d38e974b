// The STP lodgment pipeline end to end, every piece its own process: the
// Kafka broker host (librdkafka's mock cluster), the SBR2 simulator over
// HTTPS with mutual TLS, the gateway, and the submit, poll, triage and
// resubmit stages, on an accelerated clock they share (1 s = 1 h).
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/kafka/topic_reader.h"
#include "pipeline/topology/topology.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "proto/lodgment.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::sbrgate::testing::Process;
using ::testing::ElementsAreArray;
using ::testing::UnorderedElementsAreArray;

constexpr int kTimeScale = 3600;

class PipelineE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(absl::StrCat(::testing::TempDir(), "/e2e"));
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", *dir_, " && mkdir -p ", *dir_).c_str()), 0);
    auto pki = pki::MakeDevPki(*dir_ + "/pki");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = new pki::DevPki(*pki);
    log_ = new std::string(*dir_ + "/processes.log");
    epoch_ = absl::StrCat(absl::ToUnixSeconds(absl::Now()));

    // The host creates the topology's topics and writes the client settings
    // that suit the mock (short session timeouts, so a restarted stage
    // rejoins in seconds).
    kafka_ = Start("services/kafka-host/kafka-host",
                   {"--kafka-config-out=" + *dir_ + "/kafka.properties"});
    bootstrap_ = new std::string(JsonField(Ready(kafka_), "bootstrap"));
    ASSERT_FALSE(bootstrap_->empty());

    sim_ = Start("services/sbr-sim/sbr-sim",
                 {"--cert=" + pki_->server_cert, "--key=" + pki_->server_key,
                  "--client-ca=" + pki_->ca_cert, "--data-dir=" + *dir_ + "/sim",
                  absl::StrCat("--time-scale=", kTimeScale), "--clock-epoch=" + epoch_,
                  "--processing-base=30s", "--processing-per-employee=0s"});
    const std::string sim_ready = Ready(sim_);
    endpoint_ = new std::string(JsonField(sim_ready, "endpoint"));
    admin_ = new std::string(JsonField(sim_ready, "admin"));

    gateway_ = Start("services/gateway/gateway", Common({"--grpc-listen=127.0.0.1:0", "--grpc-insecure-loopback"}));
    grpc_ = new std::string(JsonField(Ready(gateway_), "grpc"));
    submit_ = StartSubmit();
    Ready(submit_);
    poll_ = Start("services/poll/poll", Common(SbrFlags()));
    Ready(poll_);
    triage_ = Start("services/triage/triage", Common({"--system-error-backoff=10m"}));
    Ready(triage_);
    resubmit_ = Start("services/resubmit/resubmit", Common({}));
    Ready(resubmit_);
    lodgments_ = v1::LodgmentService::NewStub(
                grpc::CreateChannel(*grpc_, grpc::InsecureChannelCredentials()))
                .release();
  }

  static void TearDownTestSuite() {
    delete lodgments_;
    for (Process* p : {resubmit_, triage_, poll_, submit_, gateway_, sim_, kafka_}) delete p;
  }

  static Process* Start(const std::string& binary, const std::vector<std::string>& args) {
    return testing::StartOrFail(binary, args, *log_);
  }

  static std::string Ready(Process* p) { return testing::ReadyLineOrFail(p, *log_); }

  static std::vector<std::string> Common(std::vector<std::string> extra) {
    extra.insert(extra.end(), {"--kafka-config=" + *dir_ + "/kafka.properties",
                               "--kafka-brokers=" + *bootstrap_, "--data-dir=" + *dir_ + "/data",
                               absl::StrCat("--time-scale=", kTimeScale),
                               "--clock-epoch=" + epoch_, "--instance-id=e2e"});
    return extra;
  }

  static std::vector<std::string> SbrFlags() {
    return {"--sbr-endpoint=" + *endpoint_, "--cert=" + pki_->client_cert,
            "--key=" + pki_->client_key, "--ca=" + pki_->ca_cert};
  }

  static Process* StartSubmit() { return Start("services/submit/submit", Common(SbrFlags())); }

  // A generated pay event on disk.
  static std::string Generate(const std::string& name, payevnt::GeneratorOptions o,
                              payevnt::GeneratedLodgment* info = nullptr) {
    o.message_timestamp = absl::Now();
    const std::string path = absl::StrCat(*dir_, "/", name, ".xml");
    auto sink = FileSink::Create(path);
    EXPECT_TRUE(sink.ok());
    auto generated = payevnt::GenerateLodgment(o, **sink);
    EXPECT_TRUE(generated.ok()) << generated.status();
    EXPECT_TRUE((*sink)->Close().ok());
    if (info) *info = *generated;
    return path;
  }

  // Uploads a file through the gRPC API in 256 KiB chunks.
  static grpc::Status Upload(const std::string& path, v1::SubmitMetadata metadata,
                             v1::Lodgment* out, bool update = false) {
    grpc::ClientContext ctx;
    auto writer = update ? lodgments_->SubmitUpdateEvent(&ctx, out) : lodgments_->SubmitPayEvent(&ctx, out);
    v1::SubmitRequest first;
    *first.mutable_metadata() = metadata;
    writer->Write(first);
    auto content = ReadFileToString(path);
    EXPECT_TRUE(content.ok());
    for (size_t at = 0; at < content->size(); at += 256 << 10) {
      v1::SubmitRequest chunk;
      chunk.set_chunk(content->substr(at, 256 << 10));
      if (!writer->Write(chunk)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  static v1::Lodgment Lodge(const std::string& path, v1::PrevalidateMode mode) {
    v1::SubmitMetadata m;
    m.set_prevalidate(mode);
    v1::Lodgment l;
    grpc::Status s = Upload(path, m, &l);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return l;
  }

  // `count` generated pay events of three employees (files `name`0, 1...,
  // seeds from `seed`), lodged.
  static std::vector<v1::Lodgment> LodgeSmall(const std::string& name, int count, int seed) {
    std::vector<v1::Lodgment> lodged;
    for (int i = 0; i < count; ++i) {
      payevnt::GeneratorOptions o;
      o.employees = 3;
      o.seed = seed + i;
      lodged.push_back(Lodge(Generate(absl::StrCat(name, i), o), v1::PREVALIDATE_HOLD));
    }
    return lodged;
  }

  // Waits for a final state through WatchLodgment.
  static v1::Lodgment AwaitFinal(const std::string& id, absl::Duration timeout = absl::Seconds(90)) {
    const absl::Time deadline = absl::Now() + timeout;
    v1::Lodgment last;
    while (absl::Now() < deadline) {
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(deadline));
      v1::GetLodgmentRequest req;
      req.set_lodgment_id(id);
      auto reader = lodgments_->WatchLodgment(&ctx, req);
      while (reader->Read(&last)) {
        if (IsFinalState(last.state())) return last;
      }
      reader->Finish();
      absl::SleepFor(absl::Milliseconds(200));
    }
    ADD_FAILURE() << "lodgment " << id << " still " << v1::LodgmentState_Name(last.state())
                  << " (" << last.detail() << "); see " << *log_;
    return last;
  }

  static bool IsFinalState(v1::LodgmentState s) {
    return s == v1::ACCEPTED || s == v1::PARTIALLY_ACCEPTED || s == v1::REJECTED ||
           s == v1::SYSTEM_ERROR || s == v1::ESCALATED || s == v1::SUPERSEDED || s == v1::REFUSED;
  }

  static std::vector<std::string> Ids(const google::protobuf::RepeatedPtrField<v1::RecordProblem>& p) {
    std::vector<std::string> out;
    for (const auto& r : p) out.push_back(r.document_id());
    return out;
  }

  static std::string LogTail() {
    auto log = ReadFileToString(*log_);
    if (!log.ok()) return "";
    return log->substr(log->size() > 4000 ? log->size() - 4000 : 0);
  }

  static nlohmann::json SimStats() {
    httplib::Client admin(*admin_);
    auto res = admin.Get("/admin/stats");
    EXPECT_TRUE(res && res->status == 200);
    return res ? nlohmann::json::parse(res->body) : nlohmann::json();
  }

  static nlohmann::json SimMessage(const std::string& message_id) {
    const nlohmann::json stats = SimStats();
    for (const auto& m : stats["messages"]) {
      if (m["message_id"] == message_id) return m;
    }
    return nlohmann::json();
  }

  static void SimFaults(const std::string& json) {
    httplib::Client admin(*admin_);
    auto res = admin.Post("/admin/faults", json, "application/json");
    ASSERT_TRUE(res && res->status == 200);
  }

  // The simulator's report of the message once it has it (null after 30 s).
  static nlohmann::json AwaitSimMessage(const std::string& message_id) {
    nlohmann::json m;
    for (int i = 0; i < 300 && m.is_null(); ++i) {
      absl::SleepFor(absl::Milliseconds(100));
      m = SimMessage(message_id);
    }
    return m;
  }

  // A pay event of 3,000 employees (file `name`, seed `seed`) lodged while
  // the simulator holds the receipts of large pushes (a large upload that
  // takes long); returned once SBR has it (empty, after a failure, if never).
  static v1::Lodgment LodgeHeldBig(const std::string& name, int seed) {
    SimFaults(R"({"hold_receipts_over_bytes": 50000})");
    payevnt::GeneratorOptions o;
    o.employees = 3000;
    o.seed = seed;
    const v1::Lodgment big = Lodge(Generate(name, o), v1::PREVALIDATE_HOLD);
    if (AwaitSimMessage(big.message_id()).is_null()) {
      ADD_FAILURE() << "SBR never received " << big.message_id() << "\n" << LogTail();
      return v1::Lodgment();
    }
    return big;
  }

  // Stops the submit process with `signal` (SIGTERM: a clean stop, exit 0),
  // sets the simulator's fault modes to `faults`, and starts submit again;
  // returns how long the stop took.
  static absl::Duration StopSubmitAndRestartWith(int signal, const std::string& faults) {
    const absl::Time stopping = absl::Now();
    submit_->Kill(signal);
    const int exit = submit_->Wait();
    const absl::Duration took = absl::Now() - stopping;
    if (signal == SIGTERM) {
      EXPECT_EQ(exit, 0);
    }
    delete submit_;
    SimFaults(faults);
    submit_ = StartSubmit();
    Ready(submit_);
    return took;
  }

  static inline std::string* dir_ = nullptr;
  static inline std::string* log_ = nullptr;
  static inline std::string epoch_;
  static inline pki::DevPki* pki_ = nullptr;
  static inline std::string* bootstrap_ = nullptr;
  static inline std::string* endpoint_ = nullptr;
  static inline std::string* admin_ = nullptr;
  static inline std::string* grpc_ = nullptr;
  static inline Process* kafka_ = nullptr;
  static inline Process* sim_ = nullptr;
  static inline Process* gateway_ = nullptr;
  static inline Process* submit_ = nullptr;
  static inline Process* poll_ = nullptr;
  static inline Process* triage_ = nullptr;
  static inline Process* resubmit_ = nullptr;
  static inline v1::LodgmentService::Stub* lodgments_ = nullptr;
};

TEST_F(PipelineE2eTest, CleanPayEventIsAccepted) {
  payevnt::GeneratorOptions o;
  o.employees = 20;
  o.seed = 101;
  const v1::Lodgment lodged = Lodge(Generate("clean", o), v1::PREVALIDATE_HOLD);
  const v1::Lodgment l = AwaitFinal(lodged.lodgment_id());
  EXPECT_EQ(l.state(), v1::ACCEPTED) << l.detail();
  EXPECT_EQ(l.employees(), 20);
  EXPECT_FALSE(l.receipt().receipt_message_id().empty());
  EXPECT_GE(l.polls_size(), 1);
  EXPECT_EQ(l.polls(l.polls_size() - 1).result(), "response");
}

TEST_F(PipelineE2eTest, PartialAcceptanceNamesExactlyTheRejectedRecords) {
  payevnt::GeneratorOptions o;
  o.employees = 50;
  o.invalid_tfns = 3;
  o.seed = 102;
  payevnt::GeneratedLodgment info;
  // Off: SBR judges everything, so SBR rejects the three.
  const v1::Lodgment lodged = Lodge(Generate("partial", o, &info), v1::PREVALIDATE_OFF);
  const v1::Lodgment l = AwaitFinal(lodged.lodgment_id());
  EXPECT_EQ(l.state(), v1::PARTIALLY_ACCEPTED) << l.detail();
  EXPECT_THAT(Ids(l.rejected_records()), ElementsAreArray(info.invalid_document_ids));
  for (const auto& r : l.rejected_records()) {
    ASSERT_GE(r.errors_size(), 1);
    EXPECT_EQ(r.errors(0).code(), "VR.ATO.PAYEVNTEMP.000181");
    EXPECT_THAT(r.errors(0).path(), ::testing::HasSubstr("TaxFileNumberId"));
    EXPECT_THAT(r.errors(0).description(), ::testing::Not(::testing::HasSubstr("{")));
  }
}

TEST_F(PipelineE2eTest, HeldBackRecordsAreReportedAndTheRestAccepted) {
  payevnt::GeneratorOptions o;
  o.employees = 30;
  o.invalid_tfns = 2;
  o.seed = 103;
  payevnt::GeneratedLodgment info;
  const v1::Lodgment lodged = Lodge(Generate("held", o, &info), v1::PREVALIDATE_HOLD);
  EXPECT_THAT(Ids(lodged.held_back()), ElementsAreArray(info.invalid_document_ids));
  EXPECT_EQ(lodged.employees_sent(), 28);
  const v1::Lodgment l = AwaitFinal(lodged.lodgment_id());
  EXPECT_EQ(l.state(), v1::ACCEPTED) << l.detail();
  EXPECT_THAT(Ids(l.held_back()), ElementsAreArray(info.invalid_document_ids));
}

TEST_F(PipelineE2eTest, CancelledEmployerIsRejected) {
  payevnt::GeneratorOptions o;
  o.employees = 5;
  o.cancelled_employer = true;
  o.seed = 104;
  const v1::Lodgment l = AwaitFinal(Lodge(Generate("cancelled", o), v1::PREVALIDATE_HOLD).lodgment_id());
  EXPECT_EQ(l.state(), v1::REJECTED) << l.detail();
  ASSERT_GE(l.lodgment_errors_size(), 1);
  EXPECT_EQ(l.lodgment_errors(0).code(), "CMN.ATO.PAYEVNT.000193");
}

TEST_F(PipelineE2eTest, NoValidEmployeeIsRejected) {
  payevnt::GeneratorOptions o;
  o.employees = 4;
  o.invalid_tfns = 4;
  o.seed = 105;
  const v1::Lodgment l = AwaitFinal(Lodge(Generate("none-valid", o), v1::PREVALIDATE_OFF).lodgment_id());
  EXPECT_EQ(l.state(), v1::REJECTED) << l.detail();
  EXPECT_EQ(l.rejected_records_size(), 4);
}

TEST_F(PipelineE2eTest, InvalidEmployerIsRefusedAtTheGatewayAndNothingIsStored) {
  payevnt::GeneratorOptions o;
  o.employees = 5;
  o.invalid_employer = true;
  o.seed = 106;
  v1::Lodgment l;
  grpc::Status s = Upload(Generate("bad-employer", o), v1::SubmitMetadata(), &l);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("1.1"));
  EXPECT_FALSE(s.error_details().empty());
}

TEST_F(PipelineE2eTest, UpdateEventCorrectsRejectedRecords) {
  payevnt::GeneratorOptions o;
  o.employees = 12;
  o.invalid_tfns = 2;
  o.seed = 107;
  payevnt::GeneratedLodgment info;
  // Sent as they are: SBR's channel validation rejects the two records.
  const v1::Lodgment first =
      AwaitFinal(Lodge(Generate("bad-tfns", o, &info), v1::PREVALIDATE_OFF).lodgment_id());
  ASSERT_EQ(first.state(), v1::PARTIALLY_ACCEPTED) << first.detail();
  EXPECT_THAT(Ids(first.rejected_records()), ElementsAreArray(info.invalid_document_ids));
  for (const v1::RecordProblem& r : first.rejected_records()) {
    // SBR names records by DocumentID only; sbrgate says whom they are about.
    EXPECT_FALSE(r.family_name().empty()) << r.document_id();
    EXPECT_FALSE(r.payroll_id().empty()) << r.document_id();
    EXPECT_NE(r.tfn_masked().find('*'), std::string::npos) << r.document_id();
  }

  v1::ListRejectedRecordsRequest req;
  req.set_lodgment_id(first.lodgment_id());
  v1::ListRejectedRecordsResponse before;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(lodgments_->ListRejectedRecords(&ctx, req, &before).ok());
  }
  EXPECT_EQ(before.records_size(), 2);

  // The same employees with their TFNs put right, as an update event.
  payevnt::GeneratorOptions fixed = o;
  fixed.invalid_tfns = 0;
  v1::SubmitMetadata m;
  m.set_corrects_lodgment_id(first.lodgment_id());
  v1::Lodgment update;
  grpc::Status s = Upload(Generate("corrected", fixed), m, &update, /*update=*/true);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const v1::Lodgment done = AwaitFinal(update.lodgment_id());
  EXPECT_EQ(done.state(), v1::ACCEPTED) << done.detail();
  EXPECT_EQ(done.kind(), "Update");

  v1::ListRejectedRecordsResponse after;
  for (int i = 0; i < 50; ++i) {
    grpc::ClientContext ctx;
    after.Clear();
    ASSERT_TRUE(lodgments_->ListRejectedRecords(&ctx, req, &after).ok());
    if (after.records_size() == 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(after.records_size(), 0);
}

TEST_F(PipelineE2eTest, SameInteractionIsLodgedOnce) {
  payevnt::GeneratorOptions o;
  o.employees = 3;
  o.seed = 108;
  const std::string path = Generate("twice", o);
  const v1::Lodgment a = Lodge(path, v1::PREVALIDATE_HOLD);
  const v1::Lodgment b = Lodge(path, v1::PREVALIDATE_HOLD);
  EXPECT_EQ(a.lodgment_id(), b.lodgment_id());
  EXPECT_EQ(AwaitFinal(a.lodgment_id()).state(), v1::ACCEPTED);
}

TEST_F(PipelineE2eTest, SubmitKilledBeforeTheReceiptResendsTheSameMessageOnce) {
  payevnt::GeneratorOptions o;
  o.employees = 6;
  o.seed = 109;
  SimFaults(R"({"hold_receipts": true})");
  const v1::Lodgment lodged = Lodge(Generate("crash", o), v1::PREVALIDATE_HOLD);
  // Wait until SBR has the message (and is holding its receipt).
  nlohmann::json m = AwaitSimMessage(lodged.message_id());
  ASSERT_FALSE(m.is_null()) << "SBR never received " << lodged.message_id() << ": "
                            << SimStats().dump() << "\n" << LogTail();
  StopSubmitAndRestartWith(SIGKILL, R"({"hold_receipts": false})");

  const v1::Lodgment l = AwaitFinal(lodged.lodgment_id(), absl::Seconds(120));
  EXPECT_EQ(l.state(), v1::ACCEPTED) << l.detail();
  EXPECT_EQ(l.receipt().message_id(), lodged.message_id());
  m = SimMessage(lodged.message_id());
  EXPECT_EQ(m["process_count"], 1);
  EXPECT_GE(m["receipts_sent"].get<int>(), 2);
}

// A push that takes long (a large upload) holds back only its own
// lodgment: smaller ones lodged after it are receipted, committed and final
// meanwhile; a submit process stopped then stops at once, and after its
// restart pushes only the slow one again.
TEST_F(PipelineE2eTest, ASlowPushHoldsBackOnlyItsOwnLodgment) {
  const v1::Lodgment big = LodgeHeldBig("slow-big", 500);
  ASSERT_FALSE(big.message_id().empty());
  // Enough that some share the big one's partition.
  const std::vector<v1::Lodgment> small = LodgeSmall("slow-small", 12, 510);
  for (const v1::Lodgment& l : small) {
    EXPECT_EQ(AwaitFinal(l.lodgment_id()).state(), v1::ACCEPTED) << l.lodgment_id();
  }
  {
    grpc::ClientContext ctx;
    v1::GetLodgmentRequest req;
    req.set_lodgment_id(big.lodgment_id());
    v1::Lodgment now;
    ASSERT_TRUE(lodgments_->GetLodgment(&ctx, req, &now).ok());
    EXPECT_EQ(now.state(), v1::SUBMITTED) << now.detail();
  }
  // A clean stop does not wait for the push in progress: it ends it, commits
  // the rest, and the push is sent again after the restart.
  EXPECT_LT(StopSubmitAndRestartWith(SIGTERM, R"({"hold_receipts_over_bytes": 0})"),
            absl::Seconds(15));

  EXPECT_EQ(AwaitFinal(big.lodgment_id(), absl::Seconds(120)).state(), v1::ACCEPTED);
  nlohmann::json m = SimMessage(big.message_id());
  EXPECT_EQ(m["process_count"], 1);
  EXPECT_GE(m["receipts_sent"].get<int>(), 2);  // pushed again by the new process
  for (const v1::Lodgment& l : small) {
    m = SimMessage(l.message_id());
    EXPECT_EQ(m["receipts_sent"], 1) << l.lodgment_id() << " was pushed again";
    EXPECT_EQ(m["process_count"], 1);
  }
}

// A submit instance joining the group takes partitions from the first: the
// push the first gives up ends there at once (a push of hours would
// otherwise go on uploading beside its next owner's), and the lodgment is
// pushed again, with its MessageId, and processed once.
TEST_F(PipelineE2eTest, ARebalanceEndsThePushItGivesUp) {
  const v1::Lodgment big = LodgeHeldBig("given-up-big", 600);
  ASSERT_FALSE(big.message_id().empty());
  const std::string given_up = absl::StrCat("message_id=", big.message_id());
  std::vector<std::string> args = Common(SbrFlags());
  args.push_back("--instance-id=e2e-joining");
  Process* joining = Start("services/submit/submit", args);
  Ready(joining);
  bool ended = false;
  for (int i = 0; i < 300 && !ended; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    absl::StatusOr<std::string> log = ReadFileToString(*log_);
    if (!log.ok()) continue;
    for (absl::string_view line : absl::StrSplit(*log, '\n')) {
      if (absl::StrContains(line, given_up) &&
          absl::StrContains(line, "cut short: the exchange was given up")) {
        ended = true;
      }
    }
  }
  EXPECT_TRUE(ended) << "the push given up went on\n" << LogTail();
  SimFaults(R"({"hold_receipts_over_bytes": 0})");
  EXPECT_EQ(AwaitFinal(big.lodgment_id(), absl::Seconds(120)).state(), v1::ACCEPTED);
  EXPECT_EQ(SimMessage(big.message_id())["process_count"], 1);
  joining->Kill(SIGTERM);
  EXPECT_EQ(joining->Wait(), 0);
  delete joining;
}

// The poll stage keeps its pending polls in RocksDB under its data
// directory, a local copy of its changelogs: killed with polls pending and
// restarted, it resumes them from there (reading only the changelog records
// past its checkpoints), and every pay event is processed once.
TEST_F(PipelineE2eTest, PollKilledWithPollsPendingResumesThemFromItsLocalStores) {
  SimFaults(R"({"slow_factor": 2000})");
  const std::vector<v1::Lodgment> lodged = LodgeSmall("pending", 4, 300);
  for (const v1::Lodgment& l : lodged) {
    v1::Lodgment now;
    for (int i = 0; i < 600 && now.state() != v1::AWAITING_RESPONSE; ++i) {
      absl::SleepFor(absl::Milliseconds(100));
      grpc::ClientContext ctx;
      v1::GetLodgmentRequest req;
      req.set_lodgment_id(l.lodgment_id());
      ASSERT_TRUE(lodgments_->GetLodgment(&ctx, req, &now).ok());
    }
    ASSERT_EQ(now.state(), v1::AWAITING_RESPONSE) << now.detail() << "\n" << LogTail();
  }
  poll_->Kill(SIGKILL);
  poll_->Wait();
  delete poll_;
  std::ifstream current(*dir_ + "/data/state/sbrgate.poll.e2e/CURRENT");
  EXPECT_TRUE(current.good()) << "the poll stage keeps no local store in its data directory";
  SimFaults(R"({"slow_factor": 1})");
  poll_ = Start("services/poll/poll", Common(SbrFlags()));
  Ready(poll_);
  for (const v1::Lodgment& l : lodged) {
    const v1::Lodgment done = AwaitFinal(l.lodgment_id(), absl::Seconds(120));
    EXPECT_EQ(done.state(), v1::ACCEPTED) << done.detail();
    EXPECT_EQ(SimMessage(l.message_id())["process_count"], 1);
  }
}

TEST_F(PipelineE2eTest, ZzKcatReadsEveryTopic) {
  // kcat (the operators' tool) speaks to the same broker: every pipeline
  // topic that carried records reads back, key and all.
  for (const char* topic : {lodgment::topics::kReceived, lodgment::topics::kSubmitted,
                            lodgment::topics::kResponses, lodgment::topics::kStatus}) {
    const std::string out = absl::StrCat(*dir_, "/kcat.out");
    const std::string cmd = absl::StrCat("kcat -b ", *bootstrap_, " -C -t ", topic,
                                         " -e -q -f '%k\\n' > ", out, " 2>&1");
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    auto keys = ReadFileToString(out);
    ASSERT_TRUE(keys.ok());
    EXPECT_GT(std::count(keys->begin(), keys->end(), '\n'), 0) << topic << ": " << *keys;
  }
}

TEST_F(PipelineE2eTest, ZzNoEarlyPollsAndNothingLost) {
  // Runs last (gtest keeps declaration order): every lodgment above was polled.
  const nlohmann::json stats = SimStats();
  EXPECT_GT(stats["pulls"].get<int>(), 0);
  EXPECT_EQ(stats["early_pulls"], 0);
  kafka::KafkaConfig k;
  k.bootstrap = *bootstrap_;
  auto reader = kafka::TopicReader::Create(k);
  ASSERT_TRUE(reader.ok()) << reader.status();
  for (const stage::TopicSpec& topic : topology::Sbrgate().topics()) {
    for (int p = 0; p < topic.partitions; ++p) {
      auto w = (*reader)->GetWatermarks(topic.name, p);
      ASSERT_TRUE(w.ok()) << w.status();
      EXPECT_EQ(w->low, 0) << topic.name << " partition " << p << " lost records";
    }
  }
}

}  // namespace
}  // namespace sbrgate
