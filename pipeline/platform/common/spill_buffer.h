// A ByteSink that keeps what it is given in memory up to a limit and moves
// it all to a scratch file past that, then reads it back. For bodies that
// are usually small but may be huge: an SBR exchange's HTTP body is a few
// kilobytes for a pull or a receipt and gigabytes for a large pay event, and
// creating, renaming and removing a file for each small one is most of what
// the kernel does for an exchange.
//
//   SpillBuffer body(SpillBuffer::UniqueFileIn(spool_dir, ".http"), 1 << 20);
//   transport.Post(request, body);            // or any writer of a ByteSink
//   if (absl::Status s = body.Close(); !s.ok()) return s;
//   absl::StatusOr<std::unique_ptr<ByteSource>> in = body.Reader();
//   // or, to keep the content beyond the buffer:
//   absl::StatusOr<StoredBytes> kept = body.Release();
//
// The file is named when it is created: no name is made for the many
// buffers that never need a file. A fixed path may be given instead.
//
// The file, if one was needed, is a working file (FileDurability::kScratch,
// unless the constructor says otherwise), removed when the buffer goes
// unless Release() handed it on. With a limit of 0 the content is always
// a file, even when empty. Reader() or Release() may be called once, after
// Close() (the content in memory moves out); the buffer must outlive a
// reader.
#ifndef SBRGATE_PIPELINE_PLATFORM_COMMON_SPILL_BUFFER_H_
#define SBRGATE_PIPELINE_PLATFORM_COMMON_SPILL_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/stored_bytes.h"

namespace sbrgate {

class SpillBuffer : public ByteSink {
 public:
  // Where the file goes (its directory must exist), asked for when the file
  // is created: once the content passes `memory_limit` bytes.
  using SpillPath = absl::AnyInvocable<std::string()>;
  // A file of its own in `dir`: a fresh UUID followed by `suffix`.
  static SpillPath UniqueFileIn(std::string dir, std::string suffix);

  SpillBuffer(SpillPath spill_path, size_t memory_limit,
              FileDurability durability = FileDurability::kScratch);
  // The file at the fixed path `spill_path`.
  SpillBuffer(std::string spill_path, size_t memory_limit,
              FileDurability durability = FileDurability::kScratch);
  ~SpillBuffer() override;
  SpillBuffer(const SpillBuffer&) = delete;
  SpillBuffer& operator=(const SpillBuffer&) = delete;

  absl::Status Write(absl::string_view bytes) override;
  absl::Status Close() override;

  // The content from its first byte. FailedPrecondition before Close(), and
  // Close()'s error if it failed.
  absl::StatusOr<std::unique_ptr<ByteSource>> Reader();
  // The content: in memory, or the file, which is then the caller's to
  // remove. FailedPrecondition before Close(), and Close()'s error if it
  // failed.
  absl::StatusOr<StoredBytes> Release();

 private:
  absl::Status StartFile();
  // The file's path for messages ("in memory" before there is one).
  std::string Where() const;

  SpillPath make_spill_path_;
  std::string spill_path_;  // once the file is created
  const size_t memory_limit_;
  const FileDurability durability_;
  std::string memory_;
  std::unique_ptr<FileSink> file_;  // from the first byte past the limit on
  bool closed_ = false;
  bool released_ = false;  // the file is the caller's
  absl::Status close_status_;
};

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_PLATFORM_COMMON_SPILL_BUFFER_H_
