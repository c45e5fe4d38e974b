// sbrgate lodge|wait|status|list|rejections|resubmit|replay|deadletters: a client of the
// gateway's gRPC LodgmentService (proto/lodgment.proto) at --gateway=HOST:PORT
// (default $SBRGATE_GATEWAY, else 127.0.0.1:50051); and poll-plan, which is
// local. Every command takes --json.
//
//   lodge FILE [--corrects=ID] [--update] [--prevalidate=hold|off]
//     streams FILE in 256 KiB chunks (a progress bar on a terminal for files
//     over 1 MB, but not with --json: bytes, rate, records) and prints {"lodgment_id", "state", "employees", "employees_sent"}
//   resubmit ID FILE        lodge FILE as the correction of lodgment ID
//   wait ID [--timeout=SECONDS]
//     follows the lodgment until a final state and prints it (lodgment_json.h);
//     exit 3 when the timeout (default 600 s) passes first
//   status ID               the lodgment now
//   list [--abn --state --after --before --page-size --page-token]
//   rejections [--abn --lodgment --page-size --page-token]
//                                   employee records rejected or held back
//   replay [IDS...] [--state --after --before]   send lodgments again
//     (what SBR never processed; receipted ones are polled for, never pushed
//     again, unless named with --as-new-lodgment: a full-file replacement)
//   deadletters list [--all]            records a stage could not process
//   deadletters redrive (--id=ID[,ID...] | --all)   send them back to their stage
//   poll-plan --employees N [--count K]   the STP poll offsets after a receipt
//
// Exit status: 0 done, 1 the gateway refused or failed (the error names the
// gRPC code; a refused upload lists each problem under "details"), 2 usage
// or local I/O error, 3 wait timed out. Errors go to stderr, as
// {"error": {"code": "...", "message": "...", "details": [...]}} with --json.
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/stp/gateway/lodgment_json.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/stp/status/status_view.h"
#include "pipeline/stp/poll_schedule/schedule.h"
#include "proto/lodgment.grpc.pb.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/rpc_output.h"

namespace sbrgate::cli {
namespace {

constexpr size_t kChunkBytes = 256 << 10;
constexpr int64_t kProgressMinBytes = 1 << 20;
constexpr double kDefaultWaitSeconds = 600;
constexpr int kDefaultPollCount = 10;

constexpr char kUsage[] =
    "usage: sbrgate [--gateway=HOST:PORT] COMMAND ... [--json]\n"
    "  lodge FILE [--corrects=ID] [--update] [--prevalidate=hold|off]\n"
    "  resubmit ID FILE\n"
    "  wait ID [--timeout=SECONDS]\n"
    "  status ID\n"
    "  list [--abn=ABN] [--state=STATE] [--after=RFC3339] [--before=RFC3339]\n"
    "       [--page-size=N] [--page-token=TOKEN]\n"
    "  rejections [--abn=ABN] [--lodgment=ID] [--page-size=N] [--page-token=TOKEN]\n"
    "  replay [ID...] [--state=STATE] [--after=RFC3339] [--before=RFC3339]\n"
    "  replay ID... --as-new-lodgment\n"
    "  deadletters list [--all] | deadletters redrive (--id=ID[,ID...] | --all)\n"
    "  poll-plan --employees=N [--count=K]\n"
    "--gateway defaults to $SBRGATE_GATEWAY, else 127.0.0.1:50051.\n";

std::unique_ptr<v1::LodgmentService::Stub> Connect(const Flags& flags) {
  return v1::LodgmentService::NewStub(GatewayChannelOrExit(flags));
}

bool ParseState(const std::string& text, v1::LodgmentState* state) {
  return v1::LodgmentState_Parse(absl::AsciiStrToUpper(text), state) &&
         *state != v1::STATE_UNSPECIFIED;
}

bool ParseTimestamp(const std::string& text, google::protobuf::Timestamp* out) {
  absl::Time t;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, nullptr)) return false;
  *out = ToProto(t);
  return true;
}

