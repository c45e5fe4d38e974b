#include "pipeline/platform/common/stored_bytes.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sbrgate {
namespace {

// Reads a string it shares with the StoredBytes it came from and its copies.
class SharedStringSource : public ByteSource {
 public:
  explicit SharedStringSource(std::shared_ptr<const std::string> data) : data_(std::move(data)) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    const size_t take = std::min(n, data_->size() - pos_);
    data_->copy(buf, take, pos_);
    pos_ += take;
    return take;
  }

 private:
  std::shared_ptr<const std::string> data_;
  size_t pos_ = 0;
};

}  // namespace

StoredBytes::StoredBytes() : memory_(std::make_shared<const std::string>()) {}

StoredBytes StoredBytes::File(std::string path) { return StoredBytes(std::move(path), nullptr); }

StoredBytes StoredBytes::Memory(std::string bytes) {
  return StoredBytes("", std::make_shared<const std::string>(std::move(bytes)));
}

absl::StatusOr<std::unique_ptr<ByteSource>> StoredBytes::Open() const {
  if (in_memory()) return std::unique_ptr<ByteSource>(new SharedStringSource(memory_));
  absl::StatusOr<std::unique_ptr<FileSource>> file = FileSource::Open(path_);
  if (!file.ok()) return file.status();
  return std::unique_ptr<ByteSource>(*std::move(file));
}

absl::StatusOr<uint64_t> StoredBytes::Size() const {
  if (in_memory()) return memory_->size();
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot stat ", path_));
  }
  return static_cast<uint64_t>(st.st_size);
}

absl::StatusOr<std::string> StoredBytes::ReadAll() const {
  if (in_memory()) return *memory_;
  return ReadFileToString(path_);
}

}  // namespace sbrgate
