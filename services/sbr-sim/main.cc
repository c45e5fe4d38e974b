// sbr-sim: the SBR2 simulator as a standalone HTTPS server (a conformance
// sandbox for DSPs, and the ATO stand-in of the demo and the tests).
//
//   sbr-sim --cert=sim.pem --key=sim.key --client-ca=ca.pem --data-dir=/tmp/sim
//           --listen=127.0.0.1:8443 --admin-listen=127.0.0.1:8444 --time-scale=60
//
// --seed-clntcomm=FILE seeds the client communications the simulator serves
// (CLNTCOMM) from a JSON array of seeds, each as POST /admin/clntcomm/seed
// takes (pipeline/sim/simulator/clntcomm_corpus.h):
//   [{"agent_abn": "51824753556", "ran": "12345678",
//     "client": {"type": "TFN", "value": "123456782"}, "name": "Alex Citizen",
//     "count": 150, "level": "client", "seed": 7}]
//
// --seed-ics=FILE seeds the ICS client register (registrants, ABNs and their
// CACs, clients) from a JSON object as POST /admin/ics/seed takes
// (pipeline/sim/simulator/ics_register.h). Seeding is applied at every start
// and is idempotent: what a seed names is added or replaced, and a client
// already held is not added again.
//
// What it received (messages, receipts, responses, counters, the CLNTCOMM
// corpus) is kept in --data-dir: restarted on the same one, it goes on where
// it stopped.
//
// Prints one line when it is ready (and writes it to --ready-file):
//   {"endpoint": "https://127.0.0.1:8443/services", "admin": "http://127.0.0.1:8444"}
// Runs until SIGINT or SIGTERM.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "services/common/dashed_flags.h"
#include "services/common/flags.h"
#include "services/common/process_tuning.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/sim/simulator/simulator.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "HOST:PORT for the ebMS3 HTTPS endpoint (0: any)");
ABSL_FLAG(std::string, admin_listen, "127.0.0.1:0",
          "HOST:PORT for the plain-HTTP admin endpoint; empty: none");
ABSL_FLAG(std::string, cert, "", "server certificate (PEM); also signs pull responses");
ABSL_FLAG(std::string, key, "", "server private key (PEM)");
ABSL_FLAG(std::string, client_ca, "", "CA whose client certificates and signatures are trusted");
ABSL_FLAG(std::string, data_dir, "",
          "where payloads, responses and what the simulator received are kept; a restart on "
          "the same one goes on where it stopped");
ABSL_FLAG(absl::Duration, processing_base, absl::Seconds(45), "processing time of any lodgment");
ABSL_FLAG(absl::Duration, processing_per_employee, absl::Milliseconds(20),
          "additional processing time per employee record");
ABSL_FLAG(std::string, faults, "", "initial fault modes as JSON, e.g. {\"unavailable\": true}");
ABSL_FLAG(std::string, seed_clntcomm, "",
          "JSON file: an array of client-communication seeds (see /admin/clntcomm/seed)");
ABSL_FLAG(std::string, seed_ics, "",
          "JSON file: a seed of the ICS client register (see /admin/ics/seed)");

namespace {

bool SplitHostPort(const std::string& s, std::string* host, int* port) {
  std::vector<std::string> parts = absl::StrSplit(s, absl::MaxSplits(':', 1));
  return parts.size() == 2 && !parts[0].empty() && absl::SimpleAtoi(parts[1], port) &&
         (*host = parts[0], true);
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "sbr-sim: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  sbrgate::TuneProcess();
  sbrgate::ParseDashedCommandLine(argc, argv,
                                  "SBR2 simulator: ebMS3 over HTTPS with mutual TLS");
  // Blocked in every thread, taken by sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // OpenSSL writes without MSG_NOSIGNAL: a client hanging up mid-answer must
  // fail that write, not end the simulator.
  std::signal(SIGPIPE, SIG_IGN);
  sbrgate::sim::SimulatorConfig config;
  if (!SplitHostPort(absl::GetFlag(FLAGS_listen), &config.host, &config.port)) {
    return Fail("--listen must be HOST:PORT");
  }
  const std::string admin = absl::GetFlag(FLAGS_admin_listen);
  std::string admin_host;
  if (admin.empty()) {
    config.admin_port = -1;
  } else if (!SplitHostPort(admin, &admin_host, &config.admin_port) || admin_host != config.host) {
    return Fail("--admin-listen must be HOST:PORT on the same host as --listen");
  }
  config.server_cert = absl::GetFlag(FLAGS_cert);
  config.server_key = absl::GetFlag(FLAGS_key);
  config.client_ca = absl::GetFlag(FLAGS_client_ca);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  if (config.server_cert.empty() || config.server_key.empty() || config.client_ca.empty() ||
      config.data_dir.empty()) {
    return Fail("--cert, --key, --client-ca and --data-dir are required (tools/dev-pki makes a set)");
  }
  config.processing_base = absl::GetFlag(FLAGS_processing_base);
  config.processing_per_employee = absl::GetFlag(FLAGS_processing_per_employee);

  const int64_t epoch_seconds = sbrgate::flags::ClockEpoch();
  const absl::Time epoch = epoch_seconds > 0 ? absl::FromUnixSeconds(epoch_seconds) : absl::Now();
  absl::Time start = epoch;
  if (const std::string text = sbrgate::flags::ClockStart(); !text.empty()) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, text, &start, &error)) {
      return Fail(absl::StrCat("--clock-start '", text, "' is not an RFC 3339 time: ", error));
    }
  }
  sbrgate::ScaledClock clock(sbrgate::flags::TimeScale(), epoch, start);
  auto sim = sbrgate::sim::Simulator::Start(config, &clock);
  if (!sim.ok()) return Fail(std::string(sim.status().message()));
  if (const std::string faults = absl::GetFlag(FLAGS_faults); !faults.empty()) {
    sbrgate::sim::FaultModes f;
    if (absl::Status s = sbrgate::sim::MergeFaultsJson(faults, f); !s.ok()) {
      return Fail(absl::StrCat("--faults: ", s.message()));
    }
    (*sim)->SetFaults(f);
  }
  if (absl::Status s = (*sim)->SeedFromFiles(
          {absl::GetFlag(FLAGS_seed_clntcomm), absl::GetFlag(FLAGS_seed_ics)}, "--seed-");
      !s.ok()) {
    return Fail(std::string(s.message()));
  }

  const std::string ready = absl::StrCat(
      "{\"endpoint\": \"", (*sim)->base_url(), "\", \"admin\": ",
      (*sim)->admin_port() > 0
          ? absl::StrCat("\"http://", config.host, ":", (*sim)->admin_port(), "\"")
          : "null",
      "}\n");
  std::fputs(ready.c_str(), stdout);
  std::fflush(stdout);
  if (const std::string f = sbrgate::flags::ReadyFile(); !f.empty()) {
    if (absl::Status s = sbrgate::WriteFileDurably(f, ready); !s.ok()) {
      return Fail(std::string(s.message()));
    }
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  return 0;
}
