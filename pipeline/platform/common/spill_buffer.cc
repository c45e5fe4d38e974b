#include "pipeline/platform/common/spill_buffer.h"

#include <cstdio>
#include <utility>

namespace sbrgate {

SpillBuffer::SpillBuffer(std::string spill_path, size_t memory_limit)
    : spill_path_(std::move(spill_path)), memory_limit_(memory_limit) {}

SpillBuffer::~SpillBuffer() {
  if (file_ == nullptr) return;
  // Closed: remove the file; not closed: FileSink removes its temporary file.
  if (closed_) std::remove(spill_path_.c_str());
}

absl::Status SpillBuffer::Write(absl::string_view bytes) {
  if (closed_) return absl::FailedPreconditionError("write after close: " + spill_path_);
  if (file_ == nullptr && memory_.size() + bytes.size() <= memory_limit_) {
    memory_.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  }
  if (file_ == nullptr) {
    absl::StatusOr<std::unique_ptr<FileSink>> file =
        FileSink::Create(spill_path_, FileDurability::kScratch);
    if (!file.ok()) return file.status();
    file_ = *std::move(file);
    if (absl::Status s = file_->Write(memory_); !s.ok()) return s;
    std::string().swap(memory_);
  }
  return file_->Write(bytes);
}

absl::Status SpillBuffer::Close() {
  if (closed_) return close_status_;
  closed_ = true;
  if (file_ != nullptr) close_status_ = file_->Close();
  return close_status_;
}

absl::StatusOr<std::unique_ptr<ByteSource>> SpillBuffer::Reader() {
  if (!closed_) return absl::FailedPreconditionError("read before close: " + spill_path_);
  if (!close_status_.ok()) return close_status_;
  if (file_ == nullptr) return std::unique_ptr<ByteSource>(new StringSource(std::move(memory_)));
  absl::StatusOr<std::unique_ptr<FileSource>> file = FileSource::Open(spill_path_);
  if (!file.ok()) return file.status();
  return std::unique_ptr<ByteSource>(*std::move(file));
}

}  // namespace sbrgate
