// BlobRef (proto/events.proto): how a topic record refers to a blob, and the
// one way to get at the blob a ref names. A small blob travels in the ref
// itself (BlobStore::Placement::kInlineIfSmall), durable with the record;
// a larger one is a file in the BlobStore. Readers never ask which: the
// bytes come as StoredBytes (in memory or the store's file), to open, read
// whole or send.
//
//   absl::StatusOr<blob::BlobId> id =
//       store.PutString(bytes, blob::BlobStore::Placement::kInlineIfSmall);
//   *record.mutable_payload() = blob::ToRef(*id);
//   ...
//   absl::StatusOr<StoredBytes> payload = blob::BytesOf(store, record.payload());
//   absl::StatusOr<std::unique_ptr<ByteSource>> in = blob::OpenRef(store, record.payload());
//   absl::StatusOr<std::string> all = blob::ReadRef(store, record.payload());
#ifndef SBRGATE_PIPELINE_PLATFORM_BLOB_BLOB_REF_H_
#define SBRGATE_PIPELINE_PLATFORM_BLOB_BLOB_REF_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/stored_bytes.h"
#include "proto/events.pb.h"

namespace sbrgate::blob {

// The ref of a stored blob, carrying its content when it was kept inline.
events::BlobRef ToRef(const BlobId& id);

// The blob's bytes: the ref's own content, else the store's file (NotFound
// when the store does not have it, InvalidArgument for a malformed id).
// DataLoss when the content the ref carries is not of the size it names.
absl::StatusOr<StoredBytes> BytesOf(const BlobStore& store, const events::BlobRef& ref);

// BytesOf, opened or read whole.
absl::StatusOr<std::unique_ptr<ByteSource>> OpenRef(const BlobStore& store,
                                                    const events::BlobRef& ref);
absl::StatusOr<std::string> ReadRef(const BlobStore& store, const events::BlobRef& ref);

}  // namespace sbrgate::blob

#endif  // SBRGATE_PIPELINE_PLATFORM_BLOB_BLOB_REF_H_
