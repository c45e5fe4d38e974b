#include "pipeline/stp/status/status_view.h"

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/logging/structured_log.h"
#include "pipeline/platform/metrics/registry.h"
#include "rocksdb/db.h"

namespace sbrgate::lodgment {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

events::StatusChange Change(const std::string& id, v1::LodgmentState state) {
  events::StatusChange c;
  c.set_lodgment_id(id);
  c.set_state(state);
  return c;
}

class StatusViewCountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto blobs = blob::BlobStore::Create(dir_ + "/blobs");
    ASSERT_TRUE(blobs.ok()) << blobs.status();
    blobs_ = *std::move(blobs);
  }

  std::unique_ptr<StatusView> Open() {
    auto view = StatusView::Open(dir_ + "/view", blobs_.get());
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? *std::move(view) : nullptr;
  }

  std::string dir_;
  std::unique_ptr<blob::BlobStore> blobs_;
};

TEST_F(StatusViewCountsTest, CountsLodgmentsByStateAcrossReopening) {
  {
    std::unique_ptr<StatusView> view = Open();
    ASSERT_TRUE(view->Apply(Change("L1", v1::RECEIVED), 0).ok());
    ASSERT_TRUE(view->Apply(Change("L2", v1::RECEIVED), 1).ok());
    ASSERT_TRUE(view->Apply(Change("L1", v1::SUBMITTED), 2).ok());
    ASSERT_TRUE(view->Apply(Change("L1", v1::ACCEPTED), 3).ok());
    // Read again after a crash: not counted twice.
    ASSERT_TRUE(view->Apply(Change("L1", v1::ACCEPTED), 3).ok());
    // A change that keeps the state moves nothing.
    events::StatusChange detail = Change("L2", v1::STATE_UNSPECIFIED);
    detail.set_detail("still waiting");
    ASSERT_TRUE(view->Apply(detail, 4).ok());
    EXPECT_THAT(view->CountsByState(),
                ElementsAre(Pair(v1::RECEIVED, 1), Pair(v1::SUBMITTED, 0), Pair(v1::ACCEPTED, 1)));
  }
  std::unique_ptr<StatusView> view = Open();
  EXPECT_THAT(view->CountsByState(),
              ElementsAre(Pair(v1::RECEIVED, 1), Pair(v1::SUBMITTED, 0), Pair(v1::ACCEPTED, 1)));
  metrics::Registry registry;
  metrics::Registration exposed = ExposeLodgmentStates(registry, view.get());
  EXPECT_THAT(registry.Exposition(), HasSubstr("# TYPE sbrgate_lodgments gauge\n"
                                               "sbrgate_lodgments{state=\"RECEIVED\"} 1\n"
                                               "sbrgate_lodgments{state=\"SUBMITTED\"} 0\n"
                                               "sbrgate_lodgments{state=\"ACCEPTED\"} 1\n"));
}

TEST_F(StatusViewCountsTest, AViewMadeBeforeTheCountsIsCountedOnceOnOpening) {
  {
    std::unique_ptr<StatusView> view = Open();
    ASSERT_TRUE(view->Apply(Change("L1", v1::ACCEPTED), 0).ok());
    ASSERT_TRUE(view->Apply(Change("L2", v1::REJECTED), 1).ok());
    ASSERT_TRUE(view->Apply(Change("L3", v1::ACCEPTED), 2).ok());
  }
  {
    // What an older sbrgate left: the same entries, no counts.
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_ + "/view", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->DeleteRange(rocksdb::WriteOptions(), db->DefaultColumnFamily(), "n", "o").ok());
  }
  std::unique_ptr<StatusView> view = Open();
  EXPECT_THAT(view->CountsByState(), ElementsAre(Pair(v1::ACCEPTED, 2), Pair(v1::REJECTED, 1)));
  ASSERT_TRUE(view->Apply(Change("L2", v1::ACCEPTED), 3).ok());
  EXPECT_THAT(view->CountsByState(), ElementsAre(Pair(v1::ACCEPTED, 3), Pair(v1::REJECTED, 0)));
}

TEST_F(StatusViewCountsTest, EnteringAStateCountsATransition) {
  auto transitions = [] {
    const std::string text = metrics::Registry::Default().Exposition();
    const std::string prefix = "sbrgate_lodgment_transitions_total{state=\"ESCALATED\"} ";
    const size_t at = text.find(prefix);
    return at == std::string::npos ? 0 : std::stoi(text.substr(at + prefix.size()));
  };
  const int before = transitions();
  std::unique_ptr<StatusView> view = Open();
  ASSERT_TRUE(view->Apply(Change("L1", v1::RECEIVED), 0).ok());
  ASSERT_TRUE(view->Apply(Change("L1", v1::ESCALATED), 1).ok());
  ASSERT_TRUE(view->Apply(Change("L1", v1::ESCALATED), 1).ok());
  EXPECT_EQ(transitions(), before + 1);
}

