// JobStage over a fake SBR (FakeClntcommExchange) and an in-memory stage context:
// when jobs run, that documents are fetched once, that a daily check waits
// its hour, and that a resend is the same message. The same stage runs under
// the real runner, broker and simulator in tests/comms_e2e_test.cc.
#include "pipeline/platform/common/mask.h"
#include "pipeline/clntcomm/jobs/job_stage.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/clntcomm/rules/schedule.h"
#include "pipeline/clntcomm/service/testing.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/topology/topology.h"
#include "pipeline/platform/stage/fake_context.h"

namespace sbrgate::comms {
namespace {

constexpr char kAbn[] = "51824753556";


class JobStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bed_ = TestBed::ForCurrentTest();
    blobs_ = bed_.blobs.get();
    ledger_ = bed_.ledger.get();
    keeper_ = bed_.keeper.get();
    sbr_ = bed_.sbr.get();
    sbr_->AddItems(TestTfn(), 150, SydneyTime(2026, 3, 1, 9));
    stage_ = std::make_unique<JobStage>(sbr_, keeper_,
                                        JobStageOptions{"test.sbrgate", absl::Minutes(1),
                                                        absl::Minutes(5)});
  }

  v1::AgentContext Agent() {
    v1::AgentContext a;
    a.set_agent_abn(kAbn);
    a.set_ran("12345678");
    a.set_user_id("alice");
    return a;
  }

  // A job as the service makes it; `request_sha256` overrides where its
  // request is stored.
  std::string Request(const std::string& kind, const google::protobuf::Message& request,
                      absl::Time not_before, const std::string& request_sha256 = "") {
    v1::JobRequested r;
    v1::Job* job = r.mutable_job();
    job->set_job_id(absl::StrCat("job-", ++jobs_));
    job->set_kind(kind);
    job->set_state(v1::SCHEDULED);
    *job->mutable_not_before() = ToProto(not_before);
    *job->mutable_agent() = Agent();
    job->set_revision(1);
    r.set_request_sha256(request_sha256.empty()
                             ? blobs_->PutString(request.SerializeAsString())->sha256
                             : request_sha256);
    stage::Record in;
    in.topic = topics::kJobRequests;
    in.key = job->agent().agent_abn();
    in.value = r.SerializeAsString();
    EXPECT_TRUE(stage_->Process(in, ctx_).ok());
    return job->job_id();
  }

  v1::BulkGetRequest GetAll() {
    v1::BulkGetRequest get;
    *get.mutable_agent() = Agent();
    for (const clntcomm::Document& d : sbr_->docs()) {
      v1::GetCommunicationRequest* r = get.add_documents();
      *r->mutable_client() = d.item.client();
      r->set_document_id(d.item.document_id());
    }
    return get;
  }

  // Punctuates every minute of clock time from `from` for `span`.
  void RunFor(absl::Time from, absl::Duration span) {
    for (absl::Time t = from; t <= from + span; t += absl::Minutes(1)) {
      clock_.Set(t);
      ASSERT_TRUE(stage_->Punctuate(t, ctx_).ok());
    }
  }

  // The latest snapshot of `job_id` on the jobs topic.
  std::optional<v1::Job> Latest(const std::string& job_id) {
    std::optional<v1::Job> latest;
    for (const v1::Job& j : ctx_.On<v1::Job>(topics::kJobs)) {
      if (j.job_id() == job_id) latest = j;
    }
    return latest;
  }

  v1::JobResults Results(const v1::Job& job) {
    v1::JobResults r;
    r.ParseFromString(*blobs_->ReadString(job.results_sha256()));
    return r;
  }

  TestBed bed_;
  ManualClock clock_{SydneyTime(2026, 3, 2, 14)};
  stage::FakeContext ctx_{&clock_};
  blob::BlobStore* blobs_ = nullptr;
  clntcomm::RetrievalLedger* ledger_ = nullptr;
  DocumentKeeper* keeper_ = nullptr;
  FakeClntcommExchange* sbr_ = nullptr;
  std::unique_ptr<JobStage> stage_;
  int jobs_ = 0;
};

