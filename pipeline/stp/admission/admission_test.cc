// Admission without the wire: what one Admit stores and publishes, repeats
// and corrections, and the errors that lodge nothing.
#include "pipeline/stp/admission/admission.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/blob/blob_ref.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/kafka/limits.h"
#include "pipeline/platform/publish/fake_publisher.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/stp/ingest/ingest.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/stp/status/view_feeder.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"

namespace sbrgate::admission {
namespace {

namespace fs = std::filesystem;
namespace topics = lodgment::topics;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1721005323);  // 2024-07-15T01:02:03Z

std::string Generate(int64_t employees, int64_t invalid = 0, bool invalid_employer = false,
                     uint64_t seed = 9, const std::string& payer_wpn = "",
                     const std::string& intermediary_tan = "") {
  payevnt::GeneratorOptions o;
  o.payer_wpn = payer_wpn;
  if (!intermediary_tan.empty()) {
    o.intermediary_abn = "53004085616";
    o.intermediary_tan = intermediary_tan;
  }
  o.employees = employees;
  o.invalid_tfns = invalid;
  o.invalid_employer = invalid_employer;
  o.seed = seed;
  o.message_timestamp = kNow;
  StringSink sink;
  absl::StatusOr<payevnt::GeneratedLodgment> g = payevnt::GenerateLodgment(o, sink);
  EXPECT_TRUE(g.ok()) << g.status();
  return sink.data();
}

class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/admission-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    auto blobs = blob::BlobStore::Create(root_ + "/blobs");
    ASSERT_TRUE(blobs.ok()) << blobs.status();
    blobs_ = *std::move(blobs);
    auto view = lodgment::StatusView::Open(root_ + "/view", blobs_.get());
    ASSERT_TRUE(view.ok()) << view.status();
    view_ = *std::move(view);
    AdmissionOptions o;
    o.view = view_.get();
    o.publisher = &publisher_;
    o.blobs = blobs_.get();
    o.clock = &clock_;
    o.message_id_domain = "admission.test";
    admission_ = std::make_unique<Admission>(std::move(o));
  }

  absl::StatusOr<v1::Lodgment> Admit(const std::string& file, const std::string& corrects = "",
                                     EventKind kind = EventKind::kPayEvent) {
    StringSource content(file);
    return admission_->Admit({kind, "pay.xml", corrects}, content);
  }

  std::string root_;
  std::unique_ptr<blob::BlobStore> blobs_;
  std::unique_ptr<lodgment::StatusView> view_;
  publish::FakePublisher publisher_;
  ManualClock clock_{kNow};
  std::unique_ptr<Admission> admission_;
};

TEST_F(AdmissionTest, APayEventIsPublishedWithItsSubmissionInOneCall) {
  absl::StatusOr<v1::Lodgment> l = Admit(Generate(10, 2));
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->state(), v1::RECEIVED);
  EXPECT_EQ(l->kind(), "Submit");
  EXPECT_EQ(l->employees(), 10);
  EXPECT_EQ(l->employees_sent(), 8);
  EXPECT_EQ(l->held_back_size(), 2);
  EXPECT_EQ(FromProto(l->created_at()), kNow);
  EXPECT_THAT(l->message_id(), HasSubstr("@admission.test"));

  const auto calls = publisher_.calls();
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].size(), 2u);
  EXPECT_EQ(calls[0][0].topic, topics::kStatus);
  EXPECT_EQ(calls[0][1].topic, topics::kReceived);
  for (const kafka::Output& o : calls[0]) {
    EXPECT_EQ(o.key, l->lodgment_id());
    EXPECT_LE(o.value.size(), kafka::kMaxMessageBytes);
  }
  events::StatusChange change;
  ASSERT_TRUE(change.ParseFromString(calls[0][0].value));
  EXPECT_TRUE(change.has_held_back());
  EXPECT_TRUE(change.has_sent_records());
  events::LodgmentToSubmit submission;
  ASSERT_TRUE(submission.ParseFromString(calls[0][1].value));
  EXPECT_EQ(submission.action(), "Submit.004.00");
  EXPECT_EQ(submission.message_id(), l->message_id());
  EXPECT_EQ(submission.employer_document_id(), "1.1");  // as the generator numbers it
  EXPECT_TRUE(blob::OpenRef(*blobs_, submission.payload()).ok());
}

