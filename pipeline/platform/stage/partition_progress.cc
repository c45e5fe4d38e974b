#include "pipeline/platform/stage/partition_progress.h"

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sbrgate::stage {
namespace {

// "v1;end=+<end - next>;open=+<d>,+<d>...": offsets relative to next(),
// so that the metadata stays short (Kafka brokers keep 4 KiB of it by
// default; a window of records in process needs a few hundred bytes).
constexpr absl::string_view kVersion = "v1";

absl::Status Bad(absl::string_view metadata, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("committed progress '", metadata, "': ", what));
}

bool ParseDelta(absl::string_view text, int64_t* out) {
  return absl::ConsumePrefix(&text, "+") && absl::SimpleAtoi(text, out) && *out > 0;
}

}  // namespace

absl::StatusOr<PartitionProgress> PartitionProgress::Decode(int64_t next,
                                                            absl::string_view metadata) {
  PartitionProgress p(next);
  if (metadata.empty()) return p;
  std::vector<absl::string_view> parts = absl::StrSplit(metadata, ';');
  if (parts.size() != 3 || parts[0] != kVersion) {
    return Bad(metadata, absl::StrCat("expected ", kVersion, ";end=+N;open=..."));
  }
  absl::string_view end = parts[1];
  int64_t span = 0;
  if (!absl::ConsumePrefix(&end, "end=") || !ParseDelta(end, &span)) {
    return Bad(metadata, "end is not =+N with N > 0");
  }
  absl::string_view open = parts[2];
  if (!absl::ConsumePrefix(&open, "open=")) return Bad(metadata, "no open=");
  p.Started(next);
  p.end_ = next + span;
  if (open.empty()) return p;
  for (absl::string_view item : absl::StrSplit(open, ',')) {
    int64_t d = 0;
    if (!ParseDelta(item, &d) || d >= span) {
      return Bad(metadata, absl::StrCat("open offset '", item, "' is not +N with 0 < N < ", span));
    }
    p.started_.insert(next + d);
  }
  return p;
}

void PartitionProgress::Started(int64_t offset) {
  started_.insert(offset);
  end_ = std::max(end_, offset + 1);
}

void PartitionProgress::Finished(int64_t offset) { started_.erase(offset); }

std::string PartitionProgress::Metadata() const {
  const int64_t from = next();
  // Nothing past next() done: every offset after it is started, or none is.
  if (end_ - from == static_cast<int64_t>(started_.size())) return "";
  std::string out = absl::StrCat(kVersion, ";end=+", end_ - from, ";open=");
  bool first = true;
  for (int64_t offset : started_) {
    if (offset == from) continue;
    absl::StrAppend(&out, first ? "+" : ",+", offset - from);
    first = false;
  }
  return out;
}

}  // namespace sbrgate::stage
