#include "pipeline/platform/stage/partition_progress.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sbrgate::stage {
namespace {

using ::testing::HasSubstr;

TEST(PartitionProgress, InOrderCommitsTheOffsetAlone) {
  PartitionProgress p(10);
  for (int64_t o = 10; o < 13; ++o) p.Started(o);
  EXPECT_EQ(p.next(), 10);
  p.Finished(10);
  p.Finished(11);
  EXPECT_EQ(p.next(), 12);
  EXPECT_EQ(p.Metadata(), "");
  p.Finished(12);
  EXPECT_EQ(p.next(), 13);
  EXPECT_EQ(p.Metadata(), "");
  EXPECT_TRUE(p.Done(12));
  EXPECT_FALSE(p.Done(13));
}

TEST(PartitionProgress, ASlowRecordKeepsTheOffsetAndListsWhatIsOpen) {
  PartitionProgress p(100);
  for (int64_t o = 100; o < 106; ++o) p.Started(o);
  p.Finished(101);
  p.Finished(102);
  p.Finished(104);
  p.Finished(105);
  EXPECT_EQ(p.next(), 100);
  EXPECT_EQ(p.Metadata(), "v1;end=+6;open=+3");
  EXPECT_FALSE(p.Done(100));
  EXPECT_TRUE(p.Done(101));
  EXPECT_FALSE(p.Done(103));
  EXPECT_TRUE(p.Done(105));
  EXPECT_FALSE(p.Done(106));
}

TEST(PartitionProgress, DecodesWhatItCommits) {
  PartitionProgress p(7);
  for (int64_t o : {7, 8, 10, 11, 14}) p.Started(o);  // 9, 12, 13: no record (markers)
  p.Finished(8);
  p.Finished(11);
  absl::StatusOr<PartitionProgress> back = PartitionProgress::Decode(p.next(), p.Metadata());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, p);
  for (int64_t o = 0; o < 20; ++o) EXPECT_EQ(back->Done(o), p.Done(o)) << o;
  // The slow one finishes after the restart: the offset moves past the rest.
  back->Finished(7);
  EXPECT_EQ(back->next(), 10);
  back->Finished(10);
  back->Finished(14);
  EXPECT_EQ(back->next(), 15);
  EXPECT_EQ(back->Metadata(), "");
}

TEST(PartitionProgress, FarAheadOfARecordInProcess) {
  PartitionProgress p(0);
  p.Started(0);
  p.Started(PartitionProgress::kMaxAhead - 2);
  EXPECT_FALSE(p.far_ahead());
  p.Started(PartitionProgress::kMaxAhead - 1);
  EXPECT_TRUE(p.far_ahead());
  p.Finished(0);
  EXPECT_FALSE(p.far_ahead());
}

TEST(PartitionProgress, EmptyMetadataIsAPlainOffset) {
  absl::StatusOr<PartitionProgress> p = PartitionProgress::Decode(42, "");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->next(), 42);
  EXPECT_TRUE(p->Done(41));
  EXPECT_FALSE(p->Done(42));
  EXPECT_FALSE(p->Done(1000));
}

TEST(PartitionProgress, AWindowOfOpenRecordsFitsKafkasMetadataLimit) {
  PartitionProgress p(1'000'000'000);
  for (int64_t o = p.next(); o < p.next() + 100'000; ++o) p.Started(o);
  // 256 records open, spread over the range, the rest done.
  for (int64_t o = 1'000'000'000; o < 1'000'100'000; ++o) {
    if ((o - 1'000'000'000) % 390 != 0) p.Finished(o);
  }
  EXPECT_EQ(p.unfinished(), 257u);
  EXPECT_LT(p.Metadata().size(), 4096u);
}

TEST(PartitionProgress, RefusesMetadataItDidNotWrite) {
  for (const char* bad : {"v2;end=+3;open=", "v1;end=3;open=", "v1;end=+0;open=",
                          "v1;end=+3;open=+3", "v1;end=+3;open=+x", "v1;end=+3"}) {
    absl::StatusOr<PartitionProgress> p = PartitionProgress::Decode(5, bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_THAT(p.status().message(), HasSubstr(bad));
  }
}

}  // namespace
}  // namespace sbrgate::stage
