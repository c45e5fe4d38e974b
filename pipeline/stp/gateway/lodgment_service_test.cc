// The gateway through a real in-process gRPC server and channel: uploads in
// chunks, what gets published (to a fake Publisher that records it) and
// stored, the rich errors a client decodes, and the read side served from a
// real StatusView.
#include "pipeline/stp/gateway/lodgment_service.h"

#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/kafka/limits.h"
#include "pipeline/platform/publish/fake_publisher.h"
#include "pipeline/platform/rpc/server.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/stp/payevnt/validator.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/stp/status/status_view.h"
#include "pipeline/stp/status/view_feeder.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace sbrgate::gateway {
namespace {

namespace fs = std::filesystem;
namespace topics = lodgment::topics;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

const absl::Time kNow = absl::FromUnixSeconds(1721005323);  // 2024-07-15T01:02:03Z

std::string Generate(int64_t employees, int64_t invalid = 0, bool invalid_employer = false,
                     uint64_t seed = 9, std::vector<std::string>* invalid_ids = nullptr) {
  payevnt::GeneratorOptions o;
  o.employees = employees;
  o.invalid_tfns = invalid;
  o.invalid_employer = invalid_employer;
  o.seed = seed;
  o.message_timestamp = kNow;
  StringSink sink;
  absl::StatusOr<payevnt::GeneratedLodgment> g = payevnt::GenerateLodgment(o, sink);
  EXPECT_TRUE(g.ok()) << g.status();
  if (invalid_ids != nullptr) *invalid_ids = g->invalid_document_ids;
  return sink.data();
}

v1::SubmitMetadata Meta(const std::string& corrects = "",
                        v1::PrevalidateMode mode = v1::PREVALIDATE_UNSPECIFIED) {
  v1::SubmitMetadata m;
  m.set_file_name("pay.xml");
  m.set_corrects_lodgment_id(corrects);
  m.set_prevalidate(mode);
  return m;
}

struct Submitted {
  grpc::Status status;
  v1::Lodgment lodgment;
};

class LodgmentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/gateway-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    auto blobs = blob::BlobStore::Create(root_ + "/blobs");
    ASSERT_TRUE(blobs.ok()) << blobs.status();
    blobs_ = *std::move(blobs);
    auto view = lodgment::StatusView::Open(root_ + "/view", blobs_.get());
    ASSERT_TRUE(view.ok()) << view.status();
    view_ = *std::move(view);
    LodgmentServiceOptions o;
    o.view = view_.get();
    o.publisher = &publisher_;
    o.blobs = blobs_.get();
    o.clock = &clock_;
    o.message_id_domain = "gateway.test";
    o.appear_timeout = absl::Seconds(1);
    o.view_ready = [this] { return view_ready_.load(); };
    o.max_upload_bytes = max_upload_bytes_;
    o.max_employees = max_employees_;
    o.max_watches_per_caller = max_watches_per_caller_;
    o.authenticator = authenticator_.get();
    auto audit = access::AuditLog::Open(root_ + "/audit.log", &clock_);
    ASSERT_TRUE(audit.ok()) << audit.status();
    audit_ = *std::move(audit);
    o.audit = audit_.get();
    // Reads see what was published at once, as the daemon's view shows a
    // lodgment before its lodge returns.
    publisher_.Observe(lodgment::StatusViewFeeder(view_.get()));
    service_ = std::make_unique<LodgmentServiceImpl>(std::move(o));
    absl::StatusOr<rpc::RunningServer> server = rpc::StartServer({service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_.port),
                                   grpc::InsecureChannelCredentials());
    client_ = v1::LodgmentService::NewStub(channel_);
  }

  void TearDown() override {
    if (server_.server != nullptr) server_.server->Shutdown(absl::ToChronoTime(absl::Now()));
  }

  Submitted Submit(const std::string& file, const v1::SubmitMetadata& meta, bool update = false,
                   size_t chunk = 7 << 10) {
    Submitted out;
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientWriter<v1::SubmitRequest>> writer =
        update ? client_->SubmitUpdateEvent(&context, &out.lodgment)
               : client_->SubmitPayEvent(&context, &out.lodgment);
    v1::SubmitRequest first;
    *first.mutable_metadata() = meta;
    if (writer->Write(first)) {
      for (size_t at = 0; at < file.size(); at += chunk) {
        v1::SubmitRequest part;
        part.set_chunk(file.substr(at, chunk));
        if (!writer->Write(part)) break;  // the server has answered already
      }
      writer->WritesDone();
    }
    out.status = writer->Finish();
    return out;
  }

  google::rpc::BadRequest BadRequestOf(const grpc::Status& status) {
    google::rpc::Status rich;
    EXPECT_TRUE(rich.ParseFromString(status.error_details()));
    EXPECT_EQ(rich.code(), static_cast<int>(status.error_code()));
    google::rpc::BadRequest bad;
    EXPECT_EQ(rich.details_size(), 1);
    if (rich.details_size() > 0) {
      EXPECT_TRUE(rich.details(0).UnpackTo(&bad));
    }
    return bad;
  }

  int StoredBlobs() const {
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(root_ + "/blobs")) {
      if (e.is_regular_file() && !absl::StrContains(e.path().string(), "/tmp/")) ++n;
    }
    return n;
  }

  std::vector<v1::RecordProblem> Problems(const events::BlobRef& ref) {
    absl::StatusOr<std::string> bytes = blob::ReadRef(*blobs_, ref);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(static_cast<int64_t>(bytes->size()), ref.size());
    events::RecordProblems list;
    EXPECT_TRUE(list.ParseFromString(*bytes));
    return {list.problems().begin(), list.problems().end()};
  }

  void Apply(const std::string& id, v1::LodgmentState state) {
    events::StatusChange c;
    c.set_lodgment_id(id);
    c.set_state(state);
    ASSERT_TRUE(view_->Apply(c).ok());
  }

  std::atomic<bool> view_ready_{true};
  std::string root_;
  std::unique_ptr<blob::BlobStore> blobs_;
  // The caps under test (LodgmentServiceOptions' defaults elsewhere).
  int64_t max_upload_bytes_ = int64_t{1} << 30;
  int64_t max_employees_ = 200000;
  int max_watches_per_caller_ = 32;
  std::unique_ptr<access::Authenticator> authenticator_ = access::Authenticator::LoopbackOperator();
  std::unique_ptr<access::AuditLog> audit_;
  std::unique_ptr<lodgment::StatusView> view_;
  publish::FakePublisher publisher_;
  ManualClock clock_{kNow};
  std::unique_ptr<LodgmentServiceImpl> service_;
  rpc::RunningServer server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LodgmentService::Stub> client_;
};

