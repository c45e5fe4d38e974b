// BlobStore: the content-addressed file store that lodgment payloads and SBR
// responses live in, so topic records carry a reference (BlobRef) rather
// than a large blob.
// A blob is named by the SHA-256 of its bytes, written to a temporary file,
// fsynced and renamed into place: a reader never sees a partial blob, and
// writing the same bytes twice stores them once.
//
// A blob that goes into a topic record's BlobRef may instead stay in
// memory when it is small (Placement::kInlineIfSmall, at most
// kMaxInlineBytes): it comes back in BlobId::content, to travel in the
// record and be made durable with it by the log's own commit, and no file,
// fsync, rename or directory is made for it. blob_ref.h reads both kinds.
//
//   auto store = BlobStore::Create("/var/lib/sbrgate/blobs");   // StatusOr
//   auto w = store.NewWriter();                 // a ByteSink
//   (*w)->Write(...); ...
//   absl::StatusOr<BlobId> id = (*w)->Commit();  // {sha256 hex, size}
//   auto src = store.Open(id->sha256);           // a ByteSource
//   auto small = store.PutString(bytes, BlobStore::Placement::kInlineIfSmall);
#ifndef SBRGATE_PIPELINE_BLOB_BLOB_STORE_H_
#define SBRGATE_PIPELINE_BLOB_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/stored_bytes.h"

namespace sbrgate::blob {

// The most a blob kept inline may hold. A topic record carries at most four
// blob references (a StatusChange: payload, sent, held-back and rejected
// records), so four inline blobs take half of kafka::kMaxMessageBytes (64
// KiB) and the record still fits with its other fields, and again wrapped
// in a dead letter. 8 KiB holds the gzip of a pay event of about 25
// employees (about 300 bytes each: most employers' whole pay run), the
// sent-records list of about 200 and the event.02 response of most
// lodgments; larger blobs are files, as before.
inline constexpr int64_t kMaxInlineBytes = 8 << 10;

struct BlobId {
  std::string sha256;  // lower-case hex
  int64_t size = 0;
  // The bytes themselves when the blob was kept inline; no file holds them.
  std::optional<std::string> content;
};

class BlobStore {
 public:
  // Creates `root` if needed.
  static absl::StatusOr<std::unique_ptr<BlobStore>> Create(std::string root);

  // Where a new blob's bytes go.
  enum class Placement {
    // A file in the store: for blobs named by their SHA-256 alone.
    kFile,
    // Up to kMaxInlineBytes, BlobId::content and no file (for a BlobRef
    // in a record that is committed before anything relies on the blob);
    // past it, a file.
    kInlineIfSmall,
  };

  class Writer : public ByteSink {
   public:
    ~Writer() override;  // without Commit(), leaves nothing behind
    absl::Status Write(absl::string_view bytes) override;
    // Same as Commit() with the id discarded (ByteSink interface).
    absl::Status Close() override;
    absl::StatusOr<BlobId> Commit();

   private:
    friend class BlobStore;
    Writer(const BlobStore* store, Placement placement) : store_(store), placement_(placement) {}
    // Creates the temporary file and moves what is held in memory to it.
    absl::Status OpenFile();
    const BlobStore* store_;
    const Placement placement_;
    std::string tmp_path_;
    FILE* f_ = nullptr;  // none while the blob may still be inline
    std::string held_;   // the bytes so far while there is no file
    bool committed_ = false;
    Sha256 hash_;
    int64_t size_ = 0;
  };

  absl::StatusOr<std::unique_ptr<Writer>> NewWriter(Placement placement = Placement::kFile) const;
  absl::StatusOr<BlobId> PutString(absl::string_view bytes,
                                   Placement placement = Placement::kFile) const;
  // Stores the finished file at `path` (a working file no one writes any
  // more) by moving it into place, fsynced, rather than copying it: no new
  // file is made. On another filesystem it is copied. Kept inline instead,
  // with kInlineIfSmall, when it is small enough. `path` is gone after
  // success.
  absl::StatusOr<BlobId> Adopt(const std::string& path,
                               Placement placement = Placement::kFile) const;
  // The same for working bytes in memory or in a file (StoredBytes).
  absl::StatusOr<BlobId> Adopt(const StoredBytes& working,
                               Placement placement = Placement::kFile) const;

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
