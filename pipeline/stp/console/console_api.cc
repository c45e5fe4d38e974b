#include "pipeline/stp/console/console_api.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/platform/common/proto_time.h"
#include "pipeline/stp/poll_schedule/schedule.h"
#include "proto/communications.grpc.pb.h"
#include "proto/lodgment.grpc.pb.h"

namespace sbrgate::console {
namespace {

constexpr absl::Duration kCallDeadline = absl::Seconds(30);

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void SendError(httplib::Response& res, int http_status, const std::string& code,
               const std::string& message) {
  res.status = http_status;
  res.set_content(
      absl::StrCat("{\"code\": ", JsonString(code), ", \"message\": ", JsonString(message), "}"),
      "application/json");
}

void Send(httplib::Response& res, const grpc::Status& status,
          const google::protobuf::Message& response) {
  if (!status.ok()) {
    SendError(res, HttpStatusOf(status.error_code()),
              absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
              status.error_message());
    return;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(response, &json, options).ok()) {
    SendError(res, 500, "INTERNAL", "the answer could not be written as JSON");
    return;
  }
  res.set_content(json, "application/json");
}

// Each call its own context, with a deadline, made as the HTTP caller (the
// pre-routing handler admitted it already; if its admission fails now, the
// call goes without and the gateway refuses it).
struct Call {
  Call(const Admission& admit, const httplib::Request& req) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
    absl::StatusOr<CallerMetadata> metadata = admit(req);
    if (!metadata.ok()) return;
    for (const auto& [key, value] : *metadata) context.AddMetadata(key, value);
  }
  grpc::ClientContext context;
};

bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") || address == "::1" ||
         absl::StartsWith(address, "::ffff:127.");
}

grpc::StatusCode GrpcCodeOf(absl::StatusCode code) { return static_cast<grpc::StatusCode>(code); }

// Lodgments awaiting a response, earliest next poll first: each with its STP
// band (pipeline/stp/poll_schedule, as the poll stage follows it) and when it
// may next be polled. The poll stage adds a small margin to that time.
nlohmann::json PollQueueJson(const v1::ListLodgmentsResponse& awaiting) {
  std::vector<std::pair<absl::Time, nlohmann::json>> queue;
  for (const v1::Lodgment& l : awaiting.lodgments()) {
    const poll::PollPlan plan = poll::PollPlan::ForEmployees(l.employees_sent());
    std::optional<absl::Time> last;
    if (!l.polls().empty()) last = FromProto(l.polls().rbegin()->at());
    const std::optional<absl::Time> next =
        plan.NextPoll(FromProto(l.receipt().received_at()), l.polls_size(), last);
    nlohmann::json j = {
        {"lodgmentId", l.lodgment_id()},
        {"abn", l.abn().empty() ? l.wpn() : l.abn()},
        {"employeesSent", l.employees_sent()},
        {"pollsDone", l.polls_size()},
        {"band", absl::StrCat("first poll ", absl::FormatDuration(plan.first()),
                              " after the receipt, ", "then ", absl::FormatDuration(plan.second()),
                              " later, then every ", absl::FormatDuration(plan.repeat()), " (",
                              l.employees_sent(), " employees)")},
        // Past the 72 hours from the receipt: polling resumed by an operator.
        {"nextPollAt", next ? absl::FormatTime(absl::RFC3339_sec, *next, absl::UTCTimeZone())
                            : "resumed: as the poll stage schedules it"}};
    queue.emplace_back(next.value_or(absl::InfiniteFuture()), std::move(j));
  }
  std::stable_sort(queue.begin(), queue.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::json out = nlohmann::json::array();
  for (auto& [at, j] : queue) out.push_back(std::move(j));
  return {{"lodgments", out}};
}

}  // namespace

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

Admission LoopbackCallers() {
  return [](const httplib::Request& req) -> absl::StatusOr<CallerMetadata> {
    if (IsLoopback(req.remote_addr)) return CallerMetadata();
    return absl::PermissionDeniedError(
        "the console answers loopback callers only while the gateway is plain text");
  };
}

Admission CertificateCallers(const access::Authenticator* authenticator) {
  return [authenticator](const httplib::Request& req) -> absl::StatusOr<CallerMetadata> {
    X509* cert = req.ssl == nullptr ? nullptr : SSL_get1_peer_certificate(req.ssl);
    const std::string identity = access::CertificateIdentity(cert);
    X509_free(cert);
    if (identity.empty()) {
      return absl::UnauthenticatedError(
          "the console needs a client certificate naming its holder (SAN URI or subject CN)");
    }
    return authenticator->DelegatedMetadata(identity);
  };
}