TEST_F(LodgmentServiceTest, SubmitInChunksPublishesStatusAndSubmissionTogether) {
  std::vector<std::string> invalid;
  const std::string file = Generate(30, 3, false, 9, &invalid);
  const Submitted s = Submit(file, Meta());
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  const v1::Lodgment& l = s.lodgment;
  EXPECT_THAT(l.lodgment_id(),
              MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                           "[0-9a-f]{12}"));
  EXPECT_EQ(l.state(), v1::RECEIVED);
  EXPECT_EQ(l.kind(), "Submit");
  EXPECT_EQ(l.employees(), 30);
  EXPECT_EQ(l.employees_sent(), 27);
  EXPECT_EQ(l.attempts(), 1);
  EXPECT_THAT(l.message_id(), MatchesRegex("[0-9a-f-]{36}@gateway\\.test"));
  EXPECT_FALSE(l.abn().empty());
  EXPECT_FALSE(l.bms_id().empty());
  EXPECT_FALSE(l.interaction_transaction_id().empty());
  EXPECT_EQ(l.created_at().seconds(), absl::ToUnixSeconds(kNow));
  ASSERT_EQ(l.held_back_size(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(l.held_back(i).document_id(), invalid[i]);

  const auto calls = publisher_.calls();
  ASSERT_EQ(calls.size(), 1u);
  const std::vector<kafka::Output>& out = calls[0];
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, topics::kStatus);
  EXPECT_EQ(out[1].topic, topics::kReceived);
  for (const kafka::Output& o : out) {
    EXPECT_EQ(o.key, l.lodgment_id());
    EXPECT_LT(o.value.size(), kafka::kMaxMessageBytes);
  }
  events::StatusChange change;
  ASSERT_TRUE(change.ParseFromString(out[0].value));
  EXPECT_EQ(change.lodgment_id(), l.lodgment_id());
  EXPECT_EQ(change.state(), v1::RECEIVED);
  EXPECT_EQ(change.lodgment().kind(), "Submit");
  EXPECT_EQ(change.lodgment().employees(), 30);
  EXPECT_EQ(change.lodgment().employees_sent(), 27);
  EXPECT_EQ(change.lodgment().message_id(), l.message_id());
  EXPECT_EQ(change.lodgment().attempts(), 1);
  EXPECT_EQ(change.lodgment().held_back_size(), 0);  // they travel in the blob
  const std::vector<v1::RecordProblem> held = Problems(change.held_back());
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(held[0].document_id(), invalid[0]);
  EXPECT_EQ(held[0].errors(0).code(), "VR.ATO.PAYEVNTEMP.000181");
  const std::vector<v1::RecordProblem> sent = Problems(change.sent_records());
  ASSERT_EQ(sent.size(), 27u);
  EXPECT_EQ(sent[0].document_id(), "1.2");
  EXPECT_FALSE(sent[0].payroll_id().empty());

  events::LodgmentToSubmit submission;
  ASSERT_TRUE(submission.ParseFromString(out[1].value));
  EXPECT_EQ(submission.SerializeAsString(), change.submission().SerializeAsString());
  EXPECT_EQ(submission.lodgment_id(), l.lodgment_id());
  EXPECT_EQ(submission.message_id(), l.message_id());
  EXPECT_EQ(submission.action(), "Submit.004.00");
  EXPECT_EQ(submission.attempt(), 1);
  EXPECT_EQ(submission.employees_sent(), 27);
  EXPECT_EQ(submission.abn(), l.abn());
  EXPECT_FALSE(submission.conversation_id().empty());
  auto payload = blob::OpenRef(*blobs_, submission.payload());
  ASSERT_TRUE(payload.ok()) << payload.status();
  absl::StatusOr<payevnt::ValidationReport> report =
      payevnt::ValidateLodgment(std::make_unique<GunzipSource>(*std::move(payload)), "payload");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->valid);
  EXPECT_EQ(report->employees, 27);
  EXPECT_EQ(report->employer.interaction_record_count, 27);

  // The view, once it applies the change, shows what the call returned
  // (whose answers add the counts).
  ASSERT_TRUE(view_->Apply(change).ok());
  std::optional<v1::Lodgment> shown = view_->Get(l.lodgment_id());
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(l.held_back_total(), 3);
  shown->set_held_back_total(shown->held_back_size());
  EXPECT_EQ(shown->SerializeAsString(), l.SerializeAsString()) << shown->DebugString() << "\nvs\n"
                                                               << l.DebugString();
}

