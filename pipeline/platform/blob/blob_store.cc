#include "pipeline/platform/blob/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::blob {
namespace {

absl::Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", dir));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return absl::ErrnoToStatus(errno, absl::StrCat("fsync ", dir));
  return absl::OkStatus();
}

bool IsSha256Hex(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

std::string Directory(const std::string& root, absl::string_view sha) {
  return absl::StrCat(root, "/", sha.substr(0, 2), "/", sha.substr(2, 2));
}

}  // namespace

absl::StatusOr<std::unique_ptr<BlobStore>> BlobStore::Create(std::string root) {
  if (absl::Status s = MakeDirectoriesDurably(root + "/tmp"); !s.ok()) return s;
  return std::unique_ptr<BlobStore>(new BlobStore(std::move(root)));
}

BlobStore::Writer::~Writer() {
  if (f_ != nullptr) {
    std::fclose(f_);
    std::remove(tmp_path_.c_str());
  }
}

absl::Status BlobStore::Writer::OpenFile() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  tmp_path_ = absl::StrCat(store_->root_, "/tmp/", ::getpid(), "-", rng(), ".part");
  // Payloads hold TFNs: readable by the service user alone.
  const int fd = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot create ", tmp_path_));
  f_ = ::fdopen(fd, "wb");
  if (f_ == nullptr) {
    const absl::Status s = absl::ErrnoToStatus(errno, absl::StrCat("cannot create ", tmp_path_));
    ::close(fd);
    std::remove(tmp_path_.c_str());
    return s;
  }
  if (std::fwrite(held_.data(), 1, held_.size(), f_) != held_.size()) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", tmp_path_));
  }
  std::string().swap(held_);
  return absl::OkStatus();
}

absl::Status BlobStore::Writer::Write(absl::string_view bytes) {
  if (committed_) return absl::FailedPreconditionError("blob writer already committed");
  hash_.Update(bytes);
  size_ += static_cast<int64_t>(bytes.size());
  if (f_ == nullptr) {
    if (placement_ == Placement::kInlineIfSmall && size_ <= kMaxInlineBytes) {
      held_.append(bytes.data(), bytes.size());
      return absl::OkStatus();
    }
    if (absl::Status s = OpenFile(); !s.ok()) return s;
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", tmp_path_));
  }
  return absl::OkStatus();
}

absl::Status BlobStore::Writer::Close() { return Commit().status(); }

absl::StatusOr<BlobId> BlobStore::Writer::Commit() {
  if (committed_) return absl::FailedPreconditionError("blob writer already committed");
  committed_ = true;
  BlobId id{hash_.Hex(), size_, std::nullopt};
  if (f_ == nullptr) {
    id.content = std::move(held_);
    return id;
  }
  FILE* f = f_;
  f_ = nullptr;
  if (std::fflush(f) != 0 || ::fsync(fileno(f)) != 0) {
    const absl::Status s = absl::ErrnoToStatus(errno, absl::StrCat("cannot flush ", tmp_path_));
    std::fclose(f);
    std::remove(tmp_path_.c_str());
    return s;
  }
  std::fclose(f);
  const std::string dir = Directory(store_->root_, id.sha256);
  if (absl::Status s = MakeDirectoriesDurably(dir); !s.ok()) return s;
  const std::string final_path = absl::StrCat(dir, "/", id.sha256);
  if (std::rename(tmp_path_.c_str(), final_path.c_str()) != 0) {
    const absl::Status s = absl::ErrnoToStatus(errno, absl::StrCat("cannot store ", final_path));
    std::remove(tmp_path_.c_str());
    return s;
  }
  if (absl::Status s = SyncDir(dir); !s.ok()) return s;
  return id;
}

absl::StatusOr<std::unique_ptr<BlobStore::Writer>> BlobStore::NewWriter(Placement placement) const {
  std::unique_ptr<Writer> writer(new Writer(this, placement));
  // A file blob's file is made at once, so that a store that cannot take
  // one fails before anything is written.
  if (placement == Placement::kFile) {
    if (absl::Status s = writer->OpenFile(); !s.ok()) return s;
  }
  return writer;
}

