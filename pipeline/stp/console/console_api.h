// The operator console: pages (static/) and the JSON API they call, added to
// the admin port's HTTP server. Every API call is the same LodgmentService
// (or CommunicationService) call made over gRPC to the process's own
// gateway, so the console can do
// exactly what an operator's gRPC client can, under the same authorisation
// and audit, and nothing else. Who the caller is comes from `admit`: on a
// plain-text gateway every loopback caller is its operator
// (LoopbackCallers); under mutual TLS the console is on an HTTPS port of its
// own and each call is made for the person whose client certificate opened
// the connection (CertificateCallers), so a payroll provider sees its own
// payers and only an operator may replay.
//
//   AddConsoleRoutes(server, {grpc::CreateChannel("127.0.0.1:50051", ...),
//                             *ResourcePath("pipeline/stp/console/static"),
//                             LoopbackCallers()});
//
//   GET  /console/                          the pages
//   GET  /api/lodgments?state=S&abn=A&page_token=T   ListLodgments
//   GET  /api/lodgments/ID                  GetLodgment
//   GET  /api/lodgments/ID/rejected         ListRejectedRecords
//   POST /api/replay?lodgment_id=ID[&dry_run=true]   ReplayLodgments
//   GET  /api/poll-queue                    lodgments awaiting a response, each
//                                           with its STP band and next poll
//   GET  /api/deadletters                   ListDeadLetters (redriven too)
//   GET  /api/jobs                          CommunicationService.ListJobs:
//                                           client-communication jobs, windows
//   POST /api/deadletters/ID/redrive        RedriveDeadLetters
//
// Answers are the responses in protobuf's JSON mapping; a failed call is
// {"code": "NOT_FOUND", "message": "..."} with the HTTP status of its code.
#ifndef SBRGATE_PIPELINE_STP_CONSOLE_CONSOLE_API_H_
#define SBRGATE_PIPELINE_STP_CONSOLE_CONSOLE_API_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/platform/access/authenticator.h"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace sbrgate::console {

// gRPC metadata that make a call the HTTP caller's own.
using CallerMetadata = std::vector<std::pair<std::string, std::string>>;
// Admits an HTTP caller with the metadata for its calls, or turns it away
// (PERMISSION_DENIED, UNAUTHENTICATED: the answer's status and message).
using Admission = std::function<absl::StatusOr<CallerMetadata>(const httplib::Request&)>;

struct ConsoleOptions {
  // To the gateway whose console it is.
  std::shared_ptr<grpc::Channel> gateway;
  // The pages' folder (index.html, console.js, console.css).
  std::string static_dir;
  // Who may use the pages and the API; unset admits nobody.
  Admission admit;
};

// Callers on a loopback address, as the plain-text gateway's operator
// (which is what every plain-text gRPC caller is); others PERMISSION_DENIED.
Admission LoopbackCallers();
// Callers of an HTTPS server that verified their client certificates, each
// as the certificate's identity (access::CertificateIdentity), delegated to
// an in-process channel to the gateway `authenticator` guards. The
// authenticator must outlive the server.
Admission CertificateCallers(const access::Authenticator* authenticator);

// The routes above, on `server`; false when static_dir cannot be served.
bool AddConsoleRoutes(httplib::Server& server, const ConsoleOptions& options);

// The HTTP status for a gRPC status code.
int HttpStatusOf(grpc::StatusCode code);

}  // namespace sbrgate::console

#endif  // SBRGATE_PIPELINE_STP_CONSOLE_CONSOLE_API_H_