bool AddConsoleRoutes(httplib::Server& server, const ConsoleOptions& options) {
  if (!server.set_mount_point("/console", options.static_dir)) return false;
  const Admission admit = options.admit ? options.admit : [](const httplib::Request&) {
    return absl::StatusOr<CallerMetadata>(absl::PermissionDeniedError("the console admits nobody"));
  };
  server.set_pre_routing_handler([admit](const httplib::Request& req, httplib::Response& res) {
    const bool console =
        absl::StartsWith(req.path, "/console") || absl::StartsWith(req.path, "/api/");
    if (!console) return httplib::Server::HandlerResponse::Unhandled;
    absl::StatusOr<CallerMetadata> admitted = admit(req);
    if (admitted.ok()) return httplib::Server::HandlerResponse::Unhandled;
    SendError(res, HttpStatusOf(GrpcCodeOf(admitted.status().code())),
              absl::StatusCodeToString(admitted.status().code()),
              std::string(admitted.status().message()));
    return httplib::Server::HandlerResponse::Handled;
  });
  server.Get("/console", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/console/");
  });
  std::shared_ptr<v1::LodgmentService::Stub> lodgments =
      v1::LodgmentService::NewStub(options.gateway);
  std::shared_ptr<v1::CommunicationService::Stub> comms =
      v1::CommunicationService::NewStub(options.gateway);

  server.Get("/api/lodgments",
             [lodgments, admit](const httplib::Request& req, httplib::Response& res) {
               v1::ListLodgmentsRequest request;
               request.set_abn(req.get_param_value("abn"));
               request.set_page_token(req.get_param_value("page_token"));
               request.set_page_size(100);
               if (const std::string state = req.get_param_value("state"); !state.empty()) {
                 v1::LodgmentState s;
                 if (!v1::LodgmentState_Parse(state, &s)) {
                   return SendError(res, 400, "INVALID_ARGUMENT",
                                    absl::StrCat("state '", state, "' is not a lodgment state"));
                 }
                 request.set_state(s);
               }
               Call call(admit, req);
               v1::ListLodgmentsResponse response;
               Send(res, lodgments->ListLodgments(&call.context, request, &response), response);
             });
  server.Get(R"(/api/lodgments/([^/]+))",
             [lodgments, admit](const httplib::Request& req, httplib::Response& res) {
               v1::GetLodgmentRequest request;
               request.set_lodgment_id(req.matches[1]);
               Call call(admit, req);
               v1::Lodgment response;
               Send(res, lodgments->GetLodgment(&call.context, request, &response), response);
             });
  server.Get(R"(/api/lodgments/([^/]+)/rejected)", [lodgments, admit](const httplib::Request& req,
                                                                      httplib::Response& res) {
    v1::ListRejectedRecordsRequest request;
    request.set_lodgment_id(req.matches[1]);
    request.set_page_size(1000);
    Call call(admit, req);
    v1::ListRejectedRecordsResponse response;
    Send(res, lodgments->ListRejectedRecords(&call.context, request, &response), response);
  });
  server.Post("/api/replay",
              [lodgments, admit](const httplib::Request& req, httplib::Response& res) {
                const std::string id = req.get_param_value("lodgment_id");
                if (id.empty())
                  return SendError(res, 400, "INVALID_ARGUMENT", "lodgment_id is required");
                v1::ReplayLodgmentsRequest request;
                request.add_lodgment_ids(id);
                request.set_dry_run(req.get_param_value("dry_run") == "true");
                Call call(admit, req);
                v1::ReplayLodgmentsResponse response;
                Send(res, lodgments->ReplayLodgments(&call.context, request, &response), response);
              });
  server.Get(
      "/api/poll-queue", [lodgments, admit](const httplib::Request& req, httplib::Response& res) {
        v1::ListLodgmentsRequest request;
        request.set_state(v1::AWAITING_RESPONSE);
        request.set_page_size(1000);
        Call call(admit, req);
        v1::ListLodgmentsResponse response;
        const grpc::Status status = lodgments->ListLodgments(&call.context, request, &response);
        if (!status.ok()) return Send(res, status, response);
        res.set_content(PollQueueJson(response).dump(), "application/json");
      });
  server.Get("/api/jobs", [comms, admit](const httplib::Request& req, httplib::Response& res) {
    Call call(admit, req);
    v1::ListJobsResponse response;
    Send(res, comms->ListJobs(&call.context, v1::ListJobsRequest(), &response), response);
  });
  server.Get("/api/deadletters",
             [lodgments, admit](const httplib::Request& req, httplib::Response& res) {
               v1::ListDeadLettersRequest request;
               request.set_include_redriven(true);
               Call call(admit, req);
               v1::ListDeadLettersResponse response;
               Send(res, lodgments->ListDeadLetters(&call.context, request, &response), response);
             });
  server.Post(R"(/api/deadletters/([^/]+)/redrive)", [lodgments, admit](const httplib::Request& req,
                                                                        httplib::Response& res) {
    v1::RedriveDeadLettersRequest request;
    request.add_ids(req.matches[1]);
    Call call(admit, req);
    v1::RedriveDeadLettersResponse response;
    Send(res, lodgments->RedriveDeadLetters(&call.context, request, &response), response);
  });
  return true;
}

}  // namespace sbrgate::console
