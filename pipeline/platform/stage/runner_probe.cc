#include "pipeline/platform/stage/runner_probe.h"

#include "absl/strings/str_cat.h"
#include "pipeline/platform/logging/structured_log.h"

namespace sbrgate::stage {
namespace {

logging::Log& RecordFields(logging::Log& log, const kafka::Record& record) {
  return log.Field("topic", record.topic)
      .Field("partition", absl::StrCat(record.partition))
      .Field("offset", absl::StrCat(record.offset))
      .Field("key", record.key);
}

}  // namespace

void RunnerProbe::Retried(const std::string& stage, const kafka::Record& record,
                          const absl::Status& error, int attempt) {
  {
    absl::MutexLock lock(&mu_);
    ++metrics_.retries;
  }
  logging::Log log(logging::Level::kWarning, stage, "retry");
  RecordFields(log, record).Field("attempt", absl::StrCat(attempt)).Error(error);
}

void RunnerProbe::DeadLettered(const std::string& stage, const kafka::Record& record,
                               const absl::Status& error, int attempts) {
  logging::Log log(logging::Level::kError, stage, "dead_letter");
  RecordFields(log, record).Field("attempts", absl::StrCat(attempts)).Error(error);
}

}  // namespace sbrgate::stage