// --state, --after and --before into a request's fields; false with a
// usage error printed.
template <typename Request>
bool ParseFilter(const Flags& flags, Request* request, int* exit) {
  const bool json = flags.Has("json");
  if (flags.Has("state")) {
    v1::LodgmentState state;
    if (!ParseState(flags.Get("state"), &state)) {
      *exit = UsageError(json,
                         absl::StrCat("--state '", flags.Get("state"),
                                      "' is not a lodgment state (e.g. REJECTED, HELD)"),
                         kUsage);
      return false;
    }
    request->set_state(state);
  }
  for (auto [name, field] : {std::make_pair("after", request->mutable_created_after()),
                             std::make_pair("before", request->mutable_created_before())}) {
    if (flags.Has(name) && !ParseTimestamp(flags.Get(name), field)) {
      *exit = UsageError(
          json, absl::StrCat("--", name, " '", flags.Get(name), "' is not an RFC 3339 time"),
          kUsage);
      return false;
    }
  }
  if (!flags.Has("after")) request->clear_created_after();
  if (!flags.Has("before")) request->clear_created_before();
  return true;
}

// --page-size and --page-token into a List request.
template <typename Request>
bool ParsePaging(const Flags& flags, Request* request, int* exit) {
  request->set_page_token(flags.Get("page-token"));
  if (!flags.Has("page-size")) return true;
  int32_t size = 0;
  if (!absl::SimpleAtoi(flags.Get("page-size"), &size) || size <= 0) {
    *exit = UsageError(flags.Has("json"), "--page-size takes a positive number", kUsage);
    return false;
  }
  request->set_page_size(size);
  return true;
}

void PrintLodgmentText(const v1::Lodgment& l) {
  std::cout << "lodgment " << l.lodgment_id() << ": " << v1::LodgmentState_Name(l.state()) << "\n"
            << "  " << l.kind() << (l.abn().empty() ? ", WPN " : ", ABN ")
            << (l.abn().empty() ? l.wpn() : l.abn()) << ", InteractionTransactionId "
            << l.interaction_transaction_id() << "\n"
            << (l.intermediary_abn().empty()
                    ? ""
                    : absl::StrCat("  lodged by intermediary ABN ", l.intermediary_abn(),
                                   l.intermediary_tan().empty() ? "" : ", TAN ",
                                   l.intermediary_tan(), "\n"))
            << "  employees " << l.employees() << ", sent " << l.employees_sent() << ", held back "
            << l.held_back_total() << ", rejected by SBR " << l.rejected_records_total()
            << ", attempts " << l.attempts() << "\n";
  if (!l.detail().empty()) std::cout << "  " << l.detail() << "\n";
  if (l.has_receipt()) {
    std::cout << "  receipt for " << l.receipt().message_id() << " at "
              << TimeText(l.receipt().received_at()) << "\n";
  }
  if (!l.maximum_severity().empty())
    std::cout << "  MaximumSeverity " << l.maximum_severity() << "\n";
  for (const auto* list : {&l.held_back(), &l.rejected_records()}) {
    for (const v1::RecordProblem& p : *list) {
      for (const v1::RecordError& e : p.errors()) {
        std::cout << "  " << (list == &l.held_back() ? "held back" : "rejected") << " record "
                  << p.document_id() << " (" << p.payroll_id() << "): " << e.code() << " "
                  << e.path() << "\n    " << e.description() << "\n";
      }
    }
  }
  const int64_t not_shown = l.held_back_total() - l.held_back_size() +
                            l.rejected_records_total() - l.rejected_records_size();
  if (not_shown > 0) {
    std::cout << "  ... and " << not_shown << " more records: sbrgate rejections --lodgment="
              << l.lodgment_id() << "\n";
  }
}

void PrintLodgment(bool json, const v1::Lodgment& l) {
  if (json) {
    std::cout << gateway::LodgmentJson(l).dump() << "\n";
  } else {
    PrintLodgmentText(l);
  }
}

