#include "services/sbrgated/embedded_sim.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"

ABSL_DECLARE_FLAG(bool, embedded_sim);
ABSL_DECLARE_FLAG(absl::Duration, sim_processing_base);
ABSL_DECLARE_FLAG(int, sim_admin_port);
ABSL_DECLARE_FLAG(std::string, sim_seed_clntcomm);
ABSL_DECLARE_FLAG(std::string, sim_seed_ics);

namespace sbrgate {
namespace {

using ::testing::HasSubstr;

class FakeSim : public EmbeddedSim {
 public:
  int admin_port() const override { return 4321; }
  void ClearFaults() override {}
};

EmbeddedSimOptions last_options;

absl::StatusOr<std::unique_ptr<EmbeddedSim>> StartFake(const EmbeddedSimOptions& options,
                                                       PipelineConfig& config, Clock*) {
  last_options = options;
  config.sbr.base_url = "https://127.0.0.1:1/services";
  return std::make_unique<FakeSim>();
}

class EmbeddedSimTest : public ::testing::Test {
 protected:
  void SetUp() override { ProvideEmbeddedSim(nullptr); }
  absl::FlagSaver flags_;
  PipelineConfig config_;
};

TEST_F(EmbeddedSimTest, NotAskedForStartsNothing) {
  auto sim = StartEmbeddedSimIfAsked(config_, nullptr);
  ASSERT_TRUE(sim.ok()) << sim.status();
  EXPECT_EQ(*sim, nullptr);
  ProvideEmbeddedSim(&StartFake);
  sim = StartEmbeddedSimIfAsked(config_, nullptr);
  ASSERT_TRUE(sim.ok()) << sim.status();
  EXPECT_EQ(*sim, nullptr);
  EXPECT_EQ(config_.sbr.base_url, "");
}

TEST_F(EmbeddedSimTest, BuildWithoutSimulatorRefusesTheFlags) {
  absl::SetFlag(&FLAGS_embedded_sim, true);
  absl::SetFlag(&FLAGS_sim_admin_port, 9000);
  auto sim = StartEmbeddedSimIfAsked(config_, nullptr);
  EXPECT_EQ(sim.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(sim.status().message(),
              HasSubstr("--embedded-sim, --sim-admin-port: this sbrgated was built without the "
                        "embedded SBR2 simulator; use sbrgated-sandbox"));
}

TEST_F(EmbeddedSimTest, BuildWithoutSimulatorRefusesASimFlagAlone) {
  absl::SetFlag(&FLAGS_sim_seed_clntcomm, "seed.json");
  auto sim = StartEmbeddedSimIfAsked(config_, nullptr);
  EXPECT_EQ(sim.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(sim.status().message(), HasSubstr("--sim-seed-clntcomm: "));
}

TEST_F(EmbeddedSimTest, ProvidedSimulatorStartsAsTheFlagsSay) {
  ProvideEmbeddedSim(&StartFake);
  absl::SetFlag(&FLAGS_embedded_sim, true);
  absl::SetFlag(&FLAGS_sim_processing_base, absl::Seconds(90));
  absl::SetFlag(&FLAGS_sim_admin_port, 9000);
  absl::SetFlag(&FLAGS_sim_seed_clntcomm, "seed.json");
  absl::SetFlag(&FLAGS_sim_seed_ics, "ics.json");
  auto sim = StartEmbeddedSimIfAsked(config_, nullptr);
  ASSERT_TRUE(sim.ok()) << sim.status();
  ASSERT_NE(*sim, nullptr);
  EXPECT_EQ((*sim)->admin_port(), 4321);
  EXPECT_EQ(config_.sbr.base_url, "https://127.0.0.1:1/services");
  EXPECT_EQ(last_options.processing_base, absl::Seconds(90));
  EXPECT_EQ(last_options.processing_per_employee, absl::Milliseconds(20));
  EXPECT_EQ(last_options.admin_port, 9000);
  EXPECT_EQ(last_options.seed_clntcomm, "seed.json");
  EXPECT_EQ(last_options.seed_ics, "ics.json");
}

}  // namespace
}  // namespace sbrgate
