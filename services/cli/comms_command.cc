// sbrgate comms list|get|sync|jobs: a client of the gateway's gRPC
// CommunicationService (proto/communications.proto) at --gateway=HOST:PORT,
// through which a tax or BAS agent practice lists and retrieves its clients'
// ATO correspondence (CLNTCOMM). Every command but jobs acts for a practice
// user: --abn=ABN --ran=RAN [--user=USER_ID] (default $USER). A client's
// REFERENCE is the practice's own (ClientId.reference): sbrgate names the
// client by it in results and on its documents topic.
//
//   list [--client=TYPE:VALUE[=REFERENCE]...] --from=D --to=D --channel=C[,C...]
//        [--category=NAME] [--sort=sent-date|client-name] [--desc]
//     QuickList: at most 100 items; prints {"items", "more_results", "count"}
//   list --bulk ...          StartBulkList: prints the job (comms_json.h)
//   get --client=TYPE:VALUE[=REFERENCE] --document=ID [--refetch] [--output=FILE]
//     GetCommunication: prints the Communication; --output also downloads
//     its bytes into FILE, checked against the Communication's sha256
//   get --bulk --documents-from=JOB_ID | --document=TYPE:VALUE:ID... [--refetch]
//     StartBulkGet of every item a finished bulk list found, and/or of each
//     --document: prints the job
//   sync [--channel=C...]    StartDailySync: prints the job
//   jobs [--abn=ABN]         ListJobs
//   jobs JOB_ID [--wait [--timeout=SECONDS]]   GetJob, or WatchJob until
//     DONE or FAILED (exit 3 with DEADLINE_EXCEEDED when the timeout, default
//     600 s, passes first)
//
// Flag values are checked for syntax only (comms_args.h): the gateway
// enforces the ATO's limits and names each violated field. Exit status and
// errors as for the lodgment commands (rpc_output.h).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/clntcomm/jobs/job_view.h"
#include "proto/communications.grpc.pb.h"
#include "services/cli/commands.h"
#include "services/cli/comms_args.h"
#include "services/cli/comms_json.h"
#include "services/cli/flags.h"
#include "services/cli/rpc_output.h"

namespace sbrgate::cli {
namespace {

// gRPC names a service's client class "Stub".
using CommsClient = v1::CommunicationService::Stub;

// QuickList and GetCommunication wait on SBR's single request processor,
// which can take minutes; so may a large document's download. Longer than
// this is a hung call.
constexpr std::chrono::minutes kLongRequestDeadline(5);
constexpr double kDefaultWaitSeconds = 600;

constexpr char kUsage[] =
    "usage: sbrgate [--gateway=HOST:PORT] comms COMMAND ... [--json]\n"
    "  list [--bulk] [--client=TYPE:VALUE[=REF]...] --from=YYYY-MM-DD --to=YYYY-MM-DD\n"
    "       --channel=CHANNEL[,CHANNEL...] [--category=NAME] [--sort=sent-date|client-name]\n"
    "       [--desc]\n"
    "  get --client=TYPE:VALUE[=REF] --document=ID [--refetch] [--output=FILE]\n"
    "  get --bulk --documents-from=JOB_ID | --document=TYPE:VALUE:ID... [--refetch]\n"
    "  sync [--channel=CHANNEL[,CHANNEL...]]\n"
    "  jobs [--abn=ABN]\n"
    "  jobs JOB_ID [--wait [--timeout=SECONDS]]\n"
    "list, get and sync act for --abn=ABN --ran=RAN [--user=USER_ID] (default $USER).\n"
    "TYPE is TFN, ABN, WPN or ARN; CHANNEL is paper, mygov, sms, email, agent-digital or\n"
    "ato-online; --client, --channel, --category and --document may be repeated.\n"
    "--gateway defaults to $SBRGATE_GATEWAY, else 127.0.0.1:50051.\n";

const char* DefaultUser() { return std::getenv("USER"); }

std::unique_ptr<CommsClient> Connect(const Flags& flags) {
  return v1::CommunicationService::NewStub(GatewayChannelOrExit(flags));
}

void SetLongRequestDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + kLongRequestDeadline);
}

