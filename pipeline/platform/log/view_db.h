// ViewDb: the RocksDB a materialized view keeps on disk (the lodgments'
// status view, the CLNTCOMM job view). Opened with a small block cache, so
// a view's memory stays bounded whatever its size, and given a generation
// when its directory is created: a view made afresh reads its topics under
// a new consumer group, from the start. Views list their entries in the
// order they learnt of them, through keys "<prefix><big-endian sequence><id>".
//
//   absl::StatusOr<ViewDb> v = ViewDb::Open(dir, /*cache_bytes=*/32 << 20, "status view");
//   int64_t last = v->LastSequence('c');      // then SequenceKey('c', last + 1, id)
#ifndef SBRGATE_PIPELINE_PLATFORM_LOG_VIEW_DB_H_
#define SBRGATE_PIPELINE_PLATFORM_LOG_VIEW_DB_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"

namespace sbrgate::log {

struct ViewDb {
  // Opens (creating) the database in `dir`; `owner` names it in errors.
  static absl::StatusOr<ViewDb> Open(const std::string& dir, size_t cache_bytes,
                                     absl::string_view owner);
  // The largest sequence of the keys "<prefix><8 bytes>..." (0: none).
  int64_t LastSequence(char prefix) const;

  std::unique_ptr<rocksdb::DB> db;
  std::string generation;
};

// Opens (creating) a RocksDB in `dir` with a block cache of `cache_bytes`,
// so that its memory stays bounded whatever its size (a view, a stage's
// state stores); `owner` names it in errors.
absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenBoundedDb(const std::string& dir,
                                                           size_t cache_bytes,
                                                           absl::string_view owner);

// "<prefix><big-endian sequence><id>": listed in sequence order.
std::string SequenceKey(char prefix, int64_t sequence, const std::string& id);
// The id of such a key.
std::string IdOfSequenceKey(const std::string& key);

}  // namespace sbrgate::log

#endif  // SBRGATE_PIPELINE_PLATFORM_LOG_VIEW_DB_H_