// A one-line progress bar on stderr, for large uploads to a terminal (and
// not with --json): bytes, rate, and the records sent so far (the gateway
// checks each as it arrives).
class Progress {
 public:
  Progress(std::string name, int64_t total, bool wanted)
      : name_(std::move(name)),
        total_(total),
        enabled_(wanted && total > kProgressMinBytes && isatty(STDERR_FILENO) == 1),
        start_(absl::Now()) {}

  // `chunk`: the bytes just sent.
  void Update(absl::string_view chunk) {
    if (!enabled_) return;
    done_ += static_cast<int64_t>(chunk.size());
    records_ += CountRecordStarts(chunk);
    const int percent = static_cast<int>(std::min<int64_t>(100, done_ * 100 / total_));
    if (percent == shown_) return;
    shown_ = percent;
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    const double seconds = std::max(1e-3, absl::ToDoubleSeconds(absl::Now() - start_));
    std::fprintf(stderr, "\rsending %s [%s%s] %3d%% %.1f/%.1f MB %.1f MB/s %lld records",
                 name_.c_str(), std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, '-').c_str(), percent, done_ / 1e6, total_ / 1e6,
                 done_ / 1e6 / seconds, static_cast<long long>(records_));
    std::fflush(stderr);
  }
  void Finish() {
    if (enabled_ && shown_ >= 0) std::fputc('\n', stderr);
  }

 private:
  // Record_Delimiter start tags (prefixed or not) that end in `chunk`; the
  // tail of the chunk before is kept, so a tag split between two counts once.
  int64_t CountRecordStarts(absl::string_view chunk) {
    static constexpr absl::string_view kName = "Record_Delimiter";
    const std::string joined = absl::StrCat(tail_, chunk);
    const absl::string_view text = joined;
    int64_t n = 0;
    for (size_t at = text.find(kName); at != absl::string_view::npos;
         at = text.find(kName, at + 1)) {
      if (at + kName.size() <= tail_.size()) continue;  // counted with the chunk before
      size_t name_start = at;  // back over a namespace prefix
      while (name_start > 0 && (std::isalnum(static_cast<unsigned char>(text[name_start - 1])) ||
                                text[name_start - 1] == ':' || text[name_start - 1] == '_')) {
        --name_start;
      }
      if (name_start > 0 && text[name_start - 1] == '<') ++n;
    }
    tail_ = std::string(text.substr(text.size() > 64 ? text.size() - 64 : 0));
    return n;
  }

  std::string name_;
  int64_t total_;
  bool enabled_;
  absl::Time start_;
  int64_t done_ = 0;
  int64_t records_ = 0;
  std::string tail_;
  int shown_ = -1;
};

