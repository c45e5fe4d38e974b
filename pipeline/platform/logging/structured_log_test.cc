#include "pipeline/platform/logging/structured_log.h"

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::logging {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class StructuredLogTest : public ::testing::Test {
 protected:
  void SetUp() override { out_ = std::tmpfile(); }
  void TearDown() override {
    Configure(LogOptions());
    std::fclose(out_);
  }
  std::string Written() {
    std::fflush(out_);
    std::rewind(out_);
    std::string s;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, out_)) > 0;) s.append(buf, n);
    return s;
  }
  std::FILE* out_ = nullptr;
};

TEST_F(StructuredLogTest, JsonLinesCarryTheFieldsEscaped) {
  Configure({Format::kJson, Level::kInfo, out_});
  Log(Level::kWarning, "submit", "retry")
      .Field("lodgment_id", "L1")
      .Field("abn", "")  // empty: left out
      .Error(absl::UnavailableError("SBR said \"busy\"\nretry"))
      .Message("attempt 2");
  const std::string line = Written();
  ASSERT_EQ(line.back(), '\n');
  const nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_THAT(j["time"].get<std::string>(),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"));
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["component"], "submit");
  EXPECT_EQ(j["event"], "retry");
  EXPECT_EQ(j["lodgment_id"], "L1");
  EXPECT_FALSE(j.contains("abn"));
  EXPECT_EQ(j["error"], "UNAVAILABLE: SBR said \"busy\"\nretry");
  EXPECT_EQ(j["message"], "attempt 2");
}

TEST_F(StructuredLogTest, LinesBelowTheLevelAreNotWritten) {
  Configure({Format::kJson, Level::kWarning, out_});
  Log(Level::kInfo, "poll", "pull").Field("message_id", "m1");
  Log(Level::kError, "poll", "failed");
  const std::string written = Written();
  EXPECT_THAT(written, Not(HasSubstr("\"pull\"")));
  EXPECT_THAT(written, HasSubstr("\"event\":\"failed\""));
}

TEST_F(StructuredLogTest, TextLinesReadAsKeyValues) {
  Configure({Format::kText, Level::kDebug, out_});
  Log(Level::kInfo, "status-view", "state_change").Field("state", "ACCEPTED").Message("all good");
  EXPECT_THAT(Written(), MatchesRegex("[0-9T:.Z-]+ info status-view state_change state=ACCEPTED "
                                      "message=\"all good\"\n"));
}

TEST_F(StructuredLogTest, TaxFileNumbersNeverReachALine) {
  Configure({Format::kJson, Level::kInfo, out_});
  Log(Level::kInfo, "gateway", "refused")
      .Error(absl::InvalidArgumentError("TFN 123456782 of payee 12345678 is not valid"))
      .Message("value '123456782'");
  const std::string written = Written();
  EXPECT_THAT(written, Not(HasSubstr("123456782")));
  EXPECT_THAT(written, Not(HasSubstr("12345678 ")));
  EXPECT_THAT(written, HasSubstr("TFN ******782 of payee *****678 is not valid"));
  EXPECT_THAT(written, HasSubstr("value '******782'"));
}

TEST(MaskTfnLikeTest, LeavesOtherNumbersAndIdsAlone) {
  EXPECT_EQ(MaskTfnLike("ABN 51824753556, offset 1234567, year 2026"),
            "ABN 51824753556, offset 1234567, year 2026");
  EXPECT_EQ(MaskTfnLike("lodgment 12345678-90ab-4def-8123-456789abcdef"),
            "lodgment 12345678-90ab-4def-8123-456789abcdef");
  EXPECT_EQ(MaskTfnLike("x123456782"), "x123456782");
  EXPECT_EQ(MaskTfnLike("123456782"), "******782");
}

TEST(ParseTest, NamesTheFlagAndTheValue) {
  EXPECT_EQ(*ParseFormat("log-format", "json"), Format::kJson);
  EXPECT_EQ(*ParseLevel("log-level", "warning"), Level::kWarning);
  EXPECT_EQ(ParseFormat("log-format", "yaml").status().message(),
            "--log-format must be text or json, not 'yaml'");
  EXPECT_EQ(ParseLevel("log-level", "loud").status().message(),
            "--log-level must be debug, info, warning or error, not 'loud'");
}

}  // namespace
}  // namespace sbrgate::logging
