// StatusViewFeeder: for tests, an observer of published outputs that applies
// every StatusChange on the status topic to a StatusView, as the status-view
// stage would, so that a test reads what a service published at once.
//
//   publish::FakePublisher publisher;
//   publisher.Observe(lodgment::StatusViewFeeder(view.get()));
#ifndef SBRGATE_PIPELINE_STP_STATUS_VIEW_FEEDER_H_
#define SBRGATE_PIPELINE_STP_STATUS_VIEW_FEEDER_H_

#include <functional>

#include "absl/status/status.h"
#include "pipeline/platform/kafka/record.h"
#include "pipeline/stp/status/status_view.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::lodgment {

inline std::function<absl::Status(const kafka::Output&)> StatusViewFeeder(StatusView* view) {
  return [view](const kafka::Output& o) {
    if (o.topic != topics::kStatus) return absl::OkStatus();
    events::StatusChange change;
    if (!change.ParseFromString(o.value)) return absl::InternalError("not a StatusChange");
    return view->Apply(change);
  };
}

}  // namespace sbrgate::lodgment

#endif  // SBRGATE_PIPELINE_STP_STATUS_VIEW_FEEDER_H_
