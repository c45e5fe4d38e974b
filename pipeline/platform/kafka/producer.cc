#include "pipeline/platform/kafka/producer.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace sbrgate::kafka {

namespace {

// One Produce call's outcome, filled in by the delivery report.
struct Delivery {
  absl::Notification done;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  auto* delivery = static_cast<Delivery*>(message->_private);
  delivery->err = message->err;
  delivery->done.Notify();
}

absl::Status DeliveryStatus(rd_kafka_resp_err_t err, const std::string& topic) {
  const std::string message = absl::StrCat("producing to ", topic, ": ", rd_kafka_err2str(err));
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return absl::OkStatus();
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return absl::NotFoundError(message);
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      return absl::InvalidArgumentError(message);
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const KafkaConfig& config,
                                                           ProducerOptions options) {
  std::unique_ptr<Producer> producer(new Producer(std::move(options)));
  if (!producer->options_.transactional_id.empty()) {
    absl::StatusOr<std::unique_ptr<TransactionalProducer>> txn = TransactionalProducer::Create(
        config, producer->options_.transactional_id, producer->options_.timeout);
    if (!txn.ok()) return txn.status();
    absl::MutexLock lock(&producer->mu_);
    producer->txn_ = *std::move(txn);
    return producer;
  }
  absl::StatusOr<ConfPtr> conf =
      BuildConf(config, RD_KAFKA_PRODUCER, "producer",
                /*defaults=*/
                {{"linger.ms", "5"},
                 {"message.timeout.ms", std::to_string(ToTimeoutMs(producer->options_.timeout))}},
                /*required=*/{{"enable.idempotence", "true"}, {"acks", "all"}});
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(conf->get(), OnDelivery);
  absl::StatusOr<KafkaPtr> rk = NewClient(RD_KAFKA_PRODUCER, *std::move(conf), "producer");
  if (!rk.ok()) return rk.status();
  producer->rk_ = *std::move(rk);
  return producer;
}

Producer::~Producer() {
  if (rk_ != nullptr) rd_kafka_flush(rk_.get(), ToTimeoutMs(options_.timeout));
}

absl::Status Producer::CheckSizes(const std::vector<Output>& outputs) const {
  for (const Output& o : outputs) {
    if (o.value.size() > kMaxMessageBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("value for topic ", o.topic, " is ", o.value.size(),
                       " bytes; the limit is ", kMaxMessageBytes,
                       " (large payloads go to the blob store)"));
    }
  }
  return absl::OkStatus();
}

absl::Status Producer::Produce(const std::string& topic, const std::string& key,
                               const std::string& value) {
  if (rk_ == nullptr) return ProduceAll({{topic, key, value}});
  if (absl::Status s = CheckSizes({{topic, key, value}}); !s.ok()) return s;
  bool known;
  {
    absl::MutexLock lock(&mu_);
    known = !known_topics_.insert(topic).second;
  }
  if (!known) WarmTopic(rk_.get(), topic, options_.timeout);
  Delivery delivery;
  // librdkafka's argument macros cast without parentheses: pass plain values.
  void* key_data = key.empty() ? nullptr : const_cast<char*>(key.data());
  const size_t key_size = key.size();
  void* value_data = const_cast<char*>(value.data());
  const size_t value_size = value.size();
  while (true) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key_data, key_size),
        RD_KAFKA_V_VALUE(value_data, value_size),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&delivery), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return DeliveryStatus(err, topic);
    rd_kafka_poll(rk_.get(), 10);
  }
  // Any caller's poll may serve this record's delivery report; each waits
  // for its own. message.timeout.ms guarantees a report.
  while (!delivery.done.HasBeenNotified()) rd_kafka_poll(rk_.get(), 50);
  return DeliveryStatus(delivery.err, topic);
}

absl::Status Producer::ProduceAll(const std::vector<Output>& outputs) {
  if (absl::Status s = CheckSizes(outputs); !s.ok()) return s;
  std::shared_ptr<CommitGroup> group;
  {
    absl::MutexLock lock(&group_mu_);
    if (open_group_ == nullptr) open_group_ = std::make_shared<CommitGroup>();
    group = open_group_;
    for (const Output& o : outputs) group->messages.push_back({o.topic, -1, o.key, o.value});
    // Committed by another caller, or this one commits its group: the first
    // of the group to find no transaction in progress.
    auto turn = [&]() ABSL_SHARED_LOCKS_REQUIRED(group_mu_) {
      return group->done || (!committing_ && open_group_ == group);
    };
    group_mu_.Await(absl::Condition(&turn));
    if (group->done) return group->status;
    committing_ = true;
    open_group_ = nullptr;
  }
  const absl::Status status = Commit(group->messages);
  absl::MutexLock lock(&group_mu_);
  group->status = status;
  group->done = true;
  committing_ = false;
  if (status.ok()) ++transactions_;
  return status;
}

absl::Status Producer::Commit(const std::vector<OutgoingMessage>& messages) {
  absl::MutexLock lock(&mu_);
  if (txn_ == nullptr) {
    return absl::FailedPreconditionError(
        "ProduceAll needs a transactional producer (ProducerOptions::transactional_id)");
  }
  if (!fenced_.ok()) return fenced_;
  absl::Status status;
  for (int attempt = 0; attempt < 3; ++attempt) {
    status = txn_->Commit(messages);
    if (status.ok() || absl::IsInvalidArgument(status)) return status;
    if (absl::IsFailedPrecondition(status)) {
      fenced_ = status;
      return status;
    }
    if (absl::IsInternal(status)) {
      if (absl::Status reset = txn_->Reset(); !reset.ok()) return reset;
    }
  }
  return absl::UnavailableError(
      absl::StrCat("transaction not committed after 3 attempts: ", status.message()));
}

}  // namespace sbrgate::kafka
