#include "pipeline/clntcomm/jobs/job_stage.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "pipeline/clntcomm/rules/schedule.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/common/transient.h"
#include "pipeline/platform/metrics/registry.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::comms {
namespace {

template <typename T>
absl::StatusOr<T> LoadBlob(const blob::BlobStore& blobs, const std::string& sha256,
                           absl::string_view what) {
  absl::StatusOr<std::string> bytes = blobs.ReadString(sha256);
  if (!bytes.ok()) return bytes.status();
  T message;
  if (!message.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat(what, " blob ", sha256, " does not parse"));
  }
  return message;
}

// Reads a whole bulk response; its file, if it has one, goes when read.
absl::StatusOr<std::vector<clntcomm::ResponseEntry>> ReadResponse(const StoredBytes& response) {
  absl::StatusOr<std::vector<clntcomm::ResponseEntry>> entries;
  {
    absl::StatusOr<std::unique_ptr<ByteSource>> source = response.Open();
    if (!source.ok()) return source.status();
    auto reader = clntcomm::ResponseReader::Open(
        *std::move(source), response.in_memory() ? "the bulk response" : response.path());
    if (!reader.ok()) {
      entries = reader.status();
    } else {
      entries.emplace();
      while (true) {
        absl::StatusOr<std::optional<clntcomm::ResponseEntry>> e = (*reader)->Next();
        if (!e.ok()) {
          entries = e.status();
          break;
        }
        if (!*e) break;
        entries->push_back(**std::move(e));
      }
    }
  }
  if (!response.in_memory()) std::remove(response.path().c_str());
  return entries;
}

// Failed steps of one job, in a row, before the job fails.
constexpr int kMaxStepFailures = 5;

std::vector<v1::Channel> AllChannels() {
  return {v1::PAPER, v1::MYGOV, v1::SMS, v1::EMAIL, v1::AGENT_DIGITAL, v1::ATO_ONLINE};
}

// A practice's references for its clients live in kClientReferencesStore,
// one entry per client identifier.
std::string ReferenceKey(const std::string& agent_abn, const v1::ClientId& client) {
  return absl::StrCat(agent_abn, "/", v1::ClientIdType_Name(client.type()), "/", client.value());
}

// The latest reference a request gives for a client wins; a request that
// gives none leaves the one remembered.
void RememberReference(const std::string& agent_abn, const v1::ClientId& client,
                       stage::StateStore& references) {
  if (!client.reference().empty()) {
    references.Put(ReferenceKey(agent_abn, client), client.reference());
  }
}

void NameClient(const std::string& agent_abn, const stage::StateStore& references,
                v1::ClientId& client) {
  if (!client.reference().empty()) return;
  if (std::optional<std::string> r = references.Get(ReferenceKey(agent_abn, client))) {
    client.set_reference(*std::move(r));
  }
}

}  // namespace

absl::Status JobStage::Process(const stage::Record& input, stage::Context& ctx) {
  v1::JobRequested requested;
  if (!requested.ParseFromString(input.value) || requested.job().job_id().empty()) {
    return absl::InvalidArgumentError("not a JobRequested with a job id");
  }
  stage::StateStore& jobs = ctx.store(kJobsStore);
  if (jobs.Get(requested.job().job_id())) return absl::OkStatus();  // a replay
  v1::JobProgress p;
  *p.mutable_requested() = requested;
  p.set_phase(v1::JobProgress::WAITING);
  *p.mutable_next_attempt() = requested.job().not_before();
  Save(p, ctx, /*publish=*/false);
  return absl::OkStatus();
}

