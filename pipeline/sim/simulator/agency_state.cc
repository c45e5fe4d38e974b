#include "pipeline/sim/simulator/agency_state.h"

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/proto_time.h"

namespace sbrgate::sim {
namespace {

state::Counters CountersRecord(const SimulatorStats& c) {
  state::Counters r;
  r.set_pushes(c.pushes);
  r.set_duplicate_pushes(c.duplicate_pushes);
  r.set_refused_pushes(c.refused_pushes);
  r.set_pulls(c.pulls);
  r.set_early_pulls(c.early_pulls);
  r.set_clntcomm_lists(c.clntcomm_lists);
  r.set_clntcomm_gets(c.clntcomm_gets);
  r.set_clntcomm_bulk(c.clntcomm_bulk);
  r.set_clntcomm_documents(c.clntcomm_documents);
  r.set_clntcomm_refused(c.clntcomm_refused);
  r.set_ics_requests(c.ics_requests);
  r.set_ics_registered(c.ics_registered);
  r.set_ics_rejected(c.ics_rejected);
  r.set_ics_duplicates(c.ics_duplicates);
  r.set_demographics_requests(c.demographics_requests);
  r.set_demographics_refused(c.demographics_refused);
  r.set_relationships_requests(c.relationships_requests);
  r.set_relationships_refused(c.relationships_refused);
  return r;
}

SimulatorStats CountersFromRecord(const state::Counters& r) {
  SimulatorStats c;
  c.pushes = r.pushes();
  c.duplicate_pushes = r.duplicate_pushes();
  c.refused_pushes = r.refused_pushes();
  c.pulls = r.pulls();
  c.early_pulls = r.early_pulls();
  c.clntcomm_lists = r.clntcomm_lists();
  c.clntcomm_gets = r.clntcomm_gets();
  c.clntcomm_bulk = r.clntcomm_bulk();
  c.clntcomm_documents = r.clntcomm_documents();
  c.clntcomm_refused = r.clntcomm_refused();
  c.ics_requests = r.ics_requests();
  c.ics_registered = r.ics_registered();
  c.ics_rejected = r.ics_rejected();
  c.ics_duplicates = r.ics_duplicates();
  c.demographics_requests = r.demographics_requests();
  c.demographics_refused = r.demographics_refused();
  c.relationships_requests = r.relationships_requests();
  c.relationships_refused = r.relationships_refused();
  return c;
}

state::Message MessageRecord(const StoredMessage& m) {
  const MessageReport& report = m.report;
  state::Message r;
  r.set_arrival(m.arrival);
  r.set_message_id(report.message_id);
  r.set_service(report.service);
  r.set_action(report.action);
  r.mutable_from()->set_id(m.from.id);
  r.mutable_from()->set_type(m.from.type);
  r.mutable_from()->set_role(m.from.role);
  r.set_conversation_id(m.conversation_id);
  r.set_signer_fingerprint(m.signer_fingerprint);
  *r.mutable_received_at() = ToProto(report.received_at);
  if (!m.received_saved) {
    r.set_receipt_xml(m.receipt_xml);
    if (m.payload.in_memory()) r.set_payload_gzip(*m.payload.ReadAll());
  }
  r.set_receipts_sent(report.receipts_sent);
  r.set_process_count(report.process_count);
  r.set_interrupted_count(report.interrupted_count);
  r.set_processed(report.processed);
  if (report.processed) {
    if (!m.response_saved && m.response.in_memory()) r.set_response_gzip(*m.response.ReadAll());
    *r.mutable_ready_at() = ToProto(report.ready_at);
    r.set_employees(report.employees);
    if (report.maximum) r.set_maximum_severity(std::string(event02::SeverityCode(*report.maximum)));
    for (const std::string& id : report.rejected_document_ids) r.add_rejected_document_ids(id);
    r.set_response_document_name(m.response_document_name);
    r.set_response_document_type(m.response_document_type);
  }
  for (const PullRecord& p : report.pulls) {
    state::Pull* pull = r.add_pulls();
    *pull->mutable_at() = ToProto(p.at);
    pull->set_result(p.result);
    pull->set_early(p.early);
  }
  return r;
}

// Fills `m` from its record.
absl::Status MessageFromRecord(const state::Message& r, const SimulatorConfig& config,
                               StoredMessage& m) {
  MessageReport& report = m.report;
  m.arrival = r.arrival();
  report.message_id = r.message_id();
  report.service = r.service();
  report.action = r.action();
  report.from_party = r.from().id();
  report.from_party_type = r.from().type();
  m.from = {r.from().id(), r.from().type(), r.from().role()};
  m.conversation_id = r.conversation_id();
  m.signer_fingerprint = r.signer_fingerprint();
  report.received_at = FromProto(r.received_at());
  m.receipt_xml = r.receipt_xml();
  report.receipts_sent = r.receipts_sent();
  report.process_count = r.process_count();
  report.interrupted_count = r.interrupted_count();
  report.processed = r.processed();
  m.payload = r.has_payload_gzip() ? StoredBytes::Memory(r.payload_gzip())
                                   : StoredBytes::File(PayloadPath(config, r.message_id()));
  if (r.processed()) {
    report.ready_at = FromProto(r.ready_at());
    report.employees = r.employees();
    if (!r.maximum_severity().empty()) {
      absl::StatusOr<event02::Severity> severity = event02::ParseSeverity(r.maximum_severity());
      if (!severity.ok()) {
        return absl::DataLossError(absl::StrCat("simulator state: message ", r.message_id(), ": ",
                                                severity.status().message()));
      }
      report.maximum = *severity;
    }
    report.rejected_document_ids.assign(r.rejected_document_ids().begin(),
                                        r.rejected_document_ids().end());
    m.response = r.has_response_gzip()
                     ? StoredBytes::Memory(r.response_gzip())
                     : StoredBytes::File(ResponsePath(config, r.message_id()) + ".gz");
    m.response_document_name = r.response_document_name();
    m.response_document_type = r.response_document_type();
  }
  for (const state::Pull& p : r.pulls()) {
    report.pulls.push_back({FromProto(p.at()), p.result(), p.early()});
  }
  return absl::OkStatus();
}

}  // namespace

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
  for (const std::string& id : order) {
    const StoredMessage& m = messages.at(id);
    if (!m.saving) out.messages.push_back(Report(m));
  }
  return out;
}

