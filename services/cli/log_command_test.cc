// End-to-end tests of `sbrgate log` (log_command.cc): the test writes a
// local log as sbrgated would (the topology's topics, real protobuf values,
// headers) and keeps it open while the built binary reads it beside.
#include <signal.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/testing/run_program.h"
#include "pipeline/platform/log/local_log.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
// Read through non-const values: a missing field then reads as null and
// fails an expectation, where a const lookup would abort the whole test.
using Json = nlohmann::json;

constexpr char kStatus[] = "sbrgate.lodgments.status";
constexpr char kReceived[] = "sbrgate.lodgments.received";

class LogCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = absl::StrCat(testing::TestTempDir(), "/",
                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::system(absl::StrCat("rm -rf '", data_dir_, "' && mkdir -p '", data_dir_, "'").c_str());
    std::vector<log::LogTopic> topics;
    for (const stage::TopicSpec& t : topology::Sbrgate().topics()) {
      topics.push_back({t.name, t.partitions});
      // One topic whose records the log removes, for trimmed offsets.
      if (t.name == kReceived) topics.back() = {t.name, t.partitions, absl::Hours(1), {"submit"}};
    }
    absl::StatusOr<std::unique_ptr<log::LocalLog>> log =
        log::LocalLog::Open(data_dir_ + "/log", topics, &clock_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  // Commits one record, a minute after the previous one.
  void Append(const std::string& topic, const std::string& key, const std::string& value,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    clock_.Advance(absl::Minutes(1));
    log::LogTransaction tx;
    tx.Append({topic, key, value, std::move(headers)});
    ASSERT_TRUE(log_->Commit(tx).ok());
  }

  static std::string Change(const std::string& id, v1::LodgmentState state,
                            const std::string& detail) {
    events::StatusChange change;
    change.set_lodgment_id(id);
    change.set_state(state);
    change.set_detail(detail);
    return change.SerializeAsString();
  }

  // Three changes of L-1 (one partition, offsets 0 to 2) and one of L-2.
  void AppendLodgments() {
    Append(kStatus, "L-1", Change("L-1", v1::RECEIVED, "admitted"), {{"trace", "t-1"}});
    Append(kStatus, "L-1", Change("L-1", v1::SUBMITTED, "pushed"),
           {{"trace", "t-1"}, {"attempt", "1"}});
    Append(kStatus, "L-1", Change("L-1", v1::ACCEPTED, ""));
    Append(kStatus, "L-2", Change("L-2", v1::REJECTED, "employer invalid"));
  }

  testing::ProgramResult Sbrgate(std::vector<std::string> args) {
    args.push_back("--data-dir=" + data_dir_);
    return testing::RunProgram(testing::SbrgateBinary(), args);
  }

  // The JSON lines of `log tail ARGS --json`, checking that it succeeded.
  std::vector<Json> Tail(std::vector<std::string> args) {
    args.insert(args.begin(), {"log", "tail"});
    args.push_back("--json");
    const testing::ProgramResult r = Sbrgate(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<Json> lines;
    for (absl::string_view line : absl::StrSplit(r.out, '\n', absl::SkipEmpty())) {
      lines.push_back(Json::parse(std::string(line)));
    }
    return lines;
  }

  static int32_t PartitionOf(const std::string& key) {
    return log::LocalLog::PartitionFor(key, topology::Sbrgate().FindTopic(kStatus)->partitions);
  }

  std::string data_dir_;
  ManualClock clock_{absl::FromUnixSeconds(1751360400)};  // 2025-07-01T09:00:00Z
  std::unique_ptr<log::LocalLog> log_;
};

TEST_F(LogCommandTest, TopicsListsEachTopicWithItsWatermarksRetentionAndValueType) {
  AppendLodgments();
  const int32_t p = log::LocalLog::PartitionFor("L-9", 8);
  for (int i = 0; i < 3; ++i) Append(kReceived, "L-9", "");
  log::LogTransaction passed;
  passed.CommitOffset("submit", {kReceived, p}, 2);
  ASSERT_TRUE(log_->Commit(passed).ok());
  clock_.Advance(absl::Hours(2));
  ASSERT_EQ(*log_->Trim(), 2);

  const testing::ProgramResult r = Sbrgate({"log", "topics", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json doc = Json::parse(r.out);
  EXPECT_EQ(doc["log"], data_dir_ + "/log");
  EXPECT_EQ(doc["topics"].size(), topology::Sbrgate().topics().size());
  Json status, received, changelog;
  for (Json t : doc["topics"]) {
    if (t["name"] == kStatus) status = t;
    if (t["name"] == kReceived) received = t;
    if (t["name"] == "sbrgate.poll.pending.changelog") changelog = t;
  }
  ASSERT_TRUE(status.is_object()) << r.out;
  EXPECT_EQ(status["partitions"], 8);
  EXPECT_EQ(status["retention_ms"], -1);
  EXPECT_EQ(status["value_type"], "sbrgate.events.StatusChange");
  ASSERT_EQ(status["watermarks"].size(), 8u);
  EXPECT_EQ(status["watermarks"][PartitionOf("L-1")],
            Json::parse(absl::StrCat(R"({"partition": )", PartitionOf("L-1"),
                                     R"(, "low": 0, "high": 3, "records": 3})")));
  ASSERT_TRUE(received.is_object()) << r.out;
  EXPECT_EQ(received["retention_ms"], 3600000);
  EXPECT_EQ(received["consumer_groups"], Json::parse(R"(["submit"])"));
  EXPECT_EQ(received["watermarks"][p]["low"], 2);
  EXPECT_EQ(received["watermarks"][p]["high"], 3);
  EXPECT_EQ(received["watermarks"][p]["records"], 1);
  ASSERT_TRUE(changelog.is_object()) << r.out;
  EXPECT_FALSE(changelog.contains("value_type"));

  const testing::ProgramResult text = Sbrgate({"log", "topics"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("sbrgate.lodgments.status: 8 partitions, kept for ever, values "
                                  "sbrgate.events.StatusChange\n"));
  EXPECT_THAT(text.out, HasSubstr("sbrgate.lodgments.received: 8 partitions, kept 1h after "
                                  "consumer group submit passed"));
  EXPECT_THAT(text.out, HasSubstr(absl::StrCat("  partition ", p, ": low 2, high 3, held 1\n")));
}

TEST_F(LogCommandTest, TailDecodesEachRecordPartitionByPartition) {
  AppendLodgments();
  std::vector<Json> lines = Tail({kStatus});
  ASSERT_EQ(lines.size(), 4u);
  int previous_partition = -1;
  std::vector<Json> of_l1;
  for (Json& line : lines) {
    EXPECT_EQ(line["topic"], kStatus);
    EXPECT_GE(line["partition"].get<int>(), previous_partition);
    previous_partition = line["partition"];
    EXPECT_EQ(line["value_type"], "sbrgate.events.StatusChange");
    EXPECT_EQ(line["value"]["lodgment_id"], line["key"]);
    if (line["key"] == "L-1") of_l1.push_back(line);
  }
  ASSERT_EQ(of_l1.size(), 3u);
  EXPECT_EQ(of_l1[0], Json::parse(absl::StrCat(R"({
      "topic": "sbrgate.lodgments.status", "partition": )", PartitionOf("L-1"), R"(,
      "offset": 0, "timestamp": "2025-07-01T09:01:00+00:00", "key": "L-1",
      "headers": [{"name": "trace", "value": "t-1"}],
      "value_type": "sbrgate.events.StatusChange",
      "value": {"lodgment_id": "L-1", "state": "RECEIVED", "detail": "admitted"}})")));
  EXPECT_EQ(of_l1[1]["offset"], 1);
  EXPECT_EQ(of_l1[1]["headers"], Json::parse(R"([{"name": "trace", "value": "t-1"},
                                                 {"name": "attempt", "value": "1"}])"));
  EXPECT_EQ(of_l1[1]["value"]["state"], "SUBMITTED");
  EXPECT_EQ(of_l1[2]["offset"], 2);
  EXPECT_EQ(of_l1[2]["value"], Json::parse(R"({"lodgment_id": "L-1", "state": "ACCEPTED"})"));

  const testing::ProgramResult text =
      Sbrgate({"log", "tail", kStatus, absl::StrCat("--partition=", PartitionOf("L-1"))});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr(absl::StrCat("partition ", PartitionOf("L-1"),
                                               " offset 1 time 2025-07-01T09:02:00+00:00 key L-1\n"
                                               "  header trace: t-1\n"
                                               "  header attempt: 1\n"
                                               "  value sbrgate.events.StatusChange {\n"
                                               "    lodgment_id: \"L-1\"\n"
                                               "    state: SUBMITTED\n"
                                               "    detail: \"pushed\"\n"
                                               "  }\n")));
  EXPECT_THAT(text.out, Not(HasSubstr("L-2")));
}

TEST_F(LogCommandTest, FromSinceAndMaxChooseTheRecords) {
  AppendLodgments();
  const std::string partition = absl::StrCat("--partition=", PartitionOf("L-1"));
  std::vector<Json> lines = Tail({kStatus, partition, "--from=1"});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["offset"], 1);
  EXPECT_EQ(lines[1]["offset"], 2);

  // The third record was appended at 09:03; L-2's at 09:04.
  lines = Tail({kStatus, "--since=2025-07-01T19:03:00+10:00"});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["value"]["state"], lines[0]["key"] == "L-1" ? "ACCEPTED" : "REJECTED");
  EXPECT_EQ(lines[1]["value"]["state"], lines[1]["key"] == "L-1" ? "ACCEPTED" : "REJECTED");
  EXPECT_NE(lines[0]["key"], lines[1]["key"]);

  lines = Tail({kStatus, partition, "--max=2"});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1]["offset"], 1);
}

TEST_F(LogCommandTest, ValuesThatCannotBeDecodedComeAsBytesWithANote) {
  Append(kStatus, "L-3", std::string("\x0a\x05" "ab", 4));  // a field cut short
  Append(kStatus, std::string("\xff\xfe", 2), Change("x", v1::HELD, ""), {{"raw", "\x80"}});
  Append("sbrgate.resubmit.released.changelog", "L-3", "2");
  std::vector<Json> lines = Tail({kStatus});
  ASSERT_EQ(lines.size(), 2u);
  Json broken = lines[0]["key"] == "L-3" ? lines[0] : lines[1];
  Json binary_key = lines[0]["key"] == "L-3" ? lines[1] : lines[0];
  EXPECT_EQ(broken["value_base64"], "CgVhYg==");
  EXPECT_EQ(broken["value_note"], "not a valid sbrgate.events.StatusChange");
  EXPECT_FALSE(broken.contains("value"));
  EXPECT_EQ(binary_key["key_base64"], "//4=");
  EXPECT_EQ(binary_key["headers"], Json::parse(R"([{"name": "raw", "value_base64": "gA=="}])"));
  EXPECT_EQ(binary_key["value"]["state"], "HELD");

  lines = Tail({"sbrgate.resubmit.released.changelog"});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].contains("value_type"));
  EXPECT_EQ(lines[0]["value_base64"], "Mg==");
  EXPECT_EQ(lines[0]["value_note"], "sbrgate.resubmit.released.changelog declares no value type");

  const testing::ProgramResult text = Sbrgate({"log", "tail", kStatus});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("  value (4 bytes, not decoded: not a valid "
                                  "sbrgate.events.StatusChange) \"\\n\\x05\\x61\\x62\"\n"));
  EXPECT_THAT(text.out, HasSubstr("key \\xff\\xfe\n  header raw: \\x80\n"));
}

