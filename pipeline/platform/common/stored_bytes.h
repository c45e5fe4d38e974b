// StoredBytes: bytes to read from the start as often as a reader needs,
// wherever they are: a file named by its path, or a string held in memory.
// Something that is usually small but may be huge (a pay event's payload, an
// SBR attachment) is handed on as one of these, so that its users read it
// the same way whether or not a file was ever made for it. Copies share the
// bytes in memory; a file's bytes are read from the file each time.
//
//   StoredBytes payload = StoredBytes::Memory(std::move(gzip));  // or ::File(path)
//   absl::StatusOr<std::unique_ptr<ByteSource>> in = payload.Open();  // again for each pass
//   absl::StatusOr<uint64_t> size = payload.Size();
#ifndef SBRGATE_PIPELINE_PLATFORM_COMMON_STORED_BYTES_H_
#define SBRGATE_PIPELINE_PLATFORM_COMMON_STORED_BYTES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate {

class StoredBytes {
 public:
  // No bytes, in memory.
  StoredBytes();
  static StoredBytes File(std::string path);
  static StoredBytes Memory(std::string bytes);

  // A new reader from the first byte.
  absl::StatusOr<std::unique_ptr<ByteSource>> Open() const;
  absl::StatusOr<uint64_t> Size() const;
  // All of it, for callers that know it is small.
  absl::StatusOr<std::string> ReadAll() const;

  bool in_memory() const { return path_.empty(); }
  // The file; empty for bytes in memory.
  const std::string& path() const { return path_; }

 private:
  StoredBytes(std::string path, std::shared_ptr<const std::string> memory)
      : path_(std::move(path)), memory_(std::move(memory)) {}
  std::string path_;
  std::shared_ptr<const std::string> memory_;  // set when path_ is empty
};

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_PLATFORM_COMMON_STORED_BYTES_H_