// Job `id` with every page of its items and documents (GetJob pages them;
// a finished job's results do not change between pages).
grpc::Status GetWholeJob(CommsClient& client, const std::string& id, v1::Job* job) {
  v1::GetJobRequest request;
  request.set_job_id(id);
  for (bool first = true;; first = false) {
    grpc::ClientContext context;
    SetLongRequestDeadline(context);
    v1::Job page;
    const grpc::Status status = client.GetJob(&context, request, &page);
    if (!status.ok()) return status;
    if (first) {
      *job = std::move(page);
    } else {
      job->mutable_items()->MergeFrom(page.items());
      job->mutable_documents()->MergeFrom(page.documents());
      job->set_next_page_token(page.next_page_token());
    }
    if (job->next_page_token().empty()) return grpc::Status::OK;
    request.set_page_token(job->next_page_token());
    job->clear_next_page_token();
  }
}

std::string ClientText(const v1::ClientId& id) {
  return absl::StrCat(v1::ClientIdType_Name(id.type()), ":", id.value());
}

// One line per item: id, sent, channel, category, client, name, title.
void PrintItemLine(const v1::CommunicationItem& item, absl::string_view indent) {
  std::cout << absl::StrFormat("%s%-24s  %-20s  %-13s  %-20s  %-16s  %s  %s\n", indent,
                               item.document_id(), TimeText(item.sent_at()),
                               v1::Channel_Name(item.channel()), v1::Category_Name(item.category()),
                               ClientText(item.client()), item.client_name(), item.title());
}

void PrintCommunicationText(const v1::Communication& c) {
  const v1::CommunicationItem& item = c.item();
  std::cout << "document " << item.document_id() << ": " << item.title() << "\n"
            << "  client " << ClientText(item.client()) << " (" << item.client_name() << "), "
            << v1::Channel_Name(item.channel()) << ", " << v1::Category_Name(item.category())
            << ", sent " << TimeText(item.sent_at()) << "\n";
  if (!item.account().empty()) std::cout << "  account " << item.account() << "\n";
  std::cout << "  " << c.size() << " bytes, sha256 " << c.sha256() << ", "
            << (c.served_from_store() ? "served from sbrgate's store" : "retrieved from SBR")
            << "\n";
}

void PrintJob(bool json, const v1::Job& job) {
  if (json) {
    std::cout << JobJson(job).dump() << "\n";
    return;
  }
  std::cout << "job " << job.job_id() << " (" << job.kind()
            << "): " << v1::JobState_Name(job.state()) << "\n"
            << "  created " << TimeText(job.created_at()) << ", not before "
            << TimeText(job.not_before()) << ", finished " << TimeText(job.finished_at()) << "\n"
            << "  " << job.item_count() << " listed, " << job.document_count() << " documents ("
            << job.served_from_store() << " from sbrgate's store), " << job.failed_documents()
            << " refused\n";
  if (!job.detail().empty()) std::cout << "  " << job.detail() << "\n";
  for (const v1::CommunicationItem& item : job.items()) PrintItemLine(item, "  ");
  for (const v1::Communication& c : job.documents()) {
    std::cout << "  " << c.item().document_id() << "  " << c.size() << " bytes  sha256 "
              << c.sha256() << (c.served_from_store() ? "  (from store)" : "") << "\n";
  }
}

// A unary RPC answering a Job, printed.
template <typename Request>
int StartJob(const Flags& flags, const Request& request,
             grpc::Status (CommsClient::*start)(grpc::ClientContext*, const Request&, v1::Job*)) {
  grpc::ClientContext context;
  v1::Job job;
  const grpc::Status status = (Connect(flags).get()->*start)(&context, request, &job);
  if (!status.ok()) return RpcError(flags.Has("json"), status);
  PrintJob(flags.Has("json"), job);
  return 0;
}

int List(const Flags& flags, const std::vector<std::string>&) {
  const bool json = flags.Has("json");
  absl::StatusOr<v1::ListCommunicationsRequest> request =
      ListRequestFromFlags(flags, DefaultUser());
  if (!request.ok()) return UsageError(json, request.status().message(), kUsage);
  if (flags.Has("bulk")) return StartJob(flags, *request, &CommsClient::StartBulkList);

  grpc::ClientContext context;
  SetLongRequestDeadline(context);
  v1::ListCommunicationsResponse response;
  const grpc::Status status = Connect(flags)->QuickList(&context, *request, &response);
  if (!status.ok()) return RpcError(json, status);
  if (json) {
    Json items = Json::array();
    for (const v1::CommunicationItem& item : response.items()) {
      items.push_back(CommunicationItemJson(item));
    }
    std::cout << Json{{"items", std::move(items)},
                      {"more_results", response.more_results()},
                      {"count", response.items_size()}}
                     .dump()
              << "\n";
    return 0;
  }
  for (const v1::CommunicationItem& item : response.items()) PrintItemLine(item, "");
  std::cout << response.items_size() << " item" << (response.items_size() == 1 ? "" : "s") << "\n";
  if (response.more_results()) {
    std::cout << "more results than these: narrow the dates or clients, or list with --bulk\n";
  }
  return 0;
}

