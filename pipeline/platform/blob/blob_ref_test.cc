#include "pipeline/platform/blob/blob_ref.h"

#include <gtest/gtest.h>

#include "pipeline/platform/common/digest.h"

namespace sbrgate::blob {
namespace {

std::unique_ptr<BlobStore> NewStore(const char* name) {
  auto store = BlobStore::Create(std::string(::testing::TempDir()) + "/" + name);
  EXPECT_TRUE(store.ok()) << store.status();
  return *std::move(store);
}

std::string ReadOpened(const BlobStore& store, const events::BlobRef& ref) {
  absl::StatusOr<std::unique_ptr<ByteSource>> in = OpenRef(store, ref);
  EXPECT_TRUE(in.ok()) << in.status();
  if (!in.ok()) return "";
  StringSink out;
  EXPECT_TRUE(Pump(**in, out).ok());
  return out.data();
}

TEST(BlobRefTest, AnInlineBlobTravelsInItsRefAndReadsTheSameAsAFile) {
  auto store = NewStore("ref_both");
  auto small = store->PutString("sent records", BlobStore::Placement::kInlineIfSmall);
  auto filed = store->PutString("sent records");
  ASSERT_TRUE(small.ok() && filed.ok());

  const events::BlobRef inline_ref = ToRef(*small);
  const events::BlobRef file_ref = ToRef(*filed);
  EXPECT_EQ(inline_ref.sha256(), file_ref.sha256()) << "content addressed either way";
  EXPECT_EQ(inline_ref.size(), 12);
  EXPECT_TRUE(inline_ref.has_content());
  EXPECT_EQ(inline_ref.content(), "sent records");
  EXPECT_FALSE(file_ref.has_content());

  for (const events::BlobRef& ref : {inline_ref, file_ref}) {
    EXPECT_EQ(*ReadRef(*store, ref), "sent records");
    EXPECT_EQ(ReadOpened(*store, ref), "sent records");
    absl::StatusOr<StoredBytes> bytes = BytesOf(*store, ref);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(*bytes->Size(), 12u);
  }
  EXPECT_TRUE(BytesOf(*store, inline_ref)->in_memory());
  EXPECT_EQ(BytesOf(*store, file_ref)->path(), *store->PathOf(file_ref.sha256()));
}

TEST(BlobRefTest, AnEmptyInlineBlobIsStillInline) {
  auto store = NewStore("ref_empty");
  const events::BlobRef ref = ToRef(*store->PutString("", BlobStore::Placement::kInlineIfSmall));
  EXPECT_TRUE(ref.has_content());
  EXPECT_EQ(ref.sha256(), Sha256Hex(""));
  EXPECT_EQ(*ReadRef(*store, ref), "");
}

TEST(BlobRefTest, RefusesAMissingFileAndContentOfTheWrongSize) {
  auto store = NewStore("ref_errors");
  events::BlobRef missing;
  missing.set_sha256(Sha256Hex("never stored"));
  missing.set_size(12);
  EXPECT_TRUE(absl::IsNotFound(BytesOf(*store, missing).status()));
  events::BlobRef malformed;
  malformed.set_sha256("../../etc/passwd");
  EXPECT_TRUE(absl::IsInvalidArgument(ReadRef(*store, malformed).status()));
  events::BlobRef cut = ToRef(*store->PutString("abcdef", BlobStore::Placement::kInlineIfSmall));
  cut.set_content("abc");
  EXPECT_TRUE(absl::IsDataLoss(OpenRef(*store, cut).status()));
}

}  // namespace
}  // namespace sbrgate::blob