int Lodge(const Flags& flags, const std::string& path, const std::string& corrects, bool update) {
  const bool json = flags.Has("json");
  v1::PrevalidateMode mode = v1::PREVALIDATE_UNSPECIFIED;
  if (flags.Has("prevalidate")) {
    const std::string value = flags.Get("prevalidate");
    if (value == "hold") {
      mode = v1::PREVALIDATE_HOLD;
    } else if (value == "off") {
      mode = v1::PREVALIDATE_OFF;
    } else {
      return UsageError(json, absl::StrCat("--prevalidate is hold or off, not '", value, "'"),
                        kUsage);
    }
  }
  if (update && corrects.empty()) {
    return UsageError(json, "--update needs --corrects=ID: the lodgment whose records it corrects",
                      kUsage);
  }
  absl::StatusOr<std::unique_ptr<FileSource>> file = FileSource::Open(path);
  if (!file.ok()) return LocalError(json, file.status());
  struct stat st;
  const int64_t size = ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
  const std::string name = path.substr(path.find_last_of('/') + 1);

  std::unique_ptr<v1::LodgmentService::Stub> client = Connect(flags);
  grpc::ClientContext context;
  v1::Lodgment lodgment;
  std::unique_ptr<grpc::ClientWriter<v1::SubmitRequest>> writer =
      update ? client->SubmitUpdateEvent(&context, &lodgment)
             : client->SubmitPayEvent(&context, &lodgment);
  v1::SubmitRequest first;
  v1::SubmitMetadata* meta = first.mutable_metadata();
  meta->set_corrects_lodgment_id(corrects);
  meta->set_prevalidate(mode);
  meta->set_file_name(name);
  meta->set_size_bytes(size);

  Progress progress(name, size, /*wanted=*/!json);
  absl::Status read_error;
  // One message, refilled in place: the file is read straight into it.
  v1::SubmitRequest chunk;
  std::string& buffer = *chunk.mutable_chunk();
  // A failed Write means the gateway has answered already (a refusal, or
  // the lodgment this pay event was lodged as): Finish() tells which.
  bool open = writer->Write(first);
  while (open) {
    buffer.resize(kChunkBytes);
    size_t filled = 0;
    while (filled < kChunkBytes) {
      absl::StatusOr<size_t> n = (*file)->Read(buffer.data() + filled, kChunkBytes - filled);
      if (!n.ok()) {
        read_error = n.status();
        break;
      }
      if (*n == 0) break;
      filled += *n;
    }
    if (!read_error.ok()) {
      context.TryCancel();
      break;
    }
    if (filled == 0) break;
    buffer.resize(filled);
    open = writer->Write(chunk);
    progress.Update(buffer);
  }
  progress.Finish();
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (!read_error.ok()) return LocalError(json, read_error);
  if (!status.ok()) return RpcError(json, status);
  if (json) {
    std::cout << Json{{"lodgment_id", lodgment.lodgment_id()},
                      {"state", v1::LodgmentState_Name(lodgment.state())},
                      {"employees", lodgment.employees()},
                      {"employees_sent", lodgment.employees_sent()}}
                     .dump()
              << "\n";
  } else {
    PrintLodgmentText(lodgment);
  }
  return 0;
}

}  // namespace

int RunLodge(const Args& args) {
  Flags flags({"json", "update"}, {"gateway", "tls-cert", "tls-key", "tls-ca", "corrects", "prevalidate"});
  int exit = 0;
  if (!ParseArgs(args, flags, 1, 1, "lodge takes one FILE", kUsage, &exit)) return exit;
  return Lodge(flags, flags.positional()[0], flags.Get("corrects"), flags.Has("update"));
}

int RunResubmit(const Args& args) {
  Flags flags({"json"}, {"gateway", "tls-cert", "tls-key", "tls-ca", "prevalidate"});
  int exit = 0;
  if (!ParseArgs(args, flags, 2, 2, "resubmit takes a lodgment ID and a FILE", kUsage, &exit))
    return exit;
  return Lodge(flags, flags.positional()[1], flags.positional()[0], /*update=*/false);
}

int RunWait(const Args& args) {
  Flags flags({"json"}, {"gateway", "tls-cert", "tls-key", "tls-ca", "timeout"});
  int exit = 0;
  if (!ParseArgs(args, flags, 1, 1, "wait takes one lodgment ID", kUsage, &exit)) return exit;
  const bool json = flags.Has("json");
  double seconds = kDefaultWaitSeconds;
  if (flags.Has("timeout") && (!absl::SimpleAtod(flags.Get("timeout"), &seconds) || seconds <= 0)) {
    return UsageError(json, "--timeout takes a number of seconds", kUsage);
  }
  const std::string id = flags.positional()[0];
  RealClock clock;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(clock.Now() + absl::Seconds(seconds)));
  v1::GetLodgmentRequest request;
  request.set_lodgment_id(id);
  std::unique_ptr<v1::LodgmentService::Stub> client = Connect(flags);
  std::unique_ptr<grpc::ClientReader<v1::Lodgment>> reader =
      client->WatchLodgment(&context, request);
  std::optional<v1::Lodgment> last;
  v1::Lodgment l;
  while (reader->Read(&l)) {
    if (!json) std::cerr << id << ": " << v1::LodgmentState_Name(l.state()) << "\n";
    last = l;
  }
  const grpc::Status status = reader->Finish();
  if (last.has_value() && lodgment::IsFinal(last->state())) {
    PrintLodgment(json, *last);
    return 0;
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    PrintError(json, "DEADLINE_EXCEEDED",
               absl::StrCat("lodgment ", id, " is still ",
                            last.has_value() ? v1::LodgmentState_Name(last->state()) : "unknown",
                            " after ", seconds, " seconds"));
    return kExitTimeout;
  }
  if (!status.ok()) return RpcError(json, status);
  PrintError(json, "UNKNOWN",
             absl::StrCat("the watch of lodgment ", id, " ended before a final state"));
  return kExitFailed;
}

