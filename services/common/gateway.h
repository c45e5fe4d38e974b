// The gateway as a deployable unit: the status view (kept current by its own
// StatusViewStage), its publisher and the gRPC LodgmentService. Used by
// services/gateway and by the all-in-one sbrgated.
//
//   absl::StatusOr<std::unique_ptr<Gateway>> g = Gateway::Start(config, blobs, clock, options);
//   stages.push_back(g->view_stage());        // run it with the others
#ifndef SBRGATE_SERVICES_COMMON_GATEWAY_H_
#define SBRGATE_SERVICES_COMMON_GATEWAY_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/platform/admin/admin_server.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/platform/rpc/server.h"
#include "pipeline/platform/publish/publisher.h"
#include "pipeline/stp/gateway/lodgment_service.h"
#include "pipeline/platform/metrics/registry.h"
#include "pipeline/stp/status/status_view.h"
#include "pipeline/stp/stages/status_view_stage.h"
#include "services/common/flags.h"
#include "services/common/pipeline.h"
#include "services/common/topic_log.h"

namespace sbrgate {

struct GatewayOptions {
  std::string grpc_listen = "127.0.0.1:50051";
  v1::PrevalidateMode prevalidate = v1::PREVALIDATE_HOLD;
  // Served on the same address (sbrgated adds the CommunicationService,
  // the RelationshipService, the DemographicsService and the
  // ClientRegistrationService).
  std::vector<grpc::Service*> extra_services;
  // GrpcSecurity's (grpc_security.h): TLS (null: plain text), who callers
  // are and where changes are audited; both must outlive the gateway.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  const access::Authenticator* authenticator = nullptr;
  access::AuditLog* audit = nullptr;
  flags::GatewayLimits limits = flags::Limits();
  // With `credentials`: the console on its own HTTPS port (GrpcSecurity's
  // console_listen and tls_files); empty: none.
  std::string console_listen;
  std::optional<admin::MutualTlsFiles> console_tls;
};

class Gateway {
 public:
  // `topics`, `blobs` and `clock` must outlive the gateway.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(const PipelineConfig& config,
                                                        TopicLog* topics, blob::BlobStore* blobs,
                                                        const Clock* clock,
                                                        const GatewayOptions& options);
  stage::Stage* view_stage() { return view_stage_.get(); }
  // The view has caught up with the status topic (its runner said so): the
  // RPCs answer, and gRPC health says SERVING. Until then UNAVAILABLE and
  // NOT_SERVING.
  void SetViewReady();
  int port() const { return server_.port; }
  // The operator console's routes for the admin port (pipeline/stp/console):
  // on plain-text loopback (--grpc-insecure-loopback), where every caller
  // is the operator. Under mutual TLS the console has its own HTTPS port
  // (console_listen), and /console on the admin port says so.
  std::function<void(httplib::Server&)> ConsoleRoutes() const;
  // "https://127.0.0.1:PORT" as a JSON string, or null: for ready lines.
  std::string ConsoleJson() const;
  // Stops taking calls and finishes those in progress (at most 5 s). Call it
  // while the view stage still runs (RunStagesUntilSignal's before_stop): a
  // lodge answers only once the view shows its lodgment.
  void Shutdown() { server_.server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5))); }

 private:
  Gateway() = default;
  std::atomic<bool> view_ready_{false};
  std::unique_ptr<lodgment::StatusView> view_;
  metrics::Registration view_states_;  // sbrgate_lodgments{state} on /metrics
  std::unique_ptr<lodgment::StatusViewStage> view_stage_;
  std::unique_ptr<publish::Publisher> publisher_;
  std::unique_ptr<gateway::LodgmentServiceImpl> service_;
  bool plain_text_ = false;
  rpc::RunningServer server_;
  // After server_: stops first, as its calls go to server_.
  std::unique_ptr<admin::AdminServer> console_;
};

// "hold" or "off".
absl::StatusOr<v1::PrevalidateMode> ParsePrevalidate(const std::string& text);

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_GATEWAY_H_
