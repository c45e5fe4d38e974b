// CommunicationServiceImpl over a fake SBR (FakeClntcommExchange), a fake publisher
// and a manual clock: what is refused before SBR is asked, when jobs are
// scheduled (both sides of the daylight-saving changes), and single gets
// served from the store. The service against the real simulator, broker and
// job stage is tests/comms_e2e_test.cc.
#include "pipeline/clntcomm/service/communication_service.h"

#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/clntcomm/jobs/job_stage.h"
#include "pipeline/clntcomm/service/testing.h"
#include "pipeline/platform/common/mask.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/publish/fake_publisher.h"
#include "pipeline/platform/rpc/server.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::comms {
namespace {

using ::testing::Contains;

constexpr char kAbn[] = "51824753556";


class CommunicationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bed_ = TestBed::ForCurrentTest();
    sbr_ = bed_.sbr.get();
    sbr_->AddItems(TestTfn(), 3, SydneyTime(2026, 1, 5, 9));
    permissions_.Grant(kAbn, "alice", clntcomm::kClientCorroView);
    permissions_.Grant(kAbn, "bob", "Client.Lodge");
    auto view = JobView::Open(bed_.dir + "/jobs-view");
    ASSERT_TRUE(view.ok()) << view.status();
    view_ = *std::move(view);
    auto audit = access::AuditLog::Open(bed_.dir + "/audit.log", &clock_);
    ASSERT_TRUE(audit.ok()) << audit.status();
    audit_ = *std::move(audit);
    service_ = std::make_unique<CommunicationServiceImpl>(CommunicationServiceOptions{
        sbr_, bed_.keeper.get(), &permissions_, &publisher_, view_.get(), &clock_,
        authenticator_.get(), audit_.get()});
  }

  static v1::AgentContext Agent(const std::string& user = "alice") {
    v1::AgentContext a;
    a.set_agent_abn(kAbn);
    a.set_ran("12345678");
    a.set_user_id(user);
    return a;
  }

  static v1::ListCommunicationsRequest List(std::vector<v1::Channel> channels) {
    v1::ListCommunicationsRequest r;
    *r.mutable_agent() = Agent();
    *r.add_clients() = TestTfn();
    r.set_from_date("2020-01-01");
    r.set_to_date("2026-01-31");
    for (v1::Channel c : channels) r.add_channels(c);
    return r;
  }

  v1::GetCommunicationRequest Get(bool refetch = false) {
    v1::GetCommunicationRequest g;
    *g.mutable_agent() = Agent();
    *g.mutable_client() = TestTfn();
    g.set_document_id(sbr_->docs().front().item.document_id());
    g.set_refetch(refetch);
    return g;
  }

  TestBed bed_;
  ManualClock clock_{SydneyTime(2026, 3, 2, 14)};
  FakeClntcommExchange* sbr_ = nullptr;
  clntcomm::PermissionStore permissions_;
  publish::FakePublisher publisher_;
  std::unique_ptr<JobView> view_;
  std::unique_ptr<CommunicationServiceImpl> service_;
  std::unique_ptr<access::Authenticator> authenticator_ = access::Authenticator::LoopbackOperator();
  std::unique_ptr<access::AuditLog> audit_;
  grpc::ServerContext ctx_;
};

TEST_F(CommunicationServiceTest, BulkWorkAskedForAtTwoPmWaitsForEightPmAcrossDaylightSaving) {
  // Sydney leaves daylight saving on Sunday 5 April 2026 and enters it on
  // Sunday 4 October 2026: the days either side of each change.
  for (const absl::CivilDay day : {absl::CivilDay(2026, 4, 4), absl::CivilDay(2026, 4, 6),
                                   absl::CivilDay(2026, 10, 3), absl::CivilDay(2026, 10, 5)}) {
    clock_.Set(SydneyTime(day.year(), day.month(), day.day(), 14));
    v1::Job job;
    const v1::ListCommunicationsRequest list = List({v1::PAPER});
    ASSERT_TRUE(service_->StartBulkList(&ctx_, &list, &job).ok());
    EXPECT_EQ(job.state(), v1::SCHEDULED);
    EXPECT_EQ(FromProto(job.not_before()), SydneyTime(day.year(), day.month(), day.day(), 20)) << day;
    v1::DailySyncRequest daily;
    *daily.mutable_agent() = Agent();
    ASSERT_TRUE(service_->StartDailySync(&ctx_, &daily, &job).ok());
    EXPECT_EQ(FromProto(job.not_before()), SydneyTime(day.year(), day.month(), day.day(), 20)) << day;
  }
  // Published as a request for the job stage and a first snapshot.
  const std::vector<std::vector<kafka::Output>> calls = publisher_.calls();
  ASSERT_FALSE(calls.empty());
  std::set<std::string> topics;
  for (const kafka::Output& o : calls.back()) {
    topics.insert(o.topic);
    // A practice's jobs share a partition: one stage instance keeps its
    // last-check time.
    if (o.topic == topics::kJobRequests) {
      EXPECT_EQ(o.key, kAbn);
    }
  }
  EXPECT_EQ(topics, (std::set<std::string>{topics::kJobRequests, topics::kJobs}));
}

