// AgencyState: what the simulated agency holds while it runs: the fault
// modes in force, the counters, every pushed message (its receipt, payload,
// response and report) and the queue of pushes waiting to be processed. One
// is shared by the push, pull and Single-sync handlers, the back office and
// the simulator's own lifecycle, so its fields are open to them, each
// guarded by `mu`; the methods are the common locked reads.
//
//   absl::MutexLock lock(&state.mu);
//   auto it = state.messages.find(ref_to_message_id);
//   if (it != state.messages.end()) ++it->second.report.receipts_sent;
//
// The files it keeps live under SimulatorConfig::data_dir: SpoolDir (request
// bodies and attachments while they are read), PayloadDir (pushed payloads)
// and ResponseDir (business responses, plain and gzip-compressed).
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_AGENCY_STATE_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_AGENCY_STATE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sim/simulator/clntcomm_serve.h"
#include "pipeline/sim/simulator/simulator.h"

namespace sbrgate::sim {

// One pushed message, from its receipt to its response.
struct StoredMessage {
  MessageReport report;
  std::string receipt_xml;  // sent again for a duplicate push
  std::string conversation_id;
  ebms::Party from;
  std::string signer_fingerprint;  // only the signer may pull the response
  std::string payload_path;
  std::string response_path;           // set once processed
  std::string response_document_name;  // PartProperties of the response
  std::string response_document_type;
  std::atomic<int64_t> employees_seen{0};  // processing progress
};

struct AgencyState {
  mutable absl::Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  FaultModes faults ABSL_GUARDED_BY(mu);
  SimulatorStats counters ABSL_GUARDED_BY(mu);  // messages stays empty: see Stats()
  // By MessageId. A std::map, so a StoredMessage stays where it is while
  // the back office and the pull handler use it without the lock.
  std::map<std::string, StoredMessage> messages ABSL_GUARDED_BY(mu);
  std::vector<std::string> order ABSL_GUARDED_BY(mu);  // MessageIds, in arrival order
  std::deque<std::string> queue ABSL_GUARDED_BY(mu);   // waiting for the back office
  int busy ABSL_GUARDED_BY(mu) = 0;                    // being processed

  FaultModes Faults() const;
  bool Stopping() const;
  // The counters, with a report of every message in arrival order.
  SimulatorStats Stats() const;
  std::optional<MessageReport> Message(const std::string& message_id) const;
  void CountRefusedPush();
  // A CLNTCOMM request answered, single or bulk.
  void CountClntcomm(absl::string_view action, bool bulk, const ServeOutcome& served);
  // Blocks until the queue is empty and nothing is being processed.
  void WaitUntilIdle() const;
};

// `stored`'s report, with the employees read so far while it is processed.
MessageReport Report(const StoredMessage& stored);

// A stable share in [0, 1) from a MessageId: a message gets a SystemError
// when its share is below the fault modes' system_error_rate, so a resent
// message is answered the same way.
double StableFraction(absl::string_view message_id);

std::string SpoolDir(const SimulatorConfig& config);
std::string PayloadDir(const SimulatorConfig& config);
std::string ResponseDir(const SimulatorConfig& config);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_AGENCY_STATE_H_
