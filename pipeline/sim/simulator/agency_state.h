// AgencyState: what the simulated agency holds while it runs: the fault
// modes in force, the counters, every pushed message (its receipt, payload,
// response and report) and the queue of pushes waiting to be processed. One
// is shared by the push, pull and Single-sync handlers, the back office and
// the simulator's own lifecycle, so its fields are open to them, each
// guarded by `mu`; the methods are the common locked reads and writes.
//
// Everything but the fault modes and the queue is also in the SimStateStore
// (sim_state_store.h): whoever changes a message or a counter queues its
// record with Persist, under `mu` so that records queue in the order of the
// changes, and waits with Saved, without `mu`, before answering the request
// that changed it. So no request waits for the disk while holding `mu`, and
// requests running at once share an fsync. A new message is `saving` until
// its first save is on disk: FindReceived waits for that, so nothing is
// answered on a push that may yet fail to be recorded. A simulator started
// on the same data directory takes it all back with Restore and queues again
// what was not processed.
//
//   SimStateStore::Ticket saving;
//   {
//     absl::MutexLock lock(&state.mu);
//     StoredMessage* m = state.FindReceived(ref_to_message_id);
//     if (m != nullptr) ++m->report.receipts_sent;
//     saving = m != nullptr ? state.Persist(*m) : state.Persist();
//   }
//   absl::Status saved = state.Saved(saving);  // answer only if saved
//
// A pushed payload and its business response (gzip-compressed as pulls
// send it) are kept in the message's record when small (kInRecordBytes),
// made durable by the save that records the push or the processing; larger
// ones are files. The files live under SimulatorConfig::data_dir: SpoolDir
// (request bodies and attachments while they are read), PayloadDir (pushed
// payloads), ResponseDir (business responses) and StateDir (the store).
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
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/common/stored_bytes.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sim/simulator/clntcomm_serve.h"
#include "pipeline/sim/simulator/sim_state_store.h"
#include "pipeline/sim/simulator/simulator.h"
#include "proto/ics.pb.h"

namespace sbrgate::sim {

// The most a pushed payload or its response (gzip) may hold to be kept in
// the message's record rather than in a file of its own: a pay event of
// about 50 employees. Larger ones stay files, out of the store's memory and
// log.
inline constexpr size_t kInRecordBytes = 16 << 10;

// One pushed message, from its receipt to its response.
struct StoredMessage {
  int64_t arrival = 0;  // its place in AgencyState::order
  MessageReport report;
  std::string receipt_xml;  // sent again for a duplicate push
  std::string conversation_id;
  ebms::Party from;
  std::string signer_fingerprint;  // only the signer may pull the response
  StoredBytes payload;             // in memory (and the record), or PayloadPath
  // Once processed: in memory (and the record), or ResponsePath(...).gz.
  StoredBytes response;
  std::string response_document_name;  // PartProperties of the response
  std::string response_document_type;
  std::atomic<int64_t> employees_seen{0};  // processing progress
  // Whether its receipt and payload, and its response, are known to be on
  // disk (AgencyState::mu): until they are, every save of the message
  // carries them; after that its saves are the small rest of its record.
  bool received_saved = false;
  bool response_saved = false;
  // Its first save is not on disk yet (AgencyState::mu): not received until
  // it is, and forgotten if it fails.
  bool saving = false;
};

struct AgencyState {
  explicit AgencyState(SimStateStore* store) : store(store) {}

  SimStateStore* const store;  // written through by Persist
  mutable absl::Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  FaultModes faults ABSL_GUARDED_BY(mu);
  SimulatorStats counters ABSL_GUARDED_BY(mu);  // messages stays empty: see Stats()
  // By MessageId. A std::map, so a StoredMessage stays where it is while
  // the back office and the pull handler use it without the lock.
  std::map<std::string, StoredMessage> messages ABSL_GUARDED_BY(mu);
  std::vector<std::string> order ABSL_GUARDED_BY(mu);  // MessageIds, in arrival order
  // The arrival of the next new message (a push not recorded leaves a gap).
  int64_t next_arrival ABSL_GUARDED_BY(mu) = 0;
  std::deque<std::string> queue ABSL_GUARDED_BY(mu);  // waiting for the back office
  int busy ABSL_GUARDED_BY(mu) = 0;                   // being processed

  FaultModes Faults() const;
  bool Stopping() const;
  // The counters, with a report of every message received, in arrival order.
  SimulatorStats Stats() const;
  std::optional<MessageReport> Message(const std::string& message_id) const;
  // The message received as `message_id`, or null; while a push of it is
  // still `saving`, waits (releasing `mu`) until it is saved or forgotten.
  StoredMessage* FindReceived(const std::string& message_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Queues the counters, and `changed` with them, for the store.
  SimStateStore::Ticket Persist() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  SimStateStore::Ticket Persist(
      const StoredMessage& changed,
      SimStateStore::Durability durability = SimStateStore::Durability::kSynced) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Waits until what `saving` queued is on disk.
  absl::Status Saved(const SimStateStore::Ticket& saving) const ABSL_LOCKS_EXCLUDED(mu);
  // Takes back what a simulator on the same data directory saved, before
  // anything runs: the counters and the messages, those not processed
  // (queued or being processed when it stopped) queued again.
  absl::Status Restore(const SimStateStore::Saved& saved, const SimulatorConfig& config);
  // Counted and saved.
  absl::Status CountRefusedPush();
  // A CLNTCOMM request answered, single or bulk; counted and saved.
  absl::Status CountClntcomm(absl::string_view action, bool bulk, const ServeOutcome& served);
  // An ICS registration answered with `outcome`; counted and saved.
  absl::Status CountIcs(v1::RegisterClientResponse::Outcome outcome);
  // A CUDEMOGR or CUREL request answered, `refused` or not; counted and
  // saved.
  enum class ClientService { kDemographics, kRelationships };
  absl::Status CountClientService(ClientService service, bool refused);
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
std::string StateDir(const SimulatorConfig& config);
// Where a message's files are: named after its MessageId, so that a
// restarted simulator finds them from the MessageId alone.
std::string PayloadPath(const SimulatorConfig& config, absl::string_view message_id);
std::string ResponsePath(const SimulatorConfig& config, absl::string_view message_id);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_AGENCY_STATE_H_
