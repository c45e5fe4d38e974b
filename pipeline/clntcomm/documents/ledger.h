// The retrieve-once ledger: client communications are intended to be
// retrieved once (seed 000, "Constraints"), so sbrgate remembers every
// document it has fetched and serves repeats from its blob store unless the
// caller explicitly asks to refetch.
//
//   absl::StatusOr<std::unique_ptr<RetrievalLedger>> ledger =
//       RetrievalLedger::Open("/var/lib/sbrgate/clntcomm.ledger");
//   if (auto e = (*ledger)->Find(abn, document_id)) return FromStore(e->sha256);
//   ... fetch from SBR, store the blob ...
//   absl::Status s = (*ledger)->Record({abn, document_id, sha256, size, now});
//
// Durability: an append-only text file, one record a line
// (agent_abn, document_id, sha256, size, retrieved_at as RFC 3339, tab
// separated, fields C-escaped), written with one write() and fsync'd before
// Record returns. Open reloads it; a last line without its newline (a write
// torn by a crash) is ignored and cut off so later appends start clean; any
// other malformed line is DATA_LOSS naming path:line. A later record for the
// same (agent_abn, document_id), as after a refetch, replaces the earlier.
// Thread-safe.
#ifndef SBRGATE_PIPELINE_CLNTCOMM_LEDGER_H_
#define SBRGATE_PIPELINE_CLNTCOMM_LEDGER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

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

  // Creates the file if missing.
  static absl::StatusOr<std::unique_ptr<RetrievalLedger>> Open(std::string path);
  ~RetrievalLedger();
  RetrievalLedger(const RetrievalLedger&) = delete;
  RetrievalLedger& operator=(const RetrievalLedger&) = delete;

  std::optional<Entry> Find(absl::string_view agent_abn, absl::string_view document_id) const;

  // Appends and fsyncs. INVALID_ARGUMENT for an empty agent_abn or
  // document_id, a sha256 that is not 64 hex digits, or a negative size.
  absl::Status Record(Entry entry);

  size_t size() const;

 private:
  RetrievalLedger(std::string path, int fd, int64_t file_size);

  const std::string path_;
  mutable absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_);
  int64_t file_size_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::pair<std::string, std::string>, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate::clntcomm

#endif  // SBRGATE_PIPELINE_CLNTCOMM_LEDGER_H_
