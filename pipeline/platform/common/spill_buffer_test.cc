#include "pipeline/platform/common/spill_buffer.h"

#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace sbrgate {
namespace {

std::string FreshDir(const char* name) {
  const std::string dir = std::string(::testing::TempDir()) + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

bool Empty(const std::string& dir) { return std::filesystem::is_empty(dir); }

std::string ReadAll(SpillBuffer& buffer) {
  absl::StatusOr<std::unique_ptr<ByteSource>> in = buffer.Reader();
  EXPECT_TRUE(in.ok()) << in.status();
  if (!in.ok()) return "";
  StringSink out;
  EXPECT_TRUE(Pump(**in, out).ok());
  return out.data();
}

TEST(SpillBufferTest, KeepsASmallBodyInMemoryAndCreatesNoFile) {
  const std::string dir = FreshDir("spill_small");
  SpillBuffer buffer(dir + "/body.http", 16);
  ASSERT_TRUE(buffer.Write("pull ").ok());
  ASSERT_TRUE(buffer.Write("response").ok());
  ASSERT_TRUE(buffer.Close().ok());
  EXPECT_TRUE(Empty(dir));
  EXPECT_EQ(ReadAll(buffer), "pull response");
}

TEST(SpillBufferTest, NamesTheFileOnlyWhenItCreatesIt) {
  const std::string dir = FreshDir("spill_named");
  int named = 0;
  auto name = [&] {
    ++named;
    return dir + "/body-" + std::to_string(named) + ".http";
  };
  SpillBuffer small(name, 16);
  ASSERT_TRUE(small.Write("pull response").ok());
  ASSERT_TRUE(small.Close().ok());
  EXPECT_EQ(named, 0);

  SpillBuffer large(name, 4);
  ASSERT_TRUE(large.Write("push body").ok());
  ASSERT_TRUE(large.Write(" and more").ok());
  ASSERT_TRUE(large.Close().ok());
  EXPECT_EQ(named, 1);
  absl::StatusOr<StoredBytes> kept = large.Release();
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->path(), dir + "/body-1.http");
  std::remove(kept->path().c_str());
}

TEST(SpillBufferTest, MovesEverythingToTheFileOnceTheLimitIsPassedAndRemovesItAfter) {
  const std::string dir = FreshDir("spill_large");
  const std::string path = dir + "/body.http";
  {
    SpillBuffer buffer(path, 8);
    ASSERT_TRUE(buffer.Write("12345678").ok());  // exactly the limit: still in memory
    EXPECT_TRUE(Empty(dir));
    ASSERT_TRUE(buffer.Write("9").ok());
    ASSERT_TRUE(buffer.Write(std::string(100000, 'x')).ok());
    ASSERT_TRUE(buffer.Close().ok());
    EXPECT_EQ(::access(path.c_str(), F_OK), 0);
    EXPECT_EQ(ReadAll(buffer), "123456789" + std::string(100000, 'x'));
  }
  EXPECT_TRUE(Empty(dir)) << "the spill file outlived its buffer";
}

TEST(SpillBufferTest, AnUnclosedSpillLeavesNothingBehind) {
  const std::string dir = FreshDir("spill_unclosed");
  {
    SpillBuffer buffer(dir + "/body.http", 4);
    ASSERT_TRUE(buffer.Write("more than four").ok());
  }
  EXPECT_TRUE(Empty(dir));
}

TEST(SpillBufferTest, ReadingBeforeCloseAndWritingAfterItAreRefused) {
  const std::string dir = FreshDir("spill_misuse");
  SpillBuffer buffer(dir + "/body.http", 4);
  EXPECT_EQ(buffer.Reader().status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(buffer.Close().ok());
  EXPECT_EQ(buffer.Write("late").code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SpillBufferTest, ASpillThatCannotBeCreatedNamesItsPath) {
  SpillBuffer buffer("/nonexistent-dir/body.http", 4);
  const absl::Status s = buffer.Write("more than four");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent-dir/body.http"), absl::string_view::npos) << s;
}

TEST(SpillBufferTest, ReleaseHandsOnTheContentAndAFileOutlivesTheBuffer) {
  const std::string dir = FreshDir("spill_release");
  {
    SpillBuffer buffer(dir + "/small", 16);
    ASSERT_TRUE(buffer.Write("event.02").ok());
    ASSERT_TRUE(buffer.Close().ok());
    absl::StatusOr<StoredBytes> kept = buffer.Release();
    ASSERT_TRUE(kept.ok()) << kept.status();
    EXPECT_TRUE(kept->in_memory());
    EXPECT_EQ(*kept->ReadAll(), "event.02");
  }
  EXPECT_TRUE(Empty(dir));
  const std::string path = dir + "/large";
  absl::StatusOr<StoredBytes> kept;
  {
    SpillBuffer buffer(path, 4, FileDurability::kDurable);
    EXPECT_EQ(buffer.Release().status().code(), absl::StatusCode::kFailedPrecondition);
    ASSERT_TRUE(buffer.Write("more than four").ok());
    ASSERT_TRUE(buffer.Close().ok());
    kept = buffer.Release();
  }
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->path(), path);
  EXPECT_EQ(*ReadFileToString(path), "more than four") << "released: the caller's to remove";
}

TEST(SpillBufferTest, ALimitOfZeroAlwaysMakesAFile) {
  const std::string dir = FreshDir("spill_zero");
  SpillBuffer buffer(dir + "/empty", 0);
  ASSERT_TRUE(buffer.Close().ok());
  absl::StatusOr<StoredBytes> kept = buffer.Release();
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->path(), dir + "/empty");
  EXPECT_EQ(*kept->Size(), 0u);
}

}  // namespace
}  // namespace sbrgate
