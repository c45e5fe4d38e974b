#include "pipeline/clntcomm/rules/relationships.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sbrgate::clntcomm {
namespace {

constexpr char kAgent[] = "51824753556";
constexpr char kOtherAgent[] = "53004085616";

v1::ClientId Client(std::string tfn) {
  v1::ClientId id;
  id.set_type(v1::TFN);
  id.set_value(std::move(tfn));
  return id;
}

v1::CommunicationItem Item(const v1::ClientId& client, std::string account, std::string title) {
  v1::CommunicationItem item;
  item.set_document_id("DOC");
  *item.mutable_client() = client;
  item.set_account(std::move(account));
  item.set_title(std::move(title));
  return item;
}

bool Sees(const std::vector<Link>& links, const v1::CommunicationItem& item,
          const char* agent = kAgent) {
  return CanSee(links, agent, item, item.title());
}

const v1::ClientId kClient = Client("123456782");
const v1::ClientId kOtherClient = Client("876543210");

TEST(CanSee, ClientLevelSeesEverythingOfThatClient) {
  std::vector<Link> links = {{kAgent, kClient, LinkLevel::kClient, {}}};
  EXPECT_TRUE(Sees(links, Item(kClient, "IT", "Notice of assessment")));
  EXPECT_TRUE(Sees(links, Item(kClient, "AS:002", "Activity statement reminder")));
  EXPECT_TRUE(Sees(links, Item(kClient, "", "Letter")));
  EXPECT_FALSE(Sees(links, Item(kOtherClient, "IT", "Notice of assessment")));
  EXPECT_FALSE(Sees(links, Item(kClient, "IT", "Notice of assessment"), kOtherAgent));
}

TEST(CanSee, AccountLevelSeesOnlyItsAccounts) {
  std::vector<Link> links = {{kAgent, kClient, LinkLevel::kAccount, {"IT"}}};
  EXPECT_TRUE(Sees(links, Item(kClient, "IT", "Notice of assessment")));
  EXPECT_FALSE(Sees(links, Item(kClient, "AS:001", "Activity statement reminder")));
  EXPECT_FALSE(Sees(links, Item(kClient, "", "Letter")));
  // An income tax link gets no PAYG instalment extras.
  EXPECT_FALSE(Sees(links, Item(kClient, "PAYGI", "New PAYG instalment - Introduction")));
}

TEST(CanSee, ActivityStatementLinkAlsoSeesPaygInstalmentItems) {
  std::vector<Link> links = {{kAgent, kClient, LinkLevel::kAccount, {"AS:001"}}};
  EXPECT_TRUE(Sees(links, Item(kClient, "AS:001", "Activity statement reminder")));
  EXPECT_FALSE(Sees(links, Item(kClient, "AS:002", "Activity statement reminder")));
  EXPECT_FALSE(Sees(links, Item(kClient, "IT", "Notice of assessment")));
  for (absl::string_view title : kPaygInstalmentTitles) {
    EXPECT_TRUE(Sees(links, Item(kClient, "IT", std::string(title)))) << title;
    EXPECT_TRUE(Sees(links, Item(kClient, "", std::string(title)))) << title;
    // Only for the linked client.
    EXPECT_FALSE(Sees(links, Item(kOtherClient, "IT", std::string(title)))) << title;
  }
  // Matching ignores case and surrounding spaces; item_kind overrides the title.
  EXPECT_TRUE(Sees(links, Item(kClient, "IT", "  new payg instalment - payment options ")));
  EXPECT_TRUE(CanSee(links, kAgent, Item(kClient, "IT", "Your instalment letter"),
                     "PAYG instalment - Entitlement advice"));
  EXPECT_FALSE(CanSee(links, kAgent, Item(kClient, "IT", "PAYG instalment - Entitlement advice"),
                      "Notice of assessment"));
}

TEST(CanSee, NoLinkSeesNothing) {
  const auto item = Item(kClient, "IT", "PAYG instalment - Entitlement advice");
  EXPECT_FALSE(Sees({}, item));
  EXPECT_FALSE(Sees({{kAgent, kClient, LinkLevel::kNone, {"IT", "AS:001"}}}, item));
  // Another agent's link does not help.
  EXPECT_FALSE(Sees({{kOtherAgent, kClient, LinkLevel::kClient, {}}}, item));
  // The same number under another identifier type is another client.
  v1::ClientId as_wpn = kClient;
  as_wpn.set_type(v1::WPN);
  EXPECT_FALSE(Sees({{kAgent, as_wpn, LinkLevel::kClient, {}}}, item));
}

TEST(CanSee, AnyMatchingLinkIsEnough) {
  std::vector<Link> links = {{kAgent, kClient, LinkLevel::kAccount, {"IT"}},
                             {kAgent, kClient, LinkLevel::kAccount, {"AS:001", "FBT"}}};
  EXPECT_TRUE(Sees(links, Item(kClient, "IT", "x")));
  EXPECT_TRUE(Sees(links, Item(kClient, "FBT", "x")));
  EXPECT_TRUE(Sees(links, Item(kClient, "AS:001", "x")));
  EXPECT_FALSE(Sees(links, Item(kClient, "AS:009", "x")));
}

TEST(PaygInstalmentTitles, AsTheSeedListsThem) {
  EXPECT_EQ(kPaygInstalmentTitles.size(), 6u);
  EXPECT_TRUE(IsPaygInstalmentTitle("Registration update - PAYG instalments disallowed"));
  EXPECT_FALSE(IsPaygInstalmentTitle("PAYG instalment"));
  EXPECT_FALSE(IsPaygInstalmentTitle(""));
}

}  // namespace
}  // namespace sbrgate::clntcomm