int RunStatus(const Args& args) {
  Flags flags({"json"}, {"gateway", "tls-cert", "tls-key", "tls-ca"});
  int exit = 0;
  if (!ParseArgs(args, flags, 1, 1, "status takes one lodgment ID", kUsage, &exit)) return exit;
  v1::GetLodgmentRequest request;
  request.set_lodgment_id(flags.positional()[0]);
  grpc::ClientContext context;
  v1::Lodgment l;
  const grpc::Status status = Connect(flags)->GetLodgment(&context, request, &l);
  if (!status.ok()) return RpcError(flags.Has("json"), status);
  PrintLodgment(flags.Has("json"), l);
  return 0;
}

int RunList(const Args& args) {
  Flags flags({"json"}, {"gateway", "tls-cert", "tls-key", "tls-ca", "abn", "state", "after", "before", "page-size", "page-token"});
  int exit = 0;
  if (!ParseArgs(args, flags, 0, 0, "list takes no arguments, only options", kUsage, &exit))
    return exit;
  const bool json = flags.Has("json");
  v1::ListLodgmentsRequest request;
  if (!ParseFilter(flags, &request, &exit)) return exit;
  request.set_abn(flags.Get("abn"));
  if (!ParsePaging(flags, &request, &exit)) return exit;
  grpc::ClientContext context;
  v1::ListLodgmentsResponse response;
  const grpc::Status status = Connect(flags)->ListLodgments(&context, request, &response);
  if (!status.ok()) return RpcError(json, status);
  if (json) {
    Json lodgments = Json::array();
    for (const v1::Lodgment& l : response.lodgments())
      lodgments.push_back(gateway::LodgmentJson(l));
    std::cout << Json{{"lodgments", std::move(lodgments)},
                      {"next_page_token", response.next_page_token()}}
                     .dump()
              << "\n";
    return 0;
  }
  for (const v1::Lodgment& l : response.lodgments()) {
    std::cout << absl::StrFormat("%-36s  %-18s  %-11s  %d/%d sent  %s\n", l.lodgment_id(),
                                 v1::LodgmentState_Name(l.state()),
                                 l.abn().empty() ? l.wpn() : l.abn(), l.employees_sent(),
                                 l.employees(), TimeText(l.created_at()));
  }
  if (!response.next_page_token().empty()) {
    std::cout << "more: --page-token=" << response.next_page_token() << "\n";
  }
  return 0;
}

int RunRejections(const Args& args) {
  Flags flags({"json"}, {"gateway", "tls-cert", "tls-key", "tls-ca", "abn", "lodgment",
                         "page-size", "page-token"});
  int exit = 0;
  if (!ParseArgs(args, flags, 0, 0, "rejections takes no arguments, only options", kUsage, &exit)) {
    return exit;
  }
  const bool json = flags.Has("json");
  v1::ListRejectedRecordsRequest request;
  request.set_abn(flags.Get("abn"));
  request.set_lodgment_id(flags.Get("lodgment"));
  if (!ParsePaging(flags, &request, &exit)) return exit;
  grpc::ClientContext context;
  v1::ListRejectedRecordsResponse response;
  const grpc::Status status = Connect(flags)->ListRejectedRecords(&context, request, &response);
  if (!status.ok()) return RpcError(json, status);
  if (json) {
    Json records = Json::array();
    for (const v1::RejectedRecord& r : response.records()) {
      records.push_back(gateway::RejectedRecordJson(r));
    }
    std::cout << Json{{"records", std::move(records)},
                      {"next_page_token", response.next_page_token()}}
                     .dump()
              << "\n";
    return 0;
  }
  for (const v1::RejectedRecord& r : response.records()) {
    for (const v1::RecordError& e : r.problem().errors()) {
      std::cout << r.lodgment_id() << " record " << r.problem().document_id() << " ("
                << r.problem().payroll_id() << ", " << r.problem().family_name() << ") "
                << (r.held_back() ? "held back" : "rejected by SBR") << ": " << e.code() << " "
                << e.path() << "\n    " << e.description() << "\n";
    }
  }
  if (!response.next_page_token().empty()) {
    std::cout << "more: --page-token=" << response.next_page_token() << "\n";
  }
  return 0;
}

