#include "pipeline/clntcomm/jobs/job_view.h"

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sbrgate::comms {
namespace {

v1::Job Job(const std::string& id, int64_t revision, v1::JobState state, int64_t created) {
  v1::Job j;
  j.set_job_id(id);
  j.set_revision(revision);
  j.set_state(state);
  j.mutable_agent()->set_agent_abn("51824753556");
  j.mutable_created_at()->set_seconds(created);
  return j;
}

TEST(JobViewTest, KeepsJobsOnDiskAndIgnoresOlderSnapshots) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/job-view");
  std::filesystem::remove_all(dir);
  std::string generation;
  {
    auto view = JobView::Open(dir);
    ASSERT_TRUE(view.ok()) << view.status();
    generation = (*view)->generation();
    ASSERT_TRUE((*view)->Apply(Job("b", 1, v1::SCHEDULED, 20)).ok());
    ASSERT_TRUE((*view)->Apply(Job("a", 1, v1::SCHEDULED, 10)).ok());
    ASSERT_TRUE((*view)->Apply(Job("a", 3, v1::DONE, 10)).ok());
    ASSERT_TRUE((*view)->Sync().ok());
  }
  auto view = JobView::Open(dir);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ((*view)->generation(), generation);
  std::optional<JobView::Versioned> a = (*view)->Get("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->job.state(), v1::DONE);
  EXPECT_EQ(a->version, 2);
  // Read again after a restart: an older snapshot changes nothing.
  ASSERT_TRUE((*view)->Apply(Job("a", 2, v1::RUNNING, 10)).ok());
  EXPECT_EQ((*view)->Get("a")->job.state(), v1::DONE);
  std::vector<v1::Job> listed = (*view)->List("51824753556");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].job_id(), "a");  // oldest first
  EXPECT_TRUE((*view)->List("other").empty());
  // A watcher sees a change made after it began.
  std::optional<JobView::Versioned> seen =
      (*view)->WaitForChange("b", 1, absl::Now() + absl::Milliseconds(10));
  EXPECT_EQ(seen->version, 1);
}

}  // namespace
}  // namespace sbrgate::comms