absl::Status JobStage::Punctuate(absl::Time now, stage::Context& ctx) {
  std::vector<std::pair<absl::Time, std::string>> due;
  ctx.store(kJobsStore).ForEach([&](const std::string& key, const std::string& value) {
    v1::JobProgress p;
    if (p.ParseFromString(value) && FromProto(p.next_attempt()) <= now) {
      due.emplace_back(FromProto(p.next_attempt()), key);
    }
  });
  std::sort(due.begin(), due.end());
  for (const auto& [at, id] : due) {
    v1::JobProgress p;
    p.ParseFromString(*ctx.store(kJobsStore).Get(id));
    p.set_step_failures(0);  // saved so by a step that succeeds
    const absl::Status s = Step(p, now, ctx);
    if (s.ok()) continue;
    // One job's trouble (a blob that cannot be written or read) must not
    // hold the others: it waits and tries again from its last saved step,
    // and fails after a few tries.
    p.ParseFromString(*ctx.store(kJobsStore).Get(id));
    p.set_step_failures(p.step_failures() + 1);
    const std::string why = absl::StrCat("step failed ", p.step_failures(), " times: ", s.message());
    if (p.step_failures() >= kMaxStepFailures) {
      if (absl::Status f = Finish(p, v1::FAILED, {}, why, now, ctx); !f.ok()) return f;
      continue;
    }
    *p.mutable_next_attempt() = ToProto(now + options_.retry_interval);
    p.mutable_requested()->mutable_job()->set_detail(why);
    Save(p, ctx, /*publish=*/true);
  }
  return absl::OkStatus();
}

absl::Status JobStage::Step(v1::JobProgress& p, absl::Time now, stage::Context& ctx) {
  if (p.phase() == v1::JobProgress::WAITING) return Begin(p, now, ctx);
  if (!p.receipted()) return Push(p, now, ctx);
  return Pull(p, now, ctx);
}

absl::Status JobStage::Begin(v1::JobProgress& p, absl::Time now, stage::Context& ctx) {
  const v1::Job& job = p.requested().job();
  const blob::BlobStore& blobs = keeper_->blobs();
  const std::string& request_sha = p.requested().request_sha256();
  if (job.kind() == kJobKindBulkList) {
    absl::StatusOr<v1::ListCommunicationsRequest> list =
        LoadBlob<v1::ListCommunicationsRequest>(blobs, request_sha, "list request");
    if (!list.ok()) return list.status();
    for (const v1::ClientId& c : list->clients()) {
      RememberReference(job.agent().agent_abn(), c, ctx.store(kClientReferencesStore));
    }
    return StartBulk(p, v1::JobProgress::LISTING, clntcomm::WriteListRequest(*list), now, ctx);
  }
  if (job.kind() == kJobKindBulkGet) {
    absl::StatusOr<v1::BulkGetRequest> get =
        LoadBlob<v1::BulkGetRequest>(blobs, request_sha, "get request");
    if (!get.ok()) return get.status();
    for (const v1::GetCommunicationRequest& d : get->documents()) {
      RememberReference(job.agent().agent_abn(), d.client(), ctx.store(kClientReferencesStore));
    }
    return StartGet(p, *std::move(get), {}, now, ctx);
  }
  if (job.kind() != kJobKindDailySync) {
    return Finish(p, v1::FAILED, {}, absl::StrCat("unknown job kind '", job.kind(), "'"), now, ctx);
  }
  absl::StatusOr<v1::DailySyncRequest> daily =
      LoadBlob<v1::DailySyncRequest>(blobs, request_sha, "daily sync request");
  if (!daily.ok()) return daily.status();
  // At most one check per practice per 60 minutes, over the period since the
  // last one (the ATO's polling rule).
  const std::string& abn = job.agent().agent_abn();
  clntcomm::CheckThrottle throttle;
  if (std::optional<std::string> last = ctx.store(kChecksStore).Get(abn)) {
    google::protobuf::Timestamp t;
    t.ParseFromString(*last);
    throttle.Record(abn, FromProto(t));
  }
  const clntcomm::CheckWindow window = throttle.Begin(abn, now);
  if (!window.allowed) {
    *p.mutable_next_attempt() = ToProto(window.retry_at);
    v1::Job* j = p.mutable_requested()->mutable_job();
    *j->mutable_not_before() = ToProto(window.retry_at);
    j->set_detail(absl::StrCat("practice ", abn, " was checked within the last 60 minutes; ",
                               "the next check is allowed at ",
                               absl::FormatTime("%Y-%m-%d %H:%M %Z", window.retry_at,
                                                clntcomm::SydneyTimeZone())));
    Save(p, ctx, /*publish=*/true);
    return absl::OkStatus();
  }
  // A whole-practice list may span at most 7 days; a practice unchecked for
  // longer catches up on the last 7.
  const absl::Time from = std::max(window.from, window.to - absl::Hours(24 * 6));
  *p.mutable_period_from() = ToProto(from);
  *p.mutable_period_to() = ToProto(window.to);
  v1::ListCommunicationsRequest list;
  *list.mutable_agent() = job.agent();
  list.set_from_date(clntcomm::SydneyDate(from));
  list.set_to_date(clntcomm::SydneyDate(window.to));
  if (daily->channels().empty()) {
    for (v1::Channel c : AllChannels()) list.add_channels(c);
  } else {
    *list.mutable_channels() = daily->channels();
  }
  return StartBulk(p, v1::JobProgress::LISTING, clntcomm::WriteListRequest(list), now, ctx);
}

