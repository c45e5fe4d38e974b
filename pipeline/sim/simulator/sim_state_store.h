// SimStateStore: where the SBR2 simulator keeps what it received, so that a
// simulator restarted on the same data directory goes on where it stopped:
// every pushed message with its receipt, report and pulls, the counters,
// the changes to its CLNTCOMM corpus (the seeds it was generated from and
// the correspondence the agency posted into it) and the records of its ICS
// client register and the clients' demographics (sim_state.proto).
// A message's receipt, payload and response never change once set: each is
// written under a key of its own when a save carries it, and a save without
// it leaves it as it is; Load puts them back into their message's record.
// One RocksDB database, <data_dir>/state; every write is fsync'd before it
// is reported done (but those queued Durability::kWritten), so the simulator
// answers a request only once what the request changed is on disk. Two
// simulators cannot share one (RocksDB's lock).
//
// Writes are group-committed: Queue adds one to the group that the next
// sync writes and returns at once, and Wait blocks until that group is on
// disk. One waiter at a time writes and syncs the whole open group while
// further writes queue up for the next, so concurrent requests share an
// fsync. Groups reach the disk in the order their writes were queued, and a
// later write of a record wins over an earlier one (within a group only the
// latest is written): a caller that queues
// under its own lock, in the order of its changes, can wait outside it with
// no stale record overwriting a newer one. A group of kWritten writes only
// is written without an fsync: it survives the simulator's death (kill -9)
// but not the machine's until the next synced group, which syncs it too
// (one log).
//
//   absl::StatusOr<std::unique_ptr<SimStateStore>> store =
//       SimStateStore::Open(data_dir + "/state");
//   absl::StatusOr<SimStateStore::Saved> saved = (*store)->Load();  // at start
//   SimStateStore::Ticket t = (*store)->Queue(counters, message);   // under the caller's lock
//   absl::Status saved = (*store)->Wait(t);                          // outside it
//   (*store)->Save(counters);  // Queue and Wait at once
//   (*store)->AddClntcommSeed(seed);
//   (*store)->AddClntcommCorrespondence(correspondence);
//   (*store)->SaveIcs(change);
//   (*store)->SaveDemographics(client);
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_SIM_STATE_STORE_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_SIM_STATE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/sim/simulator/sim_state.pb.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace sbrgate::sim {

class SimStateStore {
 public:
  // Everything saved, as a starting simulator takes it back.
  struct Saved {
    state::Counters counters;
    std::vector<state::Message> messages;  // by arrival
    // Seeds and correspondence, in the order they were added.
    std::vector<state::ClntcommChange> clntcomm_changes;
    state::IcsChange ics;  // every ICS record, and the last next_ccid saved
    std::vector<state::ClientDemographics> demographics;  // each client's last saved
  };

  // Opens (or creates) the database in `dir`.
  static absl::StatusOr<std::unique_ptr<SimStateStore>> Open(const std::string& dir);
  ~SimStateStore();

  absl::StatusOr<Saved> Load() const;

  struct Group;  // writes synced together

  // A queued write, to Wait for. A default one stands for no write.
  class Ticket {
   private:
    friend class SimStateStore;
    std::shared_ptr<Group> group_;
    std::string what_;  // named in an error
  };

  // How far a write has gone when Wait returns.
  enum class Durability {
    kSynced,   // on disk
    kWritten,  // to the operating system: kept if the simulator dies, lost if the machine does
  };

  // Queues the counters, and `message`'s record (by MessageId) if given, to
  // replace what is saved, in one atomic write. The receipt, payload and
  // response `message` carries replace those saved; those it leaves unset
  // stay as saved.
  Ticket Queue(const state::Counters& counters, std::optional<state::Message> message,
               Durability durability = Durability::kSynced) ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until the write of `ticket`, and every one queued before it, is
  // as durable as it was queued; its error if its group could not be
  // written.
  absl::Status Wait(const Ticket& ticket) ABSL_LOCKS_EXCLUDED(mu_);

  // Queue and Wait.
  absl::Status Save(const state::Counters& counters);
  absl::Status Save(const state::Counters& counters, const state::Message& message);

  // Each change is numbered in one sequence with the others, synced, and
  // comes back from Load in that order.
  absl::Status AddClntcommSeed(const state::ClntcommSeed& seed) ABSL_LOCKS_EXCLUDED(clntcomm_mu_);
  absl::Status AddClntcommCorrespondence(const state::ClntcommCorrespondence& correspondence)
      ABSL_LOCKS_EXCLUDED(clntcomm_mu_);
  absl::Status AddClntcommRelationshipChange(const state::ClntcommRelationshipChange& change)
      ABSL_LOCKS_EXCLUDED(clntcomm_mu_);

  // Writes the ICS records of `change` (each replacing the one of its ABN,
  // client id or agent ABN) and its next_ccid, atomically and synced.
  absl::Status SaveIcs(const state::IcsChange& change);

  // Writes `client`'s demographics, replacing those saved before, synced.
  absl::Status SaveDemographics(const state::ClientDemographics& client);

 private:
  SimStateStore(std::unique_ptr<rocksdb::DB> db, std::string dir, uint64_t next_clntcomm);

  absl::Status AddClntcommChange(absl::string_view prefix, const std::string& value,
                                 absl::string_view what) ABSL_LOCKS_EXCLUDED(clntcomm_mu_);

  const std::unique_ptr<rocksdb::DB> db_;
  const std::string dir_;  // named in errors
  absl::Mutex mu_;
  // Takes the writes queued from now on; null until one is.
  std::shared_ptr<Group> open_ ABSL_GUARDED_BY(mu_);
  bool syncing_ ABSL_GUARDED_BY(mu_) = false;  // a waiter is writing a group
  absl::Mutex clntcomm_mu_;
  // The number of the next CLNTCOMM change added.
  uint64_t next_clntcomm_ ABSL_GUARDED_BY(clntcomm_mu_);
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_SIM_STATE_STORE_H_
