#include "pipeline/platform/kafka/transactional_producer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sbrgate::kafka {

namespace {

struct ErrorDeleter {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;

struct GroupMetadataDeleter {
  void operator()(rd_kafka_consumer_group_metadata_t* m) const {
    rd_kafka_consumer_group_metadata_destroy(m);
  }
};

bool IsFencing(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
         code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TransactionalProducer>> TransactionalProducer::Create(
    const KafkaConfig& config, const std::string& transactional_id, absl::Duration timeout) {
  if (transactional_id.empty()) {
    return absl::InvalidArgumentError("transactional producer: empty transactional.id");
  }
  std::unique_ptr<TransactionalProducer> producer(
      new TransactionalProducer(config, transactional_id, timeout));
  if (absl::Status s = producer->Init(); !s.ok()) return s;
  return producer;
}

absl::Status TransactionalProducer::Init() {
  const std::string role = absl::StrCat("transactional producer ", transactional_id_);
  absl::StatusOr<ConfPtr> conf =
      BuildConf(config_, RD_KAFKA_PRODUCER, role, /*defaults=*/{{"linger.ms", "5"}},
                /*required=*/
                {{"transactional.id", transactional_id_},
                 {"enable.idempotence", "true"},
                 {"acks", "all"}});
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &TransactionalProducer::OnDelivery);
  rd_kafka_conf_set_opaque(conf->get(), this);
  rk_.reset();
  known_topics_.clear();
  absl::StatusOr<KafkaPtr> rk = NewClient(RD_KAFKA_PRODUCER, *std::move(conf), role);
  if (!rk.ok()) return rk.status();
  rk_ = *std::move(rk);
  const absl::Time deadline = RealNow() + timeout_;
  while (true) {
    ErrorPtr error(rd_kafka_init_transactions(rk_.get(), ToTimeoutMs(deadline - RealNow())));
    if (error == nullptr) return absl::OkStatus();
    const std::string message =
        absl::StrCat(role, ": init_transactions: ", rd_kafka_error_string(error.get()));
    if (rd_kafka_error_is_fatal(error.get())) return absl::InternalError(message);
    if (!rd_kafka_error_is_retriable(error.get()) || RealNow() >= deadline) {
      return absl::UnavailableError(message);
    }
  }
}

absl::Status TransactionalProducer::Reset() { return Init(); }

void TransactionalProducer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message,
                                       void* opaque) {
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR || message->offset < 0) return;
  auto* producer = static_cast<TransactionalProducer*>(opaque);
  int64_t& next = producer->delivered_[{rd_kafka_topic_name(message->rkt), message->partition}];
  next = std::max(next, message->offset + 1);
}

absl::Status TransactionalProducer::Abort(const absl::Status& cause) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    ErrorPtr error(rd_kafka_abort_transaction(rk_.get(), -1));
    if (error == nullptr) return cause;
    const std::string message =
        absl::StrCat("transactional producer ", transactional_id_,
                     ": abort_transaction: ", rd_kafka_error_string(error.get()),
                     " (aborting because: ", cause.message(), ")");
    if (rd_kafka_error_is_fatal(error.get())) {
      char reason[512];
      return IsFencing(rd_kafka_fatal_error(rk_.get(), reason, sizeof(reason)))
                 ? absl::FailedPreconditionError(message)
                 : absl::InternalError(message);
    }
    if (!rd_kafka_error_is_retriable(error.get())) return absl::InternalError(message);
  }
  return absl::InternalError(absl::StrCat("transactional producer ", transactional_id_,
                                          ": abort_transaction kept timing out (aborting because: ",
                                          cause.message(), ")"));
}

absl::Status TransactionalProducer::Fail(rd_kafka_error_t* error, const std::string& what) {
  const std::string message = absl::StrCat("transactional producer ", transactional_id_, ": ",
                                           what, ": ", rd_kafka_error_string(error));
  if (rd_kafka_error_is_fatal(error)) {
    char reason[512];
    if (IsFencing(rd_kafka_fatal_error(rk_.get(), reason, sizeof(reason))) ||
        IsFencing(rd_kafka_error_code(error))) {
      return absl::FailedPreconditionError(
          absl::StrCat(message, " (fenced: a newer instance uses this transactional.id)"));
    }
    return absl::InternalError(message);
  }
  if (rd_kafka_error_txn_requires_abort(error) || rd_kafka_error_is_retriable(error)) {
    return Abort(absl::AbortedError(message));
  }
  // librdkafka's advice: treat errors that are neither abortable nor
  // retriable as fatal.
  return absl::InternalError(message);
}