TEST_F(JobStageTest, BulkListWaitsForItsWindowThenListsEveryMatch) {
  v1::ListCommunicationsRequest list;
  *list.mutable_agent() = Agent();
  const absl::Time asked = SydneyTime(2026, 3, 2, 14);
  const absl::Time window = clntcomm::EarliestStart(clntcomm::JobKind::kBulk, {v1::PAPER}, asked);
  ASSERT_EQ(window, SydneyTime(2026, 3, 2, 20));
  const std::string id = Request(kJobKindBulkList, list, window);

  RunFor(asked, absl::Hours(6) - absl::Minutes(1));  // until 7:59 pm
  EXPECT_TRUE(sbr_->pushes().empty());
  RunFor(window, absl::Minutes(5));
  ASSERT_EQ(sbr_->pushes().size(), 1u);
  EXPECT_EQ(sbr_->pushes()[0].kind, BulkKind::kList);
  std::optional<v1::Job> job = Latest(id);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->state(), v1::DONE) << job->detail();
  EXPECT_EQ(job->item_count(), 150);
  EXPECT_EQ(Results(*job).items_size(), 150);
  EXPECT_EQ(ctx_.store(JobStage::kJobsStore).size(), 0u);
}

TEST_F(JobStageTest, BulkGetRetrievesEachDocumentOnceThenServesFromTheStore) {
  const std::string first = Request(kJobKindBulkGet, GetAll(), SydneyTime(2026, 3, 2, 20));
  RunFor(SydneyTime(2026, 3, 2, 20), absl::Minutes(5));
  std::optional<v1::Job> job = Latest(first);
  ASSERT_TRUE(job.has_value());
  ASSERT_EQ(job->state(), v1::DONE) << job->detail();
  EXPECT_EQ(job->document_count(), 150);
  EXPECT_EQ(job->served_from_store(), 0);
  EXPECT_EQ(sbr_->documents_sent(), 150);
  EXPECT_EQ(ctx_.On<v1::CommunicationRetrieved>(topics::kDocuments).size(), 150u);
  // The events name the client by its masked TFN; the results keep it whole.
  int masked = 0;
  for (const auto& e : ctx_.On<v1::CommunicationRetrieved>(topics::kDocuments)) {
    if (e.item().client().type() != v1::TFN) continue;
    EXPECT_EQ(e.item().client().value(), MaskIdentifier(TestTfn().value()));
    ++masked;
  }
  EXPECT_GT(masked, 0);
  const v1::JobResults results = Results(*job);
  EXPECT_EQ(results.documents(0).item().client().value(), TestTfn().value());
  for (const v1::Communication& c : results.documents()) {
    EXPECT_EQ(*blobs_->ReadString(c.sha256()),
              absl::StrCat("%PDF-1.4 document ", c.item().document_id()));
    EXPECT_TRUE(ledger_->Find(kAbn, c.item().document_id())->has_value());
  }

  ctx_.Clear();
  const size_t pushes = sbr_->pushes().size();
  const std::string second = Request(kJobKindBulkGet, GetAll(), SydneyTime(2026, 3, 2, 21));
  RunFor(SydneyTime(2026, 3, 2, 21), absl::Minutes(2));
  job = Latest(second);
  ASSERT_EQ(job->state(), v1::DONE) << job->detail();
  EXPECT_EQ(job->served_from_store(), 150);
  EXPECT_EQ(sbr_->pushes().size(), pushes);  // SBR not asked
  EXPECT_EQ(sbr_->documents_sent(), 150);
  EXPECT_TRUE(ctx_.On<v1::CommunicationRetrieved>(topics::kDocuments).empty());
}

TEST_F(JobStageTest, RefetchAsksSbrAgain) {
  Request(kJobKindBulkGet, GetAll(), SydneyTime(2026, 3, 2, 20));
  RunFor(SydneyTime(2026, 3, 2, 20), absl::Minutes(3));
  v1::BulkGetRequest again = GetAll();
  again.set_refetch(true);
  const std::string id = Request(kJobKindBulkGet, again, SydneyTime(2026, 3, 2, 21));
  RunFor(SydneyTime(2026, 3, 2, 21), absl::Minutes(3));
  EXPECT_EQ(Latest(id)->served_from_store(), 0);
  EXPECT_EQ(sbr_->documents_sent(), 300);
}

