#include "pipeline/platform/stage/dead_letter.h"

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/kafka/limits.h"

namespace sbrgate::stage {

kafka::Output DeadLetterRecord(const std::string& dead_letter_topic, const std::string& stage,
                               const kafka::Record& record, const absl::Status& error,
                               int attempts, absl::Time at) {
  events::DeadLetter dl;
  dl.set_stage(stage);
  dl.set_topic(record.topic);
  dl.set_partition(record.partition);
  dl.set_offset(record.offset);
  dl.set_key(record.key);
  dl.set_value(record.value);
  dl.set_error(error.ToString());
  dl.set_error_code(absl::StatusCodeToString(error.code()));
  dl.set_attempts(attempts);
  *dl.mutable_at() = ToProto(at);
  std::string value = dl.SerializeAsString();
  if (value.size() > kafka::kMaxMessageBytes) {
    dl.clear_value();
    dl.set_error(absl::StrCat(dl.error(), " (the record's ", record.value.size(),
                              "-byte value is left out: read it at its offset)"));
    value = dl.SerializeAsString();
  }
  kafka::Output out{dead_letter_topic, record.key, std::move(value)};
  out.headers = {
      {kDltOriginalTopic, record.topic},
      {kDltOriginalPartition, absl::StrCat(record.partition)},
      {kDltOriginalOffset, absl::StrCat(record.offset)},
      {kDltOriginalTimestamp, absl::StrCat(absl::ToUnixMillis(record.timestamp))},
      {kDltExceptionFqcn, absl::StatusCodeToString(error.code())},
      {kDltExceptionMessage, std::string(error.message())},
      {kDltStage, stage},
      {kDltAttempts, absl::StrCat(attempts)},
  };
  return out;
}

absl::StatusOr<events::DeadLetter> ParseDeadLetter(const std::string& value) {
  events::DeadLetter dl;
  if (!dl.ParseFromString(value) || dl.topic().empty()) {
    return absl::DataLossError("a dead-letter record's value is not a DeadLetter");
  }
  return dl;
}

}  // namespace sbrgate::stage
