#include "pipeline/clntcomm/rules/permissions.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace sbrgate::clntcomm {
namespace {

constexpr char kAbn[] = "51824753556";
constexpr char kOtherAbn[] = "53004085616";

v1::AgentContext Agent(std::string abn, std::string user) {
  v1::AgentContext a;
  a.set_agent_abn(std::move(abn));
  a.set_ran("12345678");
  a.set_user_id(std::move(user));
  return a;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(PermissionStore, GrantHasRevoke) {
  PermissionStore store;
  EXPECT_FALSE(store.Has(kAbn, "alice", kClientCorroView));
  store.Grant(kAbn, "alice", kClientCorroView);
  EXPECT_TRUE(store.Has(kAbn, "alice", kClientCorroView));
  // Per practice, per user, per permission.
  EXPECT_FALSE(store.Has(kOtherAbn, "alice", kClientCorroView));
  EXPECT_FALSE(store.Has(kAbn, "bob", kClientCorroView));
  EXPECT_FALSE(store.Has(kAbn, "alice", "Client.Corro.Edit"));
  EXPECT_FALSE(store.Has(kAbn, "alice", "client.corro.view"));
  store.Revoke(kAbn, "alice", kClientCorroView);
  EXPECT_FALSE(store.Has(kAbn, "alice", kClientCorroView));
}

TEST(CheckCorroView, DeniedWithoutPermission) {
  PermissionStore store;
  store.Grant(kAbn, "alice", kClientCorroView);
  store.Grant(kAbn, "bob", "Lodgment.Submit");
  EXPECT_TRUE(CheckCorroView(store, Agent(kAbn, "alice")).ok());
  absl::Status s = CheckCorroView(store, Agent(kAbn, "bob"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "user bob of practice ABN 51824753556 lacks Client.Corro.View");
  EXPECT_EQ(CheckCorroView(store, Agent(kOtherAbn, "alice")).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckCorroView(store, Agent(kAbn, "")).code(), absl::StatusCode::kPermissionDenied);
}

TEST(PermissionStore, LoadFile) {
  const std::string path = WriteFile("perms.csv",
                                     "# practice users\n"
                                     "51824753556,alice,Client.Corro.View\n"
                                     "\n"
                                     " 53004085616 , bob , Client.Corro.View \n");
  absl::StatusOr<PermissionStore> store = PermissionStore::LoadFile(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE(store->Has(kAbn, "alice", kClientCorroView));
  EXPECT_TRUE(store->Has(kOtherAbn, "bob", kClientCorroView));
  EXPECT_FALSE(store->Has(kAbn, "bob", kClientCorroView));
}

TEST(PermissionStore, LoadFileErrorsNameTheLine) {
  auto fields = PermissionStore::LoadFile(WriteFile("bad1.csv", "51824753556,alice\n"));
  EXPECT_EQ(fields.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(fields.status().message(), "bad1.csv:1: expected"))
      << fields.status();
  auto abn = PermissionStore::LoadFile(
      WriteFile("bad2.csv", "51824753556,a,Client.Corro.View\n51824753557,b,Client.Corro.View\n"));
  EXPECT_TRUE(absl::StrContains(abn.status().message(), "bad2.csv:2: agent_abn"))
      << abn.status();
  EXPECT_EQ(PermissionStore::LoadFile(WriteFile("bad3.csv", "51824753556,,X\n")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PermissionStore::LoadFile("/nonexistent/perms.csv").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(PermissionStore, ConcurrentUse) {
  PermissionStore store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      const std::string user = "user" + std::to_string(t);
      for (int i = 0; i < 1000; ++i) {
        store.Grant(kAbn, user, kClientCorroView);
        EXPECT_TRUE(store.Has(kAbn, user, kClientCorroView));
        if (i % 2) store.Revoke(kAbn, user, kClientCorroView);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_FALSE(store.Has(kAbn, "user" + std::to_string(t), kClientCorroView));
  }
}

}  // namespace
}  // namespace sbrgate::clntcomm