TEST_F(CommunicationServiceTest, SmsAndEmailOnlyBulkWorkRunsAtOnceOnAWeekday) {
  clock_.Set(SydneyTime(2026, 3, 2, 14));  // a Monday
  v1::Job job;
  const v1::ListCommunicationsRequest list = List({v1::SMS, v1::EMAIL});
  ASSERT_TRUE(service_->StartBulkList(&ctx_, &list, &job).ok());
  EXPECT_EQ(FromProto(job.not_before()), clock_.Now());
  EXPECT_EQ(view_->Get(job.job_id())->job.kind(), kJobKindBulkList);
}

TEST_F(CommunicationServiceTest, RefusalsNameTheFieldAndNeverReachSbr) {
  v1::ListCommunicationsRequest r = List({});
  r.add_categories(v1::NOTIFY);
  r.add_categories(v1::LEGAL);
  v1::ListCommunicationsResponse page;
  grpc::Status s = service_->QuickList(&ctx_, &r, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadRequestFields(s), Contains("channels"));
  EXPECT_THAT(BadRequestFields(s), Contains("categories"));

  v1::BulkGetRequest get;
  *get.mutable_agent() = Agent();
  v1::Job job;
  s = service_->StartBulkGet(&ctx_, &get, &job);
  EXPECT_THAT(BadRequestFields(s), Contains("documents"));
  v1::GetCommunicationRequest* d = get.add_documents();
  *d->mutable_client() = TestTfn();
  d->mutable_client()->set_value("123456789");  // bad check digit
  s = service_->StartBulkGet(&ctx_, &get, &job);
  EXPECT_THAT(BadRequestFields(s), Contains("documents[0].client.value"));
  EXPECT_THAT(BadRequestFields(s), Contains("documents[0].document_id"));

  r = List({v1::PAPER});
  *r.mutable_agent() = Agent("bob");
  s = service_->QuickList(&ctx_, &r, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("Client.Corro.View"));
  EXPECT_TRUE(publisher_.calls().empty());
  EXPECT_TRUE(sbr_->pushes().empty());
}

TEST_F(CommunicationServiceTest, ASingleGetIsFetchedOnceThenServedFromTheStore) {
  v1::Communication c;
  v1::GetCommunicationRequest g = Get();
  ASSERT_TRUE(service_->GetCommunication(&ctx_, &g, &c).ok());
  EXPECT_FALSE(c.served_from_store());
  EXPECT_EQ(sbr_->single_gets(), 1);
  ASSERT_EQ(publisher_.calls().size(), 1u);
  EXPECT_EQ(publisher_.calls()[0][0].topic, topics::kDocuments);
  const std::string sha = c.sha256();

  ASSERT_TRUE(service_->GetCommunication(&ctx_, &g, &c).ok());
  EXPECT_TRUE(c.served_from_store());
  EXPECT_EQ(c.sha256(), sha);
  EXPECT_EQ(sbr_->single_gets(), 1);
  EXPECT_EQ(publisher_.calls().size(), 1u);

  g = Get(/*refetch=*/true);
  ASSERT_TRUE(service_->GetCommunication(&ctx_, &g, &c).ok());
  EXPECT_FALSE(c.served_from_store());
  EXPECT_EQ(sbr_->single_gets(), 2);
}

TEST_F(CommunicationServiceTest, SynchronousAnswersNameTheClientByTheReferenceAsked) {
  v1::ListCommunicationsRequest r = List({v1::PAPER});
  r.mutable_clients(0)->set_reference("SMITH01");
  v1::ListCommunicationsResponse page;
  ASSERT_TRUE(service_->QuickList(&ctx_, &r, &page).ok());
  ASSERT_EQ(page.items_size(), 3);
  for (const v1::CommunicationItem& item : page.items()) {
    EXPECT_EQ(item.client().reference(), "SMITH01");
  }

  v1::GetCommunicationRequest g = Get();
  g.mutable_client()->set_reference("SMITH01");
  v1::Communication c;
  ASSERT_TRUE(service_->GetCommunication(&ctx_, &g, &c).ok());
  EXPECT_EQ(c.item().client().reference(), "SMITH01");
  ASSERT_EQ(publisher_.calls().size(), 1u);
  v1::CommunicationRetrieved event;
  ASSERT_TRUE(event.ParseFromString(publisher_.calls()[0][0].value));
  EXPECT_EQ(event.item().client().value(), MaskIdentifier(TestTfn().value()));
  EXPECT_EQ(event.item().client().reference(), "SMITH01");

  g.mutable_client()->set_reference(std::string(65, 'x'));
  grpc::Status s = service_->GetCommunication(&ctx_, &g, &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadRequestFields(s), Contains("client.reference"));
}

