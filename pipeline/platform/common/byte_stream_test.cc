#include "pipeline/platform/common/byte_stream.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace sbrgate {
namespace {

std::string TempPath(const char* name) {
  return std::string(::testing::TempDir()) + "/" + name;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(FileSinkTest, PublishesOnlyOnClose) {
  const std::string path = TempPath("sink.bin");
  auto sink = FileSink::Create(path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  ASSERT_TRUE((*sink)->Write("hello ").ok());
  ASSERT_TRUE((*sink)->Write("world").ok());
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "visible before Close()";
  ASSERT_TRUE((*sink)->Close().ok());
  auto back = ReadFileToString(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "hello world");
}

TEST(FileSinkTest, AScratchFileIsPublishedOnCloseOwnerOnlyAsADurableOneIs) {
  const mode_t old = ::umask(022);
  const std::string path = TempPath("scratch.bin");
  auto sink = FileSink::Create(path, FileDurability::kScratch);
  ::umask(old);
  ASSERT_TRUE(sink.ok()) << sink.status();
  ASSERT_TRUE((*sink)->Write("pull response").ok());
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "visible before Close()";
  ASSERT_TRUE((*sink)->Close().ok());
  EXPECT_EQ(*ReadFileToString(path), "pull response");
  EXPECT_EQ(ModeOf(path), 0600);
  EXPECT_NE(::access((path + ".tmp").c_str(), F_OK), 0);
}

TEST(FileSinkTest, AbandonedSinkLeavesNothing) {
  const std::string path = TempPath("abandoned.bin");
  {
    auto sink = FileSink::Create(path);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Write("partial").ok());
  }
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
  EXPECT_NE(::access((path + ".tmp").c_str(), F_OK), 0);
}

TEST(FileSinkTest, FilesAreOwnerOnlyWhateverTheUmask) {
  const mode_t old = ::umask(022);
  const std::string path = TempPath("private.bin");
  EXPECT_TRUE(WriteFileDurably(path, "tfn").ok());
  ::umask(old);
  EXPECT_EQ(ModeOf(path), 0600);
}

TEST(MakeDirectoriesDurablyTest, CreatesMissingParentsOwnerOnly) {
  const std::string top = TempPath("dirs");
  ASSERT_TRUE(MakeDirectoriesDurably(top + "/a/b/").ok());
  EXPECT_EQ(ModeOf(top), 0700);
  EXPECT_EQ(ModeOf(top + "/a"), 0700);
  EXPECT_EQ(ModeOf(top + "/a/b"), 0700);
  EXPECT_TRUE(MakeDirectoriesDurably(top + "/a/b").ok()) << "existing is fine";
  ASSERT_TRUE(WriteFileDurably(top + "/file", "x").ok());
  absl::Status s = MakeDirectoriesDurably(top + "/file");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
}

TEST(PumpTest, CopiesLargeStreams) {
  std::string big(3 << 20, 'x');
  big[12345] = 'y';
  StringSource src(big);
  StringSink sink;
  auto n = Pump(src, sink);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, big.size());
  EXPECT_EQ(sink.data(), big);
}

TEST(FileSourceTest, MissingFileNamesThePath) {
  auto src = FileSource::Open("/nonexistent/lodgment.xml");
  ASSERT_FALSE(src.ok());
  EXPECT_NE(src.status().message().find("/nonexistent/lodgment.xml"), std::string::npos);
}

}  // namespace
}  // namespace sbrgate
