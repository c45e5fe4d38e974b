// ImportLegacyLedger: brings the retrieve-once ledger that an older sbrgate
// kept as a text file (DATA_DIR/clntcomm.ledger) into the RetrievalLedger's
// database (ledger.h), once. The file holds one record a line: agent_abn,
// document_id, sha256, size and retrieved_at (RFC 3339), tab separated,
// fields C-escaped. A last line without its newline (a write torn by a
// crash) is ignored; any other malformed line, or one `each` refuses, is
// DATA_LOSS naming path:line, and nothing is committed.
//
//   rocksdb::WriteBatch batch;
//   absl::Status s = ImportLegacyLedger(
//       path, [&](const RetrievalLedger::Entry& e) { return Add(e, &batch); },
//       [&] { return WriteSynced(&batch); });
//
// Once `commit` succeeds the file is renamed "<path>.imported" and its
// directory synced, so it is never imported again; a crash before the rename
// imports the same entries again, which changes nothing. No file at `path`:
// nothing to do.
#ifndef SBRGATE_PIPELINE_CLNTCOMM_LEGACY_LEDGER_IMPORT_H_
#define SBRGATE_PIPELINE_CLNTCOMM_LEGACY_LEDGER_IMPORT_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "pipeline/clntcomm/documents/ledger.h"

namespace sbrgate::clntcomm {

absl::Status ImportLegacyLedger(
    const std::string& path,
    absl::FunctionRef<absl::Status(const RetrievalLedger::Entry&)> each,
    absl::FunctionRef<absl::Status()> commit);

}  // namespace sbrgate::clntcomm

#endif  // SBRGATE_PIPELINE_CLNTCOMM_LEGACY_LEDGER_IMPORT_H_
