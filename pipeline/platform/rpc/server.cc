#include "pipeline/platform/rpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/rpc/metrics_interceptor.h"

namespace sbrgate::rpc {

absl::StatusOr<RunningServer> StartServer(const std::vector<grpc::Service*>& services,
                                          const ServerOptions& options) {
  // Both are process-wide switches read when a server is built.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  RunningServer running;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(
      options.address,
      options.credentials != nullptr ? options.credentials : grpc::InsecureServerCredentials(),
      &running.port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              options.idle_threads);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || running.port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot serve gRPC on ", options.address));
  }
  SetServing(running, options.serving);
  return running;
}

void SetServing(const RunningServer& server, bool serving) {
  if (grpc::HealthCheckServiceInterface* health = server.server->GetHealthCheckService()) {
    health->SetServingStatus(serving);
  }
}

}  // namespace sbrgate::rpc
