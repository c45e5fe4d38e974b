// RetrievalLedger: the retrieve-once ledger. Client communications are
// intended to be retrieved once (seed 000, "Constraints"), so sbrgate
// remembers every document each practice has fetched and serves repeats from
// its blob store unless the caller explicitly asks to refetch.
//
//   absl::StatusOr<std::unique_ptr<RetrievalLedger>> ledger = RetrievalLedger::Open(
//       "/var/lib/sbrgate/clntcomm-ledger", "/var/lib/sbrgate/clntcomm.ledger");
//   absl::StatusOr<std::optional<RetrievalLedger::Entry>> e = (*ledger)->Find(abn, document_id);
//   if (e.ok() && e->has_value()) return FromStore((*e)->sha256);
//   ... fetch from SBR, store the blob ...
//   absl::Status s = (*ledger)->Record({abn, document_id, sha256, size, now});
//
// It lives on disk, in a RocksDB of its own opened with a small block cache,
// so Open reads nothing and memory stays bounded whatever the number of
// documents: one key per (agent_abn, document_id), its value a LedgerEntry
// (ledger_entry.proto). Record is a synced write, durable before it
// returns; a later record for the same (agent_abn, document_id), as after a
// refetch, replaces the earlier. A full or failing disk is Unavailable.
// Thread-safe.
//
// Upgrading: an older sbrgate kept the ledger in a text file; Open imports
// it once (legacy_ledger_import.h) and renames it "<file>.imported".
#ifndef SBRGATE_PIPELINE_CLNTCOMM_LEDGER_H_
#define SBRGATE_PIPELINE_CLNTCOMM_LEDGER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace sbrgate::clntcomm {

class RetrievalLedger {
 public:
  struct Entry {
    std::string agent_abn;
    std::string document_id;
    std::string sha256;  // 64 lowercase hex digits: the blob in sbrgate's store
    int64_t size = 0;
    absl::Time retrieved_at;
  };

  // Opens (creating) the ledger in directory `dir`, first importing the
  // legacy text file `legacy_file` if one is there.
  static absl::StatusOr<std::unique_ptr<RetrievalLedger>> Open(
      const std::string& dir, const std::string& legacy_file = "");
  ~RetrievalLedger();
  RetrievalLedger(const RetrievalLedger&) = delete;
  RetrievalLedger& operator=(const RetrievalLedger&) = delete;

  // nullopt when the document was never recorded. A read that fails is an
  // error (Unavailable for a failing disk), not "never retrieved": the
  // caller holds rather than fetch a document a second time.
  absl::StatusOr<std::optional<Entry>> Find(absl::string_view agent_abn,
                                            absl::string_view document_id) const;

  // Writes and syncs. INVALID_ARGUMENT for an empty agent_abn or
  // document_id, a sha256 that is not 64 hex digits, or a negative size.
  absl::Status Record(const Entry& entry);

 private:
  RetrievalLedger(std::string dir, std::unique_ptr<rocksdb::DB> db);

  const std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace sbrgate::clntcomm

#endif  // SBRGATE_PIPELINE_CLNTCOMM_LEDGER_H_
