#include "pipeline/platform/xml/stream_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/testing/hostile_xml.h"

namespace sbrgate::xml {
namespace {

using ::sbrgate::testing::kBillionLaughs;
using ::sbrgate::testing::kExternalEntity;
using ::sbrgate::testing::kUndecodable;
using ::sbrgate::testing::Nested;
using ::testing::HasSubstr;

absl::Status DrainStream(const std::string& text, const Limits& limits = Limits()) {
  auto reader = StreamReader::Open(std::make_unique<StringSource>(text), "s.xml", limits);
  if (!reader.ok()) return reader.status();
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
  }
}

TEST(StreamReaderTest, ReadsNodes) {
  auto reader = StreamReader::Open(std::make_unique<StringSource>("<r><a x='1'>t</a></r>"), "s");
  ASSERT_TRUE(reader.ok());
  std::vector<std::string> names;
  for (;;) {
    auto more = (*reader)->Next();
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    if ((*reader)->type() == XML_READER_TYPE_ELEMENT) names.push_back((*reader)->local_name());
  }
  EXPECT_THAT(names, ::testing::ElementsAre("r", "a"));
}

TEST(StreamReaderTest, RefusesDtdAndEntityBombs) {
  EXPECT_THAT(DrainStream(kBillionLaughs).message(), HasSubstr("DTD"));
  EXPECT_THAT(DrainStream(kExternalEntity).message(), HasSubstr("DTD"));
}

TEST(StreamReaderTest, RefusesBytesNotInTheDeclaredEncodingAndPrintsNothing) {
  ::testing::internal::CaptureStderr();
  const absl::Status status = DrainStream(kUndecodable);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST(StreamReaderTest, RefusesDeepNesting) {
  EXPECT_THAT(DrainStream(Nested(10000)).message(), HasSubstr("nested deeper than 64"));
}

TEST(StreamReaderTest, RefusesOversizedText) {
  Limits limits;
  limits.max_text_bytes = 1000;
  EXPECT_THAT(DrainStream(absl::StrCat("<r>", std::string(5000, 'x'), "</r>"), limits).message(),
              HasSubstr("text node of 5000 bytes"));
}

}  // namespace
}  // namespace sbrgate::xml
