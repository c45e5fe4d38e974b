// fill_status_log: writes the status-topic histories of N lodgments into a
// daemon's durable local log, for bench/status_view_scale.sh to time the
// status view's rebuild on a restart. It opens <data-dir>/log through
// TopicLog::OpenLocal, as sbrgated does, and appends to
// sbrgate.lodgments.status what the stages emit for a lodgment accepted at
// the first poll (RECEIVED, SUBMITTED, RECEIPTED, AWAITING_RESPONSE with a
// poll, ACCEPTED), in large LogTransactions. Run it while the daemon is
// stopped.
//
//   bazel-bin/bench/fill_status_log --data-dir=/tmp/d --instance-id=bench --lodgments=100000
//
// --data-dir and --instance-id are the daemon's own flags, read by the same
// PipelineConfigFromFlags; give both as given to the daemon.
//
// Lodgment i has the id LodgmentId(i) (printed for i = 0 and the last), so the
// script can ask the daemon for one. Every RECEIVED names the same
// sent-records blob (the view reads it when the lodgment is accepted), written
// once into <data-dir>/blobs: the reads find it in the page cache, where
// distinct blobs on a cold disk would not be.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/log/local_log.h"
#include "pipeline/stp/status/status.h"
#include "pipeline/topology/topology.h"
#include "proto/events.pb.h"
#include "services/common/dashed_flags.h"
#include "services/common/pipeline.h"
#include "services/common/topic_log.h"

ABSL_FLAG(int64_t, lodgments, 100000, "lodgments to write");
ABSL_FLAG(int, records_per_transaction, 10000, "status records per LogTransaction (one fsync)");
ABSL_FLAG(int, employees, 12, "employee records per lodgment (in the sent-records blob)");
ABSL_FLAG(bool, sent_records_blob, true,
          "name the sent-records blob in each RECEIVED, as the gateway does (the view reads it "
          "when the lodgment is accepted); false times the view without those reads");

