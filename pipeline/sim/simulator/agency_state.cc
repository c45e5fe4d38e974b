#include "pipeline/sim/simulator/agency_state.h"

#include "pipeline/platform/common/digest.h"

namespace sbrgate::sim {

FaultModes AgencyState::Faults() const {
  absl::MutexLock lock(&mu);
  return faults;
}

bool AgencyState::Stopping() const {
  absl::MutexLock lock(&mu);
  return stopping;
}

SimulatorStats AgencyState::Stats() const {
  absl::MutexLock lock(&mu);
  SimulatorStats out = counters;
  for (const std::string& id : order) out.messages.push_back(Report(messages.at(id)));
  return out;
}

std::optional<MessageReport> AgencyState::Message(const std::string& message_id) const {
  absl::MutexLock lock(&mu);
  auto it = messages.find(message_id);
  if (it == messages.end()) return std::nullopt;
  return Report(it->second);
}

void AgencyState::CountRefusedPush() {
  absl::MutexLock lock(&mu);
  ++counters.refused_pushes;
}

void AgencyState::CountClntcomm(absl::string_view action, bool bulk, const ServeOutcome& served) {
  absl::MutexLock lock(&mu);
  ++(action == ebms::kActionClntcommList ? counters.clntcomm_lists : counters.clntcomm_gets);
  if (bulk) ++counters.clntcomm_bulk;
  counters.clntcomm_documents += served.documents;
  if (!served.refused.ok()) ++counters.clntcomm_refused;
}

void AgencyState::WaitUntilIdle() const {
  absl::MutexLock lock(&mu);
  auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return queue.empty() && busy == 0; };
  mu.Await(absl::Condition(&idle));
}

MessageReport Report(const StoredMessage& stored) {
  MessageReport r = stored.report;
  if (!r.processed) r.employees = stored.employees_seen.load();
  return r;
}

double StableFraction(absl::string_view message_id) {
  const std::string d = Sha256Digest(message_id);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(d[i]);
  return static_cast<double>(v >> 11) / static_cast<double>(uint64_t{1} << 53);
}

std::string SpoolDir(const SimulatorConfig& config) { return config.data_dir + "/spool"; }
std::string PayloadDir(const SimulatorConfig& config) { return config.data_dir + "/payloads"; }
std::string ResponseDir(const SimulatorConfig& config) { return config.data_dir + "/responses"; }

}  // namespace sbrgate::sim
