// Flag values of `sbrgate comms` into CommunicationService requests, and the
// repeatable valued flags they rely on.
#include "services/cli/comms_args.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::cli {
namespace {

using ::testing::HasSubstr;

Flags ListFlags() {
  return Flags({"json", "bulk", "desc"},
               {"abn", "ran", "user", "client", "from", "to", "channel", "category", "sort"});
}

TEST(FlagsTest, GetAllKeepsEveryValueInOrderAndGetTheLast) {
  Flags flags({"json"}, {"client", "from"});
  ASSERT_TRUE(flags.Parse({"--client=TFN:1", "--client", "ABN:2", "--json", "--from=x"}).ok());
  EXPECT_EQ(flags.GetAll("client"), (std::vector<std::string>{"TFN:1", "ABN:2"}));
  EXPECT_EQ(flags.Get("client"), "ABN:2");
  EXPECT_EQ(flags.GetAll("from"), std::vector<std::string>{"x"});
  EXPECT_TRUE(flags.GetAll("json").empty());
  EXPECT_TRUE(Flags({}, {"client"}).GetAll("client").empty());
}

TEST(CommsArgsTest, ParsesClientIdentifiers) {
  absl::StatusOr<v1::ClientId> tfn = ParseClientId("TFN:123456782");
  ASSERT_TRUE(tfn.ok()) << tfn.status();
  EXPECT_EQ(tfn->type(), v1::TFN);
  EXPECT_EQ(tfn->value(), "123456782");
  absl::StatusOr<v1::ClientId> arn = ParseClientId("arn:42");
  ASSERT_TRUE(arn.ok()) << arn.status();
  EXPECT_EQ(arn->type(), v1::ARN);
  // The value's shape and check digit are the gateway's to judge.
  EXPECT_TRUE(ParseClientId("ABN:1").ok());
  absl::StatusOr<v1::ClientId> named = ParseClientId("TFN:123456782=SMITH:01=B");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->value(), "123456782");
  EXPECT_EQ(named->reference(), "SMITH:01=B");

  for (const char* bad :
       {"TFN", "TFN:", "TFN:=REF", "123456782", "XYZ:1", ":1", "CLIENT_ID_TYPE_UNSPECIFIED:1"}) {
    absl::StatusOr<v1::ClientId> id = ParseClientId(bad);
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(id.status().message()), HasSubstr("--client"));
  }
}

TEST(CommsArgsTest, ParsesDocumentReferences) {
  absl::StatusOr<v1::GetCommunicationRequest> doc = ParseDocumentRef("WPN:123:DOC:7");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->client().type(), v1::WPN);
  EXPECT_EQ(doc->client().value(), "123");
  EXPECT_EQ(doc->document_id(), "DOC:7");
  for (const char* bad : {"DOC-1", "TFN:123", "TFN:123:", "TFN::DOC", "FOO:1:DOC"}) {
    absl::StatusOr<v1::GetCommunicationRequest> d = ParseDocumentRef(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("--document"));
  }
}

TEST(CommsArgsTest, ParsesChannelListsAndKeepsDuplicatesForTheGateway) {
  absl::StatusOr<std::vector<v1::Channel>> channels =
      ParseChannels({"paper,mygov,sms,email,agent-digital,ato-online", "PAPER", "Agent_Digital"});
  ASSERT_TRUE(channels.ok()) << channels.status();
  EXPECT_EQ(*channels,
            (std::vector<v1::Channel>{v1::PAPER, v1::MYGOV, v1::SMS, v1::EMAIL, v1::AGENT_DIGITAL,
                                      v1::ATO_ONLINE, v1::PAPER, v1::AGENT_DIGITAL}));
  EXPECT_TRUE(ParseChannels({})->empty());
  for (const char* bad : {"fax", "paper,", "paper,,sms", "channel-unspecified"}) {
    absl::StatusOr<std::vector<v1::Channel>> c = ParseChannels({bad});
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_THAT(std::string(c.status().message()), HasSubstr("--channel"));
  }
}

TEST(CommsArgsTest, ParsesCategoriesAndSort) {
  EXPECT_EQ(*ParseCategory("notify"), v1::NOTIFY);
  EXPECT_EQ(*ParseCategory("tax-record-statement"), v1::TAX_RECORD_STATEMENT);
  EXPECT_EQ(*ParseCategory("all"), v1::CATEGORY_ALL);
  EXPECT_THAT(std::string(ParseCategory("memo").status().message()), HasSubstr("--category"));
  EXPECT_EQ(*ParseSort("sent-date"), v1::SORT_SENT_DATE);
  EXPECT_EQ(*ParseSort("client-name"), v1::SORT_CLIENT_NAME);
  EXPECT_THAT(std::string(ParseSort("name").status().message()), HasSubstr("--sort"));
}

