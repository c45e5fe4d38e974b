// RunnerContext: the Context (stage.h) a runner hands its stage. It keeps
// what the stage emits until the runner takes it into a transaction, passes
// notifications and store lookups to the runner, and refuses outputs over
// the message limit by setting the runner's violation (which fails the
// record), so both runners treat a stage alike.
//
//   RunnerContext ctx([&](Output o) { Notify(std::move(o)); },
//                     [&](const std::string& name) -> StateStore& { return stores_.store(name); },
//                     clock, &violation_);
//   ctx.Reset();                       // before each Process/Punctuate/Init
//   stage->Process(record, ctx);
//   batch.Add(ctx.TakeEmits());
#ifndef SBRGATE_PIPELINE_STAGE_RUNNER_CONTEXT_H_
#define SBRGATE_PIPELINE_STAGE_RUNNER_CONTEXT_H_

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/kafka/limits.h"
#include "pipeline/platform/stage/runner.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/worker_pool.h"

namespace sbrgate::stage {

class RunnerContext final : public Context {
 public:
  using NotifyFn = std::function<void(Output)>;
  using StoreFn = std::function<StateStore&(const std::string&)>;

  // `clock`, `violation`, `workers` (null: RunConcurrently runs items one
  // after the other) and `given_up` (null: never) must outlive the context.
  RunnerContext(NotifyFn notify, StoreFn store, const Clock* clock, std::string* violation,
                WorkerPool* workers = nullptr, const std::atomic<bool>* given_up = nullptr)
      : notify_(std::move(notify)),
        store_(std::move(store)),
        clock_(clock),
        violation_(violation),
        workers_(workers),
        given_up_(given_up) {}

  void Emit(Output output) override {
    if (Allowed(output)) emits_.push_back(std::move(output));
  }
  void Notify(Output output) override {
    if (Allowed(output) && !given_up().load()) notify_(std::move(output));
  }
  StateStore& store(const std::string& name) override { return store_(name); }
  const Clock& clock() const override { return *clock_; }
  void RunConcurrently(std::vector<std::function<void()>> work, absl::Duration wait) override {
    if (workers_ == nullptr) return Context::RunConcurrently(std::move(work), wait);
    workers_->RunAll(std::move(work), wait);
  }
  const std::atomic<bool>& given_up() const override {
    return given_up_ != nullptr ? *given_up_ : Context::given_up();
  }

  // Forgets what was emitted and any violation.
  void Reset() {
    emits_.clear();
    violation_->clear();
  }
  std::vector<Output> TakeEmits() { return std::move(emits_); }

 private:
  bool Allowed(const Output& output) {
    if (output.value.size() <= kafka::kMaxMessageBytes) return true;
    if (violation_->empty()) {
      *violation_ =
          OversizeMessage(absl::StrCat("output to topic ", output.topic), output.value.size());
    }
    return false;
  }

  const NotifyFn notify_;
  const StoreFn store_;
  const Clock* const clock_;
  std::string* const violation_;
  WorkerPool* const workers_;
  const std::atomic<bool>* const given_up_;
  std::vector<Output> emits_;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_RUNNER_CONTEXT_H_
