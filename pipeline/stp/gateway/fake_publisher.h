// FakePublisher: a Publisher for tests that records every Publish call and,
// when given a StatusView, applies the status changes to it as the
// status-view stage would (so reads see what was published at once).
//
//   FakePublisher publisher;
//   publisher.FeedView(&view);
//   ... service under test publishes ...
//   publisher.calls();                        // each call's outputs, in order
//   publisher.Fail(absl::UnavailableError("broker down"));
#ifndef SBRGATE_PIPELINE_GATEWAY_FAKE_PUBLISHER_H_
#define SBRGATE_PIPELINE_GATEWAY_FAKE_PUBLISHER_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/stp/gateway/publisher.h"
#include "pipeline/stp/status/status_view.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::gateway {

class FakePublisher : public Publisher {
 public:
  absl::Status Publish(std::vector<stage::Output> outputs) override {
    absl::MutexLock lock(&mu_);
    if (!fail_.ok()) return fail_;
    if (view_ != nullptr) {
      for (const stage::Output& o : outputs) {
        if (o.topic != lodgment::topics::kStatus) continue;
        events::StatusChange change;
        if (!change.ParseFromString(o.value)) return absl::InternalError("not a StatusChange");
        if (absl::Status s = view_->Apply(change); !s.ok()) return s;
      }
    }
    calls_.push_back(std::move(outputs));
    return absl::OkStatus();
  }

  std::vector<std::vector<stage::Output>> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  void FeedView(lodgment::StatusView* view) {
    absl::MutexLock lock(&mu_);
    view_ = view;
  }
  // Every later Publish fails with `status` (OK to succeed again).
  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_ = std::move(status);
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::vector<stage::Output>> calls_ ABSL_GUARDED_BY(mu_);
  lodgment::StatusView* view_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Status fail_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate::gateway

#endif  // SBRGATE_PIPELINE_GATEWAY_FAKE_PUBLISHER_H_
