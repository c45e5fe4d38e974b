// InFlightWindow: how both runners process the records of a stage whose
// Process may run concurrently (Stage::ProcessesConcurrently). A record
// starts on the runner's workers as soon as it is added, unless an earlier
// record of its key is still unfinished (it then starts when that one
// finishes), and outcomes are taken as records finish: order is kept per
// key, not per partition. A slow record holds back neither the start nor
// the commit of the records after it (the runner commits where each
// partition stands with PartitionProgress), and the runner's thread stays
// free to serve its log or its Kafka consumer while records are in flight
// (a push that takes hours does not cost the consumer its group
// membership).
//
// After a record fails transiently, the later records of its key are not
// processed (they wait for it); TakeFinished, once it has taken the records
// finished well, hands the failed one to `take` and empties the window: its
// records go back to be read again after it, as they would have been read.
//
//   InFlightWindow<kafka::Record> window(
//       stage, clock, workers, notify, [](const kafka::Record& r) -> const Record& { return r; });
//   const uint64_t seen = window.finishes();
//   while (window.HasRoom(max_in_flight) && (record = Next())) window.Add(*std::move(record));
//   window.TakeFinished(
//       [&](auto& f) { ...f.status and f.emits into the transaction... },
//       [&](std::vector<kafka::Record> again) { ...read these again... });
//   window.WaitForFinish(seen, absl::Now() + absl::Milliseconds(5));
//
// The stage has no stores: using one fails the record. `notify` must be safe
// to call from the workers. Add, Abandon and the Take and Settle calls are the
// runner's thread's; `on_finished`, if set, is called on a worker each time
// a record finishes (to wake that thread).
#ifndef SBRGATE_PIPELINE_PLATFORM_STAGE_IN_FLIGHT_WINDOW_H_
#define SBRGATE_PIPELINE_PLATFORM_STAGE_IN_FLIGHT_WINDOW_H_

#include <cstdint>
#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/transient.h"
#include "pipeline/platform/stage/runner_context.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/undeclared_store.h"
#include "pipeline/platform/stage/worker_pool.h"

namespace sbrgate::stage {

template <typename Item>
class InFlightWindow {
 public:
  static constexpr int kWaitingPerInProcess = 4;

  // A record processed (a record not processed, waiting for a held one of
  // its key, is never taken: it goes back to be read again).
  struct Finished {
    Item item;
    absl::Status status;
    std::vector<Output> emits;
  };
  using RecordOf = std::function<const Record&(const Item&)>;

  InFlightWindow(Stage& stage, const Clock& clock, WorkerPool& workers,
                 std::function<void(Output)> notify, RecordOf record_of,
                 std::function<void()> on_finished = nullptr)
      : stage_(stage),
        clock_(clock),
        workers_(workers),
        notify_(std::move(notify)),
        record_of_(std::move(record_of)),
        on_finished_(std::move(on_finished)) {}
  // Waits for the records still running: they use the stage.
  ~InFlightWindow() { TakeAll(); }
  InFlightWindow(const InFlightWindow&) = delete;
  InFlightWindow& operator=(const InFlightWindow&) = delete;

  // Records added and not yet taken, finished or not.
  size_t size() const {
    absl::MutexLock lock(&mu_);
    return slots_.size();
  }
  // Records running or waiting for an earlier one of their key.
  int in_process() const {
    absl::MutexLock lock(&mu_);
    return in_process_;
  }
  // Whether a runner keeping up to `max_in_process` records in process may
  // add one: also false when records not yet taken, finished or not, are
  // four times that many.
  bool HasRoom(int max_in_process) const {
    absl::MutexLock lock(&mu_);
    return in_process_ < max_in_process &&
           slots_.size() < static_cast<size_t>(kWaitingPerInProcess * max_in_process);
  }
  // How many records have finished so far (for WaitForFinish).
  uint64_t finishes() const {
    absl::MutexLock lock(&mu_);
    return finishes_;
  }