absl::Status JobStage::StartBulk(v1::JobProgress& p, v1::JobProgress::Phase phase,
                                 const std::string& request_xml, absl::Time now,
                                 stage::Context& ctx) {
  absl::StatusOr<blob::BlobId> request = keeper_->blobs().PutString(request_xml);
  if (!request.ok()) return request.status();
  p.set_phase(phase);
  p.set_message_id(ebms::NewMessageId(options_.message_id_domain));
  *p.mutable_pushed_at() = ToProto(now);
  p.set_receipted(false);
  p.set_pulls(0);
  p.set_bulk_request_sha256(request->sha256);
  // Saved (and committed) before the first push: a resend after a crash is
  // this same message.
  *p.mutable_next_attempt() = ToProto(now);
  v1::Job* job = p.mutable_requested()->mutable_job();
  job->set_state(v1::RUNNING);
  job->set_detail(phase == v1::JobProgress::LISTING ? "listing with SBR" : "retrieving from SBR");
  Save(p, ctx, /*publish=*/true);
  return absl::OkStatus();
}

absl::Status JobStage::Push(v1::JobProgress& p, absl::Time now, stage::Context& ctx) {
  absl::StatusOr<std::string> request_xml = keeper_->blobs().ReadString(p.bulk_request_sha256());
  if (!request_xml.ok()) return request_xml.status();
  BulkPush push;
  push.message_id = p.message_id();
  push.timestamp = FromProto(p.pushed_at());
  push.agent = p.requested().job().agent();
  push.kind = p.phase() == v1::JobProgress::LISTING ? BulkKind::kList : BulkKind::kGet;
  push.request_xml = *std::move(request_xml);
  absl::Status pushed = sbr_->PushBulk(push);
  v1::Job* job = p.mutable_requested()->mutable_job();
  if (IsTransient(pushed)) {
    *p.mutable_next_attempt() = ToProto(now + options_.retry_interval);
    job->set_detail(absl::StrCat("SBR unavailable, sending ", p.message_id(), " again later: ",
                                 pushed.message()));
    Save(p, ctx, /*publish=*/true);
    return absl::OkStatus();
  }
  if (!pushed.ok()) {
    return Finish(p, v1::FAILED, {}, absl::StrCat("SBR refused the request: ", pushed.message()),
                  now, ctx);
  }
  p.set_receipted(true);
  *p.mutable_next_attempt() = ToProto(now + options_.pull_interval);
  job->set_detail(absl::StrCat("receipted; waiting for SBR's response to ", p.message_id()));
  Save(p, ctx, /*publish=*/true);
  return absl::OkStatus();
}

