// Stage: one step of the sbrgate pipeline, written as a small processor that
// turns one input record into output records (Kafka Streams' processor API).
// A stage never touches Kafka: the StageRunner (runner.h) owns consuming,
// producing, transactions, state-store changelogs, retries and dead letters.
// Nor does it name its wiring: its input topics and state stores are
// declared once, in the application's Topology (topology.h), and the runner
// takes them from the stage's StageSpec there.
//
//   class TriageStage : public Stage {
//    public:
//     std::string name() const override { return stages::kTriage; }  // its StageSpec's name
//     absl::Status Process(const Record& in, Context& ctx) override {
//       ...parse in.value...
//       ctx.Emit({topics::kStatus, lodgment_id, status.SerializeAsString()});
//       return absl::OkStatus();
//     }
//   };
//
// Exactly once between topics: the outputs emitted while processing a record,
// the state-store changes, and that record's consumer offset are committed in
// one Kafka transaction. What Process returns decides what happens next:
//   OK                             commit outputs and offset, go on;
//   Unavailable / DeadlineExceeded transient: discard outputs, back off, retry
//                                  the same record (SBR outages hold here);
//   anything else                  the record goes to the dead-letter topic
//                                  (with the error), and processing goes on.
#ifndef SBRGATE_PIPELINE_STAGE_STAGE_H_
#define SBRGATE_PIPELINE_STAGE_STAGE_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/kafka/record.h"

namespace sbrgate::stage {

// A record read from an input topic, and one to write (pipeline/platform/kafka/record.h).
using kafka::Output;
using kafka::Record;

// A key-value store local to a stage instance, restored from its changelog
// topic before the stage sees its first record. Changes made during Process
// or Punctuate are logged in the same transaction as the outputs, and undone
// when that transaction is not committed (a failed or retried record).
// It holds the entries of the input partitions this instance is assigned:
// an entry belongs to the partition of the record that wrote it, and after a
// rebalance the store holds exactly the new partitions' entries.
class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual std::optional<std::string> Get(const std::string& key) const = 0;
  virtual void Put(const std::string& key, std::string value) = 0;
  // Put, for an entry that belongs with entry `owner_key` of the stage's
  // store `owner_store` (an index entry beside the entry it indexes). An
  // entry written in Process belongs to its record's partition; one created
  // elsewhere (Punctuate) would go to the instance's first partition, and
  // after a rebalance live on another instance than its owner. A runner
  // without partitions to move (the local one) just Puts it.
  virtual void PutBeside(const std::string& owner_store, const std::string& owner_key,
                         const std::string& key, std::string value) {
    Put(key, std::move(value));
  }
  virtual void Delete(const std::string& key) = 0;
  // The entries with keys from `from` on, in key order, until `visit`
  // returns false: a range of a store kept in key order (an index) costs
  // what it visits, however large the store.
  virtual void ForEachFrom(const std::string& from,
                           const std::function<bool(const std::string& key,
                                                    const std::string& value)>& visit) const = 0;
  void ForEach(const std::function<void(const std::string& key, const std::string& value)>& visit)
      const {
    ForEachFrom("", [&](const std::string& key, const std::string& value) {
      visit(key, value);
      return true;
    });
  }
  virtual size_t size() const = 0;
};

class Context {
 public:
  virtual ~Context() = default;
  // Produced with the current transaction.
  virtual void Emit(Output output) = 0;
  // Produced at once in a transaction of its own, even if the current record
  // is then retried: for progress that must show while a record is held (for
  // example "SBR unavailable, holding"). May be produced more than once.
  virtual void Notify(Output output) = 0;
  // One of the stores of the stage's StageSpec.
  virtual StateStore& store(const std::string& name) = 0;
  virtual const Clock& clock() const = 0;
  // Runs the items at once (as many as the runner's RunnerOptions::
  // max_in_flight) and returns when all have returned or `wait` has
  // passed, whichever comes first: for exchanges that mostly wait, such as
  // the pulls of every lodgment due in one punctuation, of which a slow one
  // must not hold the others' next steps. An item still running goes on
  // after the call, so it must hold what it uses (nothing of the caller's
  // stack) and tell the stage through state they share. The items must not
  // use the context; the stage applies what they found afterwards, on its
  // own thread. Here: one after the other, all before returning.
  virtual void RunConcurrently(std::vector<std::function<void()>> work, absl::Duration wait) {
    for (std::function<void()>& item : work) item();
  }
  // Turns true once the runner has given up the record in process: a
  // rebalance moved its partition, and its next owner processes it again.
  // What it emits or notifies from then on is dropped, so a long wait (an
  // exchange with SBR) may end now. Only a concurrent stage's records are
  // given up (Stage::ProcessesConcurrently); for the others it stays false.
  virtual const std::atomic<bool>& given_up() const {
    static const std::atomic<bool> kNever{false};
    return kNever;
  }
};

class Stage {
 public:
  virtual ~Stage() = default;
  // The name of its StageSpec (for a per-instance spec, "<spec name>-<instance>"):
  // its consumer group, transactional id and dead letters carry it.
  virtual std::string name() const = 0;
  // After the stores are restored, before the first record; again after
  // every rebalance (the stores then hold the new assignment's entries).
  virtual absl::Status Init(Context& ctx) { return absl::OkStatus(); }
  virtual absl::Status Process(const Record& input, Context& ctx) = 0;
  // True when Process may run on several threads at once, each call with a
  // context of its own, for records of different keys (the records of one
  // key are processed one after the other, in order). The runner then keeps
  // up to RunnerOptions::max_in_flight records in process, and commits each
  // as it finishes (runner.h). Only for a stage without state stores.
  virtual bool ProcessesConcurrently() const { return false; }
  // Called every punctuate_interval() of real time (never when zero, nor
  // while the instance has no partitions), with the clock's time; its
  // outputs and store changes commit on their own.
  virtual absl::Status Punctuate(absl::Time now, Context& ctx) { return absl::OkStatus(); }
  virtual absl::Duration punctuate_interval() const { return absl::ZeroDuration(); }
  // The longest a batch of its records waits for its commit, when shorter
  // than the runner's RunnerOptions::max_batch_delay: for a stage whose
  // readers wait to see what it applied (an upload is answered once the
  // status view shows it).
  virtual absl::Duration max_batch_delay() const { return absl::InfiniteDuration(); }
  // Called before the runner commits the offsets of what was processed (as
  // Kafka Streams flushes its stores): a stage that keeps state outside its
  // StateStores (a view on disk) makes it durable here. An error undoes the
  // commit, as a failed commit would: Unavailable is retried.
  virtual absl::Status Flush() { return absl::OkStatus(); }
  // The process is stopping (from another thread, before the runner stops):
  // a stage whose Process may wait long (an exchange with SBR) makes those
  // waits end now, transiently, so that the stop does not wait for them;
  // what they were doing is processed again after the restart.
  virtual void Stopping() {}
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_STAGE_H_
