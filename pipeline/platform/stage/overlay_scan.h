// ScanWithOverlay: a range scan of a state store kept in a database, merged
// with the store's changes not yet committed (its overlay), as the stage
// must see them: in key order, the overlay's value winning, its deletions
// hiding the database's entry. Both runners' stores use it (local_stores.h,
// state_stores.h).
//
//   std::map<std::string, std::optional<std::string>> overlay;  // nullopt: deleted
//   absl::Status s = ScanWithOverlay(overlay, from, scan_database, visit);
#ifndef SBRGATE_PIPELINE_STAGE_OVERLAY_SCAN_H_
#define SBRGATE_PIPELINE_STAGE_OVERLAY_SCAN_H_

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"

namespace sbrgate::stage {

// `scan(from, fn)` calls fn(key, value) for the database's entries from
// `from` on, in key order, until fn returns false. `visit` sees the merged
// entries until it returns false. Returns the scan's error.
template <typename Value>
absl::Status ScanWithOverlay(
    const std::map<std::string, std::optional<Value>>& overlay, const std::string& from,
    const std::function<absl::Status(
        const std::string& from,
        const std::function<bool(const std::string& key, const Value& value)>& fn)>& scan,
    const std::function<bool(const std::string& key, const Value& value)>& visit) {
  auto pending = overlay.lower_bound(from);
  bool more = true;
  // Visits the overlay's entries before `key` (all that are left when null);
  // false once `visit` asked to stop.
  auto visit_pending_before = [&](const std::string* key) {
    for (; more && pending != overlay.end() && (key == nullptr || pending->first < *key);
         ++pending) {
      if (pending->second) more = visit(pending->first, *pending->second);
    }
    return more;
  };
  absl::Status s = scan(from, [&](const std::string& key, const Value& value) {
    if (!visit_pending_before(&key)) return false;
    if (pending != overlay.end() && pending->first == key) {
      if (pending->second) more = visit(key, *pending->second);
      ++pending;
    } else {
      more = visit(key, value);
    }
    return more;
  });
  if (!s.ok()) return s;
  visit_pending_before(nullptr);
  return absl::OkStatus();
}

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_OVERLAY_SCAN_H_
