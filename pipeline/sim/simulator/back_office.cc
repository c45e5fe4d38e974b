#include "pipeline/sim/simulator/back_office.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/spill_buffer.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sim/simulator/clntcomm_serve.h"

namespace sbrgate::sim {
namespace {

void ReportNotSaved(const std::string& id, const absl::Status& status) {
  std::fprintf(stderr, "sbr-sim: saving %s failed: %s\n", id.c_str(),
               std::string(status.message()).c_str());
}

}  // namespace

void BackOffice::ReportNotProcessed(const std::string& id, const absl::Status& status) {
  std::fprintf(stderr, "sbr-sim: processing %s failed: %s\n", id.c_str(),
               std::string(status.message()).c_str());
  absl::MutexLock lock(&state_->mu);
  --state_->busy;
}

BackOffice::BackOffice(const SimulatorConfig& config, const Clock* clock, AgencyState* state,
                       ClntcommCorpus* corpus)
    : config_(config), clock_(clock), state_(state), corpus_(corpus) {}

void BackOffice::Work() {
  for (;;) {
    std::string id;
    StoredMessage* stored;
    FaultModes faults;
    SimStateStore::Ticket saving;
    {
      absl::MutexLock lock(&state_->mu);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(state_->mu) {
        return state_->stopping || !state_->queue.empty();
      };
      state_->mu.Await(absl::Condition(&ready));
      if (state_->stopping) return;
      id = state_->queue.front();
      state_->queue.pop_front();
      ++state_->busy;
      stored = &state_->messages.at(id);
      ++stored->report.process_count;
      faults = state_->faults;
      // Written, not synced: it survives the simulator's kill, and only the
      // count of starts cut short (interrupted_count) could miss it should
      // the machine fail before the end's save syncs it.
      saving = state_->Persist(*stored, SimStateStore::Durability::kWritten);
    }
    // Saved so that the start counts even if the simulator stops before the
    // end; nothing is answered on it, so a failure is only reported.
    if (absl::Status s = state_->Saved(saving); !s.ok()) ReportNotSaved(id, s);
    ProcessingOptions options;
    options.system_error = StableFraction(id) < faults.system_error_rate;
    options.employees_seen = &stored->employees_seen;
    options.sender = stored->from;
    const std::string response_path = ResponsePath(config_, id);
    const bool clntcomm = stored->report.service == ebms::kServiceClntcomm;
    // The agency's record of the response, compressed as pulls send it and
    // written as the response is made: in the message's record when small
    // (saved below), else the durable file `response_path`.gz.
    SpillBuffer kept(response_path + ".gz", kInRecordBytes, FileDurability::kDurable);
    GzipSink response(kept);
    absl::StatusOr<ProcessingOutcome> outcome =
        clntcomm ? ProcessClntcomm(*stored, response, options.system_error)
                 : ProcessPayEvent(stored->payload, response, response_path + ".items", options);
    absl::Status finished = outcome.ok() ? response.Close() : outcome.status();
    if (finished.ok()) finished = kept.Close();
    if (finished.ok() && !outcome->matching_failures.empty()) {
      finished = corpus_->Post(MatchingFailureNotice(id, *outcome, clock_->Now())).status();
    }
    absl::StatusOr<StoredBytes> response_gzip =
        finished.ok() ? kept.Release() : absl::StatusOr<StoredBytes>(finished);
    if (!response_gzip.ok()) {
      ReportNotProcessed(id, response_gzip.status());
      continue;
    }
    {
      absl::MutexLock lock(&state_->mu);
      MessageReport& r = stored->report;
      r.processed = true;
      r.employees = outcome->employees;
      r.maximum = outcome->maximum;
      r.rejected_document_ids = outcome->rejected_document_ids;
      stored->response = *std::move(response_gzip);
      if (clntcomm) {
        stored->response_document_name = clntcomm::kClntcommDocumentName;
        stored->response_document_type = stored->report.action == ebms::kActionClntcommList
                                             ? clntcomm::kClntcommListResponse
                                             : clntcomm::kClntcommGetResponse;
      } else {
        stored->response_document_name = "event.02";
        stored->response_document_type = "Response";
      }
      const absl::Duration delay =
          (config_.processing_base + config_.processing_per_employee * outcome->employees) *
          faults.slow_factor;
      r.ready_at = std::max(r.received_at + delay, clock_->Now());
      // Written, not synced: no one has seen the response yet. The pull
      // that sends it saves the message synced first, which syncs this too
      // (one log); should the machine fail before, the message is
      // processed again after the restart.
      saving = state_->Persist(*stored, SimStateStore::Durability::kWritten);
    }
    // A pull saves the message again, with the response unless it is
    // known saved here, before it sends the response.
    const absl::Status saved = state_->Saved(saving);
    if (!saved.ok()) ReportNotSaved(id, saved);
    // Busy until saved, so that an idle simulator has everything on disk.
    absl::MutexLock lock(&state_->mu);
    if (saved.ok()) stored->response_saved = true;
    --state_->busy;
  }
}

absl::StatusOr<ProcessingOutcome> BackOffice::ProcessClntcomm(const StoredMessage& stored,
                                                              ByteSink& response,
                                                              bool system_error) {
  std::string request;
  {
    auto payload = stored.payload.Open();
    if (!payload.ok()) return payload.status();
    GunzipSource plain(**payload, GunzipOptions{uint64_t{16} << 20});
    StringSink sink;
    // Not gzip, or too large: answered as a request that cannot be read.
    if (auto n = Pump(plain, sink); n.ok()) request = sink.data();
  }
  absl::StatusOr<ServeOutcome> served =
      ServeClntcomm(*corpus_, stored.report.action, stored.from, request, ClntcommMode::kBulk,
                    system_error, response);
  if (!served.ok()) return served.status();
  if (absl::Status s = state_->CountClntcomm(stored.report.action, /*bulk=*/true, *served);
      !s.ok()) {
    return s;
  }
  ProcessingOutcome outcome;
  outcome.maximum = served->refused.ok() ? event02::Severity::kInformation
                    : system_error       ? event02::Severity::kSystemError
                                         : event02::Severity::kError;
  return outcome;
}

}  // namespace sbrgate::sim
