#include "pipeline/platform/stage/runner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/kafka/limits.h"

namespace sbrgate::stage {

std::string GroupId(const std::string& app, const std::string& stage) {
  return absl::StrCat(app, ".", stage);
}

std::string OversizeMessage(const std::string& what, size_t size) {
  return absl::StrCat(what, " is ", size, " bytes; the limit is ", kafka::kMaxMessageBytes,
                      " (large payloads go to the blob store)");
}

absl::Status CheckRunnerOptions(const std::string& stage, const RunnerOptions& options) {
  const std::string where = absl::StrCat("stage ", stage, ": ");
  if (stage.empty()) return absl::InvalidArgumentError("a stage has an empty name");
  if (options.app.empty()) return absl::InvalidArgumentError(where + "the runner's app is empty");
  if (options.instance_id.empty()) {
    return absl::InvalidArgumentError(where + "the runner's instance_id is empty");
  }
  if (options.dead_letter_topic.empty()) {
    return absl::InvalidArgumentError(where + "the runner's dead_letter_topic is empty");
  }
  if (options.retry_min <= absl::ZeroDuration() || options.retry_max < options.retry_min) {
    return absl::InvalidArgumentError(where + "needs 0 < retry_min <= retry_max");
  }
  if (options.max_batch < 1 || options.max_batch_delay < absl::ZeroDuration() ||
      options.linger < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(where +
                                      "needs max_batch >= 1, max_batch_delay >= 0 and linger >= 0");
  }
  if (options.max_in_flight < 1)
    return absl::InvalidArgumentError(where + "needs max_in_flight >= 1");
  return absl::OkStatus();
}

absl::Duration RetryBackoff(const RunnerOptions& options, int attempt) {
  absl::Duration d = options.retry_min;
  for (int i = 1; i < attempt && d < options.retry_max; ++i) d *= 2;
  return std::min(d, options.retry_max);
}

}  // namespace sbrgate::stage
