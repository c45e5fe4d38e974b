// MetricsInterceptorFactory: counts every gRPC call a server finishes on
// /metrics, as sbrgate_grpc_requests_total{method,code} and its wall time
// in sbrgate_grpc_request_seconds{method} (a stream's whole life), and logs
// each call that fails (component "grpc", event "refused"). Installed
// by StartServer (server.h) on every server.
//
//   std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
//   f.push_back(std::make_unique<MetricsInterceptorFactory>());
//   builder.experimental().SetInterceptorCreators(std::move(f));
#ifndef SBRGATE_PIPELINE_PLATFORM_RPC_METRICS_INTERCEPTOR_H_
#define SBRGATE_PIPELINE_PLATFORM_RPC_METRICS_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

namespace sbrgate::rpc {

class MetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace sbrgate::rpc

#endif  // SBRGATE_PIPELINE_PLATFORM_RPC_METRICS_INTERCEPTOR_H_
