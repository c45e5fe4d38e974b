#include "pipeline/platform/rpc/metrics_interceptor.h"

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "pipeline/platform/logging/structured_log.h"
#include "pipeline/platform/metrics/registry.h"

namespace sbrgate::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

metrics::Family<metrics::Counter>& Requests() {
  static auto& family = metrics::Registry::Default().AddCounter(
      "sbrgate_grpc_requests_total", "gRPC calls finished, by method and status code.",
      {"method", "code"});
  return family;
}

metrics::Family<metrics::Histogram>& Latency() {
  static auto& family = metrics::Registry::Default().AddHistogram(
      "sbrgate_grpc_request_seconds",
      "Wall time of gRPC calls from their start to their status (a stream's whole life).",
      {"method"}, metrics::kLatencyBuckets);
  return family;
}

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(const char* method)
      : method_(method != nullptr ? method : ""), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      // gRPC's codes are absl's.
      Requests()
          .With({method_, absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))})
          .Increment();
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
      Latency().With({method_}).Observe(elapsed.count());
      if (!status.ok()) LogRefusal(status);
    }
    methods->Proceed();
  }

 private:
  // A call that did not succeed: a refusal of the caller's request, or the
  // service failing it (a warning).
  void LogRefusal(const grpc::Status& status) const {
    const auto code = static_cast<absl::StatusCode>(status.error_code());
    const bool ours = code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
                      code == absl::StatusCode::kDataLoss ||
                      code == absl::StatusCode::kUnavailable;
    logging::Log(ours ? logging::Level::kWarning : logging::Level::kInfo, "grpc", "refused")
        .Field("method", method_)
        .Error(absl::Status(code, status.error_message()));
  }

  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(info->method());
}

}  // namespace sbrgate::rpc
