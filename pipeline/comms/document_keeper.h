// DocumentKeeper: where retrieved client communications go. Each document's
// bytes land in the blob store under their SHA-256, a record of what it is
// (a CommunicationRetrieved, also a blob) beside them, and the
// retrieve-once ledger remembers both, so a second request for the same
// document is served from the store without asking SBR (seed 000: documents
// are retrieved once).
//
//   DocumentKeeper keeper(&blobs, &ledger);
//   if (std::optional<v1::Communication> c = keeper.FromStore(abn, id)) return *c;
//   ... fetch from SBR ...
//   absl::StatusOr<KeptDocument> kept = keeper.Keep(abn, entry, now, job_id);
//   publish kept->event;   // topics::kDocuments, for downstream software
//
// Order of writes: content, record, ledger (fsync'd). A crash in between
// leaves orphan blobs, never a ledger entry without its blobs.
#ifndef SBRGATE_PIPELINE_COMMS_DOCUMENT_KEEPER_H_
#define SBRGATE_PIPELINE_COMMS_DOCUMENT_KEEPER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/blob/blob_store.h"
#include "pipeline/clntcomm/ledger.h"
#include "pipeline/clntcomm/wire.h"
#include "pipeline/stage/stage.h"
#include "proto/communications.pb.h"

namespace sbrgate::comms {

struct KeptDocument {
  v1::Communication communication;
  stage::Output event;  // a CommunicationRetrieved on topics::kDocuments
};

class DocumentKeeper {
 public:
  // Both must outlive the keeper.
  DocumentKeeper(const blob::BlobStore* blobs, clntcomm::RetrievalLedger* ledger)
      : blobs_(blobs), ledger_(ledger) {}

  // The document as retrieved before by practice `agent_abn`, or nullopt.
  // A ledger entry whose blobs are gone counts as not retrieved (and is
  // fetched again).
  std::optional<v1::Communication> FromStore(const std::string& agent_abn,
                                             const std::string& document_id) const;

  // Stores a document SBR returned and records it in the ledger.
  absl::StatusOr<KeptDocument> Keep(const std::string& agent_abn,
                                    const clntcomm::ResponseEntry& entry, absl::Time now,
                                    const std::string& job_id);

  // The bytes of document `document_id` as practice `agent_abn` retrieved
  // it (NotFound otherwise: a practice never reads another's documents).
  absl::StatusOr<std::unique_ptr<ByteSource>> OpenContent(const std::string& agent_abn,
                                                         const std::string& document_id) const;

  const blob::BlobStore& blobs() const { return *blobs_; }

 private:
  const blob::BlobStore* blobs_;
  clntcomm::RetrievalLedger* ledger_;
};

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_COMMS_DOCUMENT_KEEPER_H_