int RunReplay(const Args& args) {
  Flags flags({"json", "as-new-lodgment"}, {"gateway", "tls-cert", "tls-key", "tls-ca", "state", "after", "before"});
  int exit = 0;
  if (!ParseArgs(args, flags, 0, SIZE_MAX, "", kUsage, &exit)) return exit;
  const bool json = flags.Has("json");
  v1::ReplayLodgmentsRequest request;
  for (const std::string& id : flags.positional()) request.add_lodgment_ids(id);
  if (!ParseFilter(flags, &request, &exit)) return exit;
  if (flags.Has("as-new-lodgment")) {
    if (flags.positional().empty() || flags.Has("state") || flags.Has("after") ||
        flags.Has("before")) {
      return UsageError(json, "--as-new-lodgment replaces the lodgments named by id, no filter",
                        kUsage);
    }
    request.set_as_new_lodgment(true);
  }
  grpc::ClientContext context;
  v1::ReplayLodgmentsResponse response;
  const grpc::Status status = Connect(flags)->ReplayLodgments(&context, request, &response);
  if (!status.ok()) return RpcError(json, status);
  if (json) {
    Json ids = Json::array();
    for (const std::string& id : response.lodgment_ids()) ids.push_back(id);
    Json outcomes = Json::array();
    for (const v1::ReplayOutcome& o : response.outcomes()) {
      outcomes.push_back({{"lodgment_id", o.lodgment_id()},
                          {"action", v1::ReplayOutcome::Action_Name(o.action())},
                          {"reason", o.reason()}});
    }
    std::cout << Json{{"lodgment_ids", std::move(ids)}, {"outcomes", std::move(outcomes)}}.dump()
              << "\n";
    return 0;
  }
  std::cout << "resending " << response.lodgment_ids_size() << " of "
            << response.outcomes_size() << " lodgment"
            << (response.outcomes_size() == 1 ? "" : "s") << "\n";
  for (const v1::ReplayOutcome& o : response.outcomes()) {
    std::cout << "  " << o.lodgment_id() << "  " << v1::ReplayOutcome::Action_Name(o.action())
              << ": " << o.reason() << "\n";
  }
  return 0;
}

