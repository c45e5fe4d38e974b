#include "pipeline/clntcomm/service/communication_service.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pipeline/clntcomm/jobs/job_stage.h"
#include "pipeline/clntcomm/rules/request_rules.h"
#include "pipeline/clntcomm/rules/schedule.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/platform/common/uuid.h"
#include "pipeline/platform/rpc/status.h"
#include "pipeline/platform/rpc/watch.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/topology/topology.h"

namespace sbrgate::comms {
namespace {

using rpc::ToGrpcStatus;

// The answers of a synchronous call name a client by the reference its
// request gave (the job stage also remembers references across jobs).
void NameClientAsRequested(const v1::ClientId& named, v1::ClientId& client) {
  if (client.reference().empty() && client.type() == named.type() &&
      client.value() == named.value()) {
    client.set_reference(named.reference());
  }
}

constexpr int kDownloadChunkBytes = 64 << 10;
// Items and documents per page of a job's results.
constexpr int kDefaultJobPageSize = 1000;
constexpr int kMaxJobPageSize = 10000;
// How long WatchJob waits for a job it does not know yet.
constexpr absl::Duration kAppearTimeout = absl::Seconds(10);

// INVALID_ARGUMENT whose details are a google.rpc.BadRequest naming each field.
grpc::Status InvalidArgument(const std::vector<FieldViolation>& violations) {
  return ToGrpcStatus(clntcomm::ViolationsToStatus(violations), violations);
}

std::vector<v1::Channel> Channels(const google::protobuf::RepeatedField<int>& channels) {
  std::vector<v1::Channel> out;
  for (int c : channels) out.push_back(static_cast<v1::Channel>(c));
  return out;
}

}  // namespace

absl::StatusOr<access::Caller> CommunicationServiceImpl::Reader(
    const grpc::ServerContext& context) const {
  absl::StatusOr<access::Caller> caller = options_.authenticator->Authenticate(context);
  if (caller.ok() && caller->role() == access::Role::kPayroll) {
    return absl::PermissionDeniedError(absl::StrCat(
        "identity '", caller->identity(), "' is a payroll caller: CLNTCOMM is for agent practices"));
  }
  return caller;
}

absl::StatusOr<v1::AgentContext> CommunicationServiceImpl::ActingFor(
    const grpc::ServerContext& context, const v1::AgentContext& agent, const std::string& action,
    bool audited) const {
  absl::StatusOr<access::Caller> caller = Reader(context);
  if (!caller.ok()) {
    if (audited && !absl::IsUnauthenticated(caller.status())) {
      options_.audit
          ->Record({access::PeerIdentity(context), action, agent.agent_abn(), false,
                    std::string(caller.status().message())})
          .IgnoreError();
    }
    return caller.status();
  }
  v1::AgentContext acting = agent;
  if (acting.agent_abn().empty()) {
    acting.set_agent_abn(caller->agent_abn());
    if (acting.ran().empty()) acting.set_ran(caller->ran());
  }
  const bool allowed = caller->MayActForPractice(acting.agent_abn());
  if (audited) {
    absl::Status s = options_.audit->Record(
        {caller->identity(), action, acting.agent_abn(), allowed, acting.user_id()});
    if (allowed && !s.ok()) return s;
  }
  if (!allowed) {
    return absl::PermissionDeniedError(absl::StrCat("identity '", caller->identity(),
                                                    "' may not act for agent practice ",
                                                    acting.agent_abn()));
  }
  return acting;
}

grpc::Status CommunicationServiceImpl::QuickList(grpc::ServerContext* context,
                                                 const v1::ListCommunicationsRequest* request,
                                                 v1::ListCommunicationsResponse* response) {
  v1::ListCommunicationsRequest acting = *request;
  absl::StatusOr<v1::AgentContext> agent =
      ActingFor(*context, request->agent(), "clntcomm.quick-list", true);
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *std::move(agent);
  request = &acting;
  std::vector<FieldViolation> violations =
      clntcomm::ListRequestViolations(*request, options_.clock->Now());
  if (!violations.empty()) return InvalidArgument(violations);
  if (absl::Status s = clntcomm::CheckCorroView(*options_.permissions, request->agent()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::ListCommunicationsResponse> page = options_.sbr->QuickList(*request);
  if (!page.ok()) return ToGrpcStatus(page.status());
  *response = *std::move(page);
  for (v1::CommunicationItem& item : *response->mutable_items()) {
    for (const v1::ClientId& named : request->clients()) {
      NameClientAsRequested(named, *item.mutable_client());
    }
  }
  return grpc::Status::OK;
}

grpc::Status CommunicationServiceImpl::StartBulkList(grpc::ServerContext* context,
                                                     const v1::ListCommunicationsRequest* request,
                                                     v1::Job* job) {
  v1::ListCommunicationsRequest acting = *request;
  absl::StatusOr<v1::AgentContext> agent =
      ActingFor(*context, request->agent(), "clntcomm.bulk-list", true);
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *std::move(agent);
  request = &acting;
  const absl::Time now = options_.clock->Now();
  std::vector<FieldViolation> violations = clntcomm::ListRequestViolations(*request, now);
  if (!violations.empty()) return InvalidArgument(violations);
  if (absl::Status s = clntcomm::CheckCorroView(*options_.permissions, request->agent()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return CreateJob(
      kJobKindBulkList, request->agent(), *request, now,
      clntcomm::EarliestStart(clntcomm::JobKind::kBulk, Channels(request->channels()), now), job);
}

grpc::Status CommunicationServiceImpl::GetCommunication(grpc::ServerContext* context,
                                                        const v1::GetCommunicationRequest* request,
                                                        v1::Communication* response) {
  v1::GetCommunicationRequest acting = *request;
  absl::StatusOr<v1::AgentContext> agent =
      ActingFor(*context, request->agent(), "clntcomm.get", true);
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *std::move(agent);
  request = &acting;
  std::vector<FieldViolation> violations = clntcomm::GetRequestViolations(*request);
  if (!violations.empty()) return InvalidArgument(violations);
  if (absl::Status s = clntcomm::CheckCorroView(*options_.permissions, request->agent()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const std::string& abn = request->agent().agent_abn();
  if (!request->refetch()) {
    absl::StatusOr<std::optional<v1::Communication>> stored =
        options_.keeper->FromStore(abn, request->document_id());
    if (!stored.ok()) return ToGrpcStatus(stored.status());
    if (*stored) {
      *response = **std::move(stored);
      NameClientAsRequested(request->client(), *response->mutable_item()->mutable_client());
      return grpc::Status::OK;
    }
  }
  absl::StatusOr<clntcomm::ResponseEntry> entry = options_.sbr->GetOne(*request);
  if (!entry.ok()) return ToGrpcStatus(entry.status());
  NameClientAsRequested(request->client(), *entry->document.item.mutable_client());
  absl::StatusOr<KeptDocument> kept =
      options_.keeper->Store(abn, *entry, options_.clock->Now(), /*job_id=*/"");
  if (!kept.ok()) return ToGrpcStatus(kept.status());
  // Not remembered until its event is out (document_keeper.h says why).
  if (absl::Status s = options_.publisher->Publish({kept->event}); !s.ok()) {
    return ToGrpcStatus(absl::UnavailableError(
        absl::StrCat("document ", request->document_id(),
                     " was retrieved but its event could not be published (ask again): ",
                     s.message())));
  }
  if (absl::Status s = options_.keeper->Remember(*kept); !s.ok()) return ToGrpcStatus(s);
  *response = kept->communication;
  return grpc::Status::OK;
}

grpc::Status CommunicationServiceImpl::StartBulkGet(grpc::ServerContext* context,
                                                    const v1::BulkGetRequest* request,
                                                    v1::Job* job) {
  v1::BulkGetRequest acting = *request;
  absl::StatusOr<v1::AgentContext> agent =
      ActingFor(*context, request->agent(), "clntcomm.bulk-get", true);
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *std::move(agent);
  request = &acting;
  std::vector<FieldViolation> violations = clntcomm::BulkGetRequestViolations(*request);
  if (!violations.empty()) return InvalidArgument(violations);
  if (absl::Status s = clntcomm::CheckCorroView(*options_.permissions, request->agent()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  // A bulk get may span every channel: it waits for the night window.
  const absl::Time now = options_.clock->Now();
  return CreateJob(kJobKindBulkGet, request->agent(), *request, now,
                   clntcomm::EarliestStart(clntcomm::JobKind::kBulk, {}, now), job);
}

grpc::Status CommunicationServiceImpl::StartDailySync(grpc::ServerContext* context,
                                                      const v1::DailySyncRequest* request,
                                                      v1::Job* job) {
  v1::DailySyncRequest acting = *request;
  absl::StatusOr<v1::AgentContext> agent =
      ActingFor(*context, request->agent(), "clntcomm.daily-sync", true);
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *std::move(agent);
  request = &acting;
  std::vector<FieldViolation> violations = clntcomm::DailySyncRequestViolations(*request);
  if (!violations.empty()) return InvalidArgument(violations);
  if (absl::Status s = clntcomm::CheckCorroView(*options_.permissions, request->agent()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  const absl::Time now = options_.clock->Now();
  return CreateJob(
      kJobKindDailySync, request->agent(), *request, now,
      clntcomm::EarliestStart(clntcomm::JobKind::kBulk, Channels(request->channels()), now), job);
}

grpc::Status CommunicationServiceImpl::CreateJob(const std::string& kind,
                                                 const v1::AgentContext& agent,
                                                 const google::protobuf::Message& request,
                                                 absl::Time now, absl::Time not_before,
                                                 v1::Job* job) {
  absl::StatusOr<blob::BlobId> stored =
      options_.keeper->blobs().PutString(request.SerializeAsString());
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  job->set_job_id(absl::StrCat("job-", NewUuid()));
  job->set_kind(kind);
  job->set_state(v1::SCHEDULED);
  *job->mutable_not_before() = ToProto(not_before);
  *job->mutable_created_at() = ToProto(now);
  *job->mutable_agent() = agent;
  job->set_revision(1);
  job->set_detail(not_before > now
                      ? absl::StrCat("waiting for the reasonable-use window at ",
                                     absl::FormatTime("%Y-%m-%d %H:%M %Z", not_before,
                                                      clntcomm::SydneyTimeZone()))
                      : "starting");
  v1::JobRequested requested;
  *requested.mutable_job() = *job;
  requested.set_request_sha256(stored->sha256);
  if (absl::Status s = options_.publisher->Publish(
          {{topics::kJobRequests, agent.agent_abn(), requested.SerializeAsString()},
           {topics::kJobs, job->job_id(), job->SerializeAsString()}});
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  // Shown at once (the view would show it when the topic echoes it); the
  // job is queued either way, so a view that cannot write now says nothing.
  options_.view->Apply(*job).IgnoreError();
  return grpc::Status::OK;
}

grpc::Status CommunicationServiceImpl::WithResults(v1::Job* job,
                                                  const v1::GetJobRequest& page) const {
  if (page.page_size() < 0 || page.page_size() > kMaxJobPageSize) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("page_size must be 0 to ", kMaxJobPageSize));
  }
  int64_t offset = 0;
  if (!page.page_token().empty() && (!absl::SimpleAtoi(page.page_token(), &offset) || offset < 0)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("page_token '", page.page_token(), "' is not one of ours"));
  }
  if (job->results_sha256().empty()) return grpc::Status::OK;
  absl::StatusOr<std::string> bytes = options_.keeper->blobs().ReadString(job->results_sha256());
  v1::JobResults results;
  if (!bytes.ok()) return ToGrpcStatus(bytes.status());
  if (!results.ParseFromString(*bytes)) {
    return ToGrpcStatus(
        absl::DataLossError(absl::StrCat("results of job ", job->job_id(), " do not parse")));
  }
  const int64_t size = page.page_size() == 0 ? kDefaultJobPageSize : page.page_size();
  const int64_t end = offset + size;
  for (int64_t i = offset; i < end && i < results.items_size(); ++i) {
    *job->add_items() = std::move(*results.mutable_items(i));
  }
  for (int64_t i = offset; i < end && i < results.documents_size(); ++i) {
    *job->add_documents() = std::move(*results.mutable_documents(i));
  }
  if (end < results.items_size() || end < results.documents_size()) {
    job->set_next_page_token(absl::StrCat(end));
  }
  return grpc::Status::OK;
}

grpc::Status CommunicationServiceImpl::GetJob(grpc::ServerContext* context,
                                              const v1::GetJobRequest* request, v1::Job* job) {
  absl::StatusOr<access::Caller> caller = Reader(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::optional<JobView::Versioned> held = options_.view->Get(request->job_id());
  if (!held || !caller->MayActForPractice(held->job.agent().agent_abn())) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("job '", request->job_id(), "' not found"));
  }
  *job = std::move(held->job);
  return WithResults(job, *request);
}

grpc::Status CommunicationServiceImpl::ListJobs(grpc::ServerContext* context,
                                                const v1::ListJobsRequest* request,
                                                v1::ListJobsResponse* response) {
  absl::StatusOr<access::Caller> caller = Reader(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::string practice = request->agent_abn();
  if (!caller->IsOperator()) {
    if (!practice.empty() && !caller->MayActForPractice(practice)) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          absl::StrCat("identity '", caller->identity(),
                                       "' may not list the jobs of agent practice ", practice));
    }
    practice = caller->agent_abn();
  }
  for (v1::Job& j : options_.view->List(practice)) {
    *response->add_jobs() = std::move(j);
  }
  return grpc::Status::OK;
}

grpc::Status CommunicationServiceImpl::WatchJob(grpc::ServerContext* context,
                                                const v1::GetJobRequest* request,
                                                grpc::ServerWriter<v1::Job>* writer) {
  absl::StatusOr<access::Caller> caller = Reader(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<rpc::CallerSlots::Slot> slot = watches_.Take(caller->identity());
  if (!slot.ok()) return ToGrpcStatus(slot.status());
  rpc::Watched<v1::Job> watched;
  watched.wait_for_change = [&](int64_t seen, absl::Time deadline) {
    rpc::Snapshot<v1::Job> s;
    std::optional<JobView::Versioned> held =
        options_.view->WaitForChange(request->job_id(), seen, deadline);
    // Another practice's job is one that never appears.
    if (!held || !caller->MayActForPractice(held->job.agent().agent_abn())) return s;
    s.version = held->version;
    if (held->version > seen) s.message = std::move(held->job);
    return s;
  };
  watched.complete = [&](v1::Job& job) {
    v1::GetJobRequest first_page;
    first_page.set_page_size(request->page_size());
    return WithResults(&job, first_page);
  };
  watched.is_final = [](const v1::Job& job) { return IsFinal(job.state()); };
  // The view is rebuilt from the jobs topic when the service starts: a job
  // may take a moment to appear.
  watched.appear_timeout = kAppearTimeout;
  watched.not_found = absl::StrCat("job '", request->job_id(), "' not found");
  return rpc::Watch(context, writer, watched);
}

grpc::Status CommunicationServiceImpl::DownloadDocument(
    grpc::ServerContext* context, const v1::DownloadDocumentRequest* request,
    grpc::ServerWriter<v1::DocumentChunk>* writer) {
  v1::DownloadDocumentRequest acting = *request;
  absl::StatusOr<v1::AgentContext> agent =
      ActingFor(*context, request->agent(), "clntcomm.download", false);
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  *acting.mutable_agent() = *std::move(agent);
  request = &acting;
  if (absl::Status s = clntcomm::CheckCorroView(*options_.permissions, request->agent()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<std::unique_ptr<ByteSource>> source =
      options_.keeper->OpenContent(request->agent().agent_abn(), request->document_id());
  if (!source.ok()) return ToGrpcStatus(source.status());
  std::string buffer(kDownloadChunkBytes, '\0');
  for (;;) {
    absl::StatusOr<size_t> n = (*source)->Read(buffer.data(), buffer.size());
    if (!n.ok()) return ToGrpcStatus(n.status());
    if (*n == 0) return grpc::Status::OK;
    v1::DocumentChunk chunk;
    chunk.set_data(buffer.data(), *n);
    if (context->IsCancelled() || !writer->Write(chunk)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    }
  }
}

}  // namespace sbrgate::comms