  void Add(Item item) {
    absl::MutexLock lock(&mu_);
    slots_.push_back(std::make_unique<Slot>(std::move(item)));
    Slot* slot = slots_.back().get();
    const std::string& key = record_of_(slot->item).key;
    if (held_keys_.count(key) > 0) {
      slot->state = State::kFinished;  // not processed: it waits for the held one
      ++finishes_;
      return;
    }
    ++in_process_;
    std::deque<Slot*>& of_key = unfinished_[key];
    of_key.push_back(slot);
    if (of_key.size() == 1) Start(slot);
  }

  // The records finished well (processed, and not failed transiently), in
  // input order; they leave the window.
  std::vector<Finished> TakeFinishedWell() {
    absl::MutexLock lock(&mu_);
    std::vector<Finished> out;
    for (auto it = slots_.begin(); it != slots_.end();) {
      Slot& slot = **it;
      if (slot.state != State::kFinished || !slot.processed || IsTransient(slot.status)) {
        ++it;
        continue;
      }
      out.push_back(
          Finished{std::move(slot.item), std::move(slot.status), std::move(slot.emits)});
      it = slots_.erase(it);
    }
    return out;
  }

  // The first record that failed transiently, once it has finished.
  std::optional<Finished> TakeFailed() {
    absl::MutexLock lock(&mu_);
    for (auto it = slots_.begin(); it != slots_.end(); ++it) {
      Slot& slot = **it;
      if (slot.state != State::kFinished || !slot.processed || !IsTransient(slot.status)) continue;
      Finished f{std::move(slot.item), std::move(slot.status), std::move(slot.emits)};
      slots_.erase(it);
      return f;
    }
    return std::nullopt;
  }

  // Returns once finishes() is past `seen`, or at `deadline` (real time).
  void WaitForFinish(uint64_t seen, absl::Time deadline) const {
    absl::MutexLock lock(&mu_);
    auto finished = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return finishes_ != seen; };
    mu_.AwaitWithDeadline(absl::Condition(&finished), deadline);
  }

  // The finished records to `take`: those finished well (an outcome to
  // commit, outputs or a dead letter) first, in input order, then the first
  // one that failed transiently, if any. When `take` returns false for that
  // one (it holds it for a retry), the window is emptied and its records go
  // to `read_again`, in input order: those already processed are processed
  // again (a push resent with its MessageId is answered with its first
  // receipt). False when no record had finished.
  bool TakeFinished(const std::function<bool(Finished&)>& take,
                    const std::function<void(std::vector<Item>)>& read_again) {
    std::vector<Finished> well = TakeFinishedWell();
    for (Finished& done : well) take(done);
    std::optional<Finished> failed = TakeFailed();
    if (!failed.has_value()) return !well.empty();
    if (!take(*failed)) read_again(TakeAll());
    return true;
  }

  // Before the commit that ends a run: waits for the records
  // in process, takes those finished as TakeFinished does while `go_on`,
  // and drops the rest (they are read again by whoever reads next).
  void Settle(const std::function<bool(Finished&)>& take,
              const std::function<void(std::vector<Item>)>& read_again,
              const std::function<bool()>& go_on) {
    while (size() > 0 && go_on()) {
      const uint64_t seen = finishes();
      if (!TakeFinished(take, read_again)) WaitForFinish(seen, absl::InfiniteFuture());
    }
    TakeAll();
  }

  // Empties the window without waiting: records running go on, their
  // outcomes and notes to be dropped, and are told so (Context::given_up,
  // on which a push in progress ends); the others are not started. For a
  // runner giving up its partitions (a rebalance), which must not wait for
  // a push of hours: whoever reads the partitions next processes these
  // records again (a push resent with its MessageId is answered with its
  // first receipt).
  void Abandon() {
    absl::MutexLock lock(&mu_);
    for (std::unique_ptr<Slot>& slot : slots_) {
      if (slot->state != State::kRunning) continue;
      slot->abandoned = true;
      abandoned_.push_back(std::move(slot));
    }
    slots_.clear();
    unfinished_.clear();
    held_keys_.clear();
    in_process_ = 0;
  }

