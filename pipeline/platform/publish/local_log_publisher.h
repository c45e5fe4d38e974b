// LocalLogPublisher: the Publisher on the durable local log (the embedded
// default): each Publish is one LogTransaction, so one fsynced write batch.
// A full or failing disk answers Unavailable and nothing is written.
//
//   publish::LocalLogPublisher publisher(log.get());
//   absl::Status s = publisher.Publish({{topics::kStatus, id, change}, ...});
#ifndef SBRGATE_PIPELINE_PLATFORM_PUBLISH_LOCAL_LOG_PUBLISHER_H_
#define SBRGATE_PIPELINE_PLATFORM_PUBLISH_LOCAL_LOG_PUBLISHER_H_

#include <utility>
#include <vector>

#include "pipeline/platform/log/local_log.h"
#include "pipeline/platform/publish/publisher.h"

namespace sbrgate::publish {

class LocalLogPublisher : public Publisher {
 public:
  // `log` must outlive the publisher.
  explicit LocalLogPublisher(log::LocalLog* log) : log_(log) {}

  absl::Status Publish(std::vector<kafka::Output> outputs) override {
    log::LogTransaction tx;
    for (kafka::Output& o : outputs) {
      tx.Append({std::move(o.topic), std::move(o.key), std::move(o.value), std::move(o.headers)});
    }
    return log_->Commit(tx);
  }

 private:
  log::LocalLog* const log_;
};

}  // namespace sbrgate::publish

#endif  // SBRGATE_PIPELINE_PLATFORM_PUBLISH_LOCAL_LOG_PUBLISHER_H_