TEST_F(LodgmentServiceTest, ResubmittingTheSamePayEventReturnsTheSameLodgment) {
  const std::string file = Generate(2000);  // a few MB: the repeat stops reading early
  const Submitted first = Submit(file, Meta());
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  const size_t blobs_after_first = StoredBlobs();

  // Before the view has caught up...
  Submitted again = Submit(file, Meta());
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_EQ(again.lodgment.lodgment_id(), first.lodgment.lodgment_id());
  // ...and after.
  const auto calls = publisher_.calls();
  events::StatusChange change;
  ASSERT_TRUE(change.ParseFromString(calls[0][0].value));
  ASSERT_TRUE(view_->Apply(change).ok());
  Apply(first.lodgment.lodgment_id(), v1::RECEIPTED);
  again = Submit(file, Meta(), false, 256 << 10);
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_EQ(again.lodgment.lodgment_id(), first.lodgment.lodgment_id());
  EXPECT_EQ(again.lodgment.state(), v1::RECEIPTED);

  EXPECT_EQ(publisher_.calls().size(), 1u);
  EXPECT_EQ(StoredBlobs(), blobs_after_first);
}

TEST_F(LodgmentServiceTest, InvalidEmployerIsRefusedWithBadRequestAndNothingKept) {
  const std::string file = Generate(5, 0, /*invalid_employer=*/true);
  const Submitted s = Submit(file, Meta());
  ASSERT_EQ(s.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.status.error_message(), HasSubstr("record 1.1"));
  EXPECT_THAT(s.status.error_message(), HasSubstr("VR.ATO.PAYEVNT.000200"));
  const google::rpc::BadRequest bad = BadRequestOf(s.status);
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(),
            "record 1.1 /tns:PAYEVNT/tns:Rp/tns:AustralianBusinessNumberId");
  EXPECT_THAT(bad.field_violations(0).description(), StartsWith("VR.ATO.PAYEVNT.000200 "));
  EXPECT_THAT(bad.field_violations(0).description(), HasSubstr("check digit"));
  EXPECT_TRUE(publisher_.calls().empty());
  EXPECT_EQ(StoredBlobs(), 0);
  EXPECT_TRUE(fs::is_empty(root_ + "/blobs/tmp"));
}

TEST_F(LodgmentServiceTest, MalformedXmlIsRefusedNamingTheLine) {
  const std::string file = Generate(4);
  const size_t record = file.find("<Record_Delimiter DocumentID=\"1.4\"");
  const size_t at = file.find("</tns:Identifiers>", record);
  const std::string broken = file.substr(0, at) + "</tns:Identifier>" + file.substr(at + 18);
  const int line = 1 + static_cast<int>(std::count(file.begin(), file.begin() + at, '\n'));
  const Submitted s = Submit(broken, Meta());
  ASSERT_EQ(s.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const google::rpc::BadRequest bad = BadRequestOf(s.status);
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "record 1.4");
  const std::string where = absl::StrCat("pay.xml:", line, ":");
  EXPECT_THAT(s.status.error_message(), HasSubstr(where));
  EXPECT_THAT(bad.field_violations(0).description(), StartsWith("CMN.ATO.GEN.XML01 "));
  EXPECT_THAT(bad.field_violations(0).description(), HasSubstr(where));
  EXPECT_TRUE(publisher_.calls().empty());
  EXPECT_EQ(StoredBlobs(), 0);

  // An element with no Record_Delimiter before it is placed by its line.
  const size_t cut = file.find("<Record_Delimiter DocumentID=\"1.4\"");
  const int oops_line = 1 + static_cast<int>(std::count(file.begin(), file.begin() + cut, '\n'));
  const Submitted oops = Submit(file.substr(0, cut) + "<oops/>" + file.substr(cut), Meta());
  ASSERT_EQ(oops.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadRequestOf(oops.status).field_violations(0).field(),
            absl::StrCat("line ", oops_line));
  EXPECT_TRUE(publisher_.calls().empty());
}

TEST_F(LodgmentServiceTest, TheFirstMessageMustBeMetadata) {
  grpc::ClientContext context;
  v1::Lodgment out;
  auto writer = client_->SubmitPayEvent(&context, &out);
  v1::SubmitRequest chunk;
  chunk.set_chunk("<x/>");
  writer->Write(chunk);
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("SubmitMetadata"));

  grpc::ClientContext context2;
  auto twice = client_->SubmitPayEvent(&context2, &out);
  v1::SubmitRequest meta;
  *meta.mutable_metadata() = Meta();
  twice->Write(meta);
  twice->Write(meta);
  twice->WritesDone();
  EXPECT_EQ(twice->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(publisher_.calls().empty());
}