TEST(CommsArgsTest, AgentNeedsAbnRanAndAUser) {
  Flags flags = ListFlags();
  ASSERT_TRUE(flags.Parse({"--abn=51824753556", "--ran=12345678"}).ok());
  absl::StatusOr<v1::AgentContext> agent = AgentFromFlags(flags, "alice");
  ASSERT_TRUE(agent.ok()) << agent.status();
  EXPECT_EQ(agent->agent_abn(), "51824753556");
  EXPECT_EQ(agent->ran(), "12345678");
  EXPECT_EQ(agent->user_id(), "alice");
  EXPECT_THAT(std::string(AgentFromFlags(flags, nullptr).status().message()), HasSubstr("--user"));
  EXPECT_THAT(std::string(AgentFromFlags(flags, "").status().message()), HasSubstr("--user"));

  Flags explicit_user = ListFlags();
  ASSERT_TRUE(explicit_user.Parse({"--abn=1", "--ran=2", "--user=bob"}).ok());
  EXPECT_EQ(AgentFromFlags(explicit_user, "alice")->user_id(), "bob");

  Flags no_abn = ListFlags();
  ASSERT_TRUE(no_abn.Parse({"--ran=2"}).ok());
  EXPECT_THAT(std::string(AgentFromFlags(no_abn, "alice").status().message()), HasSubstr("--abn"));
  Flags no_ran = ListFlags();
  ASSERT_TRUE(no_ran.Parse({"--abn=1"}).ok());
  EXPECT_THAT(std::string(AgentFromFlags(no_ran, "alice").status().message()), HasSubstr("--ran"));
}

TEST(CommsArgsTest, ListRequestCarriesEveryFlagAndLeavesLimitsToTheGateway) {
  Flags flags = ListFlags();
  ASSERT_TRUE(flags
                  .Parse({"--abn=51824753556", "--ran=12345678", "--user=alice",
                          "--client=TFN:123456782", "--client=ABN:51824753556", "--from=2008-01-01",
                          "--to=2026-12-01", "--channel=paper,mygov", "--channel=sms",
                          "--category=notify", "--category=demand", "--sort=client-name", "--desc"})
                  .ok());
  absl::StatusOr<v1::ListCommunicationsRequest> r = ListRequestFromFlags(flags, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->agent().user_id(), "alice");
  ASSERT_EQ(r->clients_size(), 2);
  EXPECT_EQ(r->clients(1).type(), v1::ABN);
  EXPECT_EQ(r->from_date(), "2008-01-01");  // before 2008-07-01: the gateway refuses it
  EXPECT_EQ(r->to_date(), "2026-12-01");
  EXPECT_EQ(r->channels_size(), 3);
  ASSERT_EQ(r->categories_size(), 2);  // at most one: the gateway says so
  EXPECT_EQ(r->categories(1), v1::DEMAND);
  EXPECT_EQ(r->sort(), v1::SORT_CLIENT_NAME);
  EXPECT_TRUE(r->descending());
}

TEST(CommsArgsTest, ListRequestNamesTheMissingOrBadFlag) {
  const std::vector<std::string> good = {"--abn=1", "--ran=2", "--from=2024-01-01",
                                         "--to=2024-01-07", "--channel=paper"};
  const std::vector<std::pair<std::string, std::string>> cases = {{"--client=TFN", "--client"},
                                                                  {"--channel=fax", "--channel"},
                                                                  {"--category=x", "--category"},
                                                                  {"--sort=x", "--sort"}};
  for (const auto& [extra, flag] : cases) {
    std::vector<std::string> args = good;
    args.push_back(extra);
    Flags flags = ListFlags();
    ASSERT_TRUE(flags.Parse(args).ok());
    absl::StatusOr<v1::ListCommunicationsRequest> r = ListRequestFromFlags(flags, "alice");
    ASSERT_FALSE(r.ok()) << extra;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(flag));
  }
  for (const std::string missing : {"--from", "--to", "--channel"}) {
    std::vector<std::string> args;
    for (const std::string& a : good) {
      if (a.rfind(missing + "=", 0) != 0) args.push_back(a);
    }
    Flags flags = ListFlags();
    ASSERT_TRUE(flags.Parse(args).ok());
    absl::StatusOr<v1::ListCommunicationsRequest> r = ListRequestFromFlags(flags, "alice");
    ASSERT_FALSE(r.ok()) << missing;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(missing));
  }
}

}  // namespace
}  // namespace sbrgate::cli