std::optional<MessageReport> AgencyState::Message(const std::string& message_id) const {
  absl::MutexLock lock(&mu);
  auto it = messages.find(message_id);
  if (it == messages.end() || it->second.saving) return std::nullopt;
  return Report(it->second);
}

StoredMessage* AgencyState::FindReceived(const std::string& message_id) {
  auto settled = [this, &message_id]() ABSL_SHARED_LOCKS_REQUIRED(mu) {
    auto it = messages.find(message_id);
    return it == messages.end() || !it->second.saving;
  };
  mu.Await(absl::Condition(&settled));
  auto it = messages.find(message_id);
  return it == messages.end() ? nullptr : &it->second;
}

SimStateStore::Ticket AgencyState::Persist() const {
  return store->Queue(CountersRecord(counters), std::nullopt);
}

SimStateStore::Ticket AgencyState::Persist(const StoredMessage& changed,
                                           SimStateStore::Durability durability) const {
  return store->Queue(CountersRecord(counters), MessageRecord(changed), durability);
}

absl::Status AgencyState::Saved(const SimStateStore::Ticket& saving) const {
  return store->Wait(saving);
}

absl::Status AgencyState::Restore(const SimStateStore::Saved& saved,
                                  const SimulatorConfig& config) {
  absl::MutexLock lock(&mu);
  counters = CountersFromRecord(saved.counters);
  for (const state::Message& record : saved.messages) {
    StoredMessage& m = messages[record.message_id()];
    if (absl::Status s = MessageFromRecord(record, config, m); !s.ok()) return s;
    order.push_back(record.message_id());
    next_arrival = record.arrival() + 1;  // the records come by arrival
    if (!record.processed()) {
      // Every start so far was cut short: processing runs until it is saved.
      m.report.interrupted_count = record.process_count();
      queue.push_back(record.message_id());
    }
  }
  return absl::OkStatus();
}

absl::Status AgencyState::CountRefusedPush() {
  SimStateStore::Ticket saving;
  {
    absl::MutexLock lock(&mu);
    ++counters.refused_pushes;
    saving = Persist();
  }
  return Saved(saving);
}

absl::Status AgencyState::CountClntcomm(absl::string_view action, bool bulk,
                                        const ServeOutcome& served) {
  SimStateStore::Ticket saving;
  {
    absl::MutexLock lock(&mu);
    ++(action == ebms::kActionClntcommList ? counters.clntcomm_lists : counters.clntcomm_gets);
    if (bulk) ++counters.clntcomm_bulk;
    counters.clntcomm_documents += served.documents;
    if (!served.refused.ok()) ++counters.clntcomm_refused;
    saving = Persist();
  }
  return Saved(saving);
}

absl::Status AgencyState::CountIcs(v1::RegisterClientResponse::Outcome outcome) {
  SimStateStore::Ticket saving;
  {
    absl::MutexLock lock(&mu);
    ++counters.ics_requests;
    switch (outcome) {
      case v1::RegisterClientResponse::REGISTERED:
        ++counters.ics_registered;
        break;
      case v1::RegisterClientResponse::DUPLICATE:
        ++counters.ics_duplicates;
        break;
      default:
        ++counters.ics_rejected;
    }
    saving = Persist();
  }
  return Saved(saving);
}

absl::Status AgencyState::CountClientService(ClientService service, bool refused) {
  SimStateStore::Ticket saving;
  {
    absl::MutexLock lock(&mu);
    const bool demographics = service == ClientService::kDemographics;
    ++(demographics ? counters.demographics_requests : counters.relationships_requests);
    if (refused) ++(demographics ? counters.demographics_refused : counters.relationships_refused);
    saving = Persist();
  }
  return Saved(saving);
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
std::string StateDir(const SimulatorConfig& config) { return config.data_dir + "/state"; }

std::string PayloadPath(const SimulatorConfig& config, absl::string_view message_id) {
  return absl::StrCat(PayloadDir(config), "/", Sha256Hex(message_id), ".gz");
}

std::string ResponsePath(const SimulatorConfig& config, absl::string_view message_id) {
  return absl::StrCat(ResponseDir(config), "/", Sha256Hex(message_id), ".xml");
}

}  // namespace sbrgate::sim
