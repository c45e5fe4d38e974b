#include "pipeline/clntcomm/documents/ledger.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sbrgate::clntcomm {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

bool IsSha256Hex(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string FormatLine(const RetrievalLedger::Entry& e) {
  return absl::StrCat(absl::CEscape(e.agent_abn), "\t", absl::CEscape(e.document_id), "\t",
                      e.sha256, "\t", e.size, "\t",
                      absl::FormatTime(absl::RFC3339_full, e.retrieved_at, absl::UTCTimeZone()),
                      "\n");
}

absl::StatusOr<RetrievalLedger::Entry> ParseLine(absl::string_view line) {
  std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
  if (f.size() != 5) return absl::DataLossError(absl::StrCat("expected 5 fields, got ", f.size()));
  RetrievalLedger::Entry e;
  std::string error;
  if (!absl::CUnescape(f[0], &e.agent_abn, &error) ||
      !absl::CUnescape(f[1], &e.document_id, &error)) {
    return absl::DataLossError(absl::StrCat("bad escape: ", error));
  }
  if (e.agent_abn.empty() || e.document_id.empty())
    return absl::DataLossError("empty agent_abn or document_id");
  if (!IsSha256Hex(f[2])) return absl::DataLossError("sha256 is not 64 hex digits");
  e.sha256 = std::string(f[2]);
  if (!absl::SimpleAtoi(f[3], &e.size) || e.size < 0)
    return absl::DataLossError(absl::StrCat("bad size \"", f[3], "\""));
  std::string time_error;
  if (!absl::ParseTime(absl::RFC3339_full, f[4], &e.retrieved_at, &time_error))
    return absl::DataLossError(absl::StrCat("bad retrieved_at: ", time_error));
  return e;
}

absl::Status SyncParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("open directory", dir);
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return Errno("fsync directory", dir);
  return absl::OkStatus();
}

}  // namespace

RetrievalLedger::RetrievalLedger(std::string path, int fd, int64_t file_size)
    : path_(std::move(path)), fd_(fd), file_size_(file_size) {}

RetrievalLedger::~RetrievalLedger() {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<std::unique_ptr<RetrievalLedger>> RetrievalLedger::Open(std::string path) {
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open ledger", path);
  std::unique_ptr<RetrievalLedger> ledger(new RetrievalLedger(path, fd, 0));
  if (!existed) {
    if (absl::Status s = SyncParentDir(path); !s.ok()) return s;
  }

  std::string content;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("read ledger", path);
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
  }

  // Everything after the last newline is a torn append: drop it so the next
  // record does not get glued onto its tail.
  const size_t last_newline = content.rfind('\n');
  const int64_t complete = last_newline == std::string::npos ? 0 : last_newline + 1;
  if (complete != static_cast<int64_t>(content.size())) {
    if (::ftruncate(fd, complete) != 0) return Errno("truncate torn record", path);
    if (::fsync(fd) != 0) return Errno("fsync ledger", path);
    content.resize(complete);
  }

  absl::MutexLock lock(&ledger->mu_);
  ledger->file_size_ = complete;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n', absl::SkipEmpty())) {
    ++line_no;
    absl::StatusOr<Entry> e = ParseLine(line);
    if (!e.ok()) {
      return absl::DataLossError(absl::StrCat(path, ":", line_no, ": ", e.status().message()));
    }
    auto key = std::make_pair(e->agent_abn, e->document_id);
    ledger->entries_[std::move(key)] = *std::move(e);
  }
  return ledger;
}

std::optional<RetrievalLedger::Entry> RetrievalLedger::Find(absl::string_view agent_abn,
                                                            absl::string_view document_id) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(std::make_pair(std::string(agent_abn), std::string(document_id)));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

size_t RetrievalLedger::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

absl::Status RetrievalLedger::Record(Entry entry) {
  if (entry.agent_abn.empty()) return absl::InvalidArgumentError("agent_abn: required");
  if (entry.document_id.empty()) return absl::InvalidArgumentError("document_id: required");
  if (!IsSha256Hex(entry.sha256)) {
    return absl::InvalidArgumentError(
        absl::StrCat("sha256: \"", entry.sha256, "\" is not 64 hex digits"));
  }
  if (entry.size < 0) return absl::InvalidArgumentError("size: negative");
  entry.sha256 = absl::AsciiStrToLower(entry.sha256);
  const std::string line = FormatLine(entry);

  absl::MutexLock lock(&mu_);
  if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat(path_, ": ledger is broken"));
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::pwrite(fd_, line.data() + written, line.size() - written,
                               file_size_ + static_cast<int64_t>(written));
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status err = Errno("append", path_);
      // Cut the partial record off so the file stays a list of whole lines.
      if (::ftruncate(fd_, file_size_) != 0) {
        ::close(fd_);
        fd_ = -1;
      }
      return err;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) {
    absl::Status err = Errno("fsync", path_);
    // After a failed fsync the page cache state is unknown; refuse further
    // appends rather than claim durability.
    ::close(fd_);
    fd_ = -1;
    return err;
  }
  file_size_ += static_cast<int64_t>(line.size());
  auto key = std::make_pair(entry.agent_abn, entry.document_id);
  entries_[std::move(key)] = std::move(entry);
  return absl::OkStatus();
}

}  // namespace sbrgate::clntcomm