// The binary links the message of every topic the topology declares.
TEST_F(LogCommandTest, EveryDeclaredValueTypeDecodes) {
  for (const stage::TopicSpec& t : topology::Sbrgate().topics()) {
    if (t.value_type.empty()) continue;
    Append(t.name, "k", "");
    std::vector<Json> lines = Tail({t.name});
    ASSERT_EQ(lines.size(), 1u) << t.name;
    EXPECT_EQ(lines[0]["value_type"], t.value_type);
    EXPECT_EQ(lines[0]["value"], Json::object()) << lines[0].dump();
  }
}

TEST_F(LogCommandTest, ErrorsSayWhatIsWrong) {
  testing::ProgramResult r =
      testing::RunProgram(testing::SbrgateBinary(),
                          {"log", "topics", "--data-dir=" + data_dir_ + "/elsewhere"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, absl::StrCat("sbrgate log: no sbrgate log at ", data_dir_,
                                "/elsewhere/log (is --data-dir right?)\n"));

  r = Sbrgate({"log", "tail", "sbrgate.lodgments.statuses"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no topic 'sbrgate.lodgments.statuses' in the log at "));
  EXPECT_THAT(r.err, HasSubstr("sbrgate.deadletter, sbrgate.lodgments.received"));

  r = Sbrgate({"log", "tail", kStatus, "--partition=8", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Json::parse(r.err)["error"]["message"],
            "sbrgate.lodgments.status has no partition 8 (it has 8: 0 to 7)");

  const int32_t p = log::LocalLog::PartitionFor("L-9", 8);
  for (int i = 0; i < 3; ++i) Append(kReceived, "L-9", "");
  log::LogTransaction passed;
  passed.CommitOffset("submit", {kReceived, p}, 2);
  ASSERT_TRUE(log_->Commit(passed).ok());
  clock_.Advance(absl::Hours(2));
  ASSERT_EQ(*log_->Trim(), 2);
  r = Sbrgate({"log", "tail", kReceived, absl::StrCat("--partition=", p), "--from=1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, absl::StrCat("sbrgate log: --from=1: the records of sbrgate.lodgments.received "
                                "partition ",
                                p, " before offset 2 were trimmed; the log starts at offset 2\n"));
  EXPECT_EQ(Tail({kReceived, absl::StrCat("--partition=", p), "--from=2"}).size(), 1u);

  r = Sbrgate({"log", "tail", kStatus, "--from=1", "--since=2025-07-01T09:00:00Z"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give --from or --since, not both"));
  r = Sbrgate({"log", "tail", kStatus, "--since=yesterday"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--since 'yesterday' is not an RFC 3339 time"));
}

TEST_F(LogCommandTest, FollowPrintsRecordsCommittedAfterItStarted) {
  AppendLodgments();
  const std::string log_path = data_dir_ + "/follow.stderr";
  absl::StatusOr<std::unique_ptr<testing::Process>> follow = testing::Process::Start(
      "services/cli/sbrgate",
      {"log", "tail", kStatus, absl::StrCat("--partition=", PartitionOf("L-1")), "--from=2",
       "--follow", "--json", "--data-dir=" + data_dir_},
      log_path);
  ASSERT_TRUE(follow.ok()) << follow.status();
  absl::StatusOr<std::string> line = (*follow)->ReadLine(absl::Seconds(30));
  ASSERT_TRUE(line.ok()) << line.status() << testing::ReadFileOrEmpty(log_path);
  EXPECT_EQ(Json::parse(*line)["offset"], 2);

  Append(kStatus, "L-1", Change("L-1", v1::SUPERSEDED, "corrected"), {{"trace", "t-2"}});
  line = (*follow)->ReadLine(absl::Seconds(30));
  ASSERT_TRUE(line.ok()) << line.status() << testing::ReadFileOrEmpty(log_path);
  Json appended = Json::parse(*line);
  EXPECT_EQ(appended["offset"], 3);
  EXPECT_EQ(appended["value"]["state"], "SUPERSEDED");
  EXPECT_EQ(appended["headers"][0]["value"], "t-2");

  (*follow)->Kill(SIGINT);
  EXPECT_EQ((*follow)->Wait(), 0) << testing::ReadFileOrEmpty(log_path);
}

}  // namespace
}  // namespace sbrgate
