#include "pipeline/platform/common/yaml.h"

#include "gtest/gtest.h"

namespace sbrgate {
namespace {

TEST(YamlString, NamesStayPlain) {
  EXPECT_EQ(YamlString("sbrgate.lodgments.received"), "sbrgate.lodgments.received");
  EXPECT_EQ(YamlString("comms-job-view"), "comms-job-view");
  EXPECT_EQ(YamlString("/opt/sbrgate/bin/poll"), "/opt/sbrgate/bin/poll");
  EXPECT_EQ(YamlString("Shop_Returns"), "Shop_Returns");
  EXPECT_EQ(YamlString("--kafka-brokers=kafka:9092"), "--kafka-brokers=kafka:9092");
  EXPECT_EQ(YamlString("https://sbr.example/services"), "https://sbr.example/services");
  EXPECT_EQ(YamlString("1@kafka:9093"), "\"1@kafka:9093\"");
}

TEST(YamlString, QuotesWhatAParserWouldReadAsAnotherTypeOrAsSyntax) {
  EXPECT_EQ(YamlString(""), "\"\"");
  EXPECT_EQ(YamlString("8"), "\"8\"");
  EXPECT_EQ(YamlString("1e3"), "\"1e3\"");
  EXPECT_EQ(YamlString("0x1f"), "\"0x1f\"");
  EXPECT_EQ(YamlString(".inf"), "\".inf\"");
  EXPECT_EQ(YamlString("On"), "\"On\"");
  EXPECT_EQ(YamlString("no"), "\"no\"");
  EXPECT_EQ(YamlString("null"), "\"null\"");
  EXPECT_EQ(YamlString("a: b"), "\"a: b\"");
  EXPECT_EQ(YamlString("x #y"), "\"x #y\"");
  EXPECT_EQ(YamlString("-dash"), "\"-dash\"");
  EXPECT_EQ(YamlString("--8"), "\"--8\"");
  EXPECT_EQ(YamlString("--/x"), "\"--/x\"");
  EXPECT_EQ(YamlString("a:"), "\"a:\"");
  EXPECT_EQ(YamlString("a:,b"), "\"a:,b\"");
  EXPECT_EQ(YamlString("--x=$(POD_NAME)"), "\"--x=$(POD_NAME)\"");
  EXPECT_EQ(YamlString("a,b"), "\"a,b\"");
}

TEST(YamlString, EscapesInsideQuotes) {
  EXPECT_EQ(YamlString("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(YamlString("two\nlines\t\x01"), "\"two\\x0alines\\x09\\x01\"");
}

}  // namespace
}  // namespace sbrgate