TEST_F(CommunicationServiceTest, ADocumentWhoseEventCannotBePublishedIsNotServedWithoutOne) {
  publisher_.Fail(absl::UnavailableError("broker down"));
  v1::Communication c;
  v1::GetCommunicationRequest g = Get();
  grpc::Status s = service_->GetCommunication(&ctx_, &g, &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("ask again"));
  // Asked again once the broker is back: fetched again, and this time its
  // event goes out before the document counts as retrieved.
  publisher_.Fail(absl::OkStatus());
  ASSERT_TRUE(service_->GetCommunication(&ctx_, &g, &c).ok());
  EXPECT_FALSE(c.served_from_store());
  EXPECT_EQ(sbr_->single_gets(), 2);
  ASSERT_EQ(publisher_.calls().size(), 1u);
  EXPECT_EQ(publisher_.calls()[0][0].key, g.document_id());
  ASSERT_TRUE(service_->GetCommunication(&ctx_, &g, &c).ok());
  EXPECT_TRUE(c.served_from_store());
  EXPECT_EQ(sbr_->single_gets(), 2);
}

TEST_F(CommunicationServiceTest, AJobsResultsComeAPageAtATime) {
  v1::JobResults results;
  for (int i = 0; i < 2500; ++i) results.add_items()->set_document_id(absl::StrCat("D-", i));
  v1::Job done;
  done.set_job_id("job-big");
  done.set_state(v1::DONE);
  done.set_item_count(2500);
  done.set_revision(3);
  done.set_results_sha256(bed_.blobs->PutString(results.SerializeAsString())->sha256);
  ASSERT_TRUE(view_->Apply(done).ok());

  v1::GetJobRequest r;
  r.set_job_id("job-big");
  std::vector<std::string> ids;
  int pages = 0;
  do {
    v1::Job page;
    ASSERT_TRUE(service_->GetJob(&ctx_, &r, &page).ok());
    EXPECT_LE(page.items_size(), 1000);
    for (const v1::CommunicationItem& i : page.items()) ids.push_back(i.document_id());
    r.set_page_token(page.next_page_token());
    ++pages;
  } while (!r.page_token().empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(ids.size(), 2500u);
  EXPECT_EQ(ids.front(), "D-0");
  EXPECT_EQ(ids.back(), "D-2499");

  r.set_page_token("not-a-token");
  v1::Job page;
  EXPECT_EQ(service_->GetJob(&ctx_, &r, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  r.clear_page_token();
  r.set_page_size(20000);
  EXPECT_EQ(service_->GetJob(&ctx_, &r, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CommunicationServiceTest, WatchStreamsPastTheCallersCapAreRefusedUntilOneCloses) {
  v1::Job running;
  running.set_job_id("job-running");
  running.set_state(v1::RUNNING);
  *running.mutable_agent() = Agent();
  running.set_revision(1);
  ASSERT_TRUE(view_->Apply(running).ok());
  CommunicationServiceImpl capped(CommunicationServiceOptions{
      sbr_, bed_.keeper.get(), &permissions_, &publisher_, view_.get(), &clock_,
      authenticator_.get(), audit_.get(), /*max_watches_per_caller=*/1});
  absl::StatusOr<rpc::RunningServer> server = rpc::StartServer({&capped});
  ASSERT_TRUE(server.ok()) << server.status();
  auto client = v1::CommunicationService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", server->port), grpc::InsecureChannelCredentials()));
  v1::GetJobRequest watch;
  watch.set_job_id("job-running");
  v1::Job seen;

  grpc::ClientContext first_context;
  auto first = client->WatchJob(&first_context, watch);
  ASSERT_TRUE(first->Read(&seen));
  EXPECT_EQ(seen.state(), v1::RUNNING);
  grpc::ClientContext second_context;
  auto second = client->WatchJob(&second_context, watch);
  EXPECT_FALSE(second->Read(&seen));
  const grpc::Status refused = second->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("--max-watches-per-caller is 1"));

  first_context.TryCancel();
  first->Finish();
  // The slot is given back when the stream ends (the server notices the
  // cancellation at its next look).
  grpc::Status third_status;
  for (int attempt = 0; attempt < 50; ++attempt) {
    grpc::ClientContext third_context;
    auto third = client->WatchJob(&third_context, watch);
    if (third->Read(&seen)) {
      third_context.TryCancel();
      third_status = grpc::Status::OK;
      third->Finish();
      break;
    }
    third_status = third->Finish();
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(third_status.ok()) << third_status.error_message();
  server->server->Shutdown(absl::ToChronoTime(absl::Now()));
}

TEST_F(CommunicationServiceTest, UnknownJobIsNotFound) {
  v1::GetJobRequest r;
  r.set_job_id("job-nope");
  v1::Job job;
  EXPECT_EQ(service_->GetJob(&ctx_, &r, &job).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace sbrgate::comms
