#include "pipeline/clntcomm/documents/document_keeper.h"

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/mask.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::comms {

absl::StatusOr<std::optional<v1::Communication>> DocumentKeeper::FromStore(
    const std::string& agent_abn, const std::string& document_id) const {
  absl::StatusOr<std::optional<clntcomm::RetrievalLedger::Entry>> entry =
      ledger_->Find(agent_abn, document_id);
  if (!entry.ok()) return entry.status();
  if (!*entry) return std::nullopt;
  absl::StatusOr<std::string> record = blobs_->ReadString((*entry)->sha256);
  v1::CommunicationRetrieved retrieved;
  if (!record.ok() || !retrieved.ParseFromString(*record) ||
      !blobs_->Exists(retrieved.sha256())) {
    return std::nullopt;
  }
  v1::Communication c;
  *c.mutable_item() = retrieved.item();
  c.set_sha256(retrieved.sha256());
  c.set_size(retrieved.size());
  c.set_served_from_store(true);
  return c;
}

absl::StatusOr<KeptDocument> DocumentKeeper::Store(const std::string& agent_abn,
                                                   const clntcomm::ResponseEntry& entry,
                                                   absl::Time now, const std::string& job_id) {
  const v1::CommunicationItem& item = entry.document.item;
  absl::StatusOr<blob::BlobId> content = blobs_->PutString(entry.document.content);
  if (!content.ok()) return content.status();
  if (!entry.sha256.empty() && entry.sha256 != content->sha256) {
    return absl::DataLossError(absl::StrCat("document ", item.document_id(), " has SHA-256 ",
                                            content->sha256, ", SBR stated ", entry.sha256));
  }
  v1::CommunicationRetrieved retrieved;
  retrieved.set_agent_abn(agent_abn);
  *retrieved.mutable_item() = item;
  retrieved.set_sha256(content->sha256);
  retrieved.set_size(content->size);
  retrieved.set_mime_type(entry.document.mime_type);
  *retrieved.mutable_retrieved_at() = ToProto(now);
  retrieved.set_job_id(job_id);
  const std::string serialized = retrieved.SerializeAsString();
  absl::StatusOr<blob::BlobId> record = blobs_->PutString(serialized);
  if (!record.ok()) return record.status();
  KeptDocument kept;
  kept.ledger_entry = {agent_abn, item.document_id(), record->sha256, content->size, now};
  *kept.communication.mutable_item() = item;
  kept.communication.set_sha256(content->sha256);
  kept.communication.set_size(content->size);
  // The event is for downstream software: the client's TFN goes masked
  // (the practice has it; the topic need not).
  v1::CommunicationRetrieved event = retrieved;
  if (event.item().client().type() == v1::TFN) {
    event.mutable_item()->mutable_client()->set_value(MaskIdentifier(item.client().value()));
  }
  kept.event = {topics::kDocuments, item.document_id(), event.SerializeAsString()};
  return kept;
}

absl::Status DocumentKeeper::Remember(const KeptDocument& kept) {
  return ledger_->Record(kept.ledger_entry);
}

absl::StatusOr<std::unique_ptr<ByteSource>> DocumentKeeper::OpenContent(
    const std::string& agent_abn, const std::string& document_id) const {
  absl::StatusOr<std::optional<v1::Communication>> c = FromStore(agent_abn, document_id);
  if (!c.ok()) return c.status();
  if (!*c) {
    return absl::NotFoundError(absl::StrCat("practice ", agent_abn,
                                            " has not retrieved document ", document_id));
  }
  return blobs_->Open((*c)->sha256());
}

}  // namespace sbrgate::comms