absl::Status TransactionalProducer::Commit(const std::vector<OutgoingMessage>& messages,
                                           const rd_kafka_topic_partition_list_t* offsets,
                                           rd_kafka_t* consumer) {
  for (const OutgoingMessage& m : messages) {
    if (m.value && m.value->size() > kMaxMessageBytes) {
      return absl::InvalidArgumentError(absl::StrCat("message to topic ", m.topic, " is ",
                                                     m.value->size(), " bytes; the limit is ",
                                                     kMaxMessageBytes));
    }
  }
  if (char reason[512]; rd_kafka_fatal_error(rk_.get(), reason, sizeof(reason))) {
    return absl::InternalError(absl::StrCat("transactional producer ", transactional_id_,
                                            " has a fatal error: ", reason));
  }
  for (const OutgoingMessage& m : messages) {
    if (known_topics_.insert(m.topic).second) WarmTopic(rk_.get(), m.topic, timeout_);
  }
  delivered_.clear();
  if (ErrorPtr error(rd_kafka_begin_transaction(rk_.get())); error != nullptr) {
    return Fail(error.get(), "begin_transaction");
  }
  for (const OutgoingMessage& m : messages) {
    // librdkafka's argument macros cast without parentheses: pass plain values.
    const int32_t partition = m.partition < 0 ? RD_KAFKA_PARTITION_UA : m.partition;
    void* key = m.key.empty() ? nullptr : const_cast<char*>(m.key.data());
    const size_t key_size = m.key.size();
    void* value = m.value ? const_cast<char*>(m.value->data()) : nullptr;
    const size_t value_size = m.value ? m.value->size() : 0;
    while (true) {
      // producev takes the headers only when the message is accepted.
      rd_kafka_headers_t* headers = nullptr;
      if (!m.headers.empty()) {
        headers = rd_kafka_headers_new(m.headers.size());
        for (const auto& [name, header_value] : m.headers) {
          rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()),
                              header_value.data(), static_cast<ssize_t>(header_value.size()));
        }
      }
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk_.get(), RD_KAFKA_V_TOPIC(m.topic.c_str()),
          RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_KEY(key, key_size),
          RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_HEADERS(headers),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (headers != nullptr) rd_kafka_headers_destroy(headers);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk_.get(), 10);
        continue;
      }
      const std::string message =
          absl::StrCat("transactional producer ", transactional_id_, ": producing to ",
                       m.topic, ": ", rd_kafka_err2str(err));
      if (char reason[512]; rd_kafka_fatal_error(rk_.get(), reason, sizeof(reason))) {
        return absl::InternalError(absl::StrCat(message, " (fatal: ", reason, ")"));
      }
      return Abort(err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE
                       ? absl::InvalidArgumentError(message)
                       : absl::AbortedError(message));
    }
  }
  const absl::Time deadline = RealNow() + timeout_;
  if (offsets != nullptr && offsets->cnt > 0) {
    std::unique_ptr<rd_kafka_consumer_group_metadata_t, GroupMetadataDeleter> group(
        rd_kafka_consumer_group_metadata(consumer));
    while (true) {
      ErrorPtr error(rd_kafka_send_offsets_to_transaction(rk_.get(), offsets, group.get(),
                                                          ToTimeoutMs(timeout_)));
      if (error == nullptr) break;
      // Retried with the same offsets and group metadata, as librdkafka asks.
      if (rd_kafka_error_is_retriable(error.get()) && !rd_kafka_error_is_fatal(error.get()) &&
          !rd_kafka_error_txn_requires_abort(error.get()) && RealNow() < deadline) {
        continue;
      }
      return Fail(error.get(), "send_offsets_to_transaction");
    }
  }
  while (true) {
    ErrorPtr error(rd_kafka_commit_transaction(rk_.get(), -1));
    if (error == nullptr) break;
    // A retriable commit error means the commit goes on in the background;
    // calling again resumes it.
    if (rd_kafka_error_is_retriable(error.get()) && !rd_kafka_error_is_fatal(error.get()) &&
        !rd_kafka_error_txn_requires_abort(error.get()) && RealNow() < deadline) {
      continue;
    }
    return Fail(error.get(), "commit_transaction");
  }
  // Serves the delivery reports still queued (delivered()).
  rd_kafka_flush(rk_.get(), ToTimeoutMs(timeout_));
  return absl::OkStatus();
}

}  // namespace sbrgate::kafka
