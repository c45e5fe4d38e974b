// sbr-sim's --seed-ics across a real process: the ICS register is seeded
// from the file at every start, a restart on the same data directory with
// the same file holds what it names once, and a seed that is wrong stops
// the simulator with an error naming the flag, the file and the field.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::sbrgate::testing::Process;

constexpr char kAbn[] = "53004085616";

nlohmann::json Address() {
  return {{"type", "BUSINESS"}, {"lines", {"1 Wharf St"}}, {"locality", "Sydney"},
          {"state", "NSW"},     {"postcode", "2000"},      {"country", "AU"}};
}

class SbrSimSeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/sbr-sim-seed");
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_).c_str()), 0);
    auto pki = pki::MakeDevPki(dir_ + "/pki");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
    log_ = dir_ + "/sim.log";
  }

  std::unique_ptr<Process> StartSim(const std::string& seed_file) {
    auto sim = Process::Start(
        "services/sbr-sim/sbr-sim",
        {"--cert=" + pki_.server_cert, "--key=" + pki_.server_key, "--client-ca=" + pki_.ca_cert,
         "--data-dir=" + dir_ + "/sim", "--seed-ics=" + seed_file},
        log_);
    EXPECT_TRUE(sim.ok()) << sim.status();
    return sim.ok() ? *std::move(sim) : nullptr;
  }

  // The register as the admin endpoint shows it.
  static nlohmann::json Register(const std::string& admin) {
    httplib::Client client(admin);
    auto res = client.Get("/admin/ics");
    if (!res || res->status != 200) return nullptr;
    return nlohmann::json::parse(res->body);
  }

  // How many of the register's clients are named `name`.
  static int ClientsNamed(const nlohmann::json& ics, const std::string& name) {
    int n = 0;
    for (const nlohmann::json& c : ics["clients"]) n += c["name"] == name ? 1 : 0;
    return n;
  }

  std::string dir_;
  std::string log_;
  pki::DevPki pki_;
};

TEST_F(SbrSimSeedTest, TheRegisterIsSeededAtEveryStartAndHoldsTheSeedOnce) {
  const std::string seed = dir_ + "/ics.json";
  const nlohmann::json cac = {{"number", 1}, {"valid", true}, {"address", Address()}};
  const nlohmann::json abn = {{"abn", kAbn}, {"name", "Wattle Freight Pty Ltd"}, {"cacs", {cac}}};
  const nlohmann::json client = {{"type", "IND"}, {"name", "Mei Nguyen"}, {"address", Address()}};
  const nlohmann::json registrant = {{"agent_abn", "51824753556"}, {"role_names", {"IMPORTER"}}};
  std::ofstream(seed) << nlohmann::json{
      {"registrants", {registrant}},
      {"abns", {abn}},
      {"clients", {client}}}.dump();
  for (int start = 0; start < 2; ++start) {
    std::unique_ptr<Process> sim = StartSim(seed);
    ASSERT_NE(sim, nullptr);
    absl::StatusOr<std::string> ready = sim->ReadLine(absl::Seconds(60));
    ASSERT_TRUE(ready.ok()) << ready.status() << "; see " << log_;
    const nlohmann::json ics = Register(JsonField(*ready, "admin"));
    ASSERT_FALSE(ics.is_null()) << "start " << start;
    EXPECT_EQ(ClientsNamed(ics, "Mei Nguyen"), 1) << "start " << start << ": " << ics.dump();
    ASSERT_EQ(ics["abns"].size(), 1u) << ics.dump();
    EXPECT_EQ(ics["abns"][0]["abn"], kAbn);
    ASSERT_EQ(ics["registrants"].size(), 1u) << ics.dump();
    sim->Kill(SIGTERM);
    EXPECT_EQ(sim->Wait(), 0);
  }
}

TEST_F(SbrSimSeedTest, AWrongSeedStopsTheSimulatorNamingTheFlagTheFileAndTheField) {
  const std::string seed = dir_ + "/bad-ics.json";
  std::ofstream(seed) << R"({"abns": [{"abn": "12345678901", "name": "Nobody"}]})";
  std::unique_ptr<Process> sim = StartSim(seed);
  ASSERT_NE(sim, nullptr);
  EXPECT_EQ(sim->Wait(), 1);
  absl::StatusOr<std::string> log = ReadFileToString(log_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_NE(log->find(absl::StrCat("--seed-ics=", seed, ": ")), std::string::npos) << *log;
  EXPECT_NE(log->find("abns[0]"), std::string::npos) << *log;
}

}  // namespace
}  // namespace sbrgate
