// WorkerPool: the threads on which a runner does a stage's waiting work at
// once: the records of a stage whose Process may run concurrently
// (Stage::ProcessesConcurrently, through an InFlightWindow), and what a stage
// hands to Context::RunConcurrently (the poll stage's pulls). A push or a
// pull is an exchange with SBR that mostly waits; many in flight keep the
// instance busy while each waits.
//
//   WorkerPool pool(32);
//   pool.RunAll({[a] { a->outcome = sbr.Pull(a->id); }, [b] { ... }}, absl::Seconds(1));
//   // both have returned here, or a second has passed and the slower runs on
//   pool.Post([&] { c = sbr.Pull(id_c); });  // returns at once
#ifndef SBRGATE_PIPELINE_PLATFORM_STAGE_WORKER_POOL_H_
#define SBRGATE_PIPELINE_PLATFORM_STAGE_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sbrgate::stage {

class WorkerPool {
 public:
  // At most `threads` items run at once (at least 1). Threads start with the
  // first RunAll that has more than one item, or the first Post, and are
  // named `name` (NameThisThread).
  explicit WorkerPool(int threads, std::string name = "workers")
      : size_(threads < 1 ? 1 : threads), name_(std::move(name)) {}
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return size_; }

  // Runs every item of `work` on the pool's threads and returns when all
  // have returned or `wait` has passed, whichever comes first. An item
  // still running then goes on, and the next call's items run beside it:
  // an item that may outlive the call must hold what it uses (no reference
  // to the caller's stack). One caller at a time (a runner's thread).
  void RunAll(std::vector<std::function<void()>> work,
              absl::Duration wait = absl::InfiniteDuration());

  // Runs `item` on one of the pool's threads and returns at once; items
  // posted while every thread is busy wait their turn. From any thread,
  // also from an item.
  void Post(std::function<void()> item);

 private:
  // Starts threads until there are `count`.
  void StartThreads(int count);
  void Work();
  // Runs queued items until none is left.
  void Drain() ABSL_LOCKS_EXCLUDED(mu_);

  const int size_;
  const std::string name_;
  absl::Mutex threads_mu_;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(threads_mu_);
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_PLATFORM_STAGE_WORKER_POOL_H_
