#include "pipeline/platform/admin/admin_server.h"

#include <httplib.h>

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::admin {
namespace {

using ::testing::HasSubstr;

TEST(AdminServerTest, ServesMetricsHealthAndReadinessOverHttp) {
  metrics::Registry registry;
  registry.AddCounter("sbrgate_test_total", "A test counter.").With({}).Increment(5);
  std::atomic<bool> ready{false};
  AdminOptions options;
  options.listen = "127.0.0.1:0";
  options.registry = &registry;
  options.readiness = [&] {
    return ready ? absl::OkStatus() : absl::UnavailableError("the status view is catching up");
  };
  absl::StatusOr<std::unique_ptr<AdminServer>> admin = AdminServer::Start(options);
  ASSERT_TRUE(admin.ok()) << admin.status();
  httplib::Client client("127.0.0.1", (*admin)->port());

  httplib::Result metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_THAT(metrics->body, HasSubstr("# TYPE sbrgate_test_total counter\nsbrgate_test_total 5\n"));

  httplib::Result health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  httplib::Result not_ready = client.Get("/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_EQ(not_ready->body, "the status view is catching up\n");
  ready = true;
  httplib::Result now_ready = client.Get("/readyz");
  ASSERT_TRUE(now_ready);
  EXPECT_EQ(now_ready->status, 200);

  httplib::Result unknown = client.Get("/nothing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST(AdminServerTest, RefusesAnAddressThatIsNotHostAndPort) {
  for (const char* bad : {"9090", ":9090", "host:", "host:http", "host:70000"}) {
    AdminOptions options;
    options.listen = bad;
    absl::StatusOr<std::unique_ptr<AdminServer>> admin = AdminServer::Start(options);
    ASSERT_FALSE(admin.ok()) << bad;
    EXPECT_EQ(admin.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(admin.status().message(), HasSubstr(absl::StrCat("--admin-listen '", bad, "'")));
  }
  absl::StatusOr<std::pair<std::string, int>> v6 = ParseListenAddress("admin-listen", "[::1]:9090");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::1");
  EXPECT_EQ(v6->second, 9090);
}

TEST(AdminServerTest, AnAddressInUseIsUnavailable) {
  AdminOptions first;
  first.listen = "127.0.0.1:0";
  absl::StatusOr<std::unique_ptr<AdminServer>> a = AdminServer::Start(first);
  ASSERT_TRUE(a.ok()) << a.status();
  AdminOptions second;
  second.listen = absl::StrCat("127.0.0.1:", (*a)->port());
  absl::StatusOr<std::unique_ptr<AdminServer>> b = AdminServer::Start(second);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kUnavailable);
}

// Serving over mutual TLS is tested across processes (tests/access_e2e_test:
// the console's port).
TEST(AdminServerTest, TlsFilesThatCannotBeUsedAreNamed) {
  AdminOptions options;
  options.listen = "127.0.0.1:0";
  options.flag = "console-listen";
  options.tls = MutualTlsFiles{"/nonexistent/server.pem", "/nonexistent/server.key",
                               "/nonexistent/ca.pem"};
  absl::StatusOr<std::unique_ptr<AdminServer>> admin = AdminServer::Start(options);
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(admin.status().message(),
              HasSubstr("--console-listen: cannot serve HTTPS with certificate "
                        "/nonexistent/server.pem, key /nonexistent/server.key and client CA "
                        "/nonexistent/ca.pem"));
}

}  // namespace
}  // namespace sbrgate::admin