absl::StatusOr<BlobId> BlobStore::PutString(absl::string_view bytes, Placement placement) const {
  auto w = NewWriter(placement);
  if (!w.ok()) return w.status();
  if (absl::Status s = (*w)->Write(bytes); !s.ok()) return s;
  return (*w)->Commit();
}

absl::StatusOr<BlobId> BlobStore::Adopt(const std::string& path, Placement placement) const {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open ", path));
  struct stat st;
  const bool keep_inline = placement == Placement::kInlineIfSmall && ::fstat(fd, &st) == 0 &&
                           st.st_size <= kMaxInlineBytes;
  Sha256 hash;
  int64_t size = 0;
  std::string content;
  absl::Status read = absl::OkStatus();
  std::string buf(64 << 10, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) read = absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path));
    if (n <= 0) break;
    const absl::string_view got(buf.data(), static_cast<size_t>(n));
    hash.Update(got);
    if (keep_inline) content.append(got.data(), got.size());
    size += n;
  }
  // Written by another sink without fsync: on disk before its name is.
  if (read.ok() && !keep_inline && ::fsync(fd) != 0) {
    read = absl::ErrnoToStatus(errno, absl::StrCat("cannot flush ", path));
  }
  ::close(fd);
  if (!read.ok()) return read;
  BlobId id{hash.Hex(), size, std::nullopt};
  if (keep_inline) {
    std::remove(path.c_str());
    id.content = std::move(content);
    return id;
  }
  const std::string dir = Directory(root_, id.sha256);
  if (absl::Status s = MakeDirectoriesDurably(dir); !s.ok()) return s;
  const std::string final_path = absl::StrCat(dir, "/", id.sha256);
  if (std::rename(path.c_str(), final_path.c_str()) != 0) {
    if (errno != EXDEV) {
      return absl::ErrnoToStatus(errno, absl::StrCat("cannot store ", final_path));
    }
    auto source = FileSource::Open(path);
    if (!source.ok()) return source.status();
    auto writer = NewWriter();
    if (!writer.ok()) return writer.status();
    if (auto n = Pump(**source, **writer); !n.ok()) return n.status();
    absl::StatusOr<BlobId> copied = (*writer)->Commit();
    if (copied.ok()) std::remove(path.c_str());
    return copied;
  }
  if (absl::Status s = SyncDir(dir); !s.ok()) return s;
  return id;
}

absl::StatusOr<BlobId> BlobStore::Adopt(const StoredBytes& working, Placement placement) const {
  if (!working.in_memory()) return Adopt(working.path(), placement);
  absl::StatusOr<std::string> bytes = working.ReadAll();
  if (!bytes.ok()) return bytes.status();
  return PutString(*bytes, placement);
}

absl::StatusOr<std::string> BlobStore::PathOf(absl::string_view sha256) const {
  if (!IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError(absl::StrCat("'", sha256, "' is not a SHA-256 blob id"));
  }
  return absl::StrCat(Directory(root_, sha256), "/", sha256);
}

bool BlobStore::Exists(absl::string_view sha256) const {
  absl::StatusOr<std::string> path = PathOf(sha256);
  return path.ok() && ::access(path->c_str(), R_OK) == 0;
}

absl::StatusOr<std::unique_ptr<ByteSource>> BlobStore::Open(absl::string_view sha256) const {
  absl::StatusOr<std::string> path = PathOf(sha256);
  if (!path.ok()) return path.status();
  if (::access(path->c_str(), R_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("blob ", sha256, " is not in ", root_));
  }
  auto src = FileSource::Open(*path);
  if (!src.ok()) return src.status();
  return std::unique_ptr<ByteSource>(std::move(*src));
}

absl::StatusOr<std::string> BlobStore::ReadString(absl::string_view sha256) const {
  absl::StatusOr<std::string> path = PathOf(sha256);
  if (!path.ok()) return path.status();
  return ReadFileToString(*path);
}

}  // namespace sbrgate::blob
