#include "pipeline/clntcomm/documents/ledger.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sbrgate::clntcomm {
namespace {

constexpr char kAbn[] = "51824753556";
const std::string kSha(64, 'a');
const std::string kSha2 = std::string(63, 'b') + "c";
const absl::Time kAt = absl::FromUnixSeconds(1728259200) + absl::Nanoseconds(123);

// A fresh path under the test's temporary directory.
std::string TempPath(const std::string& name) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::remove_all(path);
  return path;
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

RetrievalLedger::Entry MakeEntry(std::string doc, std::string sha, int64_t size) {
  return {kAbn, std::move(doc), std::move(sha), size, kAt};
}

// A line of the text file an older sbrgate kept.
std::string LegacyLine(const RetrievalLedger::Entry& e) {
  return absl::StrCat(absl::CEscape(e.agent_abn), "\t", absl::CEscape(e.document_id), "\t",
                      e.sha256, "\t", e.size, "\t",
                      absl::FormatTime(absl::RFC3339_full, e.retrieved_at, absl::UTCTimeZone()),
                      "\n");
}

std::unique_ptr<RetrievalLedger> MustOpen(const std::string& dir,
                                          const std::string& legacy_file = "") {
  absl::StatusOr<std::unique_ptr<RetrievalLedger>> ledger = RetrievalLedger::Open(dir, legacy_file);
  EXPECT_TRUE(ledger.ok()) << ledger.status();
  return ledger.ok() ? *std::move(ledger) : nullptr;
}

TEST(RetrievalLedger, RecordFindAndSurviveReopen) {
  const std::string dir = TempPath("reopen");
  {
    std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir);
    ASSERT_NE(ledger, nullptr);
    EXPECT_FALSE(ledger->Find(kAbn, "DOC-1")->has_value());
    ASSERT_TRUE(ledger->Record(MakeEntry("DOC-1", kSha, 1234)).ok());
    ASSERT_TRUE(ledger->Record(MakeEntry("odd\tid\nwith breaks", kSha2, 0)).ok());
    ASSERT_TRUE(ledger->Find(kAbn, "DOC-1")->has_value());
  }
  std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir);
  ASSERT_NE(ledger, nullptr);
  std::optional<RetrievalLedger::Entry> e = *ledger->Find(kAbn, "DOC-1");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->agent_abn, kAbn);
  EXPECT_EQ(e->document_id, "DOC-1");
  EXPECT_EQ(e->sha256, kSha);
  EXPECT_EQ(e->size, 1234);
  EXPECT_EQ(e->retrieved_at, kAt);
  ASSERT_TRUE(ledger->Find(kAbn, "odd\tid\nwith breaks")->has_value());
  // Per practice.
  EXPECT_FALSE(ledger->Find("53004085616", "DOC-1")->has_value());
}

TEST(RetrievalLedger, KeysDoNotRunIntoEachOther) {
  std::unique_ptr<RetrievalLedger> ledger = MustOpen(TempPath("keys"));
  ASSERT_NE(ledger, nullptr);
  ASSERT_TRUE(ledger->Record({"ab", "c", kSha, 1, kAt}).ok());
  EXPECT_FALSE(ledger->Find("a", "bc")->has_value());
  EXPECT_TRUE(ledger->Find("ab", "c")->has_value());
}

TEST(RetrievalLedger, RefetchReplacesTheEarlierRecord) {
  const std::string dir = TempPath("refetch");
  {
    std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir);
    ASSERT_NE(ledger, nullptr);
    ASSERT_TRUE(ledger->Record(MakeEntry("DOC-1", kSha, 1)).ok());
    ASSERT_TRUE(ledger->Record(MakeEntry("DOC-1", absl::AsciiStrToUpper(kSha2), 2)).ok());
    EXPECT_EQ(ledger->Find(kAbn, "DOC-1")->value().size, 2);
  }
  std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir);
  ASSERT_NE(ledger, nullptr);
  EXPECT_EQ(ledger->Find(kAbn, "DOC-1")->value().sha256, kSha2);  // kept in lowercase
}

