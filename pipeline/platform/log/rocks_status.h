// RocksStatus: a RocksDB status as an absl::Status, the one mapping that
// every RocksDB user in sbrgate (the local log, the status view, the
// simulator's state) shares. A full or failing disk, or a database another
// process holds, is Unavailable: nothing was written, and the caller holds
// and retries as it would for an unreachable broker. Corruption is DataLoss;
// anything else Internal.
//
//   if (absl::Status s = RocksStatus(db->Write(w, &batch), "local log: committing"); !s.ok())
//     return s;
#ifndef SBRGATE_PIPELINE_PLATFORM_LOG_ROCKS_STATUS_H_
#define SBRGATE_PIPELINE_PLATFORM_LOG_ROCKS_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace sbrgate::log {

// OK for OK; otherwise "`what`: <RocksDB's message>" with the code above.
absl::Status RocksStatus(const rocksdb::Status& status, absl::string_view what);

}  // namespace sbrgate::log

#endif  // SBRGATE_PIPELINE_PLATFORM_LOG_ROCKS_STATUS_H_