// History read while the view catches up is logged at debug level, so a
// rebuilt view does not flood an info log; news after it, at info.
TEST_F(StatusViewCountsTest, StateChangesAreNewsOnlyOnceCaughtUp) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  logging::Configure({logging::Format::kText, logging::Level::kInfo, out});
  std::unique_ptr<StatusView> view = Open();
  ASSERT_TRUE(view->Apply(Change("OLD", v1::RECEIVED), 0).ok());
  view->SetCaughtUp();
  ASSERT_TRUE(view->Apply(Change("NEW", v1::RECEIVED), 1).ok());
  logging::Configure(logging::LogOptions());
  std::fflush(out);
  std::rewind(out);
  std::string written;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, out)) > 0;) written.append(buf, n);
  std::fclose(out);
  EXPECT_THAT(written, HasSubstr("lodgment_id=NEW"));
  EXPECT_THAT(written, ::testing::Not(HasSubstr("lodgment_id=OLD")));
}

TEST_F(StatusViewCountsTest, DeferredChangesShowOnceSyncedAndAreSeenByTheChangesAfterThem) {
  std::unique_ptr<StatusView> view = Open();
  ASSERT_TRUE(view->Apply(Change("L0", v1::RECEIVED), 0).ok());
  ASSERT_TRUE(view->ApplyDeferred(Change("L1", v1::RECEIVED), 1).ok());
  ASSERT_TRUE(view->ApplyDeferred(Change("L0", v1::RECEIPTED), 2).ok());
  ASSERT_TRUE(view->ApplyDeferred(Change("L1", v1::RECEIPTED), 3).ok());
  // Read again before the offsets committed: not applied twice.
  ASSERT_TRUE(view->ApplyDeferred(Change("L1", v1::RECEIPTED), 3).ok());
  EXPECT_FALSE(view->Get("L1").has_value());
  EXPECT_EQ(view->Get("L0")->state(), v1::RECEIVED);
  EXPECT_THAT(view->CountsByState(), ElementsAre(Pair(v1::RECEIVED, 1)));

  ASSERT_TRUE(view->Sync().ok());
  EXPECT_EQ(view->Get("L1")->state(), v1::RECEIPTED);
  EXPECT_EQ(view->Version("L1"), 2);
  EXPECT_EQ(view->Get("L0")->state(), v1::RECEIPTED);
  EXPECT_THAT(view->CountsByState(), ElementsAre(Pair(v1::RECEIVED, 0), Pair(v1::RECEIPTED, 2)));
  std::string next;
  std::vector<v1::Lodgment> listed = view->List(ListFilter(), 10, "", &next);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].lodgment_id(), "L0");
  EXPECT_EQ(listed[1].lodgment_id(), "L1");
}

TEST_F(StatusViewCountsTest, DeferredChangesNotSyncedAreGoneAfterARestartAndAppliedAgain) {
  {
    std::unique_ptr<StatusView> view = Open();
    ASSERT_TRUE(view->ApplyDeferred(Change("L1", v1::RECEIVED), 0).ok());
    ASSERT_TRUE(view->Sync().ok());
    ASSERT_TRUE(view->ApplyDeferred(Change("L1", v1::RECEIPTED), 1).ok());
  }
  std::unique_ptr<StatusView> view = Open();
  EXPECT_EQ(view->Get("L1")->state(), v1::RECEIVED);
  ASSERT_TRUE(view->ApplyDeferred(Change("L1", v1::RECEIPTED), 1).ok());
  ASSERT_TRUE(view->Sync().ok());
  EXPECT_EQ(view->Get("L1")->state(), v1::RECEIPTED);
  EXPECT_EQ(view->Version("L1"), 2);
  EXPECT_THAT(view->CountsByState(), ElementsAre(Pair(v1::RECEIVED, 0), Pair(v1::RECEIPTED, 1)));
}

TEST_F(StatusViewCountsTest, AChangeThatFailsLeavesNothingBehind) {
  std::unique_ptr<StatusView> view = Open();
  events::StatusChange change = Change("L1", v1::RECEIVED);
  change.mutable_lodgment()->set_abn("51824753556");
  change.mutable_lodgment()->set_bms_id("bms");
  change.mutable_lodgment()->set_interaction_transaction_id("t1");
  change.mutable_held_back()->set_sha256(std::string(64, '0'));  // no such blob
  EXPECT_FALSE(view->ApplyDeferred(change, 0).ok());
  ASSERT_TRUE(view->Sync().ok());
  EXPECT_FALSE(view->Get("L1").has_value());
  EXPECT_FALSE(view->FindByIdempotencyKey("51824753556", "bms", "t1").has_value());
  EXPECT_THAT(view->CountsByState(), ::testing::IsEmpty());
}