TEST(RetrievalLedger, RecordRejectsBadEntries) {
  std::unique_ptr<RetrievalLedger> ledger = MustOpen(TempPath("bad"));
  ASSERT_NE(ledger, nullptr);
  EXPECT_EQ(ledger->Record(MakeEntry("", kSha, 1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger->Record(MakeEntry("D", "abc", 1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger->Record(MakeEntry("D", std::string(64, 'g'), 1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger->Record(MakeEntry("D", kSha, -1)).code(), absl::StatusCode::kInvalidArgument);
  RetrievalLedger::Entry no_agent = MakeEntry("D", kSha, 1);
  no_agent.agent_abn.clear();
  EXPECT_EQ(ledger->Record(no_agent).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ledger->Find(kAbn, "D")->has_value());
  EXPECT_FALSE(ledger->Find("", "D")->has_value());
}

TEST(RetrievalLedger, OpenFailsWhereNoDirectoryCanBe) {
  const std::string file = TempPath("a-file");
  std::ofstream(file) << "not a directory";
  absl::StatusOr<std::unique_ptr<RetrievalLedger>> ledger =
      RetrievalLedger::Open(file + "/ledger");
  ASSERT_FALSE(ledger.ok());
  EXPECT_TRUE(absl::StrContains(ledger.status().message(), file + "/ledger"))
      << ledger.status();
}

TEST(RetrievalLedger, ALedgerInUseIsUnavailable) {
  const std::string dir = TempPath("in-use");
  std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir);
  ASSERT_NE(ledger, nullptr);
  absl::StatusOr<std::unique_ptr<RetrievalLedger>> again = RetrievalLedger::Open(dir);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable) << again.status();
}

TEST(RetrievalLedger, ConcurrentRecords) {
  const std::string dir = TempPath("concurrent");
  {
    std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir);
    ASSERT_NE(ledger, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          EXPECT_TRUE(ledger->Record(MakeEntry(absl::StrCat("T", t, "-", i), kSha, i)).ok());
          EXPECT_TRUE(ledger->Find(kAbn, absl::StrCat("T", t, "-", i))->has_value());
        }
      });
    }
    for (std::thread& th : threads) th.join();
  }
  std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir);
  ASSERT_NE(ledger, nullptr);
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 25; ++i) {
      std::optional<RetrievalLedger::Entry> e = *ledger->Find(kAbn, absl::StrCat("T", t, "-", i));
      ASSERT_TRUE(e.has_value()) << t << "-" << i;
      EXPECT_EQ(e->size, i);
    }
  }
}

TEST(RetrievalLedger, ImportsTheLegacyFileOnce) {
  const std::string dir = TempPath("upgraded");
  const std::string legacy = TempPath("clntcomm.ledger");
  const std::string imported = legacy + ".imported";
  std::filesystem::remove(imported);
  std::ofstream(legacy) << LegacyLine(MakeEntry("DOC-1", kSha, 1))
                        << LegacyLine(MakeEntry("odd\tid\nwith breaks", kSha, 7))
                        << LegacyLine(MakeEntry("DOC-1", kSha2, 2))  // a refetch
                        << kAbn << "\tDOC-TORN\t" << kSha.substr(0, 20);
  {
    std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir, legacy);
    ASSERT_NE(ledger, nullptr);
    std::optional<RetrievalLedger::Entry> e = *ledger->Find(kAbn, "DOC-1");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->sha256, kSha2);
    EXPECT_EQ(e->size, 2);
    EXPECT_EQ(e->retrieved_at, kAt);
    EXPECT_EQ(ledger->Find(kAbn, "odd\tid\nwith breaks")->value().size, 7);
    EXPECT_FALSE(ledger->Find(kAbn, "DOC-TORN")->has_value());
  }
  EXPECT_FALSE(Exists(legacy));
  ASSERT_TRUE(Exists(imported));

  // A crash after the import but before the rename: the same entries again.
  std::filesystem::copy_file(imported, legacy);
  {
    std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir, legacy);
    ASSERT_NE(ledger, nullptr);
    EXPECT_EQ(ledger->Find(kAbn, "DOC-1")->value().size, 2);
    ASSERT_TRUE(ledger->Record(MakeEntry("DOC-1", kSha, 3)).ok());
  }
  EXPECT_FALSE(Exists(legacy));

  // Renamed, the file is not imported again over later records.
  std::unique_ptr<RetrievalLedger> ledger = MustOpen(dir, legacy);
  ASSERT_NE(ledger, nullptr);
  EXPECT_EQ(ledger->Find(kAbn, "DOC-1")->value().size, 3);
  EXPECT_TRUE(Exists(imported));
}

TEST(RetrievalLedger, AMalformedLegacyLineIsDataLossAndImportsNothing) {
  const std::string legacy = TempPath("corrupt.ledger");
  for (const std::string& bad :
       {std::string("garbage\n"), LegacyLine(MakeEntry("DOC-2", "abc", 1)),
        LegacyLine(MakeEntry("DOC-2", kSha, -5))}) {
    const std::string dir = TempPath("corrupt");
    std::ofstream(legacy) << LegacyLine(MakeEntry("DOC-1", kSha, 10)) << bad
                          << LegacyLine(MakeEntry("DOC-3", kSha, 30));
    absl::StatusOr<std::unique_ptr<RetrievalLedger>> ledger = RetrievalLedger::Open(dir, legacy);
    EXPECT_EQ(ledger.status().code(), absl::StatusCode::kDataLoss) << bad;
    EXPECT_TRUE(absl::StrContains(ledger.status().message(), legacy + ":2:"))
        << ledger.status();
    EXPECT_TRUE(Exists(legacy));
    std::unique_ptr<RetrievalLedger> without = MustOpen(dir);
    ASSERT_NE(without, nullptr);
    EXPECT_FALSE(without->Find(kAbn, "DOC-1")->has_value());
  }
}

}  // namespace
}  // namespace sbrgate::clntcomm
