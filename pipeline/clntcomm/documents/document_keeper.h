// DocumentKeeper: where retrieved client communications go. Each document's
// bytes land in the blob store under their SHA-256, a record of what it is
// (a CommunicationRetrieved, also a blob) beside them, and the
// retrieve-once ledger remembers both, so a second request for the same
// document is served from the store without asking SBR (seed 000: documents
// are retrieved once).
//
//   DocumentKeeper keeper(&blobs, &ledger);
//   absl::StatusOr<std::optional<v1::Communication>> c = keeper.FromStore(abn, id);
//   if (!c.ok()) return c.status();
//   if (*c) return **c;
//   ... fetch from SBR ...
//   absl::StatusOr<KeptDocument> kept = keeper.Store(abn, entry, now, job_id);
//   publish kept->event;   // topics::kDocuments, for downstream software
//   keeper.Remember(*kept);
//
// Order: content and record blobs, then the event, then the ledger
// (a synced write). The ledger is last so that a document is never served from the
// store without its event having gone out: if publishing fails, the next
// request fetches it again (a second retrieval in a broker outage rather
// than an event lost); if remembering fails, the next request publishes a
// second event for the same document id and bytes (downstream keys by
// document id). A crash leaves at worst orphan blobs.
#ifndef SBRGATE_PIPELINE_COMMS_DOCUMENT_KEEPER_H_
#define SBRGATE_PIPELINE_COMMS_DOCUMENT_KEEPER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/clntcomm/documents/ledger.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/stage/stage.h"
#include "proto/communications.pb.h"

namespace sbrgate::comms {

struct KeptDocument {
  v1::Communication communication;
  stage::Output event;  // a CommunicationRetrieved on topics::kDocuments
  clntcomm::RetrievalLedger::Entry ledger_entry;
};

class DocumentKeeper {
 public:
  // Both must outlive the keeper.
  DocumentKeeper(const blob::BlobStore* blobs, clntcomm::RetrievalLedger* ledger)
      : blobs_(blobs), ledger_(ledger) {}

  // The document as retrieved before by practice `agent_abn`, or nullopt.
  // A ledger entry whose blobs are gone counts as not retrieved (and is
  // fetched again); a ledger that cannot be read is an error.
  absl::StatusOr<std::optional<v1::Communication>> FromStore(const std::string& agent_abn,
                                                             const std::string& document_id) const;

  // Stores a document SBR returned (its bytes and what it is).
  absl::StatusOr<KeptDocument> Store(const std::string& agent_abn,
                                     const clntcomm::ResponseEntry& entry, absl::Time now,
                                     const std::string& job_id);
  // Records a stored document in the retrieve-once ledger, once its event
  // is on its way.
  absl::Status Remember(const KeptDocument& kept);

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