// Streams the document's bytes into `out`; fails unless they hash to `sha256`.
int Download(const Flags& flags, const v1::AgentContext& agent, const v1::Communication& c,
             FileSink& out) {
  const bool json = flags.Has("json");
  v1::DownloadDocumentRequest request;
  *request.mutable_agent() = agent;
  request.set_document_id(c.item().document_id());
  grpc::ClientContext context;
  SetLongRequestDeadline(context);
  DigestingSink hashed(out);
  std::unique_ptr<grpc::ClientReader<v1::DocumentChunk>> reader =
      Connect(flags)->DownloadDocument(&context, request);
  v1::DocumentChunk chunk;
  absl::Status written;
  while (written.ok() && reader->Read(&chunk)) written = hashed.Write(chunk.data());
  if (!written.ok()) {
    context.TryCancel();
    reader->Finish();
    return LocalError(json, written);
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return RpcError(json, status);
  if (hashed.hex() != c.sha256()) {
    PrintError(json, "DATA_LOSS",
               absl::StrCat("document ", c.item().document_id(), " downloaded as ", hashed.bytes(),
                            " bytes with sha256 ", hashed.hex(), ", not ", c.size(),
                            " bytes with sha256 ", c.sha256()));
    return kExitFailed;
  }
  if (absl::Status closed = out.Close(); !closed.ok()) return LocalError(json, closed);
  return 0;
}

int GetOne(const Flags& flags, const v1::AgentContext& agent) {
  const bool json = flags.Has("json");
  if (flags.Has("documents-from")) {
    return UsageError(json, "--documents-from needs --bulk", kUsage);
  }
  if (flags.GetAll("client").size() != 1 || flags.GetAll("document").size() != 1) {
    return UsageError(json, "get needs one --client=TYPE:VALUE and one --document=ID", kUsage);
  }
  absl::StatusOr<v1::ClientId> client = ParseClientId(flags.Get("client"));
  if (!client.ok()) return UsageError(json, client.status().message(), kUsage);
  // The file is created first: an unwritable --output should fail before
  // the ATO is asked for the document.
  std::unique_ptr<FileSink> out;
  if (flags.Has("output")) {
    absl::StatusOr<std::unique_ptr<FileSink>> created = FileSink::Create(flags.Get("output"));
    if (!created.ok()) return LocalError(json, created.status());
    out = *std::move(created);
  }
  v1::GetCommunicationRequest request;
  *request.mutable_agent() = agent;
  *request.mutable_client() = *std::move(client);
  request.set_document_id(flags.Get("document"));
  request.set_refetch(flags.Has("refetch"));
  grpc::ClientContext context;
  SetLongRequestDeadline(context);
  v1::Communication communication;
  const grpc::Status status = Connect(flags)->GetCommunication(&context, request, &communication);
  if (!status.ok()) return RpcError(json, status);
  if (out != nullptr) {
    if (int exit = Download(flags, agent, communication, *out); exit != 0) return exit;
  }
  if (json) {
    std::cout << CommunicationJson(communication).dump() << "\n";
    return 0;
  }
  PrintCommunicationText(communication);
  if (out != nullptr) std::cout << "  saved to " << flags.Get("output") << "\n";
  return 0;
}

int GetBulk(const Flags& flags, const v1::AgentContext& agent) {
  const bool json = flags.Has("json");
  if (flags.Has("client") || flags.Has("output")) {
    return UsageError(json,
                      "get --bulk takes --documents-from=JOB_ID or --document=TYPE:VALUE:ID, not "
                      "--client or --output",
                      kUsage);
  }
  v1::BulkGetRequest request;
  *request.mutable_agent() = agent;
  request.set_refetch(flags.Has("refetch"));
  for (const std::string& text : flags.GetAll("document")) {
    absl::StatusOr<v1::GetCommunicationRequest> document = ParseDocumentRef(text);
    if (!document.ok()) return UsageError(json, document.status().message(), kUsage);
    *request.add_documents() = *std::move(document);
  }
  if (flags.Has("documents-from")) {
    const std::string job_id = flags.Get("documents-from");
    v1::Job listed;
    const grpc::Status status = GetWholeJob(*Connect(flags), job_id, &listed);
    if (!status.ok()) return RpcError(json, status);
    if (listed.state() != v1::DONE) {
      PrintError(json, "FAILED_PRECONDITION",
                 absl::StrCat("job ", job_id, " is ", v1::JobState_Name(listed.state()),
                              ", not DONE: wait for it with `comms jobs ", job_id, " --wait`"));
      return kExitFailed;
    }
    if (listed.items().empty()) {
      PrintError(json, "FAILED_PRECONDITION",
                 absl::StrCat("job ", job_id, " (", listed.kind(), ") listed no documents"));
      return kExitFailed;
    }
    for (const v1::CommunicationItem& item : listed.items()) {
      v1::GetCommunicationRequest* document = request.add_documents();
      *document->mutable_client() = item.client();
      document->set_document_id(item.document_id());
    }
  }
  if (request.documents().empty()) {
    return UsageError(json, "get --bulk needs --documents-from=JOB_ID or --document=TYPE:VALUE:ID",
                      kUsage);
  }
  return StartJob(flags, request, &CommsClient::StartBulkGet);
}

int Get(const Flags& flags, const std::vector<std::string>&) {
  absl::StatusOr<v1::AgentContext> agent = AgentFromFlags(flags, DefaultUser());
  if (!agent.ok()) return UsageError(flags.Has("json"), agent.status().message(), kUsage);
  return flags.Has("bulk") ? GetBulk(flags, *agent) : GetOne(flags, *agent);
}

int Sync(const Flags& flags, const std::vector<std::string>&) {
  const bool json = flags.Has("json");
  v1::DailySyncRequest request;
  absl::StatusOr<v1::AgentContext> agent = AgentFromFlags(flags, DefaultUser());
  if (!agent.ok()) return UsageError(json, agent.status().message(), kUsage);
  *request.mutable_agent() = *std::move(agent);
  absl::StatusOr<std::vector<v1::Channel>> channels = ParseChannels(flags.GetAll("channel"));
  if (!channels.ok()) return UsageError(json, channels.status().message(), kUsage);
  for (v1::Channel channel : *channels) request.add_channels(channel);
  return StartJob(flags, request, &CommsClient::StartDailySync);
}

int ListJobs(const Flags& flags) {
  const bool json = flags.Has("json");
  v1::ListJobsRequest request;
  request.set_agent_abn(flags.Get("abn"));
  grpc::ClientContext context;
  v1::ListJobsResponse response;
  const grpc::Status status = Connect(flags)->ListJobs(&context, request, &response);
  if (!status.ok()) return RpcError(json, status);
  if (json) {
    Json jobs = Json::array();
    for (const v1::Job& job : response.jobs()) jobs.push_back(JobJson(job));
    std::cout << Json{{"jobs", std::move(jobs)}}.dump() << "\n";
    return 0;
  }
  for (const v1::Job& job : response.jobs()) {
    std::cout << absl::StrFormat("%-36s  %-10s  %-9s  %-20s  %d listed, %d documents\n",
                                 job.job_id(), job.kind(), v1::JobState_Name(job.state()),
                                 TimeText(job.created_at()), job.item_count(),
                                 job.document_count());
  }
  return 0;
}

int WatchJob(const Flags& flags, const std::string& id) {
  const bool json = flags.Has("json");
  double seconds = kDefaultWaitSeconds;
  if (flags.Has("timeout") && (!absl::SimpleAtod(flags.Get("timeout"), &seconds) || seconds <= 0)) {
    return UsageError(json, "--timeout takes a number of seconds", kUsage);
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(
                           std::chrono::duration<double>(seconds)));
  v1::GetJobRequest request;
  request.set_job_id(id);
  std::unique_ptr<CommsClient> client = Connect(flags);
  std::unique_ptr<grpc::ClientReader<v1::Job>> reader = client->WatchJob(&context, request);
  std::optional<v1::Job> last;
  v1::Job job;
  while (reader->Read(&job)) {
    if (!json) std::cerr << id << ": " << v1::JobState_Name(job.state()) << "\n";
    last = job;
    // The final snapshot is all that is wanted; the server may keep the
    // stream open after it.
    if (comms::IsFinal(job.state())) break;
  }
  if (last.has_value() && comms::IsFinal(last->state())) {
    context.TryCancel();
    reader->Finish();
    if (!last->next_page_token().empty()) {
      // The watch carries the first page of the results; the rest by GetJob.
      const grpc::Status status = GetWholeJob(*client, id, &*last);
      if (!status.ok()) return RpcError(json, status);
    }
    PrintJob(json, *last);
    return 0;
  }
  const grpc::Status status = reader->Finish();
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    PrintError(json, "DEADLINE_EXCEEDED",
               absl::StrCat("job ", id, " is still ",
                            last.has_value() ? v1::JobState_Name(last->state()) : "unknown",
                            " after ", seconds, " seconds"));
    return kExitTimeout;
  }
  if (!status.ok()) return RpcError(json, status);
  PrintError(json, "UNKNOWN",
             absl::StrCat("the watch of job ", id, " ended before DONE or FAILED"));
  return kExitFailed;
}

