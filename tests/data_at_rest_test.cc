// Data at rest, across a real process: sbrgated-sandbox (the embedded
// simulator and its development PKI, the local log, the views, the state
// stores, the retrieve-once ledger, the blob store and the spool all in
// --data-dir) lodges a pay event through to SBR's answer and stops. Then
// every file under the data directory must be readable by its owner alone
// (no group or other bits) and every directory 0700; a failure names each
// offender with its mode.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/payevnt/generator.h"
#include "proto/lodgment.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

namespace fs = std::filesystem;
using ::sbrgate::testing::JsonField;

bool IsFinal(v1::LodgmentState s) {
  return s == v1::ACCEPTED || s == v1::PARTIALLY_ACCEPTED || s == v1::REJECTED ||
         s == v1::SYSTEM_ERROR || s == v1::ESCALATED || s == v1::REFUSED;
}

// Each file with group or other bits and each directory not 0700 under
// `root` (itself included), relative to `root`, with its mode.
std::vector<std::string> Offenders(const std::string& root) {
  std::vector<std::string> out;
  auto check = [&](const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return;  // gone meanwhile
    const mode_t mode = st.st_mode & 07777;
    if (S_ISDIR(st.st_mode) ? mode != 0700 : (mode & 077) != 0) {
      const std::string shown = path == root ? "." : path.substr(root.size() + 1);
      out.push_back(absl::StrFormat("%s %04o", shown, mode));
    }
  };
  check(root);
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(root)) {
    check(e.path().string());
  }
  return out;
}

TEST(DataAtRestTest, EveryFileOwnerOnlyAndEveryDirectory0700) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/data-at-rest");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string data = dir + "/data";
  const std::string log = dir + "/daemon.log";
  {
    testing::Process* daemon = testing::StartOrFail(
        "services/sbrgated/sbrgated-sandbox",
        {"--embedded-sim", "--grpc-listen=127.0.0.1:0", "--grpc-insecure-loopback",
         "--data-dir=" + data, "--instance-id=data-at-rest", "--time-scale=3600",
         "--sim-processing-base=30s", "--sim-processing-per-employee=0s"},
        log);
    ASSERT_NE(daemon, nullptr);
    std::unique_ptr<testing::Process> stop_at_end(daemon);
    const std::string ready = testing::ReadyLineOrFail(daemon, log);
    const std::string grpc_address = JsonField(ready, "grpc");
    ASSERT_FALSE(grpc_address.empty()) << ready;
    auto lodgments = v1::LodgmentService::NewStub(
        grpc::CreateChannel(grpc_address, grpc::InsecureChannelCredentials()));

    payevnt::GeneratorOptions o;
    o.employees = 3;
    o.seed = 10;
    o.message_timestamp = absl::Now();
    StringSink pay_event;
    ASSERT_TRUE(payevnt::GenerateLodgment(o, pay_event).ok());

    v1::Lodgment lodged;
    {
      grpc::ClientContext ctx;
      auto writer = lodgments->SubmitPayEvent(&ctx, &lodged);
      v1::SubmitRequest first;
      first.mutable_metadata()->set_prevalidate(v1::PREVALIDATE_OFF);
      writer->Write(first);
      v1::SubmitRequest chunk;
      chunk.set_chunk(pay_event.data());
      writer->Write(chunk);
      writer->WritesDone();
      const grpc::Status s = writer->Finish();
      ASSERT_TRUE(s.ok()) << s.error_message() << "; see " << log;
    }
    v1::Lodgment now;
    const absl::Time deadline = absl::Now() + absl::Seconds(90);
    while (absl::Now() < deadline && !IsFinal(now.state())) {
      absl::SleepFor(absl::Milliseconds(100));
      grpc::ClientContext ctx;
      v1::GetLodgmentRequest req;
      req.set_lodgment_id(lodged.lodgment_id());
      ASSERT_TRUE(lodgments->GetLodgment(&ctx, req, &now).ok());
    }
    ASSERT_TRUE(IsFinal(now.state())) << v1::LodgmentState_Name(now.state()) << "; see " << log;
    daemon->Kill(SIGTERM);
    EXPECT_EQ(daemon->Wait(), 0) << "see " << log;
  }

  // What the daemon's run must have written, so the walk below covers it.
  for (const char* part : {"blobs", "spool", "log", "view", "clntcomm-ledger", "sim", "pki"}) {
    EXPECT_TRUE(fs::exists(absl::StrCat(data, "/", part))) << part;
  }
  const std::vector<std::string> offenders = Offenders(data);
  std::string listed;
  for (const std::string& o : offenders) absl::StrAppend(&listed, "\n  ", o);
  EXPECT_TRUE(offenders.empty()) << "readable beyond the service user, under " << data << ":"
                                 << listed;
}

}  // namespace
}  // namespace sbrgate