TEST_F(AdmissionTest, ARepeatReturnsTheEarlierLodgmentAndPublishesNothing) {
  const std::string file = Generate(5);
  absl::StatusOr<v1::Lodgment> first = Admit(file);
  ASSERT_TRUE(first.ok()) << first.status();
  // Before the view shows it...
  absl::StatusOr<v1::Lodgment> again = Admit(file);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->lodgment_id(), first->lodgment_id());
  // ...and after.
  events::StatusChange change;
  ASSERT_TRUE(change.ParseFromString(publisher_.calls()[0][0].value));
  ASSERT_TRUE(view_->Apply(change).ok());
  again = Admit(file);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->lodgment_id(), first->lodgment_id());
  EXPECT_EQ(publisher_.calls().size(), 1u);
}

// Lodgments are remembered until the view shows them, oldest first: one the
// view shows out of order waits for those before it, and a repeat of any of
// them is the same lodgment throughout.
TEST_F(AdmissionTest, RepeatsAreFoundWhileTheViewShowsLodgmentsOutOfOrder) {
  std::vector<std::string> files;
  std::vector<std::string> ids;
  auto admit_new = [&](int seed) {
    files.push_back(Generate(5, 0, false, seed));
    absl::StatusOr<v1::Lodgment> l = Admit(files.back());
    ASSERT_TRUE(l.ok()) << l.status();
    ids.push_back(l->lodgment_id());
  };
  auto show = [&](size_t i) {
    events::StatusChange change;
    ASSERT_TRUE(change.ParseFromString(publisher_.calls()[i][0].value));
    ASSERT_TRUE(view_->Apply(change).ok());
  };
  auto expect_repeats_found = [&] {
    for (size_t i = 0; i < files.size(); ++i) {
      absl::StatusOr<v1::Lodgment> again = Admit(files[i]);
      ASSERT_TRUE(again.ok()) << again.status();
      EXPECT_EQ(again->lodgment_id(), ids[i]) << "lodgment " << i;
    }
    EXPECT_EQ(publisher_.calls().size(), files.size());
  };
  for (int seed : {31, 32, 33}) admit_new(seed);
  show(1);
  admit_new(34);  // the first is not shown yet: nothing is forgotten
  expect_repeats_found();
  show(0);
  show(3);
  admit_new(35);  // the first two are forgotten; the third waits
  expect_repeats_found();
  show(2);
  show(4);
  admit_new(36);
  expect_repeats_found();
}

// A payer known only by its WPN is lodged under it, and a repeat of its pay
// event is the same lodgment, as for an ABN payer.
TEST_F(AdmissionTest, AWpnPayerIsLodgedUnderItsWpnAndRepeatsAreTheSameLodgment) {
  const std::string file = Generate(4, 0, false, 9, "123456782");
  absl::StatusOr<v1::Lodgment> first = Admit(file);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->abn(), "");
  EXPECT_EQ(first->wpn(), "123456782");
  events::LodgmentToSubmit submission;
  ASSERT_TRUE(submission.ParseFromString(publisher_.calls()[0][1].value));
  EXPECT_EQ(submission.abn(), "");
  EXPECT_EQ(submission.from().id(), "123456782");
  EXPECT_EQ(submission.from().type(), ebms::kPartyTypeWpn);
  EXPECT_EQ(submission.from().role(), ebms::kRoleBusiness);
  events::StatusChange change;
  ASSERT_TRUE(change.ParseFromString(publisher_.calls()[0][0].value));
  ASSERT_TRUE(view_->Apply(change).ok());
  absl::StatusOr<v1::Lodgment> again = Admit(file);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->lodgment_id(), first->lodgment_id());
  EXPECT_EQ(publisher_.calls().size(), 1u);
  lodgment::ListFilter by_wpn;
  by_wpn.abn = "123456782";
  EXPECT_EQ(view_->Matching(by_wpn), std::vector<std::string>{first->lodgment_id()});
  by_wpn.abn.clear();
  by_wpn.abns = std::set<std::string>{"123456782"};
  EXPECT_EQ(view_->Matching(by_wpn), std::vector<std::string>{first->lodgment_id()});
}

