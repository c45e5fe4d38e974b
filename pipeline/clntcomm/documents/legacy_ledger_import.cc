#include "pipeline/clntcomm/documents/legacy_ledger_import.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::clntcomm {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

// The fields' syntax; what they may hold is `each`'s to judge, as for a
// new record.
absl::StatusOr<RetrievalLedger::Entry> ParseLine(absl::string_view line) {
  std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
  if (f.size() != 5) return absl::DataLossError(absl::StrCat("expected 5 fields, got ", f.size()));
  RetrievalLedger::Entry e;
  std::string error;
  if (!absl::CUnescape(f[0], &e.agent_abn, &error) ||
      !absl::CUnescape(f[1], &e.document_id, &error)) {
    return absl::DataLossError(absl::StrCat("bad escape: ", error));
  }
  e.sha256 = std::string(f[2]);
  if (!absl::SimpleAtoi(f[3], &e.size))
    return absl::DataLossError(absl::StrCat("bad size \"", f[3], "\""));
  std::string time_error;
  if (!absl::ParseTime(absl::RFC3339_full, f[4], &e.retrieved_at, &time_error))
    return absl::DataLossError(absl::StrCat("bad retrieved_at: ", time_error));
  return e;
}

}  // namespace

absl::Status ImportLegacyLedger(
    const std::string& path,
    absl::FunctionRef<absl::Status(const RetrievalLedger::Entry&)> each,
    absl::FunctionRef<absl::Status()> commit) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return Errno("stat legacy ledger", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Errno("open legacy ledger", path);
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    // getline stops at the end of the file rather than at a newline only on
    // a torn append.
    if (in.eof()) break;
    if (line.empty()) continue;
    absl::StatusOr<RetrievalLedger::Entry> e = ParseLine(line);
    absl::Status s = e.ok() ? each(*e) : e.status();
    if (!s.ok()) return absl::DataLossError(absl::StrCat(path, ":", line_no, ": ", s.message()));
  }
  if (in.bad()) return Errno("read legacy ledger", path);
  if (absl::Status s = commit(); !s.ok()) return s;
  return RenameDurably(path, absl::StrCat(path, ".imported"));
}

}  // namespace sbrgate::clntcomm
