#include "pipeline/stp/console/console_api.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace sbrgate::console {
namespace {

// An IPv4 address of this machine other than loopback ("" when none).
std::string NonLoopbackAddress() {
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) return "";
  std::string found;
  for (ifaddrs* a = all; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
    if (std::string(text).rfind("127.", 0) != 0) found = text;
  }
  freeifaddrs(all);
  return found;
}

TEST(ConsoleApiTest, OnlyLoopbackCallersAreAnswered) {
  const std::string other = NonLoopbackAddress();
  ASSERT_FALSE(other.empty()) << "this machine has no address but loopback";
  httplib::Server server;
  ConsoleOptions options;
  // Nothing listens there: only the refusal, which needs no gateway, is asked for.
  options.gateway = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  options.static_dir = ::testing::TempDir();
  options.admit = LoopbackCallers();
  ASSERT_TRUE(AddConsoleRoutes(server, options));
  server.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  const int port = server.bind_to_any_port("0.0.0.0");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  httplib::Client from_outside(other, port);
  for (const char* path : {"/api/lodgments", "/console/", "/api/deadletters"}) {
    httplib::Result res = from_outside.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 403) << path;
    EXPECT_NE(res->body.find("loopback callers only"), std::string::npos) << res->body;
  }
  // The admin port's own routes are not the console's to refuse.
  httplib::Result metrics = from_outside.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  // From loopback the API is answered (here: the gateway is not there).
  httplib::Client local("127.0.0.1", port);
  httplib::Result api = local.Get("/api/lodgments");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 503);
  server.stop();
  serving.join();
}

TEST(ConsoleApiTest, GrpcCodesMapToHttpStatuses) {
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::OK), 200);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::INVALID_ARGUMENT), 400);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::NOT_FOUND), 404);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::UNAVAILABLE), 503);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::INTERNAL), 500);
}

}  // namespace
}  // namespace sbrgate::console
