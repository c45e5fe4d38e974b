#include "pipeline/clntcomm/documents/ledger.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sbrgate::clntcomm {
namespace {

constexpr char kAbn[] = "51824753556";
const std::string kSha(64, 'a');
const std::string kSha2 = std::string(63, 'b') + "c";

std::string TempPath(const std::string& name) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::remove(path.c_str());
  return path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RetrievalLedger::Entry MakeEntry(std::string doc, std::string sha, int64_t size) {
  return {kAbn, std::move(doc), std::move(sha), size,
          absl::FromUnixSeconds(1728259200) + absl::Nanoseconds(123)};
}

TEST(RetrievalLedger, RecordFindAndSurviveReopen) {
  const std::string path = TempPath("reopen.ledger");
  {
    auto ledger = RetrievalLedger::Open(path);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    EXPECT_FALSE((*ledger)->Find(kAbn, "DOC-1").has_value());
    ASSERT_TRUE((*ledger)->Record(MakeEntry("DOC-1", kSha, 1234)).ok());
    // Ids with tabs and newlines survive the line format.
    ASSERT_TRUE((*ledger)->Record(MakeEntry("odd\tid\nwith breaks", kSha2, 0)).ok());
    ASSERT_TRUE((*ledger)->Find(kAbn, "DOC-1").has_value());
  }
  auto ledger = RetrievalLedger::Open(path);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  EXPECT_EQ((*ledger)->size(), 2u);
  auto e = (*ledger)->Find(kAbn, "DOC-1");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->sha256, kSha);
  EXPECT_EQ(e->size, 1234);
  EXPECT_EQ(e->retrieved_at, absl::FromUnixSeconds(1728259200) + absl::Nanoseconds(123));
  ASSERT_TRUE((*ledger)->Find(kAbn, "odd\tid\nwith breaks").has_value());
  // Per practice.
  EXPECT_FALSE((*ledger)->Find("53004085616", "DOC-1").has_value());
}

TEST(RetrievalLedger, RefetchReplacesTheEarlierRecord) {
  const std::string path = TempPath("refetch.ledger");
  {
    auto ledger = RetrievalLedger::Open(path);
    ASSERT_TRUE(ledger.ok());
    ASSERT_TRUE((*ledger)->Record(MakeEntry("DOC-1", kSha, 1)).ok());
    ASSERT_TRUE((*ledger)->Record(MakeEntry("DOC-1", kSha2, 2)).ok());
    EXPECT_EQ((*ledger)->Find(kAbn, "DOC-1")->size, 2);
  }
  auto ledger = RetrievalLedger::Open(path);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ((*ledger)->Find(kAbn, "DOC-1")->sha256, kSha2);
}

TEST(RetrievalLedger, TornLastLineIsIgnoredAndCutOff) {
  const std::string path = TempPath("torn.ledger");
  {
    auto ledger = RetrievalLedger::Open(path);
    ASSERT_TRUE(ledger.ok());
    ASSERT_TRUE((*ledger)->Record(MakeEntry("DOC-1", kSha, 10)).ok());
  }
  const std::string whole = ReadAll(path);
  std::ofstream(path, std::ios::app) << kAbn << "\tDOC-2\t" << kSha.substr(0, 20);
  {
    auto ledger = RetrievalLedger::Open(path);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    EXPECT_EQ((*ledger)->size(), 1u);
    EXPECT_FALSE((*ledger)->Find(kAbn, "DOC-2").has_value());
    EXPECT_EQ(ReadAll(path), whole);
    ASSERT_TRUE((*ledger)->Record(MakeEntry("DOC-3", kSha2, 30)).ok());
  }
  auto ledger = RetrievalLedger::Open(path);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  EXPECT_EQ((*ledger)->size(), 2u);
  EXPECT_TRUE((*ledger)->Find(kAbn, "DOC-3").has_value());
}

TEST(RetrievalLedger, CorruptCompleteLineIsDataLoss) {
  const std::string path = TempPath("corrupt.ledger");
  {
    auto ledger = RetrievalLedger::Open(path);
    ASSERT_TRUE(ledger.ok());
    ASSERT_TRUE((*ledger)->Record(MakeEntry("DOC-1", kSha, 10)).ok());
  }
  std::ofstream(path, std::ios::app) << "garbage\n";
  auto ledger = RetrievalLedger::Open(path);
  EXPECT_EQ(ledger.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(ledger.status().message(), "corrupt.ledger:2:"))
      << ledger.status();
}

TEST(RetrievalLedger, RecordRejectsBadEntries) {
  auto ledger = RetrievalLedger::Open(TempPath("bad.ledger"));
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ((*ledger)->Record(MakeEntry("", kSha, 1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*ledger)->Record(MakeEntry("D", "abc", 1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*ledger)->Record(MakeEntry("D", kSha, -1)).code(),
            absl::StatusCode::kInvalidArgument);
  auto no_agent = MakeEntry("D", kSha, 1);
  no_agent.agent_abn.clear();
  EXPECT_EQ((*ledger)->Record(no_agent).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*ledger)->size(), 0u);
}

TEST(RetrievalLedger, OpenFailsInAMissingDirectory) {
  EXPECT_FALSE(RetrievalLedger::Open("/nonexistent-dir/x.ledger").ok());
}

TEST(RetrievalLedger, ConcurrentRecords) {
  const std::string path = TempPath("concurrent.ledger");
  {
    auto ledger = RetrievalLedger::Open(path);
    ASSERT_TRUE(ledger.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          EXPECT_TRUE((*ledger)->Record(MakeEntry(absl::StrCat("T", t, "-", i), kSha, i)).ok());
          EXPECT_TRUE((*ledger)->Find(kAbn, absl::StrCat("T", t, "-", i)).has_value());
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  auto ledger = RetrievalLedger::Open(path);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  EXPECT_EQ((*ledger)->size(), 100u);
}

}  // namespace
}  // namespace sbrgate::clntcomm