int Jobs(const Flags& flags, const std::vector<std::string>& args) {
  const bool json = flags.Has("json");
  if (args.empty()) {
    if (flags.Has("wait") || flags.Has("timeout")) {
      return UsageError(json, "--wait and --timeout need a JOB_ID", kUsage);
    }
    return ListJobs(flags);
  }
  if (flags.Has("abn")) return UsageError(json, "--abn lists jobs; not with a JOB_ID", kUsage);
  if (flags.Has("timeout") && !flags.Has("wait")) {
    return UsageError(json, "--timeout needs --wait", kUsage);
  }
  if (flags.Has("wait")) return WatchJob(flags, args[0]);
  v1::Job job;
  const grpc::Status status = GetWholeJob(*Connect(flags), args[0], &job);
  if (!status.ok()) return RpcError(json, status);
  PrintJob(json, job);
  return 0;
}

struct Subcommand {
  const char* name;
  std::set<std::string> booleans;  // besides --json
  std::set<std::string> valued;    // besides --gateway
  size_t max_args;                 // positional arguments after the name
  const char* too_many;            // the usage error when there are more
  int (*run)(const Flags& flags, const std::vector<std::string>& args);
};

const std::vector<Subcommand>& Subcommands() {
  static const std::vector<Subcommand> kSubcommands = {
      {"list",
       {"bulk", "desc"},
       {"abn", "ran", "user", "client", "from", "to", "channel", "category", "sort"},
       0,
       "comms list takes no arguments, only options",
       List},
      {"get",
       {"bulk", "refetch"},
       {"abn", "ran", "user", "client", "document", "output", "documents-from"},
       0,
       "comms get takes no arguments, only options",
       Get},
      {"sync",
       {},
       {"abn", "ran", "user", "channel"},
       0,
       "comms sync takes no arguments, only options",
       Sync},
      {"jobs", {"wait"}, {"abn", "timeout"}, 1, "comms jobs takes at most one JOB_ID", Jobs},
  };
  return kSubcommands;
}

}  // namespace

