#include "pipeline/platform/blob/blob_store.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sbrgate::blob {
namespace {

std::unique_ptr<BlobStore> NewStore(const char* name) {
  auto store = BlobStore::Create(std::string(::testing::TempDir()) + "/" + name);
  EXPECT_TRUE(store.ok()) << store.status();
  return *std::move(store);
}

// Files and directories under the store's root, besides its tmp directory.
int EntriesIn(const BlobStore& store) {
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(store.root())) {
    n += e.path().filename() != "tmp";
  }
  return n;
}

TEST(BlobStoreTest, StoresByContentAndReadsBack) {
  auto store = NewStore("content");
  auto id = store->PutString("pay event");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->sha256, Sha256Hex("pay event"));
  EXPECT_EQ(id->size, 9);
  auto back = store->ReadString(id->sha256);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "pay event");
  auto again = store->PutString("pay event");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sha256, id->sha256);
}

TEST(BlobStoreTest, AdoptsAFinishedFileByMovingIt) {
  auto store = NewStore("adopt");
  const std::string path = std::string(::testing::TempDir()) + "/adopt-response.xml";
  ASSERT_TRUE(WriteFileDurably(path, "event.02").ok());
  auto id = store->Adopt(path);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->sha256, Sha256Hex("event.02"));
  EXPECT_EQ(id->size, 8);
  EXPECT_EQ(*store->ReadString(id->sha256), "event.02");
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "moved, not copied";
  EXPECT_EQ(store->Adopt(path).status().code(), absl::StatusCode::kNotFound);
}

TEST(BlobStoreTest, StreamsLargeBlobs) {
  auto store = NewStore("large");
  auto w = store->NewWriter();
  ASSERT_TRUE(w.ok());
  std::string chunk(1 << 20, 'a');
  Sha256 expected;
  for (int i = 0; i < 20; ++i) {
    chunk[0] = static_cast<char>('a' + i);
    ASSERT_TRUE((*w)->Write(chunk).ok());
    expected.Update(chunk);
  }
  auto id = (*w)->Commit();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->sha256, expected.Hex());
  EXPECT_EQ(id->size, 20 << 20);
  EXPECT_TRUE(store->Exists(id->sha256));
}

TEST(BlobStoreTest, AbandonedWriterLeavesNothing) {
  auto store = NewStore("abandoned");
  {
    auto w = store->NewWriter();
    ASSERT_TRUE((*w)->Write("half").ok());
  }
  DIR* d = opendir((store->root() + "/tmp").c_str());
  ASSERT_NE(d, nullptr);
  int entries = 0;
  while (dirent* e = readdir(d)) entries += e->d_name[0] != '.';
  closedir(d);
  EXPECT_EQ(entries, 0);
  EXPECT_FALSE(store->Exists(Sha256Hex("half")));
}

TEST(BlobStoreTest, RejectsMalformedAndMissingIds) {
  auto store = NewStore("ids");
  EXPECT_EQ(store->Open("../../etc/passwd").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Open(std::string(64, 'a')).status().code(), absl::StatusCode::kNotFound);
}

TEST(BlobStoreTest, KeepsASmallBlobInlineWithNoFile) {
  auto store = NewStore("inline_small");
  auto w = store->NewWriter(BlobStore::Placement::kInlineIfSmall);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->Write("gzip of ").ok());
  ASSERT_TRUE((*w)->Write("a pay event").ok());
  auto id = (*w)->Commit();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->sha256, Sha256Hex("gzip of a pay event"));
  EXPECT_EQ(id->size, 19);
  ASSERT_TRUE(id->content.has_value());
  EXPECT_EQ(*id->content, "gzip of a pay event");
  EXPECT_FALSE(store->Exists(id->sha256));
  EXPECT_EQ(EntriesIn(*store), 0);
  EXPECT_TRUE(std::filesystem::is_empty(store->root() + "/tmp"));

  auto exact =
      store->PutString(std::string(kMaxInlineBytes, 'x'), BlobStore::Placement::kInlineIfSmall);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->content->size(), static_cast<size_t>(kMaxInlineBytes)) << "the limit is inline";
  auto empty = store->PutString("", BlobStore::Placement::kInlineIfSmall);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->content, std::string());
  EXPECT_EQ(EntriesIn(*store), 0);
}

TEST(BlobStoreTest, MovesAnInlineBlobToAFileOncePastTheLimit) {
  auto store = NewStore("inline_large");
  auto w = store->NewWriter(BlobStore::Placement::kInlineIfSmall);
  ASSERT_TRUE(w.ok());
  const std::string first(kMaxInlineBytes - 1, 'a');
  ASSERT_TRUE((*w)->Write(first).ok());
  EXPECT_TRUE(std::filesystem::is_empty(store->root() + "/tmp"));
  ASSERT_TRUE((*w)->Write("bc").ok());
  EXPECT_FALSE(std::filesystem::is_empty(store->root() + "/tmp"));
  auto id = (*w)->Commit();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_FALSE(id->content.has_value());
  EXPECT_EQ(id->size, kMaxInlineBytes + 1);
  EXPECT_EQ(*store->ReadString(id->sha256), first + "bc");
  EXPECT_EQ((*w)->Commit().status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(BlobStoreTest, FilePlacementAlwaysMakesAFile) {
  auto store = NewStore("file_placement");
  auto id = store->PutString("tiny");
  ASSERT_TRUE(id.ok());
  EXPECT_FALSE(id->content.has_value());
  EXPECT_TRUE(store->Exists(id->sha256));
}

TEST(BlobStoreTest, AdoptsASmallFileInlineAndRemovesIt) {
  auto store = NewStore("adopt_inline");
  const std::string path = std::string(::testing::TempDir()) + "/adopt-inline-response.xml";
  ASSERT_TRUE(WriteFileDurably(path, "event.02").ok());
  auto id = store->Adopt(path, BlobStore::Placement::kInlineIfSmall);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->sha256, Sha256Hex("event.02"));
  EXPECT_EQ(id->content, "event.02");
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
  EXPECT_EQ(EntriesIn(*store), 0);

  const std::string large(kMaxInlineBytes + 1, 'r');
  ASSERT_TRUE(WriteFileDurably(path, large).ok());
  auto filed = store->Adopt(path, BlobStore::Placement::kInlineIfSmall);
  ASSERT_TRUE(filed.ok()) << filed.status();
  EXPECT_FALSE(filed->content.has_value());
  EXPECT_EQ(*store->ReadString(filed->sha256), large);
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace sbrgate::blob
