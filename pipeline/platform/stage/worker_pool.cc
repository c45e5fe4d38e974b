#include "pipeline/platform/stage/worker_pool.h"

#include <memory>
#include <utility>

#include "pipeline/platform/common/thread_name.h"

namespace sbrgate::stage {

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&threads_mu_);
    threads.swap(threads_);
  }
  for (std::thread& t : threads) t.join();
}

void WorkerPool::RunAll(std::vector<std::function<void()>> work, absl::Duration wait) {
  // Shared with the items, which may outlive this call.
  struct Left {
    absl::Mutex mu;
    size_t items ABSL_GUARDED_BY(mu);
  };
  auto left = std::make_shared<Left>();
  {
    absl::MutexLock lock(&left->mu);
    left->items = work.size();
  }
  for (std::function<void()>& item : work) {
    Post([left, item = std::move(item)] {
      item();
      absl::MutexLock lock(&left->mu);
      --left->items;
    });
  }
  absl::MutexLock lock(&left->mu);
  auto done = [&left]() ABSL_SHARED_LOCKS_REQUIRED(left->mu) { return left->items == 0; };
  left->mu.AwaitWithTimeout(absl::Condition(&done), wait);
}

void WorkerPool::Post(std::function<void()> item) {
  StartThreads(size_);
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(item));
}

void WorkerPool::StartThreads(int count) {
  absl::MutexLock lock(&threads_mu_);
  while (static_cast<int>(threads_.size()) < count) {
    threads_.emplace_back([this] {
      NameThisThread(name_);
      Work();
    });
  }
}

void WorkerPool::Drain() {
  for (;;) {
    std::function<void()> item;
    {
      absl::MutexLock lock(&mu_);
      if (queue_.empty()) return;
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    item();
  }
}

void WorkerPool::Work() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_ && queue_.empty()) return;
    }
    Drain();
  }
}

}  // namespace sbrgate::stage
