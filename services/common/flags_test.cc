#include "services/common/flags.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "services/common/dashed_flags.h"

namespace sbrgate::flags {
namespace {

TEST(FlagsTest, DefaultsAndDashedNames) {
  EXPECT_EQ(GrpcListen(), "127.0.0.1:50051");
  EXPECT_EQ(Prevalidate(), "hold");
  EXPECT_EQ(MaxAttempts(), 3);
  EXPECT_EQ(SystemErrorBackoff(), absl::Minutes(15));
  EXPECT_EQ(TimeScale(), 1);
  EXPECT_EQ(ClockEpoch(), 0);

  SetGrpcListenDefault("127.0.0.1:50052");
  EXPECT_EQ(GrpcListen(), "127.0.0.1:50052");

  std::vector<std::string> args = {"test",
                                   "--grpc-listen=0.0.0.0:9000",
                                   "--max-attempts=5",
                                   "--system-error-backoff=1m",
                                   "--ready-file=/tmp/ready",
                                   "--comms-permissions=users.csv",
                                   "--time-scale=600",
                                   "--clock-epoch=1721005323",
                                   "--clock-start=2024-07-15T14:00:00+10:00"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  ParseDashedCommandLine(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(GrpcListen(), "0.0.0.0:9000");
  EXPECT_EQ(MaxAttempts(), 5);
  EXPECT_EQ(SystemErrorBackoff(), absl::Minutes(1));
  EXPECT_EQ(ReadyFile(), "/tmp/ready");
  EXPECT_EQ(CommsPermissions(), "users.csv");
  EXPECT_EQ(TimeScale(), 600);
  EXPECT_EQ(ClockEpoch(), 1721005323);
  EXPECT_EQ(ClockStart(), "2024-07-15T14:00:00+10:00");
}

TEST(DashedFlags, ServicesWriteOwnerOnlyFiles) {
  ::umask(022);
  std::string program = "sbrgated";
  char* argv[] = {program.data()};
  ParseDashedCommandLine(1, argv);
  const mode_t now = ::umask(022);
  EXPECT_EQ(now, 077);
}

}  // namespace
}  // namespace sbrgate::flags
