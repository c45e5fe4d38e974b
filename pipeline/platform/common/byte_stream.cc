#include "pipeline/platform/common/byte_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace sbrgate {
namespace {

absl::Status ErrnoStatus(absl::string_view what, const std::string& path) {
  return absl::ErrnoToStatus(errno, absl::StrCat(what, " ", path));
}

absl::Status SyncDirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus("open directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync directory", dir);
  return absl::OkStatus();
}

}  // namespace

absl::Status RenameDurably(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoStatus(absl::StrCat("cannot rename ", from, " to"), to);
  }
  return SyncDirectoryOf(to);
}

absl::Status MakeDirectoriesDurably(const std::string& path) {
  const size_t end = path.find_last_not_of('/');
  if (end == std::string::npos) return absl::OkStatus();  // "" or "/"
  const std::string dir = path.substr(0, end + 1);
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(dir, " exists and is not a directory"));
  }
  if (const size_t slash = dir.rfind('/'); slash != std::string::npos) {
    if (absl::Status s = MakeDirectoriesDurably(dir.substr(0, slash)); !s.ok()) return s;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoStatus("cannot create directory", dir);
  }
  // The new entry in its parent must survive a crash like the files in it.
  return SyncDirectoryOf(dir);
}

absl::StatusOr<size_t> StringSource::Read(char* buf, size_t n) {
  const size_t take = std::min(n, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, take);
  pos_ += take;
  return take;
}

absl::StatusOr<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return ErrnoStatus("cannot open", path);
  return std::unique_ptr<FileSource>(new FileSource(f, path));
}

FileSource::~FileSource() { std::fclose(f_); }

absl::StatusOr<size_t> FileSource::Read(char* buf, size_t n) {
  const size_t got = std::fread(buf, 1, n, f_);
  if (got == 0 && std::ferror(f_)) return ErrnoStatus("cannot read", path_);
  return got;
}

absl::StatusOr<std::unique_ptr<FileSink>> FileSink::Create(const std::string& path,
                                                           FileDurability durability) {
  const std::string tmp = path + ".tmp";
  // 0600 whatever the umask: what sbrgate writes is payroll and tax data.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot create", tmp);
  // A leftover .tmp of an older run keeps its mode through O_TRUNC.
  if (::fchmod(fd, 0600) != 0) {
    const absl::Status s = ErrnoStatus("cannot chmod 600", tmp);
    ::close(fd);
    return s;
  }
  FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    const absl::Status s = ErrnoStatus("cannot create", tmp);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<FileSink>(new FileSink(f, path, durability));
}

FileSink::~FileSink() {
  if (f_ != nullptr) {
    std::fclose(f_);
    std::remove((path_ + ".tmp").c_str());
  }
}

absl::Status FileSink::Write(absl::string_view bytes) {
  if (f_ == nullptr) return absl::FailedPreconditionError("write after close: " + path_);
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) {
    return ErrnoStatus("cannot write", path_ + ".tmp");
  }
  return absl::OkStatus();
}

absl::Status FileSink::Close() {
  if (f_ == nullptr) return absl::OkStatus();
  FILE* f = f_;
  f_ = nullptr;
  const std::string tmp = path_ + ".tmp";
  const bool durable = durability_ == FileDurability::kDurable;
  if (std::fflush(f) != 0 || (durable && ::fsync(fileno(f)) != 0)) {
    const absl::Status s = ErrnoStatus("cannot flush", tmp);
    std::fclose(f);
    std::remove(tmp.c_str());
    return s;
  }
  std::fclose(f);
  if (durable) return RenameDurably(tmp, path_);
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) return ErrnoStatus("cannot rename", tmp);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Pump(ByteSource& from, ByteSink& to) {
  // Not zero-filled: most streams are a few kilobytes, and clearing a
  // buffer for each was about 2% of the daemon's CPU.
  constexpr size_t kBufferBytes = 64 << 10;
  std::unique_ptr<char[]> buf(new char[kBufferBytes]);
  uint64_t total = 0;
  for (;;) {
    absl::StatusOr<size_t> n = from.Read(buf.get(), kBufferBytes);
    if (!n.ok()) return n.status();
    if (*n == 0) return total;
    if (absl::Status s = to.Write(absl::string_view(buf.get(), *n)); !s.ok()) return s;
    total += *n;
  }
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  auto src = FileSource::Open(path);
  if (!src.ok()) return src.status();
  StringSink sink;
  if (auto n = Pump(**src, sink); !n.ok()) return n.status();
  return std::move(sink.mutable_data());
}

absl::Status WriteFileDurably(const std::string& path, absl::string_view data) {
  auto sink = FileSink::Create(path);
  if (!sink.ok()) return sink.status();
  if (absl::Status s = (*sink)->Write(data); !s.ok()) return s;
  return (*sink)->Close();
}

}  // namespace sbrgate
