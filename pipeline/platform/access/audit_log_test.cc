#include "pipeline/platform/access/audit_log.h"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::access {
namespace {

TEST(AuditLog, AppendsOneJsonObjectALineAcrossReopensInAPrivateFile) {
  const std::string path = ::testing::TempDir() + "/audit.log";
  std::remove(path.c_str());
  ManualClock clock(absl::FromUnixSeconds(1796000000));
  {
    auto log = AuditLog::Open(path, &clock);
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_TRUE((*log)->Record({"payroll-a", "lodge", "51824753556", true, "lodgment L1"}).ok());
  }
  auto log = AuditLog::Open(path, &clock);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(
      (*log)->Record({"payroll-b", "replay", "51824753556", false, "not an operator"}).ok());

  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["identity"], "payroll-a");
  EXPECT_EQ(lines[0]["action"], "lodge");
  EXPECT_EQ(lines[0]["allowed"], true);
  EXPECT_EQ(lines[0]["time"], "2026-11-30T00:53:20.000Z");
  EXPECT_EQ(lines[1]["tenant"], "51824753556");
  EXPECT_EQ(lines[1]["allowed"], false);
  EXPECT_EQ(lines[1]["detail"], "not an operator");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(AuditLog, ACallerCannotForgeALineWithANewline) {
  const std::string path = ::testing::TempDir() + "/audit-forge.log";
  std::remove(path.c_str());
  ManualClock clock(absl::FromUnixSeconds(1796000000));
  auto log = AuditLog::Open(path, &clock);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->Record({"a", "lodge", "x\n{\"allowed\":true}", false, "\xff"}).ok());
  std::ifstream in(path);
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  EXPECT_EQ(lines, 1);
}

TEST(AuditLog, ConcurrentRecordsEachLandOnceAsAWholeLine) {
  const std::string path = ::testing::TempDir() + "/audit-concurrent.log";
  std::remove(path.c_str());
  ManualClock clock(absl::FromUnixSeconds(1796000000));
  auto log = AuditLog::Open(path, &clock);
  ASSERT_TRUE(log.ok());
  constexpr int kThreads = 16, kEach = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string detail = absl::StrCat("lodgment ", t, "-", i, std::string(200, 'x'));
        EXPECT_TRUE((*log)->Record({"payroll-a", "lodge", "51824753556", true, detail}).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();

  std::ifstream in(path);
  std::set<std::string> details;
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    details.insert(nlohmann::json::parse(line)["detail"].get<std::string>());
  }
  EXPECT_EQ(lines, kThreads * kEach);
  EXPECT_EQ(details.size(), static_cast<size_t>(kThreads * kEach));
}

TEST(AuditLog, EveryCallerOfAGroupThatCannotBeWrittenIsRefusedWithItsOwnAction) {
  ManualClock clock(absl::FromUnixSeconds(1796000000));
  auto log = AuditLog::Open("/dev/full", &clock);  // every write fails: no space
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::thread> threads;
  std::vector<absl::Status> outcomes(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      outcomes[t] = (*log)->Record({"ops", absl::StrCat("replay-", t), "*", true, "x"});
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < 8; ++t) {
    EXPECT_TRUE(absl::IsUnavailable(outcomes[t])) << outcomes[t];
    EXPECT_THAT(std::string(outcomes[t].message()),
                ::testing::HasSubstr(absl::StrCat("cannot record replay-", t, " by ops")));
  }
}

}  // namespace
}  // namespace sbrgate::access
