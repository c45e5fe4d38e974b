// SimStateStore: where the SBR2 simulator keeps what it received, so that a
// simulator restarted on the same data directory goes on where it stopped:
// every pushed message with its receipt, report and pulls, the counters,
// and the seeds its CLNTCOMM corpus was generated from (sim_state.proto).
// One RocksDB database, <data_dir>/state; every write is fsync'd before it
// returns, so the simulator answers a request only once what the request
// changed is on disk. Two simulators cannot share one (RocksDB's lock).
//
//   absl::StatusOr<std::unique_ptr<SimStateStore>> store =
//       SimStateStore::Open(data_dir + "/state");
//   absl::StatusOr<SimStateStore::Saved> saved = (*store)->Load();  // at start
//   (*store)->Save(counters, message);  // a receipt, a pull, processing done
//   (*store)->Save(counters);           // a refused push, a Single-sync answer
//   (*store)->AddClntcommSeed(seed);
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_SIM_STATE_STORE_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_SIM_STATE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
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
    std::vector<state::ClntcommSeed> clntcomm_seeds;  // in the order they were added
  };

  // Opens (or creates) the database in `dir`.
  static absl::StatusOr<std::unique_ptr<SimStateStore>> Open(const std::string& dir);
  ~SimStateStore();

  absl::StatusOr<Saved> Load() const;

  // Replaces the counters, and `message`'s record (by MessageId), in one
  // write.
  absl::Status Save(const state::Counters& counters);
  absl::Status Save(const state::Counters& counters, const state::Message& message);

  absl::Status AddClntcommSeed(const state::ClntcommSeed& seed) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  SimStateStore(std::unique_ptr<rocksdb::DB> db, std::string dir, uint64_t next_seed);

  absl::Status Write(const state::Counters& counters, const state::Message* message);

  const std::unique_ptr<rocksdb::DB> db_;
  const std::string dir_;  // named in errors
  absl::Mutex mu_;
  uint64_t next_seed_ ABSL_GUARDED_BY(mu_);  // the key of the next seed added
};

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_SIM_STATE_STORE_H_
