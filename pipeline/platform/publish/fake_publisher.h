// FakePublisher: a Publisher for tests that records every Publish call and
// hands each output to an observer, if one is set (STP tests feed a status
// view with it, so reads see what was published at once:
// lodgment::StatusViewFeeder in pipeline/stp/status/view_feeder.h).
//
//   FakePublisher publisher;
//   publisher.Observe([&](const kafka::Output& o) { ...; return absl::OkStatus(); });
//   ... service under test publishes ...
//   publisher.calls();                        // each call's outputs, in order
//   publisher.Fail(absl::UnavailableError("broker down"));
#ifndef SBRGATE_PIPELINE_PLATFORM_PUBLISH_FAKE_PUBLISHER_H_
#define SBRGATE_PIPELINE_PLATFORM_PUBLISH_FAKE_PUBLISHER_H_

#include <functional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/publish/publisher.h"

namespace sbrgate::publish {

class FakePublisher : public Publisher {
 public:
  using Observer = std::function<absl::Status(const kafka::Output&)>;

  absl::Status Publish(std::vector<kafka::Output> outputs) override {
    absl::MutexLock lock(&mu_);
    if (!fail_.ok()) return fail_;
    if (observer_) {
      for (const kafka::Output& o : outputs) {
        if (absl::Status s = observer_(o); !s.ok()) return s;
      }
    }
    calls_.push_back(std::move(outputs));
    return absl::OkStatus();
  }

  std::vector<std::vector<kafka::Output>> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  void Observe(Observer observer) {
    absl::MutexLock lock(&mu_);
    observer_ = std::move(observer);
  }
  // Every later Publish fails with `status` (OK to succeed again).
  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_ = std::move(status);
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::vector<kafka::Output>> calls_ ABSL_GUARDED_BY(mu_);
  Observer observer_ ABSL_GUARDED_BY(mu_);
  absl::Status fail_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate::publish

#endif  // SBRGATE_PIPELINE_PLATFORM_PUBLISH_FAKE_PUBLISHER_H_
