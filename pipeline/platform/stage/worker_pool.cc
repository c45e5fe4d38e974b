#include "pipeline/platform/stage/worker_pool.h"

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

void WorkerPool::RunAll(std::vector<std::function<void()>> work) {
  if (work.size() <= 1 || size_ == 1) {
    for (std::function<void()>& item : work) item();
  } else {
    // The caller is one of the size_ runners of items.
    StartThreads(size_ - 1);
    {
      absl::MutexLock lock(&mu_);
      for (std::function<void()>& item : work) queue_.push_back(std::move(item));
    }
    Drain();
  }
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return queue_.empty() && running_ == 0; };
  mu_.Await(absl::Condition(&done));
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
      ++running_;
    }
    item();
    absl::MutexLock lock(&mu_);
    --running_;
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