int RunDeadLetters(const Args& args) {
  Flags flags({"json", "all"}, {"gateway", "tls-cert", "tls-key", "tls-ca", "id"});
  int exit = 0;
  if (!ParseArgs(args, flags, 1, 1, "deadletters takes list or redrive", kUsage, &exit)) {
    return exit;
  }
  const bool json = flags.Has("json");
  const std::string verb = flags.positional()[0];
  if (verb == "list") {
    v1::ListDeadLettersRequest request;
    request.set_include_redriven(flags.Has("all"));
    grpc::ClientContext context;
    v1::ListDeadLettersResponse response;
    const grpc::Status status = Connect(flags)->ListDeadLetters(&context, request, &response);
    if (!status.ok()) return RpcError(json, status);
    if (json) {
      Json list = Json::array();
      for (const v1::DeadLetterInfo& d : response.dead_letters()) {
        list.push_back({{"id", d.id()},
                        {"lodgment_id", d.lodgment_id()},
                        {"stage", d.stage()},
                        {"topic", d.topic()},
                        {"partition", d.partition()},
                        {"offset", d.offset()},
                        {"error", d.error()},
                        {"error_code", d.error_code()},
                        {"attempts", d.attempts()},
                        {"at", absl::FormatTime(absl::RFC3339_full, FromProto(d.at()),
                                                absl::UTCTimeZone())},
                        {"redriven", d.redriven()},
                        {"redrivable", d.redrivable()}});
      }
      std::cout << Json{{"dead_letters", std::move(list)}}.dump() << "\n";
      return 0;
    }
    if (response.dead_letters().empty()) std::cout << "no dead letters\n";
    for (const v1::DeadLetterInfo& d : response.dead_letters()) {
      std::cout << d.id() << "  stage " << d.stage() << ", " << d.topic() << "/" << d.partition()
                << "@" << d.offset()
                << (d.lodgment_id().empty() ? "" : absl::StrCat(", lodgment ", d.lodgment_id()))
                << ", " << d.attempts() << " attempt" << (d.attempts() == 1 ? "" : "s")
                << (d.redriven() ? ", redriven" : "") << "\n    " << d.error() << "\n";
    }
    return 0;
  }
  if (verb != "redrive") {
    return UsageError(json, absl::StrCat("deadletters ", verb, ": list or redrive"), kUsage);
  }
  v1::RedriveDeadLettersRequest request;
  for (absl::string_view id : absl::StrSplit(flags.Get("id"), ',', absl::SkipEmpty())) {
    request.add_ids(std::string(id));
  }
  request.set_all(flags.Has("all"));
  if (request.all() == !request.ids().empty()) {
    return UsageError(json, "deadletters redrive takes --id=ID[,ID...] or --all", kUsage);
  }
  grpc::ClientContext context;
  v1::RedriveDeadLettersResponse response;
  const grpc::Status status = Connect(flags)->RedriveDeadLetters(&context, request, &response);
  if (!status.ok()) return RpcError(json, status);
  if (json) {
    Json outcomes = Json::array();
    for (const v1::RedriveOutcome& o : response.outcomes()) {
      outcomes.push_back({{"id", o.id()}, {"redriven", o.redriven()}, {"reason", o.reason()}});
    }
    std::cout << Json{{"outcomes", std::move(outcomes)}}.dump() << "\n";
    return 0;
  }
  if (response.outcomes().empty()) std::cout << "no dead letters to redrive\n";
  for (const v1::RedriveOutcome& o : response.outcomes()) {
    std::cout << o.id() << "  " << (o.redriven() ? "redriven" : "not redriven") << ": "
              << o.reason() << "\n";
  }
  return 0;
}

int RunPollPlan(const Args& args) {
  Flags flags({"json"}, {"employees", "count"});
  int exit = 0;
  if (!ParseArgs(args, flags, 0, 0, "poll-plan takes no arguments, only options", kUsage, &exit)) {
    return exit;
  }
  const bool json = flags.Has("json");
  int64_t employees = 0;
  int count = kDefaultPollCount;
  if (!flags.Has("employees") || !absl::SimpleAtoi(flags.Get("employees"), &employees) ||
      employees < 0) {
    return UsageError(json, "--employees N is required (a whole number)", kUsage);
  }
  if (flags.Has("count") && (!absl::SimpleAtoi(flags.Get("count"), &count) || count < 0)) {
    return UsageError(json, "--count takes a whole number", kUsage);
  }
  const poll::PollPlan plan = poll::PollPlan::ForEmployees(employees);
  const std::vector<absl::Duration> offsets = plan.Offsets(count);
  if (json) {
    Json seconds = Json::array();
    for (absl::Duration d : offsets) seconds.push_back(absl::ToInt64Seconds(d));
    std::cout << Json{{"offsets_seconds", std::move(seconds)},
                      {"give_up_after_seconds", absl::ToInt64Seconds(poll::kGiveUpAfter)}}
                     .dump()
              << "\n";
    return 0;
  }
  for (size_t i = 0; i < offsets.size(); ++i) {
    std::cout << "poll " << i + 1 << ": " << absl::FormatDuration(offsets[i])
              << " after the receipt\n";
  }
  std::cout << "give up " << absl::FormatDuration(poll::kGiveUpAfter) << " after the receipt\n";
  return 0;
}

}  // namespace sbrgate::cli
