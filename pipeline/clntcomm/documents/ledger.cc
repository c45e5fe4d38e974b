#include "pipeline/clntcomm/documents/ledger.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "pipeline/clntcomm/documents/ledger_entry.pb.h"
#include "pipeline/clntcomm/documents/legacy_ledger_import.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/log/rocks_status.h"
#include "pipeline/platform/log/view_db.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace sbrgate::clntcomm {
namespace {

// Lookups are by key, one document at a time: a small cache does.
constexpr size_t kCacheBytes = 8 << 20;

absl::Status CheckEntry(const RetrievalLedger::Entry& e) {
  if (e.agent_abn.empty()) return absl::InvalidArgumentError("agent_abn: required");
  if (e.document_id.empty()) return absl::InvalidArgumentError("document_id: required");
  bool hex = e.sha256.size() == 64;
  for (char c : e.sha256) hex = hex && absl::ascii_isxdigit(static_cast<unsigned char>(c));
  if (!hex) {
    return absl::InvalidArgumentError(
        absl::StrCat("sha256: \"", e.sha256, "\" is not 64 hex digits"));
  }
  if (e.size < 0) return absl::InvalidArgumentError("size: negative");
  return absl::OkStatus();
}

// agent_abn's length (4 bytes, big-endian), agent_abn, document_id: no two
// pairs share a key whatever bytes the ids hold.
std::string Key(absl::string_view agent_abn, absl::string_view document_id) {
  std::string k;
  for (int shift = 24; shift >= 0; shift -= 8) {
    k.push_back(static_cast<char>((agent_abn.size() >> shift) & 0xff));
  }
  absl::StrAppend(&k, agent_abn, document_id);
  return k;
}

std::string Value(const RetrievalLedger::Entry& e) {
  LedgerEntry v;
  v.set_sha256(absl::AsciiStrToLower(e.sha256));
  v.set_size(e.size);
  *v.mutable_retrieved_at() = ToProto(e.retrieved_at);
  return v.SerializeAsString();
}

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

}  // namespace

RetrievalLedger::RetrievalLedger(std::string dir, std::unique_ptr<rocksdb::DB> db)
    : dir_(std::move(dir)), db_(std::move(db)) {}

RetrievalLedger::~RetrievalLedger() = default;

absl::StatusOr<std::unique_ptr<RetrievalLedger>> RetrievalLedger::Open(
    const std::string& dir, const std::string& legacy_file) {
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db =
      log::OpenBoundedDb(dir, kCacheBytes, "retrieve-once ledger");
  if (!db.ok()) return db.status();
  std::unique_ptr<RetrievalLedger> ledger(new RetrievalLedger(dir, *std::move(db)));
  if (legacy_file.empty()) return ledger;
  rocksdb::WriteBatch batch;
  absl::Status imported = ImportLegacyLedger(
      legacy_file,
      [&](const Entry& e) -> absl::Status {
        if (absl::Status s = CheckEntry(e); !s.ok()) return s;
        return log::RocksStatus(batch.Put(Key(e.agent_abn, e.document_id), Value(e)),
                                "adding to the import batch");
      },
      [&] {
        return log::RocksStatus(ledger->db_->Write(Synced(), &batch),
                                absl::StrCat(dir, ": importing ", legacy_file));
      });
  if (!imported.ok()) return imported;
  return ledger;
}

absl::StatusOr<std::optional<RetrievalLedger::Entry>> RetrievalLedger::Find(
    absl::string_view agent_abn, absl::string_view document_id) const {
  std::string value;
  rocksdb::Status got = db_->Get(rocksdb::ReadOptions(), Key(agent_abn, document_id), &value);
  if (got.IsNotFound()) return std::nullopt;
  const std::string what =
      absl::StrCat(dir_, ": reading document ", document_id, " of ", agent_abn);
  if (absl::Status s = log::RocksStatus(got, what); !s.ok()) return s;
  LedgerEntry v;
  if (!v.ParseFromString(value)) return absl::DataLossError(what + ": a malformed entry");
  return Entry{std::string(agent_abn), std::string(document_id), v.sha256(), v.size(),
               FromProto(v.retrieved_at())};
}

absl::Status RetrievalLedger::Record(const Entry& entry) {
  if (absl::Status s = CheckEntry(entry); !s.ok()) return s;
  return log::RocksStatus(
      db_->Put(Synced(), Key(entry.agent_abn, entry.document_id), Value(entry)),
      absl::StrCat(dir_, ": recording document ", entry.document_id, " of ", entry.agent_abn));
}

}  // namespace sbrgate::clntcomm