namespace sbrgate {
namespace {

// UUID-shaped, as the ids the gateway and SBR make, but derived from `i` so
// that the script can name a lodgment.
std::string Uuid(const char* prefix, int64_t i) {
  return absl::StrFormat("%s0000-0000-4000-8000-%012x", prefix,
                         static_cast<uint64_t>(i) & 0xffffffffffffULL);
}

std::string LodgmentId(int64_t i) { return Uuid("5b7e", i); }

// The five status changes of lodgment `i`, received at `at`, as the gateway,
// submit and poll stages and triage write them.
std::vector<events::StatusChange> History(int64_t i, absl::Time at, int employees,
                                          const events::BlobRef& sent) {
  namespace v1 = sbrgate::v1;
  const std::string id = LodgmentId(i);
  const std::string message_id = absl::StrCat(Uuid("4d1a", i), "@sbrgate.local");
  std::vector<events::StatusChange> out;

  events::StatusChange received = lodgment::Change(
      id, v1::RECEIVED, at,
      absl::StrCat("received ", employees, " employee records: ", employees, " to send, 0 held back"));
  v1::Lodgment* l = received.mutable_lodgment();
  l->set_lodgment_id(id);
  l->set_kind("Submit");
  l->set_abn(absl::StrFormat("%011d", 51824753556LL + i % 50000));
  l->set_bms_id(absl::StrCat("payroll-bms-", i % 50000));
  l->set_interaction_transaction_id(absl::StrCat("pay-run-", i));
  l->set_employees(employees);
  l->set_employees_sent(employees);
  *l->mutable_created_at() = ToProto(at);
  l->set_message_id(message_id);
  l->set_attempts(1);
  events::LodgmentToSubmit* submission = received.mutable_submission();
  submission->set_lodgment_id(id);
  submission->set_message_id(message_id);
  submission->set_conversation_id(id);
  submission->set_action("Submit.004.00");
  submission->set_abn(l->abn());
  submission->mutable_payload()->set_sha256(std::string(64, 'a' + i % 6));
  submission->mutable_payload()->set_size(2100 * employees);
  submission->set_employees_sent(employees);
  submission->set_attempt(1);
  *submission->mutable_created_at() = ToProto(at);
  if (!sent.sha256().empty()) *received.mutable_sent_records() = sent;
  out.push_back(std::move(received));

  out.push_back(lodgment::Change(id, v1::SUBMITTED, at + absl::Seconds(1),
                                 absl::StrCat("pushing ", message_id, " (attempt 1)")));

  const std::string receipt_id = absl::StrCat(Uuid("a70e", i), "@sbr.gov.au");
  events::StatusChange receipted = lodgment::Change(id, v1::RECEIPTED, at + absl::Seconds(2),
                                                    absl::StrCat("technical receipt ", receipt_id));
  v1::Receipt* r = receipted.mutable_lodgment()->mutable_receipt();
  r->set_message_id(message_id);
  r->set_receipt_message_id(receipt_id);
  *r->mutable_received_at() = ToProto(at + absl::Seconds(2));
  out.push_back(std::move(receipted));

  events::StatusChange polled =
      lodgment::Change(id, v1::AWAITING_RESPONSE, at + absl::Minutes(5), "response received");
  polled.mutable_poll()->set_result("response");
  *polled.mutable_poll()->mutable_at() = ToProto(at + absl::Minutes(5));
  out.push_back(std::move(polled));

  events::StatusChange accepted =
      lodgment::Change(id, v1::ACCEPTED, at + absl::Minutes(5) + absl::Seconds(1), "accepted");
  accepted.mutable_lodgment()->set_maximum_severity("Information");
  out.push_back(std::move(accepted));
  return out;
}

absl::StatusOr<events::BlobRef> StoreSentRecords(const PipelineConfig& config, int employees) {
  absl::StatusOr<std::unique_ptr<blob::BlobStore>> blobs = OpenBlobStore(config);
  if (!blobs.ok()) return blobs.status();
  std::vector<v1::RecordProblem> sent(employees);
  for (int e = 0; e < employees; ++e) {
    sent[e].set_document_id(absl::StrCat("EMP", 100000 + e));
    sent[e].set_payroll_id(absl::StrCat("P", 100000 + e));
    sent[e].set_family_name("Citizen");
    sent[e].set_tfn_masked("*****6789");
  }
  return lodgment::StoreProblems(**blobs, sent);
}

absl::Status Fill() {
  absl::StatusOr<PipelineConfig> parsed = PipelineConfigFromFlags();
  if (!parsed.ok()) return parsed.status();
  const PipelineConfig& config = *parsed;
  const int64_t lodgments = absl::GetFlag(FLAGS_lodgments);
  const int per_tx = absl::GetFlag(FLAGS_records_per_transaction);
  const int employees = absl::GetFlag(FLAGS_employees);
  absl::StatusOr<events::BlobRef> sent = absl::GetFlag(FLAGS_sent_records_blob)
                                             ? StoreSentRecords(config, employees)
                                             : events::BlobRef();
  if (!sent.ok()) return sent.status();
  RealClock clock;
  absl::StatusOr<std::unique_ptr<TopicLog>> topics = TopicLog::OpenLocal(config, &clock);
  if (!topics.ok()) return topics.status();
  log::LocalLog& log = *(*topics)->local();

  // One lodgment a second, oldest first, the last one now.
  const absl::Time first = clock.Now() - absl::Seconds(lodgments);
  log::LogTransaction tx;
  int64_t in_tx = 0, records = 0, bytes = 0;
  for (int64_t i = 0; i < lodgments; ++i) {
    for (const events::StatusChange& c : History(i, first + absl::Seconds(i), employees, *sent)) {
      std::string value = c.SerializeAsString();
      bytes += static_cast<int64_t>(value.size());
      tx.Append({lodgment::topics::kStatus, c.lodgment_id(), std::move(value), {}, std::nullopt});
      ++in_tx;
    }
    if (in_tx >= per_tx || i + 1 == lodgments) {
      if (absl::Status s = log.Commit(tx); !s.ok()) return s;
      records += in_tx;
      in_tx = 0;
      tx.Clear();
    }
  }
  std::printf("{\"lodgments\": %lld, \"records\": %lld, \"value_bytes\": %lld, "
              "\"first_id\": \"%s\", \"last_id\": \"%s\"}\n",
              static_cast<long long>(lodgments), static_cast<long long>(records),
              static_cast<long long>(bytes), LodgmentId(0).c_str(),
              LodgmentId(lodgments - 1).c_str());
  return absl::OkStatus();
}

}  // namespace
}  // namespace sbrgate

int main(int argc, char** argv) {
  sbrgate::ParseDashedCommandLine(argc, argv, "writes lodgments' status histories into a local log");
  if (absl::Status s = sbrgate::Fill(); !s.ok()) {
    std::fprintf(stderr, "fill_status_log: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  return 0;
}
