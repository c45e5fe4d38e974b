#include "pipeline/platform/rpc/server.h"

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/platform/metrics/registry.h"

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

// grpc.health.v1.Health/Check for the server as a whole: its status.
grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& service) {
  grpc::GenericStub generic(channel);
  grpc::ClientContext context;
  // HealthCheckRequest{service}: field 1, length-delimited.
  const grpc::Slice bytes(absl::StrCat(std::string(1, '\x0a'),
                                       std::string(1, static_cast<char>(service.size())), service));
  grpc::ByteBuffer request(&bytes, 1);
  grpc::ByteBuffer reply;
  std::promise<grpc::Status> done;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                    &reply, [&done](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

// The value of one series line of /metrics, or 0 when it is not there.
int64_t SeriesValue(const std::string& series) {
  const std::string text = metrics::Registry::Default().Exposition();
  const size_t at = text.find(series + " ");
  return at == std::string::npos ? 0 : std::stoll(text.substr(at + series.size() + 1));
}

TEST(StartServerTest, CountsEveryCallByMethodAndCode) {
  const std::string ok =
      "sbrgate_grpc_requests_total{method=\"/grpc.health.v1.Health/Check\",code=\"OK\"}";
  const std::string not_found =
      "sbrgate_grpc_requests_total{method=\"/grpc.health.v1.Health/Check\",code=\"NOT_FOUND\"}";
  const int64_t ok_before = SeriesValue(ok);
  const int64_t not_found_before = SeriesValue(not_found);
  absl::StatusOr<RunningServer> s = StartServer({});
  ASSERT_TRUE(s.ok()) << s.status();
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", s->port), grpc::InsecureChannelCredentials());
  EXPECT_TRUE(CheckHealth(channel, "").ok());
  EXPECT_TRUE(CheckHealth(channel, "").ok());
  EXPECT_EQ(CheckHealth(channel, "no.such.Service").error_code(), grpc::StatusCode::NOT_FOUND);
  s->server->Shutdown(absl::ToChronoTime(absl::Now()));
  EXPECT_EQ(SeriesValue(ok), ok_before + 2);
  EXPECT_EQ(SeriesValue(not_found), not_found_before + 1);
  EXPECT_GE(SeriesValue("sbrgate_grpc_request_seconds_count{method=\"/grpc.health.v1.Health/Check\"}"),
            3);
}

TEST(StartServerTest, UnavailableWhenTheAddressCannotBeBound) {
  ServerOptions options;
  options.address = "192.0.2.1:0";  // TEST-NET-1: no interface of ours
  absl::StatusOr<RunningServer> s = StartServer({}, options);
  EXPECT_TRUE(absl::IsUnavailable(s.status())) << s.status();
}

}  // namespace
}  // namespace sbrgate::rpc
