// StartServer: runs gRPC services (the LodgmentService, the
// CommunicationService, whatever else a daemon serves) on one address, with
// the standard gRPC health service (grpc.health.v1.Health, reporting SERVING
// once started, or once SetServing says so) and server reflection (so grpcurl-style tools can list
// and call the API).
//
//   LodgmentServiceImpl service(std::move(options));
//   absl::StatusOr<RunningServer> s = StartServer({&service}, {"0.0.0.0:50051"});
//   if (!s.ok()) return s.status();
//   s->port;                 // the bound port (useful with ":0")
//   s->server->Wait();       // or Shutdown(deadline) from another thread
#ifndef SBRGATE_PIPELINE_RPC_SERVER_H_
#define SBRGATE_PIPELINE_RPC_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sbrgate::rpc {

// The largest upload chunk a client may send (the CLI sends 256 KiB).
inline constexpr int kMaxChunkBytes = 1 << 20;

struct ServerOptions {
  std::string address = "127.0.0.1:0";
  // Insecure when null (local use and tests); TLS credentials otherwise.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // A chunk plus the SubmitRequest framing around it.
  int max_receive_message_bytes = kMaxChunkBytes + (4 << 10);
  // What the health service reports at start; a daemon whose views are
  // still catching up starts NOT_SERVING and calls SetServing later.
  bool serving = true;
  // Threads kept waiting for calls once their call ends. gRPC's sync server
  // ends a thread whose call finishes while more than this many wait, and
  // starts one when a call arrives with none waiting: with its default of
  // two, 16 concurrent uploads cost a thread start and exit per call.
  int idle_threads = 32;
};

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

// Unavailable when the address cannot be bound. The services must outlive
// the server.
absl::StatusOr<RunningServer> StartServer(const std::vector<grpc::Service*>& services,
                                          const ServerOptions& options = ServerOptions());

// What the health service reports from now on: SERVING or NOT_SERVING.
void SetServing(const RunningServer& server, bool serving);

}  // namespace sbrgate::rpc

#endif  // SBRGATE_PIPELINE_RPC_SERVER_H_
