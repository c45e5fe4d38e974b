#include "pipeline/platform/blob/blob_store.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sbrgate::blob {
namespace {

std::unique_ptr<BlobStore> NewStore(const char* name) {
  auto store = BlobStore::Create(std::string(::testing::TempDir()) + "/" + name);
  EXPECT_TRUE(store.ok()) << store.status();
  return *std::move(store);
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

}  // namespace
}  // namespace sbrgate::blob
