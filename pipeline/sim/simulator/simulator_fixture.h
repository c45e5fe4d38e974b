// SimulatorFixture: the test fixture of simulator tests that talk to it over
// HTTPS as sbrgate does: a data directory of the test's own, a development
// PKI, the simulator on a manual clock, and an SbrClient for it. Restart()
// stops both and starts them again on the same directory.
//
//   class IcsTest : public SimulatorFixture {
//     void SetUp() override { StartSimulator("ics"); ... sim_->admin_port() ... }
//   };
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_SIMULATOR_FIXTURE_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_SIMULATOR_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/sim/simulator/simulator.h"

namespace sbrgate::sim {

class SimulatorFixture : public ::testing::Test {
 protected:
  // A fresh <TempDir>/<prefix>-<test name>, its PKI and `config_`, which
  // `configure` may change before the first start.
  void StartSimulator(const std::string& prefix,
                      const std::function<void(SimulatorConfig&)>& configure = {}) {
    dir_ = absl::StrCat(::testing::TempDir(), "/", prefix, "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_, "/spool").c_str()),
              0);
    auto pki = pki::MakeDevPki(dir_ + "/pki");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
    config_.server_cert = pki_.server_cert;
    config_.server_key = pki_.server_key;
    config_.client_ca = pki_.ca_cert;
    config_.data_dir = dir_ + "/sim";
    if (configure) configure(config_);
    Restart();
  }

  void Restart() {
    // The client first: its kept connections would hold the simulator's stop
    // up until its keep-alive timeout.
    client_.reset();
    sim_.reset();
    auto sim = Simulator::Start(config_, &clock_);
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = *std::move(sim);
    sbr_client::ClientConfig c;
    c.base_url = sim_->base_url();
    c.tls = {pki_.ca_cert, pki_.client_cert, pki_.client_key};
    c.credential_cert = pki_.client_cert;
    c.credential_key = pki_.client_key;
    c.agency_ca_file = pki_.ca_cert;
    c.spool_dir = dir_ + "/spool";
    c.connect_timeout = absl::Seconds(5);
    c.push_timeout = absl::Seconds(30);
    c.pull_timeout = absl::Seconds(30);
    c.single_timeout = absl::Seconds(30);
    auto client = sbr_client::SbrClient::Create(c, &clock_);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  std::string dir_;
  pki::DevPki pki_;
  SimulatorConfig config_;
  ManualClock clock_{absl::Now()};
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<sbr_client::SbrClient> client_;
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_SIMULATOR_FIXTURE_H_
