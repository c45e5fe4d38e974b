#include "services/common/clntcomm.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sbrgate {

absl::StatusOr<std::unique_ptr<Communications>> Communications::Create(
    const PipelineConfig& config, TopicLog* topics, blob::BlobStore* blobs, const Clock* clock,
    const sbr_client::SbrClient* sbr, const CommsOptions& options) {
  std::unique_ptr<Communications> c(new Communications());
  // clntcomm.ledger is the text file an older sbrgate kept: imported once.
  auto ledger = clntcomm::RetrievalLedger::Open(config.data_dir + "/clntcomm-ledger",
                                                config.data_dir + "/clntcomm.ledger");
  if (!ledger.ok()) return ledger.status();
  c->ledger_ = *std::move(ledger);
  if (!options.permissions_file.empty()) {
    auto permissions = clntcomm::PermissionStore::LoadFile(options.permissions_file);
    if (!permissions.ok()) return permissions.status();
    c->permissions_ = *std::move(permissions);
  }
  c->sbr_ = std::make_unique<comms::SbrClntcommExchange>(sbr, sbr, config.sbr.spool_dir,
                                              config.message_id_domain);
  c->keeper_ = std::make_unique<comms::DocumentKeeper>(blobs, c->ledger_.get());
  auto view = comms::JobView::Open(config.data_dir + "/jobs-view");
  if (!view.ok()) return view.status();
  c->view_ = *std::move(view);
  // The view is on disk, so its consumer group stays the same across
  // restarts; a view made afresh (a new generation) reads from the start.
  c->view_stage_ = std::make_unique<comms::JobViewStage>(
      c->view_.get(), absl::StrCat(config.instance, "-", c->view_->generation()));
  comms::JobStageOptions job_options;
  job_options.message_id_domain = config.message_id_domain;
  c->job_stage_ =
      std::make_unique<comms::JobStage>(c->sbr_.get(), c->keeper_.get(), job_options);
  auto publisher = topics->MakePublisher(absl::StrCat("sbrgate.comms.", config.instance));
  if (!publisher.ok()) return publisher.status();
  c->publisher_ = *std::move(publisher);
  comms::CommunicationServiceOptions so;
  so.sbr = c->sbr_.get();
  so.keeper = c->keeper_.get();
  so.permissions = &c->permissions_;
  so.publisher = c->publisher_.get();
  so.view = c->view_.get();
  so.clock = clock;
  so.authenticator = options.authenticator;
  so.audit = options.audit;
  so.max_watches_per_caller = options.max_watches_per_caller;
  c->service_ = std::make_unique<comms::CommunicationServiceImpl>(so);
  return c;
}

}  // namespace sbrgate