int RunComms(const Args& args) {
  // --json anywhere asks for a JSON error, even when an option before it is
  // the one that is wrong.
  const bool json = std::find(args.begin(), args.end(), "--json") != args.end();
  // The subcommand is the first positional argument once every option any
  // subcommand knows is set aside, so options may also come before it.
  std::set<std::string> booleans = {"json"};
  std::set<std::string> valued = {"gateway", "tls-cert", "tls-key", "tls-ca"};
  for (const Subcommand& s : Subcommands()) {
    booleans.insert(s.booleans.begin(), s.booleans.end());
    valued.insert(s.valued.begin(), s.valued.end());
  }
  Flags any(booleans, valued);
  if (absl::Status parsed = any.Parse(args); !parsed.ok()) {
    return UsageError(json, parsed.message(), kUsage);
  }
  if (any.positional().empty()) {
    return UsageError(json, "comms needs a command: list, get, sync or jobs", kUsage);
  }
  const std::string name = any.positional()[0];
  for (const Subcommand& s : Subcommands()) {
    if (name != s.name) continue;
    std::set<std::string> own_booleans = s.booleans;
    own_booleans.insert("json");
    std::set<std::string> own_valued = s.valued;
    own_valued.insert({"gateway", "tls-cert", "tls-key", "tls-ca"});
    Flags flags(own_booleans, own_valued);
    if (absl::Status parsed = flags.Parse(args); !parsed.ok()) {
      return UsageError(json, absl::StrCat("comms ", name, ": ", parsed.message()), kUsage);
    }
    const std::vector<std::string> rest(flags.positional().begin() + 1, flags.positional().end());
    if (rest.size() > s.max_args) return UsageError(json, s.too_many, kUsage);
    return s.run(flags, rest);
  }
  return UsageError(
      json, absl::StrCat("unknown comms command '", name, "': list, get, sync or jobs"), kUsage);
}

}  // namespace sbrgate::cli