// A tax agent lodging for an employer sends as itself (its TAN, as a
// registered agent), and so does its update event, whose employee records
// go without the PAYEVNT.
TEST_F(AdmissionTest, AnIntermediarysLodgmentIsSentAsTheIntermediary) {
  absl::StatusOr<v1::Lodgment> l = Admit(Generate(3, 0, false, 9, "", "12345678"));
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_FALSE(l->abn().empty());
  EXPECT_EQ(l->intermediary_abn(), "53004085616");
  EXPECT_EQ(l->intermediary_tan(), "12345678");
  events::LodgmentToSubmit submission;
  ASSERT_TRUE(submission.ParseFromString(publisher_.calls()[0][1].value));
  EXPECT_EQ(submission.abn(), l->abn());
  EXPECT_EQ(submission.from().id(), "12345678");
  EXPECT_EQ(submission.from().type(), ebms::kPartyTypeTan);
  EXPECT_EQ(submission.from().role(), ebms::kRoleRegisteredAgent);

  events::StatusChange change;
  ASSERT_TRUE(change.ParseFromString(publisher_.calls()[0][0].value));
  ASSERT_TRUE(view_->Apply(change).ok());
  // The same payer's corrected records, sent as an update event by the same agent.
  absl::StatusOr<v1::Lodgment> update = Admit(Generate(1, 0, false, 9, "", "12345678"),
                                              l->lodgment_id(), EventKind::kUpdateEvent);
  ASSERT_TRUE(update.ok()) << update.status();
  EXPECT_EQ(update->abn(), l->abn());
  events::LodgmentToSubmit update_submission;
  ASSERT_TRUE(update_submission.ParseFromString(publisher_.calls()[1][1].value));
  EXPECT_EQ(update_submission.action(), "Update.004.00");
  EXPECT_EQ(update_submission.from().id(), "12345678");
  EXPECT_EQ(update_submission.employer_document_id(), "");
}

TEST_F(AdmissionTest, ACorrectionSupersedesTheLodgmentItCorrects) {
  publisher_.Observe(lodgment::StatusViewFeeder(view_.get()));
  absl::StatusOr<v1::Lodgment> old = Admit(Generate(3, 3, false, 21));
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->state(), v1::REJECTED);
  absl::StatusOr<v1::Lodgment> fix = Admit(Generate(3, 0, false, 21), old->lodgment_id());
  ASSERT_TRUE(fix.ok()) << fix.status();
  EXPECT_EQ(fix->corrects_lodgment_id(), old->lodgment_id());
  EXPECT_EQ(view_->Get(old->lodgment_id())->state(), v1::SUPERSEDED);
  EXPECT_EQ(view_->Get(old->lodgment_id())->superseded_by(), fix->lodgment_id());
}

TEST_F(AdmissionTest, AnUpdateEventNeedsTheLodgmentItCorrects) {
  EXPECT_TRUE(absl::IsInvalidArgument(Admit(Generate(1), "", EventKind::kUpdateEvent).status()));
  EXPECT_TRUE(absl::IsNotFound(Admit(Generate(1), "missing", EventKind::kUpdateEvent).status()));
  EXPECT_TRUE(publisher_.calls().empty());
}

TEST_F(AdmissionTest, ARefusedUploadCarriesItsProblemsAndLodgesNothing) {
  absl::StatusOr<v1::Lodgment> l = Admit(Generate(5, 0, /*invalid_employer=*/true));
  ASSERT_TRUE(absl::IsInvalidArgument(l.status())) << l.status();
  const std::vector<ingest::UploadProblem> problems = ingest::UploadProblemsOf(l.status());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].document_id(), "1.1");
  EXPECT_TRUE(publisher_.calls().empty());
}

TEST_F(AdmissionTest, APublishFailureLodgesNothing) {
  const std::string file = Generate(3);
  publisher_.Fail(absl::UnavailableError("broker down"));
  absl::StatusOr<v1::Lodgment> l = Admit(file);
  ASSERT_TRUE(absl::IsUnavailable(l.status())) << l.status();
  EXPECT_THAT(l.status().message(), HasSubstr("broker down"));
  publisher_.Fail(absl::OkStatus());
  // Not remembered: the retry is lodged.
  absl::StatusOr<v1::Lodgment> retry = Admit(file);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(publisher_.calls().size(), 1u);
}

}  // namespace
}  // namespace sbrgate::admission
