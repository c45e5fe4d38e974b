#include "pipeline/platform/common/byte_stream.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace sbrgate {
namespace {

std::string TempPath(const char* name) {
  return std::string(::testing::TempDir()) + "/" + name;
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
