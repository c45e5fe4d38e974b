#include "pipeline/platform/rpc/server.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sbrgate::rpc {
namespace {

TEST(StartServerTest, ServesOnThePortItBound) {
  absl::StatusOr<RunningServer> s = StartServer({});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_GT(s->port, 0);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", s->port), grpc::InsecureChannelCredentials());
  EXPECT_TRUE(channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(5))));
  s->server->Shutdown(absl::ToChronoTime(absl::Now()));
}

TEST(StartServerTest, UnavailableWhenTheAddressCannotBeBound) {
  ServerOptions options;
  options.address = "192.0.2.1:0";  // TEST-NET-1: no interface of ours
  absl::StatusOr<RunningServer> s = StartServer({}, options);
  EXPECT_TRUE(absl::IsUnavailable(s.status())) << s.status();
}

}  // namespace
}  // namespace sbrgate::rpc
