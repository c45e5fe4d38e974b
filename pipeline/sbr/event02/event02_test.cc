#include "pipeline/sbr/event02/event02.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sbrgate::event02 {
namespace {

TEST(Event02Test, RoundTripsItemsAndSeverity) {
  StringSink sink;
  ResponseWriter w(sink);
  ASSERT_TRUE(w.Begin(Severity::kPartial).ok());
  EventItem item;
  item.error_code = "CMN.ATO.PAYEVNTEMP.000180";
  item.short_description = "Payee TFN is invalid";
  item.detailed_description = "The TFN {TFN} fails the check <digit> algorithm";
  item.parameters = {{"TFN", "123456789"}};
  item.locations = {{"1.7", "/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId"}};
  ASSERT_TRUE(w.Add(item).ok());
  item.locations[0].instance_identifier = "1.9";
  ASSERT_TRUE(w.Add(item).ok());
  ASSERT_TRUE(w.Finish().ok());

  auto r = ResponseReader::Open(std::make_unique<StringSource>(sink.data()), "resp");
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> ids;
  for (;;) {
    auto next = (*r)->Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (!next->has_value()) break;
    EXPECT_EQ((*next)->error_code, "CMN.ATO.PAYEVNTEMP.000180");
    EXPECT_EQ(SubstituteParameters((*next)->detailed_description, (*next)->parameters),
              "The TFN 123456789 fails the check <digit> algorithm");
    ids.push_back((*next)->locations.at(0).instance_identifier);
  }
  EXPECT_THAT(ids, ::testing::ElementsAre("1.7", "1.9"));
  EXPECT_EQ((*r)->maximum_severity(), Severity::kPartial);
}

TEST(Event02Test, ReadsSeveralUnprefixedEventsAndTakesTheWorst) {
  const std::string doc = R"(<Response>
    <Event xmlns="http://sbr.gov.au/comn/event.02.data"><MaximumSeverity.Code>Warning</MaximumSeverity.Code></Event>
    <e:Event xmlns:e="http://sbr.gov.au/comn/event.02.data"><e:MaximumSeverity.Code>Error</e:MaximumSeverity.Code>
      <e:EventItems><e:EventItem><e:Error.Code>CMN.ATO.PAYEVNT.000193</e:Error.Code></e:EventItem></e:EventItems>
    </e:Event></Response>)";
  auto r = ResponseReader::Open(std::make_unique<StringSource>(doc), "resp");
  ASSERT_TRUE(r.ok());
  auto first = (*r)->Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->error_code, "CMN.ATO.PAYEVNT.000193");
  auto end = (*r)->Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
  EXPECT_EQ((*r)->maximum_severity(), Severity::kError);
}

TEST(Event02Test, UnknownSeverityIsAnError) {
  auto r = ResponseReader::Open(
      std::make_unique<StringSource>(
          R"(<Event xmlns="http://sbr.gov.au/comn/event.02.data"><MaximumSeverity.Code>Fatal</MaximumSeverity.Code></Event>)"),
      "resp");
  ASSERT_TRUE(r.ok());
  auto next = (*r)->Next();
  ASSERT_FALSE(next.ok());
  EXPECT_THAT(next.status().message(), ::testing::HasSubstr("Fatal"));
}

TEST(Event02Test, SubstituteLeavesUnknownPlaceholders) {
  EXPECT_EQ(SubstituteParameters("{a} and {b}", {{"a", "1"}}), "1 and {b}");
}

}  // namespace
}  // namespace sbrgate::event02
