// The operator console: pages (static/) and the JSON API they call, added to
// the admin port's HTTP server. Every API call is the same LodgmentService
// (or CommunicationService) call made over gRPC to the process's own
// gateway, so the console can do
// exactly what an operator's gRPC client can, under the same authorisation
// and audit, and nothing else.
//
//   AddConsoleRoutes(server, {grpc::CreateChannel("127.0.0.1:50051", ...),
//                             *ResourcePath("pipeline/stp/console/static")});
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

#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace sbrgate::console {

struct ConsoleOptions {
  // To the gateway whose operator the console is.
  std::shared_ptr<grpc::Channel> gateway;
  // The pages' folder (index.html, console.js, console.css).
  std::string static_dir;
  // Answer only callers on a loopback address (403 otherwise): with a
  // plain-text gateway, where every caller is an operator, as gRPC does.
  bool loopback_callers_only = true;
};

// The routes above, on `server`; false when static_dir cannot be served.
bool AddConsoleRoutes(httplib::Server& server, const ConsoleOptions& options);

// The HTTP status for a gRPC status code.
int HttpStatusOf(grpc::StatusCode code);

}  // namespace sbrgate::console

#endif  // SBRGATE_PIPELINE_STP_CONSOLE_CONSOLE_API_H_