TEST_F(StatusViewCountsTest, ADeadLetterReadTwiceBeforeItIsWrittenCountsOnce) {
  std::unique_ptr<StatusView> view = Open();
  events::DeadLetter dl;
  dl.set_stage("submit");
  dl.set_topic("sbrgate.lodgments.received");
  dl.set_key("L1");
  ASSERT_TRUE(view->ApplyDeadLetterDeferred(0, 7, dl, /*lodgment=*/true).ok());
  ASSERT_TRUE(view->ApplyDeadLetterDeferred(0, 7, dl, /*lodgment=*/true).ok());
  EXPECT_TRUE(view->DeadLetters(false).empty());
  ASSERT_TRUE(view->Sync().ok());
  EXPECT_EQ(view->DeadLetters(false).size(), 1u);
  EXPECT_EQ(view->Get("L1")->state(), v1::NEEDS_ATTENTION);
  EXPECT_EQ(view->Version("L1"), 1);
}

TEST_F(StatusViewCountsTest, TheSubmissionIsKeptApartFromTheEntryAndReadBack) {
  events::StatusChange received = Change("L1", v1::RECEIVED);
  received.mutable_submission()->set_lodgment_id("L1");
  received.mutable_submission()->mutable_payload()->set_content("inline gzip");
  {
    std::unique_ptr<StatusView> view = Open();
    ASSERT_TRUE(view->Apply(received, 0).ok());
    ASSERT_TRUE(view->Apply(Change("L1", v1::RECEIPTED), 1).ok());
    ASSERT_TRUE(view->Sync().ok());
  }
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_ + "/view", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "eL1", &value).ok());
    StatusViewEntry entry;
    ASSERT_TRUE(entry.ParseFromString(value));
    EXPECT_FALSE(entry.has_submission());
    // What an older sbrgate wrote: the submission in the entry.
    *entry.mutable_submission() = received.submission();
    entry.mutable_lodgment()->set_lodgment_id("L2");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "eL2", entry.SerializeAsString()).ok());
  }
  std::unique_ptr<StatusView> view = Open();
  for (const std::string id : {"L1", "L2"}) {
    std::optional<events::LodgmentToSubmit> submission = view->Submission(id);
    ASSERT_TRUE(submission.has_value()) << id;
    EXPECT_EQ(submission->payload().content(), "inline gzip") << id;
  }
  EXPECT_FALSE(view->Submission("L3").has_value());
}

// A stage that stopped before its consumer offsets were stored pushes
// again what it had pushed: the duplicate receipt says nothing new once the
// lodgment's outcome is known. A new attempt (RECEIVED, a new MessageId)
// moves it on as before.
TEST_F(StatusViewCountsTest, APushRedoneAfterTheOutcomeLeavesTheOutcome) {
  std::unique_ptr<StatusView> view = Open();
  ASSERT_TRUE(view->Apply(Change("L1", v1::RECEIVED), 0).ok());
  ASSERT_TRUE(view->Apply(Change("L1", v1::SUBMITTED), 1).ok());
  ASSERT_TRUE(view->Apply(Change("L1", v1::RECEIPTED), 2).ok());
  ASSERT_TRUE(view->Apply(Change("L1", v1::REJECTED), 3).ok());
  int64_t offset = 4;
  for (v1::LodgmentState redone : {v1::SUBMITTED, v1::HELD, v1::RECEIPTED}) {
    ASSERT_TRUE(view->Apply(Change("L1", redone), offset++).ok());
    EXPECT_EQ(view->Get("L1")->state(), v1::REJECTED) << v1::LodgmentState_Name(redone);
  }
  EXPECT_THAT(view->CountsByState(), ElementsAre(Pair(v1::RECEIVED, 0), Pair(v1::SUBMITTED, 0),
                                                 Pair(v1::RECEIPTED, 0), Pair(v1::REJECTED, 1)));

  events::StatusChange again = Change("L1", v1::RECEIVED);
  again.mutable_lodgment()->set_message_id("m2@sbrgate");
  ASSERT_TRUE(view->Apply(again, offset++).ok());
  ASSERT_TRUE(view->Apply(Change("L1", v1::SUBMITTED), offset++).ok());
  EXPECT_EQ(view->Get("L1")->state(), v1::SUBMITTED);
  ASSERT_TRUE(view->Apply(Change("L1", v1::ACCEPTED), offset++).ok());
  ASSERT_TRUE(view->Apply(Change("L1", v1::RECEIPTED), offset++).ok());
  EXPECT_EQ(view->Get("L1")->state(), v1::ACCEPTED);
  EXPECT_EQ(view->Get("L1")->message_id(), "m2@sbrgate");
}

}  // namespace
}  // namespace sbrgate::lodgment