TEST_F(LodgmentServiceTest, NothingToSendIsRejectedAtOnce) {
  const Submitted s = Submit(Generate(2, 2), Meta());
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  EXPECT_EQ(s.lodgment.state(), v1::REJECTED);
  EXPECT_EQ(s.lodgment.detail(), "every employee record failed validation; nothing was sent");
  EXPECT_EQ(s.lodgment.employees_sent(), 0);
  EXPECT_EQ(s.lodgment.held_back_size(), 2);
  const auto calls = publisher_.calls();
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].size(), 1u);  // no submission
  events::StatusChange change;
  ASSERT_TRUE(change.ParseFromString(calls[0][0].value));
  EXPECT_EQ(change.state(), v1::REJECTED);
  EXPECT_FALSE(change.has_submission());
  EXPECT_EQ(Problems(change.held_back()).size(), 2u);
}

TEST_F(LodgmentServiceTest, AnswersUnavailableUntilTheViewHasCaughtUp) {
  view_ready_ = false;
  const Submitted early = Submit(Generate(2, 0), Meta());
  EXPECT_EQ(early.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(early.status.error_message(), HasSubstr("catching up"));
  EXPECT_TRUE(publisher_.calls().empty());
  grpc::ClientContext get;
  v1::GetLodgmentRequest request;
  request.set_lodgment_id("anything");
  v1::Lodgment lodgment;
  EXPECT_EQ(client_->GetLodgment(&get, request, &lodgment).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  view_ready_ = true;
  const Submitted s = Submit(Generate(2, 0), Meta());
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  grpc::ClientContext again;
  request.set_lodgment_id(s.lodgment.lodgment_id());
  EXPECT_TRUE(client_->GetLodgment(&again, request, &lodgment).ok());
}

TEST_F(LodgmentServiceTest, OffModeSendsEverything) {
  const Submitted s = Submit(Generate(6, 2), Meta("", v1::PREVALIDATE_OFF));
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  EXPECT_EQ(s.lodgment.employees_sent(), 6);
  EXPECT_EQ(s.lodgment.held_back_size(), 0);
}

TEST_F(LodgmentServiceTest, ACorrectedLodgmentSupersedesTheOldOne) {
  publisher_.Observe(lodgment::StatusViewFeeder(view_.get()));
  const std::string bad_file = Generate(3, 3, false, 21);
  const Submitted old = Submit(bad_file, Meta());
  ASSERT_TRUE(old.status.ok()) << old.status.error_message();
  ASSERT_EQ(old.lodgment.state(), v1::REJECTED);

  EXPECT_EQ(Submit(bad_file, Meta("no-such-lodgment")).status.error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Corrected records, same pay event (same InteractionTransactionId).
  const std::string fixed = Generate(3, 0, false, 21);
  const Submitted fix = Submit(fixed, Meta(old.lodgment.lodgment_id()));
  ASSERT_TRUE(fix.status.ok()) << fix.status.error_message();
  EXPECT_NE(fix.lodgment.lodgment_id(), old.lodgment.lodgment_id());
  EXPECT_EQ(fix.lodgment.corrects_lodgment_id(), old.lodgment.lodgment_id());
  EXPECT_EQ(fix.lodgment.employees_sent(), 3);
  const std::vector<kafka::Output> out = publisher_.calls().back();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].topic, topics::kStatus);
  EXPECT_EQ(out[2].key, old.lodgment.lodgment_id());
  events::StatusChange superseded;
  ASSERT_TRUE(superseded.ParseFromString(out[2].value));
  EXPECT_EQ(superseded.state(), v1::SUPERSEDED);
  EXPECT_EQ(superseded.lodgment().superseded_by(), fix.lodgment.lodgment_id());
  EXPECT_EQ(view_->Get(old.lodgment.lodgment_id())->state(), v1::SUPERSEDED);

  // Sending the correction again is idempotent too.
  const Submitted repeat = Submit(fixed, Meta(old.lodgment.lodgment_id()));
  ASSERT_TRUE(repeat.status.ok());
  EXPECT_EQ(repeat.lodgment.lodgment_id(), fix.lodgment.lodgment_id());
  EXPECT_EQ(publisher_.calls().size(), 2u);
}

TEST_F(LodgmentServiceTest, UpdateEventsNeedTheLodgmentTheyCorrect) {
  publisher_.Observe(lodgment::StatusViewFeeder(view_.get()));
  const Submitted original = Submit(Generate(4, 1, false, 31), Meta());
  ASSERT_TRUE(original.status.ok());
  const std::string update = Generate(1, 0, false, 32);
  EXPECT_EQ(Submit(update, Meta(), /*update=*/true).status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Submit(update, Meta("missing"), true).status.error_code(), grpc::StatusCode::NOT_FOUND);
  // Another payer's records cannot correct this lodgment.
  EXPECT_EQ(Submit(update, Meta(original.lodgment.lodgment_id()), true).status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  const std::string same_payer = Generate(1, 0, false, 31);
  const Submitted u = Submit(same_payer, Meta(original.lodgment.lodgment_id()), true);
  ASSERT_TRUE(u.status.ok()) << u.status.error_message();
  EXPECT_EQ(u.lodgment.kind(), "Update");
  EXPECT_EQ(u.lodgment.corrects_lodgment_id(), original.lodgment.lodgment_id());
  const std::vector<kafka::Output> out = publisher_.calls().back();
  ASSERT_EQ(out.size(), 2u);  // no SUPERSEDED for an update
  events::LodgmentToSubmit submission;
  ASSERT_TRUE(submission.ParseFromString(out[1].value));
  EXPECT_EQ(submission.action(), "Update.004.00");
  EXPECT_EQ(view_->Get(original.lodgment.lodgment_id())->state(), v1::RECEIVED);
}

TEST_F(LodgmentServiceTest, ConcurrentUploadsOfOnePayEventAreNotBothLodged) {
  const std::string file = Generate(2000);
  grpc::ClientContext context;
  v1::Lodgment first_out;
  auto slow = client_->SubmitPayEvent(&context, &first_out);
  v1::SubmitRequest meta;
  *meta.mutable_metadata() = Meta();
  ASSERT_TRUE(slow->Write(meta));
  v1::SubmitRequest head;
  head.set_chunk(file.substr(0, 256 << 10));
  ASSERT_TRUE(slow->Write(head));
  // Give the server time to read the employer record of the first upload.
  absl::SleepFor(absl::Milliseconds(500));
  const Submitted second = Submit(file, Meta());
  EXPECT_EQ(second.status.error_code(), grpc::StatusCode::ABORTED) << second.status.error_message();

  for (size_t at = 256 << 10; at < file.size(); at += 256 << 10) {
    v1::SubmitRequest rest;
    rest.set_chunk(file.substr(at, 256 << 10));
    ASSERT_TRUE(slow->Write(rest));
  }
  slow->WritesDone();
  ASSERT_TRUE(slow->Finish().ok());
  const Submitted third = Submit(file, Meta());
  ASSERT_TRUE(third.status.ok());
  EXPECT_EQ(third.lodgment.lodgment_id(), first_out.lodgment_id());
  EXPECT_EQ(publisher_.calls().size(), 1u);
}

TEST_F(LodgmentServiceTest, PublishFailureLodgesNothing) {
  publisher_.Fail(absl::UnavailableError("broker down"));
  const Submitted s = Submit(Generate(3), Meta());
  EXPECT_EQ(s.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.status.error_message(), HasSubstr("broker down"));
  publisher_.Fail(absl::OkStatus());
  const Submitted retry = Submit(Generate(3), Meta());
  ASSERT_TRUE(retry.status.ok()) << retry.status.error_message();
  EXPECT_EQ(publisher_.calls().size(), 1u);
}

TEST_F(LodgmentServiceTest, ReadsComeFromTheView) {
  publisher_.Observe(lodgment::StatusViewFeeder(view_.get()));
  const Submitted a = Submit(Generate(5, 1, false, 41), Meta());
  const Submitted b = Submit(Generate(5, 0, false, 42), Meta());
  const Submitted c = Submit(Generate(5, 0, false, 43), Meta());
  ASSERT_TRUE(a.status.ok() && b.status.ok() && c.status.ok());

  grpc::ClientContext get_context;
  v1::GetLodgmentRequest get;
  get.set_lodgment_id(b.lodgment.lodgment_id());
  v1::Lodgment got;
  ASSERT_TRUE(client_->GetLodgment(&get_context, get, &got).ok());
  EXPECT_EQ(got.lodgment_id(), b.lodgment.lodgment_id());
  grpc::ClientContext missing_context;
  get.set_lodgment_id("nope");
  const grpc::Status missing = client_->GetLodgment(&missing_context, get, &got);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(missing.error_message(), HasSubstr("nope"));

  v1::ListLodgmentsRequest list;
  list.set_page_size(2);
  v1::ListLodgmentsResponse page;
  grpc::ClientContext list_context;
  ASSERT_TRUE(client_->ListLodgments(&list_context, list, &page).ok());
  ASSERT_EQ(page.lodgments_size(), 2);
  EXPECT_EQ(page.lodgments(0).lodgment_id(), a.lodgment.lodgment_id());
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  grpc::ClientContext next_context;
  ASSERT_TRUE(client_->ListLodgments(&next_context, list, &page).ok());
  ASSERT_EQ(page.lodgments_size(), 1);
  EXPECT_EQ(page.lodgments(0).lodgment_id(), c.lodgment.lodgment_id());
  EXPECT_TRUE(page.next_page_token().empty());
  v1::ListLodgmentsRequest by_abn;
  by_abn.set_abn(a.lodgment.abn());
  grpc::ClientContext abn_context;
  ASSERT_TRUE(client_->ListLodgments(&abn_context, by_abn, &page).ok());
  ASSERT_EQ(page.lodgments_size(), 1);

  v1::ListRejectedRecordsRequest rejected;
  rejected.set_abn(a.lodgment.abn());
  v1::ListRejectedRecordsResponse records;
  grpc::ClientContext rejected_context;
  ASSERT_TRUE(client_->ListRejectedRecords(&rejected_context, rejected, &records).ok());
  ASSERT_EQ(records.records_size(), 1);
  EXPECT_TRUE(records.records(0).held_back());
  EXPECT_EQ(records.records(0).problem().document_id(), a.lodgment.held_back(0).document_id());
}

// A lodgment answer shows the first 100 records held back (or rejected) and
// counts them all; ListRejectedRecords pages through every one.
TEST_F(LodgmentServiceTest, AnswersShowTheFirstHundredProblemsAndCountThemAll) {
  publisher_.Observe(lodgment::StatusViewFeeder(view_.get()));
  std::vector<std::string> invalid;
  const Submitted s = Submit(Generate(150, 120, false, 44, &invalid), Meta());
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  auto expect_shown = [&](const v1::Lodgment& l) {
    EXPECT_EQ(l.held_back_total(), 120);
    ASSERT_EQ(l.held_back_size(), 100);
    EXPECT_EQ(l.held_back(0).document_id(), invalid[0]);
    EXPECT_EQ(l.held_back(99).document_id(), invalid[99]);
    EXPECT_EQ(l.rejected_records_total(), 0);
  };
  expect_shown(s.lodgment);
  grpc::ClientContext get_context;
  v1::GetLodgmentRequest get;
  get.set_lodgment_id(s.lodgment.lodgment_id());
  v1::Lodgment got;
  ASSERT_TRUE(client_->GetLodgment(&get_context, get, &got).ok());
  expect_shown(got);
  grpc::ClientContext list_context;
  v1::ListLodgmentsResponse page;
  ASSERT_TRUE(client_->ListLodgments(&list_context, v1::ListLodgmentsRequest(), &page).ok());
  ASSERT_EQ(page.lodgments_size(), 1);
  expect_shown(page.lodgments(0));

  std::vector<std::string> paged;
  v1::ListRejectedRecordsRequest rejected;
  rejected.set_lodgment_id(s.lodgment.lodgment_id());
  rejected.set_page_size(50);
  do {
    grpc::ClientContext context;
    v1::ListRejectedRecordsResponse records;
    ASSERT_TRUE(client_->ListRejectedRecords(&context, rejected, &records).ok());
    for (const v1::RejectedRecord& r : records.records()) paged.push_back(r.problem().document_id());
    rejected.set_page_token(records.next_page_token());
  } while (!rejected.page_token().empty());
  EXPECT_EQ(paged, invalid);
}

TEST_F(LodgmentServiceTest, WatchStreamsChangesUntilAFinalState) {
  const Submitted s = Submit(Generate(3), Meta());
  ASSERT_TRUE(s.status.ok());
  const std::string id = s.lodgment.lodgment_id();

  std::thread stages([&] {
    // The stages move it on after the watch has begun (the view showed it
    // before the lodge returned).
    absl::SleepFor(absl::Milliseconds(300));
    Apply(id, v1::RECEIPTED);
    absl::SleepFor(absl::Milliseconds(300));
    Apply(id, v1::ACCEPTED);
  });
  grpc::ClientContext context;
  v1::GetLodgmentRequest request;
  request.set_lodgment_id(id);
  auto reader = client_->WatchLodgment(&context, request);
  std::vector<v1::LodgmentState> states;
  v1::Lodgment l;
  while (reader->Read(&l)) states.push_back(l.state());
  const grpc::Status status = reader->Finish();
  stages.join();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(states, (std::vector<v1::LodgmentState>{v1::RECEIVED, v1::RECEIPTED, v1::ACCEPTED}));

  grpc::ClientContext missing_context;
  request.set_lodgment_id("never-lodged");
  auto missing = client_->WatchLodgment(&missing_context, request);
  while (missing->Read(&l)) {
  }
  EXPECT_EQ(missing->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(LodgmentServiceTest, ReplayResumesPollingForAnEscalatedLodgmentUnderItsMessageId) {
  const Submitted s = Submit(Generate(3, 0, false, 61), Meta());
  ASSERT_TRUE(s.status.ok());
  const std::string id = s.lodgment.lodgment_id();
  events::StatusChange receipted = lodgment::Change(id, v1::RECEIPTED, kNow, "");
  v1::Receipt* r = receipted.mutable_lodgment()->mutable_receipt();
  r->set_message_id(s.lodgment.message_id());
  r->set_receipt_message_id("receipt-1");
  *r->mutable_received_at() = ToProto(kNow - absl::Hours(73));
  ASSERT_TRUE(view_->Apply(receipted).ok());
  Apply(id, v1::ESCALATED);

  for (int i = 0; i < 2; ++i) {
    v1::ReplayLodgmentsRequest request;
    request.add_lodgment_ids(id);
    v1::ReplayLodgmentsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->ReplayLodgments(&context, request, &response).ok());
    ASSERT_EQ(response.outcomes_size(), 1);
    EXPECT_EQ(response.outcomes(0).action(), v1::ReplayOutcome::POLLING);
    EXPECT_EQ(response.lodgment_ids_size(), 0);  // nothing pushed
  }
  // Only the first queued anything: the poll stage resumes under the same
  // MessageId, and the view already shows it polling when the call returns.
  std::vector<std::vector<kafka::Output>> calls = publisher_.calls();
  const std::vector<kafka::Output>& resumed = calls.back();
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_EQ(resumed[0].topic, topics::kSubmitted);
  events::LodgmentReceipted poll;
  ASSERT_TRUE(poll.ParseFromString(resumed[0].value));
  EXPECT_EQ(poll.message_id(), s.lodgment.message_id());
  EXPECT_EQ(FromProto(poll.polling_resumed_at()), kNow);
  EXPECT_EQ(FromProto(poll.received_at()), kNow - absl::Hours(73));
  EXPECT_EQ(view_->Get(id)->state(), v1::AWAITING_RESPONSE);
  int queued = 0;
  for (const auto& call : calls) {
    for (const kafka::Output& o : call) queued += o.topic == topics::kSubmitted;
  }
  EXPECT_EQ(queued, 1);
}

TEST_F(LodgmentServiceTest, ReplayQueuesResubmissions) {
  publisher_.Observe(lodgment::StatusViewFeeder(view_.get()));
  const Submitted a = Submit(Generate(3, 0, false, 51), Meta());
  const Submitted b = Submit(Generate(3, 0, false, 52), Meta());
  const Submitted none = Submit(Generate(1, 1, false, 53), Meta());  // nothing to send
  ASSERT_TRUE(a.status.ok() && b.status.ok() && none.status.ok());
  Apply(a.lodgment.lodgment_id(), v1::SYSTEM_ERROR);
  Apply(b.lodgment.lodgment_id(), v1::ACCEPTED);
  const size_t before = publisher_.calls().size();

  // A dry run says what would happen and queues nothing.
  v1::ReplayLodgmentsRequest preview;
  preview.add_lodgment_ids(a.lodgment.lodgment_id());
  preview.add_lodgment_ids(b.lodgment.lodgment_id());
  preview.set_dry_run(true);
  v1::ReplayLodgmentsResponse previewed;
  grpc::ClientContext c0;
  ASSERT_TRUE(client_->ReplayLodgments(&c0, preview, &previewed).ok());
  EXPECT_EQ(publisher_.calls().size(), before);
  EXPECT_EQ(previewed.lodgment_ids_size(), 0);
  ASSERT_EQ(previewed.outcomes_size(), 2);
  EXPECT_EQ(previewed.outcomes(0).action(), v1::ReplayOutcome::RESENT);
  EXPECT_EQ(previewed.outcomes(1).action(), v1::ReplayOutcome::NOTHING_TO_DO);

  v1::ReplayLodgmentsRequest by_id;
  by_id.add_lodgment_ids(a.lodgment.lodgment_id());
  v1::ReplayLodgmentsResponse replayed;
  grpc::ClientContext c1;
  ASSERT_TRUE(client_->ReplayLodgments(&c1, by_id, &replayed).ok());
  ASSERT_EQ(replayed.lodgment_ids_size(), 1);
  const std::vector<kafka::Output> out = publisher_.calls().back();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kResubmit);
  EXPECT_EQ(out[0].key, a.lodgment.lodgment_id());
  events::ResubmitRequest request;
  ASSERT_TRUE(request.ParseFromString(out[0].value));
  EXPECT_EQ(request.reason(), "replay");
  EXPECT_EQ(request.next_attempt(), 2);
  // What the resubmit stage sends again: the lodgment's current submission.
  EXPECT_EQ(request.previous().lodgment_id(), a.lodgment.lodgment_id());
  EXPECT_EQ(request.previous().message_id(), a.lodgment.message_id());
  EXPECT_EQ(request.previous().action(), "Submit.004.00");

  ASSERT_EQ(replayed.outcomes_size(), 1);
  EXPECT_EQ(replayed.outcomes(0).action(), v1::ReplayOutcome::RESENT);

  // A receipted lodgment is polled for, never pushed again; an accepted one
  // is final; one that sent nothing has nothing to send. Each says why, and
  // nothing is queued for them.
  Apply(none.lodgment.lodgment_id(), v1::REJECTED);
  const Submitted receipted = Submit(Generate(3, 0, false, 54), Meta());
  ASSERT_TRUE(receipted.status.ok());
  Apply(receipted.lodgment.lodgment_id(), v1::AWAITING_RESPONSE);
  const size_t queued = publisher_.calls().size();
  v1::ReplayLodgmentsRequest others;
  for (const std::string& id : {b.lodgment.lodgment_id(), none.lodgment.lodgment_id(),
                                receipted.lodgment.lodgment_id()}) {
    others.add_lodgment_ids(id);
  }
  v1::ReplayLodgmentsResponse others_out;
  grpc::ClientContext c;
  ASSERT_TRUE(client_->ReplayLodgments(&c, others, &others_out).ok());
  EXPECT_EQ(others_out.lodgment_ids_size(), 0);
  ASSERT_EQ(others_out.outcomes_size(), 3);
  EXPECT_EQ(others_out.outcomes(0).action(), v1::ReplayOutcome::NOTHING_TO_DO);
  EXPECT_NE(others_out.outcomes(0).reason().find("final"), std::string::npos);
  EXPECT_EQ(others_out.outcomes(1).action(), v1::ReplayOutcome::NOTHING_TO_DO);
  EXPECT_NE(others_out.outcomes(1).reason().find("nothing was sent"), std::string::npos);
  EXPECT_EQ(others_out.outcomes(2).action(), v1::ReplayOutcome::POLLING);
  EXPECT_NE(others_out.outcomes(2).reason().find("lodge it twice"), std::string::npos);
  EXPECT_EQ(publisher_.calls().size(), queued);
  v1::ReplayLodgmentsRequest by_state;
  by_state.set_state(v1::SYSTEM_ERROR);
  v1::ReplayLodgmentsResponse by_state_out;
  grpc::ClientContext c2;
  ASSERT_TRUE(client_->ReplayLodgments(&c2, by_state, &by_state_out).ok());
  ASSERT_EQ(by_state_out.lodgment_ids_size(), 1);
  EXPECT_EQ(by_state_out.lodgment_ids(0), a.lodgment.lodgment_id());
  v1::ReplayLodgmentsRequest everything;
  grpc::ClientContext c3;
  EXPECT_EQ(client_->ReplayLodgments(&c3, everything, &replayed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(publisher_.calls().size(), before + 3);
}

class LodgmentServiceCapsTest : public LodgmentServiceTest {
 protected:
  void SetUp() override {
    max_upload_bytes_ = 64 << 10;
    max_employees_ = 10;
    max_watches_per_caller_ = 1;
    LodgmentServiceTest::SetUp();
  }
};

TEST_F(LodgmentServiceCapsTest, RefusesWhatIsPastACapNamingItAndKeepsNothing) {
  Submitted big = Submit(Generate(60), Meta());
  EXPECT_EQ(big.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(big.status.error_message(), HasSubstr("--max-upload-bytes"));
  Submitted many = Submit(Generate(11), Meta());
  EXPECT_EQ(many.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(many.status.error_message(), HasSubstr("more than 10 employee records"));
  EXPECT_TRUE(publisher_.calls().empty());
  EXPECT_EQ(StoredBlobs(), 0);

  // One watch stream per caller here: a second is refused while the first is open.
  const Submitted held = Submit(Generate(8, /*invalid=*/3), Meta());
  ASSERT_TRUE(held.status.ok()) << held.status.error_message();
  grpc::ClientContext first_context, second_context;
  v1::GetLodgmentRequest watch;
  watch.set_lodgment_id(held.lodgment.lodgment_id());
  auto first = client_->WatchLodgment(&first_context, watch);
  v1::Lodgment seen;
  ASSERT_TRUE(first->Read(&seen));
  auto second = client_->WatchLodgment(&second_context, watch);
  EXPECT_FALSE(second->Read(&seen));
  grpc::Status refused = second->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("--max-watches-per-caller is 1"));
  first_context.TryCancel();
  first->Finish();

  // Rejected records come a page at a time.
  std::vector<std::string> pages;
  v1::ListRejectedRecordsRequest request;
  request.set_lodgment_id(held.lodgment.lodgment_id());
  request.set_page_size(2);
  do {
    grpc::ClientContext context;
    v1::ListRejectedRecordsResponse page;
    ASSERT_TRUE(client_->ListRejectedRecords(&context, request, &page).ok());
    for (const v1::RejectedRecord& r : page.records()) pages.push_back(r.problem().document_id());
    pages.push_back("|");
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(std::count(pages.begin(), pages.end(), "|"), 2);
  EXPECT_EQ(pages.size(), 5u);  // 2 + 1 records, 2 page ends
}

TEST_F(LodgmentServiceTest, ServesHealthChecks) {
  grpc::GenericStub generic(channel_);
  grpc::ClientContext context;
  const grpc::Slice empty(std::string(""));
  grpc::ByteBuffer request(&empty, 1);  // HealthCheckRequest{service: ""}
  grpc::ByteBuffer reply;
  std::promise<grpc::Status> done;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &reply,
                    [&done](grpc::Status s) { done.set_value(std::move(s)); });
  const grpc::Status status = done.get_future().get();
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
}

TEST_F(LodgmentServiceTest, ServesReflection) {
  // ServerReflectionRequest{list_services: ""} on the bidi stream.
  grpc::GenericStub generic(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  auto step = [&cq](int tag) {
    void* got = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&got, &ok));
    EXPECT_EQ(got, reinterpret_cast<void*>(tag));
    return ok;
  };
  auto call = generic.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(step(1));
  const grpc::Slice list_services(std::string("\x3a\x00", 2));
  call->Write(grpc::ByteBuffer(&list_services, 1), reinterpret_cast<void*>(2));
  ASSERT_TRUE(step(2));
  call->WritesDone(reinterpret_cast<void*>(3));
  ASSERT_TRUE(step(3));
  grpc::ByteBuffer reply;
  call->Read(&reply, reinterpret_cast<void*>(4));
  ASSERT_TRUE(step(4));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_THAT(bytes, HasSubstr("sbrgate.v1.LodgmentService"));
  EXPECT_THAT(bytes, HasSubstr("grpc.health.v1.Health"));
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace sbrgate::gateway