TEST_F(JobStageTest, SbrUnavailableResendsTheSameMessage) {
  sbr_->set_unavailable(true);
  const std::string id = Request(kJobKindBulkGet, GetAll(), SydneyTime(2026, 3, 2, 20));
  RunFor(SydneyTime(2026, 3, 2, 20), absl::Minutes(12));
  EXPECT_TRUE(sbr_->pushes().empty());
  EXPECT_EQ(Latest(id)->state(), v1::RUNNING);
  v1::JobProgress p;
  ASSERT_TRUE(p.ParseFromString(*ctx_.store(JobStage::kJobsStore).Get(id)));
  const std::string message_id = p.message_id();
  ASSERT_FALSE(message_id.empty());

  sbr_->set_unavailable(false);
  RunFor(SydneyTime(2026, 3, 2, 20, 13), absl::Minutes(10));
  ASSERT_EQ(sbr_->pushes().size(), 1u);
  EXPECT_EQ(sbr_->pushes()[0].message_id, message_id);
  EXPECT_EQ(sbr_->pushes()[0].timestamp, FromProto(p.pushed_at()));
  EXPECT_EQ(Latest(id)->state(), v1::DONE);
}

TEST_F(JobStageTest, AStoppingStageCutsItsExchangesAndKeepsItsJobs) {
  const std::string id = Request(kJobKindBulkGet, GetAll(), SydneyTime(2026, 3, 2, 20));
  stage_->Stopping();
  RunFor(SydneyTime(2026, 3, 2, 20), absl::Minutes(12));
  EXPECT_TRUE(sbr_->pushes().empty());
  // Held for after the restart, not failed.
  EXPECT_EQ(Latest(id)->state(), v1::RUNNING);
}

TEST_F(JobStageTest, DailySyncChecksAtMostOncePerHourForThePeriodSinceTheLastCheck) {
  sbr_->AddItems(TestTfn(), 3, SydneyTime(2026, 3, 2, 19));  // within the last 24 hours
  v1::DailySyncRequest daily;
  *daily.mutable_agent() = Agent();
  const std::string first = Request(kJobKindDailySync, daily, SydneyTime(2026, 3, 2, 21));
  RunFor(SydneyTime(2026, 3, 2, 21), absl::Minutes(6));
  std::optional<v1::Job> job = Latest(first);
  ASSERT_EQ(job->state(), v1::DONE) << job->detail();
  EXPECT_EQ(job->item_count(), 3);  // only the last 24 hours
  EXPECT_EQ(job->document_count(), 3);
  ASSERT_EQ(sbr_->pushes().size(), 2u);  // a list, then a get
  const absl::Time checked = SydneyTime(2026, 3, 2, 21);

  // Asked again 20 minutes later: waits until an hour after the check.
  const std::string second = Request(kJobKindDailySync, daily, SydneyTime(2026, 3, 2, 21, 20));
  RunFor(SydneyTime(2026, 3, 2, 21, 20), absl::Minutes(30));
  job = Latest(second);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->state(), v1::SCHEDULED);
  EXPECT_GE(FromProto(job->not_before()), checked + clntcomm::kMinCheckInterval);
  EXPECT_EQ(sbr_->pushes().size(), 2u);
  RunFor(SydneyTime(2026, 3, 2, 21, 51), absl::Minutes(20));
  job = Latest(second);
  EXPECT_EQ(job->state(), v1::DONE) << job->detail();
  EXPECT_EQ(job->item_count(), 0);  // nothing new since the last check
  EXPECT_EQ(sbr_->pushes().size(), 3u);
}

