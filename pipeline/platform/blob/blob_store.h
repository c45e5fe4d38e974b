// BlobStore: the content-addressed file store that lodgment payloads and SBR
// responses live in, so Kafka messages only carry references (BlobRef).
// A blob is named by the SHA-256 of its bytes, written to a temporary file,
// fsynced and renamed into place: a reader never sees a partial blob, and
// writing the same bytes twice stores them once.
//
//   auto store = BlobStore::Create("/var/lib/sbrgate/blobs");   // StatusOr
//   auto w = store.NewWriter();                 // a ByteSink
//   (*w)->Write(...); ...
//   absl::StatusOr<BlobId> id = (*w)->Commit();  // {sha256 hex, size}
//   auto src = store.Open(id->sha256);           // a ByteSource
#ifndef SBRGATE_PIPELINE_BLOB_BLOB_STORE_H_
#define SBRGATE_PIPELINE_BLOB_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"

namespace sbrgate::blob {

struct BlobId {
  std::string sha256;  // lower-case hex
  int64_t size = 0;
};

class BlobStore {
 public:
  // Creates `root` if needed.
  static absl::StatusOr<std::unique_ptr<BlobStore>> Create(std::string root);

  class Writer : public ByteSink {
   public:
    ~Writer() override;  // without Commit(), leaves nothing behind
    absl::Status Write(absl::string_view bytes) override;
    // Same as Commit() with the id discarded (ByteSink interface).
    absl::Status Close() override;
    absl::StatusOr<BlobId> Commit();

   private:
    friend class BlobStore;
    Writer(const BlobStore* store, std::string tmp_path, FILE* f);
    const BlobStore* store_;
    std::string tmp_path_;
    FILE* f_;
    Sha256 hash_;
    int64_t size_ = 0;
  };

  absl::StatusOr<std::unique_ptr<Writer>> NewWriter() const;
  absl::StatusOr<BlobId> PutString(absl::string_view bytes) const;
  // Stores the finished file at `path` (a working file no one writes any
  // more) by moving it into place, fsynced, rather than copying it: no new
  // file is made. On another filesystem it is copied. `path` is gone after
  // success.
  absl::StatusOr<BlobId> Adopt(const std::string& path) const;

  // InvalidArgument for a malformed id, NotFound for a missing blob.
  absl::StatusOr<std::unique_ptr<ByteSource>> Open(absl::string_view sha256) const;
  absl::StatusOr<std::string> ReadString(absl::string_view sha256) const;
  absl::StatusOr<std::string> PathOf(absl::string_view sha256) const;
  bool Exists(absl::string_view sha256) const;

  const std::string& root() const { return root_; }

 private:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace sbrgate::blob

#endif  // SBRGATE_PIPELINE_BLOB_BLOB_STORE_H_
