#include "pipeline/platform/common/spill_buffer.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/uuid.h"

namespace sbrgate {

SpillBuffer::SpillPath SpillBuffer::UniqueFileIn(std::string dir, std::string suffix) {
  return [dir = std::move(dir), suffix = std::move(suffix)] {
    return absl::StrCat(dir, "/", NewUuid(), suffix);
  };
}

SpillBuffer::SpillBuffer(SpillPath spill_path, size_t memory_limit, FileDurability durability)
    : make_spill_path_(std::move(spill_path)),
      memory_limit_(memory_limit),
      durability_(durability) {}

SpillBuffer::SpillBuffer(std::string spill_path, size_t memory_limit, FileDurability durability)
    : SpillBuffer([path = std::move(spill_path)] { return path; }, memory_limit, durability) {}

SpillBuffer::~SpillBuffer() {
  if (file_ == nullptr || released_) return;
  // Closed: remove the file; not closed: FileSink removes its temporary file.
  if (closed_) std::remove(spill_path_.c_str());
}

std::string SpillBuffer::Where() const { return file_ != nullptr ? spill_path_ : "in memory"; }

absl::Status SpillBuffer::StartFile() {
  spill_path_ = make_spill_path_();
  absl::StatusOr<std::unique_ptr<FileSink>> file = FileSink::Create(spill_path_, durability_);
  if (!file.ok()) return file.status();
  file_ = *std::move(file);
  if (absl::Status s = file_->Write(memory_); !s.ok()) return s;
  std::string().swap(memory_);
  return absl::OkStatus();
}

absl::Status SpillBuffer::Write(absl::string_view bytes) {
  if (closed_) return absl::FailedPreconditionError("write after close: " + Where());
  if (file_ == nullptr && memory_.size() + bytes.size() <= memory_limit_) {
    memory_.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  }
  if (file_ == nullptr) {
    if (absl::Status s = StartFile(); !s.ok()) return s;
  }
  return file_->Write(bytes);
}

absl::Status SpillBuffer::Close() {
  if (closed_) return close_status_;
  closed_ = true;
  if (file_ == nullptr && memory_limit_ == 0) close_status_ = StartFile();
  if (close_status_.ok() && file_ != nullptr) close_status_ = file_->Close();
  return close_status_;
}

absl::StatusOr<std::unique_ptr<ByteSource>> SpillBuffer::Reader() {
  if (!closed_) return absl::FailedPreconditionError("read before close: " + Where());
  if (!close_status_.ok()) return close_status_;
  if (file_ == nullptr) return std::unique_ptr<ByteSource>(new StringSource(std::move(memory_)));
  absl::StatusOr<std::unique_ptr<FileSource>> file = FileSource::Open(spill_path_);
  if (!file.ok()) return file.status();
  return std::unique_ptr<ByteSource>(*std::move(file));
}

absl::StatusOr<StoredBytes> SpillBuffer::Release() {
  if (!closed_) return absl::FailedPreconditionError("release before close: " + Where());
  if (!close_status_.ok()) return close_status_;
  if (file_ == nullptr) return StoredBytes::Memory(std::move(memory_));
  released_ = true;
  return StoredBytes::File(spill_path_);
}

}  // namespace sbrgate