absl::Status JobStage::Pull(v1::JobProgress& p, absl::Time now, stage::Context& ctx) {
  absl::StatusOr<BulkPull> pulled = sbr_->PullBulk(p.message_id());
  p.set_pulls(p.pulls() + 1);
  if (!pulled.ok() && !IsTransient(pulled.status())) {
    return Finish(p, v1::FAILED, {}, absl::StrCat("SBR: ", pulled.status().message()), now, ctx);
  }
  if (!pulled.ok() || !pulled->ready) {
    *p.mutable_next_attempt() =
        ToProto(now + (pulled.ok() ? options_.pull_interval : options_.retry_interval));
    Save(p, ctx, /*publish=*/false);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<clntcomm::ResponseEntry>> entries = ReadResponse(pulled->response);
  if (!entries.ok()) {
    // A refusal of the whole request (cc:Error) or a response that does not
    // add up: either way the job cannot go on by itself.
    return Finish(p, v1::FAILED, {}, absl::StrCat("SBR's response: ", entries.status().ToString()),
                  now, ctx);
  }
  return p.phase() == v1::JobProgress::LISTING ? ListDone(p, *entries, now, ctx)
                                               : GetDone(p, *entries, now, ctx);
}

absl::Status JobStage::ListDone(v1::JobProgress& p, std::vector<clntcomm::ResponseEntry>& entries,
                                absl::Time now, stage::Context& ctx) {
  v1::JobResults results;
  const stage::StateStore& references = ctx.store(kClientReferencesStore);
  const bool daily = p.requested().job().kind() == kJobKindDailySync;
  const absl::Time from = FromProto(p.period_from());
  const absl::Time to = FromProto(p.period_to());
  v1::BulkGetRequest get;
  *get.mutable_agent() = p.requested().job().agent();
  const std::string& abn = p.requested().job().agent().agent_abn();
  for (clntcomm::ResponseEntry& e : entries) {
    v1::CommunicationItem& item = e.document.item;
    NameClient(abn, references, *item.mutable_client());
    if (daily) {
      // Lists go by whole days; the check covers only its own period.
      const absl::Time sent = FromProto(item.sent_at());
      if (sent < from || sent >= to) continue;
      v1::GetCommunicationRequest* d = get.add_documents();
      *d->mutable_client() = item.client();
      d->set_document_id(item.document_id());
    }
    *results.add_items() = item;
  }
  if (!daily) return Finish(p, v1::DONE, results, "", now, ctx);
  return StartGet(p, std::move(get), std::move(results), now, ctx);
}

absl::Status JobStage::StartGet(v1::JobProgress& p, v1::BulkGetRequest request,
                                v1::JobResults results, absl::Time now, stage::Context& ctx) {
  const std::string& abn = p.requested().job().agent().agent_abn();
  v1::BulkGetRequest from_sbr;
  *from_sbr.mutable_agent() = request.agent();
  for (const v1::GetCommunicationRequest& d : request.documents()) {
    std::optional<v1::Communication> stored;
    if (!request.refetch() && !d.refetch()) {
      // A ledger that cannot be read holds the job (Unavailable is retried)
      // rather than fetch documents a second time.
      absl::StatusOr<std::optional<v1::Communication>> kept =
          keeper_->FromStore(abn, d.document_id());
      if (!kept.ok()) return kept.status();
      stored = *std::move(kept);
    }
    if (stored) {
      NameClient(abn, ctx.store(kClientReferencesStore), *stored->mutable_item()->mutable_client());
      *results.add_documents() = *std::move(stored);
    } else {
      *from_sbr.add_documents() = d;
    }
  }
  if (from_sbr.documents().empty()) return Finish(p, v1::DONE, results, "", now, ctx);
  absl::StatusOr<blob::BlobId> partial = keeper_->blobs().PutString(results.SerializeAsString());
  if (!partial.ok()) return partial.status();
  p.set_partial_results_sha256(partial->sha256);
  return StartBulk(p, v1::JobProgress::GETTING, clntcomm::WriteGetRequest(from_sbr), now, ctx);
}

absl::Status JobStage::GetDone(v1::JobProgress& p, std::vector<clntcomm::ResponseEntry>& entries,
                               absl::Time now, stage::Context& ctx) {
  v1::JobResults results;
  if (!p.partial_results_sha256().empty()) {
    absl::StatusOr<v1::JobResults> partial =
        LoadBlob<v1::JobResults>(keeper_->blobs(), p.partial_results_sha256(), "job results");
    if (!partial.ok()) return partial.status();
    results = *std::move(partial);
  }
  const std::string& abn = p.requested().job().agent().agent_abn();
  const stage::StateStore& references = ctx.store(kClientReferencesStore);
  for (clntcomm::ResponseEntry& e : entries) {
    NameClient(abn, references, *e.document.item.mutable_client());
    if (!e.status.ok()) {
      v1::DocumentFailure* f = results.add_failures();
      f->set_document_id(e.document.item.document_id());
      *f->mutable_client() = e.document.item.client();
      f->set_code(absl::StatusCodeToString(e.status.code()));
      f->set_message(std::string(e.status.message()));
      continue;
    }
    absl::StatusOr<KeptDocument> kept = keeper_->Store(abn, e, now, p.requested().job().job_id());
    if (!kept.ok()) return kept.status();
    // The event commits with this punctuation; should that fail, the job
    // pulls again and keeps, emits and remembers the same documents again.
    ctx.Emit(kept->event);
    if (absl::Status s = keeper_->Remember(*kept); !s.ok()) return s;
    *results.add_documents() = kept->communication;
  }
  if (p.requested().job().kind() == kJobKindDailySync) {
    ctx.store(kChecksStore).Put(abn, p.period_to().SerializeAsString());
  }
  return Finish(p, v1::DONE, results, "", now, ctx);
}

namespace {

// A finished job on /metrics. Counted as the stage finishes it: a
// punctuation that fails to commit and is done again counts again.
void CountFinished(const v1::Job& job) {
  static auto& jobs = metrics::Registry::Default().AddCounter(
      "sbrgate_clntcomm_jobs_finished_total", "Client-communication jobs finished, by state.",
      {"state"});
  static auto& documents = metrics::Registry::Default().AddCounter(
      "sbrgate_clntcomm_documents_total",
      "Documents of finished client-communication jobs, by where they came from.", {"source"});
  jobs.With({v1::JobState_Name(job.state())}).Increment();
  documents.With({"ato"}).Increment(
      static_cast<double>(job.document_count() - job.served_from_store()));
  documents.With({"store"}).Increment(static_cast<double>(job.served_from_store()));
  documents.With({"failed"}).Increment(static_cast<double>(job.failed_documents()));
}

}  // namespace

absl::Status JobStage::Finish(v1::JobProgress& p, v1::JobState state,
                              const v1::JobResults& results, std::string detail, absl::Time now,
                              stage::Context& ctx) {
  v1::Job* job = p.mutable_requested()->mutable_job();
  absl::StatusOr<blob::BlobId> stored = keeper_->blobs().PutString(results.SerializeAsString());
  if (!stored.ok()) return stored.status();
  job->set_results_sha256(stored->sha256);
  job->set_item_count(results.items_size());
  job->set_document_count(results.documents_size());
  job->set_served_from_store(std::count_if(results.documents().begin(), results.documents().end(),
                                           [](const v1::Communication& c) {
                                             return c.served_from_store();
                                           }));
  job->set_failed_documents(results.failures_size());
  job->set_state(state);
  job->set_detail(std::move(detail));
  *job->mutable_finished_at() = ToProto(now);
  job->set_revision(job->revision() + 1);
  ctx.Emit({topics::kJobs, job->job_id(), job->SerializeAsString()});
  ctx.store(kJobsStore).Delete(job->job_id());
  CountFinished(*job);
  return absl::OkStatus();
}

void JobStage::Save(v1::JobProgress& p, stage::Context& ctx, bool publish) {
  v1::Job* job = p.mutable_requested()->mutable_job();
  if (publish) {
    job->set_revision(job->revision() + 1);
    ctx.Emit({topics::kJobs, job->job_id(), job->SerializeAsString()});
  }
  ctx.store(kJobsStore).Put(job->job_id(), p.SerializeAsString());
}

}  // namespace sbrgate::comms