  // Waits for the records running, then empties the window: every record
  // not taken, in input order, its outcome dropped (it is read again).
  std::vector<Item> TakeAll() {
    absl::MutexLock lock(&mu_);
    // Records waiting for a running one of their key are not started now.
    draining_ = true;
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return running_ == 0; };
    mu_.Await(absl::Condition(&idle));
    draining_ = false;
    std::vector<Item> items;
    for (std::unique_ptr<Slot>& slot : slots_) items.push_back(std::move(slot->item));
    slots_.clear();
    unfinished_.clear();
    held_keys_.clear();
    in_process_ = 0;
    return items;
  }

 private:
  enum class State { kWaiting, kRunning, kFinished };
  struct Slot {
    explicit Slot(Item i) : item(std::move(i)) {}
    Item item;  // not touched by the runner's thread while it runs
    State state = State::kWaiting;
    // Still running, no longer the window's (Abandon). Read by its Process
    // without the lock.
    std::atomic<bool> abandoned{false};
    bool processed = false;
    absl::Status status;
    std::vector<Output> emits;
  };

  // Finishes the records waiting in `of_key` without processing them.
  void Drop(std::deque<Slot*>& of_key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (Slot* waiting : of_key) waiting->state = State::kFinished;
    in_process_ -= static_cast<int>(of_key.size());
    finishes_ += of_key.size();
    of_key.clear();
  }

  void Start(Slot* slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    slot->state = State::kRunning;
    ++running_;
    workers_.Post([this, slot] { Run(slot); });
  }

  // On a worker.
  void Run(Slot* slot) {
    const Record& record = record_of_(slot->item);
    std::string violation;
    UndeclaredStore no_store(&violation);
    RunnerContext ctx(
        notify_,
        [&no_store](const std::string& name) -> StateStore& {
          no_store.set_name(name);
          return no_store;
        },
        &clock_, &violation, nullptr, &slot->abandoned);
    absl::Status status = stage_.Process(record, ctx);
    if (status.ok() && !violation.empty()) status = absl::InvalidArgumentError(violation);
    std::vector<Output> emits = ctx.TakeEmits();
    {
      absl::MutexLock lock(&mu_);
      if (slot->abandoned) {
        // Its outcome is dropped, and its key's later records are not the
        // window's any more.
        abandoned_.erase(std::find_if(abandoned_.begin(), abandoned_.end(),
                                      [slot](const auto& s) { return s.get() == slot; }));
        --running_;
        if (on_finished_) on_finished_();
        return;
      }
      slot->processed = true;
      slot->status = std::move(status);
      slot->emits = std::move(emits);
      slot->state = State::kFinished;
      --running_;
      --in_process_;
      ++finishes_;
      auto of_key = unfinished_.find(record.key);
      of_key->second.pop_front();  // this one: the first of its key
      if (IsTransient(slot->status)) {
        held_keys_.insert(record.key);
        Drop(of_key->second);
      } else if (draining_) {
        Drop(of_key->second);
      } else if (!of_key->second.empty()) {
        Start(of_key->second.front());
      }
      if (of_key->second.empty()) unfinished_.erase(of_key);
      // Under the lock: once running_ is down and the lock free, the window
      // may be gone.
      if (on_finished_) on_finished_();
    }
  }

  Stage& stage_;
  const Clock& clock_;
  WorkerPool& workers_;
  const std::function<void(Output)> notify_;
  const RecordOf record_of_;
  const std::function<void()> on_finished_;

  mutable absl::Mutex mu_;
  std::deque<std::unique_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);  // in input order
  // Running when the window was abandoned: kept until they finish.
  std::vector<std::unique_ptr<Slot>> abandoned_ ABSL_GUARDED_BY(mu_);
  // Per key, its records not finished, in input order: the first runs, the
  // others wait for it.
  std::map<std::string, std::deque<Slot*>> unfinished_ ABSL_GUARDED_BY(mu_);
  // Keys of which a record failed transiently: later ones are not processed
  // until the window is emptied.
  std::set<std::string> held_keys_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;  // TakeAll waits for the running ones
  int in_process_ ABSL_GUARDED_BY(mu_) = 0;     // running or waiting
  uint64_t finishes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_PLATFORM_STAGE_IN_FLIGHT_WINDOW_H_
