#include "pipeline/clntcomm/rules/request_rules.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/sbr/identifiers/check_digits.h"

namespace sbrgate::clntcomm {
namespace {

constexpr char kAgentAbn[] = "51824753556";

// 10:00 am AEDT, Monday 7 October 2024.
absl::Time Now() {
  return SydneyTimeZone().At(absl::CivilSecond(2024, 10, 7, 10, 0, 0)).pre;
}

v1::ClientId Id(v1::ClientIdType type, std::string value) {
  v1::ClientId id;
  id.set_type(type);
  id.set_value(std::move(value));
  return id;
}

v1::ListCommunicationsRequest WholeOfPractice(std::string from, std::string to) {
  v1::ListCommunicationsRequest r;
  r.mutable_agent()->set_agent_abn(kAgentAbn);
  r.mutable_agent()->set_ran("12345678");
  r.mutable_agent()->set_user_id("alice");
  r.set_from_date(std::move(from));
  r.set_to_date(std::move(to));
  r.add_channels(v1::PAPER);
  r.add_channels(v1::EMAIL);
  return r;
}

v1::ListCommunicationsRequest ForClients(int n, std::string from, std::string to) {
  v1::ListCommunicationsRequest r = WholeOfPractice(std::move(from), std::move(to));
  for (int i = 0; i < n; ++i) *r.add_clients() = Id(v1::TFN, identifiers::MakeValidTfn(100 + i));
  return r;
}

// The single violation's field, or a description of what came back.
std::string OnlyField(const v1::ListCommunicationsRequest& r) {
  auto v = ListRequestViolations(r, Now());
  if (v.size() != 1) {
    std::string all = std::to_string(v.size()) + " violations:";
    for (const auto& x : v) all += " [" + x.field + ": " + x.description + "]";
    return all;
  }
  return v[0].field;
}

TEST(ListRequest, ValidWholeOfPracticeAndClients) {
  EXPECT_TRUE(ValidateListRequest(WholeOfPractice("2024-10-01", "2024-10-07"), Now()).ok());
  EXPECT_TRUE(ValidateListRequest(ForClients(3, "2015-01-01", "2024-10-07"), Now()).ok());
}

TEST(ListRequest, WholeOfPracticeSevenDaysInclusive) {
  EXPECT_TRUE(ValidateListRequest(WholeOfPractice("2024-09-01", "2024-09-07"), Now()).ok());
  auto r = WholeOfPractice("2024-09-01", "2024-09-08");
  EXPECT_EQ(OnlyField(r), "to_date");
  absl::Status s = ValidateListRequest(r, Now());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "at most 7 days, got 8")) << s;
  // A single day is one day.
  EXPECT_TRUE(ValidateListRequest(WholeOfPractice("2024-09-01", "2024-09-01"), Now()).ok());
}

TEST(ListRequest, TwentyClientsButNotTwentyOne) {
  EXPECT_TRUE(ValidateListRequest(ForClients(20, "2024-01-01", "2024-02-01"), Now()).ok());
  auto r = ForClients(21, "2024-01-01", "2024-02-01");
  EXPECT_EQ(OnlyField(r), "clients");
  EXPECT_TRUE(absl::StrContains(ValidateListRequest(r, Now()).message(),
                                "clients: at most 20 client identifiers, got 21"));
}

TEST(ListRequest, TenYearsButNotADayMore) {
  EXPECT_TRUE(ValidateListRequest(ForClients(1, "2014-01-01", "2023-12-31"), Now()).ok());
  auto r = ForClients(1, "2014-01-01", "2024-01-01");
  EXPECT_EQ(OnlyField(r), "to_date");
  EXPECT_TRUE(absl::StrContains(ValidateListRequest(r, Now()).message(),
                                "latest to_date is 2023-12-31"));
  // 29 February: 10 years end on 28 February.
  EXPECT_TRUE(ValidateListRequest(ForClients(1, "2012-02-29", "2022-02-28"), Now()).ok());
  EXPECT_EQ(OnlyField(ForClients(1, "2012-02-29", "2022-03-01")), "to_date");
  // Clients lift the 7-day limit.
  EXPECT_TRUE(ValidateListRequest(ForClients(1, "2024-09-01", "2024-09-30"), Now()).ok());
}

TEST(ListRequest, EarliestDateIsFirstJuly2008) {
  EXPECT_TRUE(ValidateListRequest(ForClients(1, "2008-07-01", "2009-01-01"), Now()).ok());
  auto r = ForClients(1, "2008-06-30", "2009-01-01");
  EXPECT_EQ(OnlyField(r), "from_date");
  EXPECT_TRUE(absl::StrContains(ValidateListRequest(r, Now()).message(), "before 2008-07-01"));
}

