#include "pipeline/platform/log/view_db.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/log/rocks_status.h"
#include "rocksdb/cache.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"

namespace sbrgate::log {

namespace {

constexpr char kGeneration[] = "g";
constexpr size_t kSequenceBytes = 8;

}  // namespace

absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenBoundedDb(const std::string& dir,
                                                           size_t cache_bytes,
                                                           absl::string_view owner) {
  // 0700 before RocksDB makes it 0755; its files follow the umask.
  if (absl::Status s = MakeDirectoriesDurably(dir); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(owner, ": opening ", dir, ": ", s.message()));
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(cache_bytes);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.write_buffer_size = std::max<size_t>(cache_bytes / 2, 1 << 20);
  rocksdb::DB* raw = nullptr;
  if (absl::Status s = RocksStatus(rocksdb::DB::Open(options, dir, &raw),
                                   absl::StrCat(owner, ": opening ", dir));
      !s.ok()) {
    return s;
  }
  return std::unique_ptr<rocksdb::DB>(raw);
}

absl::StatusOr<ViewDb> ViewDb::Open(const std::string& dir, size_t cache_bytes,
                                    absl::string_view owner) {
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db = OpenBoundedDb(dir, cache_bytes, owner);
  if (!db.ok()) return db.status();
  ViewDb v;
  v.db = *std::move(db);
  rocksdb::Status got = v.db->Get(rocksdb::ReadOptions(), kGeneration, &v.generation);
  if (got.IsNotFound()) {
    v.generation = absl::StrCat(absl::ToUnixMicros(absl::Now()));
    rocksdb::WriteOptions w;
    w.sync = true;
    got = v.db->Put(w, kGeneration, v.generation);
  }
  if (absl::Status s = RocksStatus(got, absl::StrCat(owner, ": its generation")); !s.ok()) {
    return s;
  }
  return v;
}

int64_t ViewDb::LastSequence(char prefix) const {
  std::unique_ptr<rocksdb::Iterator> last(db->NewIterator(rocksdb::ReadOptions()));
  last->SeekForPrev(std::string(1, prefix) + std::string(kSequenceBytes + 1, '\xff'));
  if (!last->Valid() || !last->key().starts_with(std::string(1, prefix)) ||
      last->key().size() < 1 + kSequenceBytes) {
    return 0;
  }
  uint64_t sequence = 0;
  for (size_t i = 1; i <= kSequenceBytes; ++i) {
    sequence = (sequence << 8) | static_cast<uint8_t>(last->key()[i]);
  }
  return static_cast<int64_t>(sequence);
}

std::string SequenceKey(char prefix, int64_t sequence, const std::string& id) {
  std::string k(1, prefix);
  for (int shift = 56; shift >= 0; shift -= 8) {
    k.push_back(static_cast<char>((static_cast<uint64_t>(sequence) >> shift) & 0xff));
  }
  return k + id;
}

std::string IdOfSequenceKey(const std::string& key) {
  return key.size() < 1 + kSequenceBytes ? "" : key.substr(1 + kSequenceBytes);
}

}  // namespace sbrgate::log
