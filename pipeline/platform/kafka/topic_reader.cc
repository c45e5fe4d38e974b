#include "pipeline/platform/kafka/topic_reader.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"

namespace sbrgate::kafka {

namespace {

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

std::string Where(const std::string& topic, int32_t partition) {
  return absl::StrCat("topic ", topic, " partition ", partition);
}

bool IsOffsetLost(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
         err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE;
}

}  // namespace

TopicRecord ToTopicRecord(const rd_kafka_message_t& message) {
  TopicRecord record;
  record.topic = rd_kafka_topic_name(message.rkt);
  record.partition = message.partition;
  record.offset = message.offset;
  if (message.key != nullptr) {
    record.key.assign(static_cast<const char*>(message.key), message.key_len);
  }
  if (message.payload != nullptr) {
    record.value.assign(static_cast<const char*>(message.payload), message.len);
  } else {
    record.tombstone = true;
  }
  rd_kafka_timestamp_type_t type;
  const int64_t ms = rd_kafka_message_timestamp(&message, &type);
  record.timestamp = ms >= 0 ? absl::FromUnixMillis(ms) : absl::UnixEpoch();
  rd_kafka_headers_t* headers = nullptr;  // owned by the message
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      record.headers.emplace_back(name, value != nullptr
                                            ? std::string(static_cast<const char*>(value), size)
                                            : std::string());
    }
  }
  return record;
}

absl::StatusOr<std::unique_ptr<TopicReader>> TopicReader::Create(const KafkaConfig& config,
                                                                 absl::Duration timeout) {
  absl::StatusOr<ConfPtr> conf =
      BuildConf(config, RD_KAFKA_CONSUMER, "topic reader",
                // Never joins or commits for this group; librdkafka's
                // consumer wants one all the same.
                /*defaults=*/{{"group.id", "sbrgate.topic-reader"}},
                /*required=*/
                {{"enable.auto.commit", "false"},
                 {"enable.auto.offset.store", "false"},
                 {"enable.partition.eof", "true"},
                 {"auto.offset.reset", "error"},
                 {"isolation.level", "read_committed"}});
  if (!conf.ok()) return conf.status();
  absl::StatusOr<KafkaPtr> rk = NewClient(RD_KAFKA_CONSUMER, *std::move(conf), "topic reader");
  if (!rk.ok()) return rk.status();
  rd_kafka_poll_set_consumer(rk->get());
  return std::unique_ptr<TopicReader>(new TopicReader(*std::move(rk), timeout));
}

absl::StatusOr<int> TopicReader::PartitionCount(const std::string& topic) {
  // Lists all topics: asking about one by name makes brokers that auto-create
  // topics (the embedded cluster, which ignores allow.auto.create.topics)
  // create it.
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk_.get(), 1, nullptr, &metadata, ToTimeoutMs(timeout_));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("metadata for topic ", topic, ": ", rd_kafka_err2str(err)));
  }
  absl::StatusOr<int> count = absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist"));
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic != t.topic) continue;
    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0) {
      count = t.partition_cnt;
    } else if (t.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      count = absl::UnavailableError(
          absl::StrCat("metadata for topic ", topic, ": ", rd_kafka_err2str(t.err)));
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return count;
}

absl::StatusOr<Watermarks> TopicReader::GetWatermarks(const std::string& topic,
                                                      int32_t partition) {
  Watermarks w;
  const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      rk_.get(), topic.c_str(), partition, &w.low, &w.high, ToTimeoutMs(timeout_));
  if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
      err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
    return absl::NotFoundError(absl::StrCat(Where(topic, partition), " does not exist"));
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("watermarks of ", Where(topic, partition), ": ", rd_kafka_err2str(err)));
  }
  return w;
}

void TopicReader::Unassign() { rd_kafka_assign(rk_.get(), nullptr); }