TEST(ListRequest, FutureToDateRefusedInSydneyTime) {
  EXPECT_EQ(OnlyField(WholeOfPractice("2024-10-06", "2024-10-08")), "to_date");
  // 1:00 am Sydney on 7 October is still 6 October in UTC: the 7th is today.
  const absl::Time early = SydneyTimeZone().At(absl::CivilSecond(2024, 10, 7, 1, 0, 0)).pre;
  ASSERT_EQ(absl::ToCivilDay(early, absl::UTCTimeZone()), absl::CivilDay(2024, 10, 6));
  EXPECT_TRUE(ValidateListRequest(WholeOfPractice("2024-10-06", "2024-10-07"), early).ok());
  EXPECT_FALSE(ValidateListRequest(WholeOfPractice("2024-10-06", "2024-10-08"), early).ok());
}

TEST(ListRequest, DatesMustBeRealAndOrdered) {
  EXPECT_EQ(OnlyField(WholeOfPractice("2024-02-30", "2024-03-01")), "from_date");
  EXPECT_EQ(OnlyField(WholeOfPractice("2024/03/01", "2024-03-01")), "from_date");
  EXPECT_EQ(OnlyField(WholeOfPractice("2024-3-01", "2024-03-01")), "from_date");
  EXPECT_EQ(OnlyField(WholeOfPractice("2024-03-01", "")), "to_date");
  EXPECT_EQ(OnlyField(WholeOfPractice("2024-03-05", "2024-03-01")), "from_date");
}

TEST(ListRequest, Channels) {
  auto none = WholeOfPractice("2024-10-01", "2024-10-02");
  none.clear_channels();
  EXPECT_EQ(OnlyField(none), "channels");
  auto unspecified = WholeOfPractice("2024-10-01", "2024-10-02");
  unspecified.add_channels(v1::CHANNEL_UNSPECIFIED);
  EXPECT_EQ(OnlyField(unspecified), "channels[2]");
  auto twice = WholeOfPractice("2024-10-01", "2024-10-02");
  twice.add_channels(v1::EMAIL);
  EXPECT_EQ(OnlyField(twice), "channels[2]");
  auto all = WholeOfPractice("2024-10-01", "2024-10-02");
  all.clear_channels();
  for (int c = v1::PAPER; c <= v1::ATO_ONLINE; ++c) all.add_channels(static_cast<v1::Channel>(c));
  EXPECT_TRUE(ValidateListRequest(all, Now()).ok());
}

TEST(ListRequest, AtMostOneCategory) {
  auto one = WholeOfPractice("2024-10-01", "2024-10-02");
  one.add_categories(v1::DEMAND);
  EXPECT_TRUE(ValidateListRequest(one, Now()).ok());
  auto two = one;
  two.add_categories(v1::LEGAL);
  EXPECT_EQ(OnlyField(two), "categories");
}

TEST(ListRequest, SortAsGiven) {
  auto r = WholeOfPractice("2024-10-01", "2024-10-02");
  r.set_sort(v1::SORT_CLIENT_NAME);
  r.set_descending(true);
  EXPECT_TRUE(ValidateListRequest(r, Now()).ok());
}

TEST(ListRequest, Agent) {
  auto r = WholeOfPractice("2024-10-01", "2024-10-02");
  r.mutable_agent()->set_agent_abn(identifiers::BreakAbnCheckDigit(kAgentAbn, 1));
  EXPECT_EQ(OnlyField(r), "agent.agent_abn");
  r = WholeOfPractice("2024-10-01", "2024-10-02");
  r.mutable_agent()->clear_ran();
  EXPECT_EQ(OnlyField(r), "agent.ran");
  r.clear_agent();
  EXPECT_EQ(OnlyField(r), "agent");
}

TEST(ListRequest, MixedIdentifiersWithCheckDigits) {
  auto r = WholeOfPractice("2024-01-01", "2024-10-01");
  *r.add_clients() = Id(v1::TFN, "123456782");
  *r.add_clients() = Id(v1::TFN, identifiers::MakeValidTfn8(3));
  *r.add_clients() = Id(v1::ABN, identifiers::MakeValidAbn(4));
  *r.add_clients() = Id(v1::WPN, identifiers::MakeValidTfn(5));
  *r.add_clients() = Id(v1::ARN, "12345678");
  EXPECT_TRUE(ValidateListRequest(r, Now()).ok()) << ValidateListRequest(r, Now());

  *r.add_clients() = Id(v1::TFN, identifiers::MakeInvalidTfn(6));   // [5]
  *r.add_clients() = Id(v1::ABN, identifiers::MakeInvalidAbn(7));   // [6]
  *r.add_clients() = Id(v1::WPN, identifiers::MakeInvalidTfn(8));   // [7]
  *r.add_clients() = Id(v1::ARN, "12AB");                       // [8]
  *r.add_clients() = Id(v1::CLIENT_ID_TYPE_UNSPECIFIED, "1");   // [9]
  *r.add_clients() = Id(v1::TFN, "123456782");                  // [10] repeat
  auto v = ListRequestViolations(r, Now());
  ASSERT_EQ(v.size(), 6u) << ValidateListRequest(r, Now());
  EXPECT_EQ(v[0].field, "clients[5].value");
  EXPECT_EQ(v[0].description, "TFN check digit is wrong");
  EXPECT_EQ(v[1].field, "clients[6].value");
  EXPECT_EQ(v[2].field, "clients[7].value");
  EXPECT_EQ(v[3].field, "clients[8].value");
  EXPECT_EQ(v[4].field, "clients[9].type");
  EXPECT_EQ(v[5].field, "clients[10]");
}

