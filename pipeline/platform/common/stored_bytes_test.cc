#include "pipeline/platform/common/stored_bytes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace sbrgate {
namespace {

std::string ReadThrough(const StoredBytes& bytes) {
  absl::StatusOr<std::unique_ptr<ByteSource>> in = bytes.Open();
  EXPECT_TRUE(in.ok()) << in.status();
  if (!in.ok()) return "";
  StringSink out;
  EXPECT_TRUE(Pump(**in, out).ok());
  return out.data();
}

TEST(StoredBytesTest, BytesInMemoryReadAsOftenAsAskedAndSharedByCopies) {
  const StoredBytes bytes = StoredBytes::Memory("gzip of a pay event");
  const StoredBytes copy = bytes;
  EXPECT_TRUE(bytes.in_memory());
  EXPECT_EQ(bytes.path(), "");
  EXPECT_EQ(ReadThrough(bytes), "gzip of a pay event");
  EXPECT_EQ(ReadThrough(bytes), "gzip of a pay event");
  EXPECT_EQ(ReadThrough(copy), "gzip of a pay event");
  EXPECT_EQ(*bytes.Size(), 19u);
  EXPECT_EQ(*copy.ReadAll(), "gzip of a pay event");
}

TEST(StoredBytesTest, AFileIsReadFromTheFileEachTime) {
  const std::string path = std::string(::testing::TempDir()) + "/stored_bytes_file";
  ASSERT_TRUE(WriteFileDurably(path, "on disk").ok());
  const StoredBytes bytes = StoredBytes::File(path);
  EXPECT_FALSE(bytes.in_memory());
  EXPECT_EQ(bytes.path(), path);
  EXPECT_EQ(ReadThrough(bytes), "on disk");
  EXPECT_EQ(*bytes.Size(), 7u);
  ASSERT_TRUE(WriteFileDurably(path, "changed").ok());
  EXPECT_EQ(*bytes.ReadAll(), "changed");
  std::filesystem::remove(path);
  EXPECT_TRUE(absl::IsNotFound(bytes.Open().status()));
  EXPECT_TRUE(absl::IsNotFound(bytes.Size().status()));
}

TEST(StoredBytesTest, DefaultIsNoBytesInMemory) {
  const StoredBytes empty;
  EXPECT_TRUE(empty.in_memory());
  EXPECT_EQ(ReadThrough(empty), "");
  EXPECT_EQ(*empty.Size(), 0u);
}

}  // namespace
}  // namespace sbrgate