TEST_F(JobStageTest, AClientIsNamedByThePracticesReferenceInLaterJobsAndOnTheTopic) {
  v1::ListCommunicationsRequest list;
  *list.mutable_agent() = Agent();
  v1::ClientId* named = list.add_clients();
  *named = TestTfn();
  named->set_reference("SMITH01");
  const std::string listed = Request(kJobKindBulkList, list, SydneyTime(2026, 3, 2, 20));
  RunFor(SydneyTime(2026, 3, 2, 20), absl::Minutes(3));
  std::optional<v1::Job> job = Latest(listed);
  ASSERT_EQ(job->state(), v1::DONE) << job->detail();
  const v1::JobResults listed_results = Results(*job);
  ASSERT_GT(listed_results.items_size(), 0);
  for (const v1::CommunicationItem& item : listed_results.items()) {
    EXPECT_EQ(item.client().reference(), "SMITH01");
  }
  // The reference goes nowhere near SBR.
  for (const BulkPush& push : sbr_->pushes()) {
    EXPECT_THAT(push.request_xml, ::testing::Not(::testing::HasSubstr("SMITH01")));
  }

  // A daily sync names no client, yet its documents, and their events with
  // the TFN masked, carry the reference the practice gave before.
  sbr_->AddItems(TestTfn(), 2, SydneyTime(2026, 3, 2, 19));
  v1::DailySyncRequest daily;
  *daily.mutable_agent() = Agent();
  const std::string synced = Request(kJobKindDailySync, daily, SydneyTime(2026, 3, 2, 21));
  RunFor(SydneyTime(2026, 3, 2, 21), absl::Minutes(6));
  job = Latest(synced);
  ASSERT_EQ(job->state(), v1::DONE) << job->detail();
  EXPECT_EQ(job->document_count(), 2);
  const v1::JobResults synced_results = Results(*job);
  for (const v1::Communication& c : synced_results.documents()) {
    EXPECT_EQ(c.item().client().reference(), "SMITH01");
  }
  const std::vector<v1::CommunicationRetrieved> events =
      ctx_.On<v1::CommunicationRetrieved>(topics::kDocuments);
  ASSERT_EQ(events.size(), 2u);
  for (const v1::CommunicationRetrieved& e : events) {
    EXPECT_EQ(e.item().client().value(), MaskIdentifier(TestTfn().value()));
    EXPECT_EQ(e.item().client().reference(), "SMITH01");
  }

  // Another practice's jobs do not see it.
  EXPECT_FALSE(ctx_.store(JobStage::kClientReferencesStore)
                   .Get(absl::StrCat("83914571673/TFN/", TestTfn().value()))
                   .has_value());
}

TEST_F(JobStageTest, AJobThatCannotReadItsRequestFailsWithoutHoldingTheOthers) {
  v1::ListCommunicationsRequest list;
  *list.mutable_agent() = Agent();
  const std::string broken =
      Request(kJobKindBulkList, list, SydneyTime(2026, 3, 2, 20), std::string(64, '0'));
  const std::string fine = Request(kJobKindBulkList, list, SydneyTime(2026, 3, 2, 20));
  RunFor(SydneyTime(2026, 3, 2, 20), absl::Minutes(3));
  EXPECT_EQ(Latest(fine)->state(), v1::DONE);
  std::optional<v1::Job> job = Latest(broken);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->state(), v1::SCHEDULED);
  EXPECT_THAT(job->detail(), ::testing::HasSubstr("step failed 1 times"));
  RunFor(SydneyTime(2026, 3, 2, 20, 4), absl::Minutes(30));  // retried every 5 minutes
  job = Latest(broken);
  EXPECT_EQ(job->state(), v1::FAILED);
  EXPECT_THAT(job->detail(), ::testing::HasSubstr("step failed 5 times"));
  EXPECT_EQ(ctx_.store(JobStage::kJobsStore).size(), 0u);
}

TEST_F(JobStageTest, AReplayedRequestIsOneJob) {
  v1::ListCommunicationsRequest list;
  *list.mutable_agent() = Agent();
  const std::string id = Request(kJobKindBulkList, list, SydneyTime(2026, 3, 2, 20));
  v1::JobRequested again;
  ctx_.store(JobStage::kJobsStore).ForEach([&](const std::string&, const std::string& v) {
    v1::JobProgress p;
    p.ParseFromString(v);
    again = p.requested();
  });
  stage::Record in;
  in.value = again.SerializeAsString();
  ASSERT_TRUE(stage_->Process(in, ctx_).ok());
  RunFor(SydneyTime(2026, 3, 2, 20), absl::Minutes(3));
  EXPECT_EQ(sbr_->pushes().size(), 1u);
  EXPECT_EQ(Latest(id)->state(), v1::DONE);
}

}  // namespace
}  // namespace sbrgate::comms