TEST(ListRequest, CollectsEveryViolation) {
  v1::ListCommunicationsRequest r;  // nothing at all
  r.add_categories(v1::ADVISE);
  r.add_categories(v1::INFORM);
  auto v = ListRequestViolations(r, Now());
  std::vector<std::string> fields;
  for (const auto& x : v) fields.push_back(x.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"agent", "from_date", "to_date", "channels",
                                              "categories"}));
  absl::Status s = ValidateListRequest(r, Now());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "; channels: at least one channel")) << s;
}

TEST(GetRequest, Rules) {
  v1::GetCommunicationRequest g;
  g.mutable_agent()->set_agent_abn(kAgentAbn);
  g.mutable_agent()->set_ran("12345678");
  *g.mutable_client() = Id(v1::ABN, kAgentAbn);
  g.set_document_id("DOC-1");
  EXPECT_TRUE(ValidateGetRequest(g).ok());

  auto bad = g;
  bad.mutable_client()->set_value(identifiers::BreakAbnCheckDigit(kAgentAbn, 2));
  bad.clear_document_id();
  absl::Status s = ValidateGetRequest(bad);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "client.value: ABN check digit is wrong; document_id: required: the id from a "
            "list response");
  bad = g;
  bad.clear_client();
  EXPECT_EQ(GetRequestViolations(bad).at(0).field, "client");
}

TEST(BulkGetRequest, AgentOnceAndEachDocumentByIndex) {
  v1::BulkGetRequest r;
  r.mutable_agent()->set_agent_abn(kAgentAbn);
  r.mutable_agent()->set_ran("12345678");
  EXPECT_EQ(BulkGetRequestViolations(r).at(0).field, "documents");
  v1::GetCommunicationRequest* good = r.add_documents();
  *good->mutable_client() = Id(v1::ABN, kAgentAbn);
  good->set_document_id("DOC-1");
  EXPECT_TRUE(BulkGetRequestViolations(r).empty());
  v1::GetCommunicationRequest* bad = r.add_documents();
  *bad->mutable_client() = Id(v1::ABN, identifiers::BreakAbnCheckDigit(kAgentAbn, 2));
  r.mutable_agent()->clear_ran();
  std::vector<std::string> fields;
  for (const FieldViolation& v : BulkGetRequestViolations(r)) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"agent.ran", "documents[1].client.value",
                                              "documents[1].document_id"}));
}

TEST(DailySyncRequest, AgentAndRealChannels) {
  v1::DailySyncRequest r;
  EXPECT_EQ(DailySyncRequestViolations(r).at(0).field, "agent");
  r.mutable_agent()->set_agent_abn(kAgentAbn);
  r.mutable_agent()->set_ran("12345678");
  EXPECT_TRUE(DailySyncRequestViolations(r).empty());  // no channel: every channel
  r.add_channels(v1::SMS);
  r.add_channels(v1::CHANNEL_UNSPECIFIED);
  ASSERT_EQ(DailySyncRequestViolations(r).size(), 1u);
  EXPECT_EQ(DailySyncRequestViolations(r).at(0).field, "channels[1]");
}

TEST(IsValidIdentifier, Types) {
  EXPECT_TRUE(IsValidIdentifier(Id(v1::TFN, "123456782")));
  EXPECT_FALSE(IsValidIdentifier(Id(v1::TFN, "123456789")));
  EXPECT_TRUE(IsValidIdentifier(Id(v1::ABN, kAgentAbn)));
  EXPECT_FALSE(IsValidIdentifier(Id(v1::ABN, "51824753557")));
  EXPECT_TRUE(IsValidIdentifier(Id(v1::WPN, "123456782")));
  EXPECT_FALSE(IsValidIdentifier(Id(v1::WPN, "12345678")));  // 9 digits only
  EXPECT_TRUE(IsValidIdentifier(Id(v1::ARN, "1")));
  EXPECT_FALSE(IsValidIdentifier(Id(v1::ARN, "")));
  EXPECT_FALSE(IsValidIdentifier(Id(v1::ARN, "123456789012")));
  EXPECT_FALSE(IsValidIdentifier(Id(v1::CLIENT_ID_TYPE_UNSPECIFIED, "123456782")));
}

}  // namespace
}  // namespace sbrgate::clntcomm