absl::StatusOr<TopicRecord> TopicReader::ReadAt(const std::string& topic, int32_t partition,
                                                int64_t offset) {
  absl::StatusOr<Watermarks> w = GetWatermarks(topic, partition);
  if (!w.ok()) return w.status();
  if (offset < w->low) {
    return absl::DataLossError(absl::StrCat("records were lost: ", Where(topic, partition),
                                            " starts at offset ", w->low, "; offset ", offset,
                                            " is gone"));
  }
  if (offset >= w->high) {
    return absl::NotFoundError(absl::StrCat("no record at offset ", offset, " of ",
                                            Where(topic, partition), " (it ends at ", w->high,
                                            ")"));
  }
  TopicPartitionListPtr list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = offset;
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list.get()); err) {
    return absl::InternalError(absl::StrCat("assigning ", Where(topic, partition), ": ",
                                            rd_kafka_err2str(err)));
  }
  const absl::Time deadline = RealNow() + timeout_;
  absl::StatusOr<TopicRecord> result = absl::DeadlineExceededError(
      absl::StrCat("no record from ", Where(topic, partition), " within ",
                   absl::FormatDuration(timeout_)));
  while (RealNow() < deadline) {
    MessagePtr m(rd_kafka_consumer_poll(rk_.get(), 100));
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->offset == offset) {
        result = ToTopicRecord(*m);
      } else {
        result = absl::NotFoundError(absl::StrCat("no record at offset ", offset, " of ",
                                                  Where(topic, partition),
                                                  " (a transaction marker or aborted record)"));
      }
      break;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      result = absl::NotFoundError(
          absl::StrCat("no record at offset ", offset, " of ", Where(topic, partition)));
      break;
    }
    if (IsOffsetLost(m->err)) {
      result = absl::DataLossError(absl::StrCat("records were lost: ", Where(topic, partition),
                                                ": ", rd_kafka_message_errstr(m.get())));
      break;
    }
  }
  Unassign();
  return result;
}

absl::Status TopicReader::ReadAll(const std::string& topic, const Visitor& visit) {
  absl::StatusOr<int> count = PartitionCount(topic);
  if (!count.ok()) return count.status();
  std::vector<PartitionStart> partitions;
  for (int32_t p = 0; p < *count; ++p) partitions.push_back({topic, p});
  return ReadPartitions(partitions, visit);
}

absl::Status TopicReader::ReadPartitions(const std::vector<PartitionStart>& partitions,
                                         const Visitor& visit) {
  // Last offset to deliver per partition: the end as of now.
  std::map<std::pair<std::string, int32_t>, int64_t> last;
  TopicPartitionListPtr list(rd_kafka_topic_partition_list_new(partitions.size()));
  for (const auto& [topic, partition, from] : partitions) {
    absl::StatusOr<Watermarks> w = GetWatermarks(topic, partition);
    if (!w.ok()) return w.status();
    if (w->low > from) {
      return absl::DataLossError(absl::StrCat("records were lost: ", Where(topic, partition),
                                              " starts at offset ", w->low, ", not ", from));
    }
    if (w->high <= from) continue;
    last[{topic, partition}] = w->high - 1;
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = from;
  }
  if (last.empty()) return absl::OkStatus();
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list.get()); err) {
    return absl::InternalError(absl::StrCat("assigning partitions: ", rd_kafka_err2str(err)));
  }
  absl::Status status;
  absl::Time deadline = RealNow() + timeout_;
  while (!last.empty()) {
    if (RealNow() >= deadline) {
      status = absl::DeadlineExceededError(
          absl::StrCat("reading ", Where(last.begin()->first.first, last.begin()->first.second),
                       ": no progress for ", absl::FormatDuration(timeout_)));
      break;
    }
    MessagePtr m(rd_kafka_consumer_poll(rk_.get(), 100));
    if (m == nullptr) continue;
    const std::string topic = m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "";
    const auto key = std::make_pair(topic, m->partition);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      last.erase(key);
      continue;
    }
    if (IsOffsetLost(m->err)) {
      status = absl::DataLossError(absl::StrCat("records were lost: ",
                                                Where(topic, m->partition), ": ",
                                                rd_kafka_message_errstr(m.get())));
      break;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // transient; librdkafka retries
    auto it = last.find(key);
    if (it == last.end()) continue;  // already read to its end
    deadline = RealNow() + timeout_;
    if (m->offset > it->second) {  // written after the read began
      last.erase(it);
      continue;
    }
    if (m->offset == it->second) last.erase(it);
    status = visit(ToTopicRecord(*m));
    if (!status.ok()) break;
  }
  Unassign();
  return status;
}

}  // namespace sbrgate::kafka
