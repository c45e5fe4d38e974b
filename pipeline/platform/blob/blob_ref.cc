#include "pipeline/platform/blob/blob_ref.h"

#include "absl/strings/str_cat.h"

namespace sbrgate::blob {

events::BlobRef ToRef(const BlobId& id) {
  events::BlobRef ref;
  ref.set_sha256(id.sha256);
  ref.set_size(id.size);
  if (id.content.has_value()) ref.set_content(*id.content);
  return ref;
}

absl::StatusOr<StoredBytes> BytesOf(const BlobStore& store, const events::BlobRef& ref) {
  if (ref.has_content()) {
    if (static_cast<int64_t>(ref.content().size()) != ref.size()) {
      return absl::DataLossError(absl::StrCat("blob ", ref.sha256(), " travels with ",
                                              ref.content().size(), " bytes; its ref says ",
                                              ref.size()));
    }
    return StoredBytes::Memory(ref.content());
  }
  absl::StatusOr<std::string> path = store.PathOf(ref.sha256());
  if (!path.ok()) return path.status();
  if (!store.Exists(ref.sha256())) {
    return absl::NotFoundError(
        absl::StrCat("blob ", ref.sha256(), " is missing from ", store.root()));
  }
  return StoredBytes::File(*std::move(path));
}

absl::StatusOr<std::unique_ptr<ByteSource>> OpenRef(const BlobStore& store,
                                                    const events::BlobRef& ref) {
  absl::StatusOr<StoredBytes> bytes = BytesOf(store, ref);
  if (!bytes.ok()) return bytes.status();
  return bytes->Open();
}

absl::StatusOr<std::string> ReadRef(const BlobStore& store, const events::BlobRef& ref) {
  absl::StatusOr<StoredBytes> bytes = BytesOf(store, ref);
  if (!bytes.ok()) return bytes.status();
  return bytes->ReadAll();
}

}  // namespace sbrgate::blob
