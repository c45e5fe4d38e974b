#include "pipeline/sim/simulator/simulator.h"

#include <httplib.h>
#include <sys/stat.h>

#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/sbr/ebms/envelope_writer.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/stp/poll_schedule/schedule.h"
#include "pipeline/sim/simulator/clntcomm_serve.h"
#include "pipeline/sim/simulator/lodgment_processor.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sbr/wssec/verifier.h"

namespace sbrgate::sim {
namespace {

constexpr char kSoapContentType[] = "application/soap+xml; charset=UTF-8";

// The agency's answers that are not business responses.
std::string ErrorEnvelope(const Clock& clock, absl::string_view code,
                          absl::string_view ref_to_message_id, absl::string_view description) {
  ebms::Envelope envelope;
  ebms::ErrorSignal& signal = envelope.messaging.errors.emplace_back();
  signal.message_id = ebms::NewMessageId("sbr-sim.ato.gov.au");
  signal.timestamp = clock.Now();
  signal.ref_to_message_id = std::string(ref_to_message_id);
  ebms::Error e = ebms::MakeError(code, ref_to_message_id, description);
  if (e.severity.empty()) e.severity = "failure";
  if (e.category.empty()) e.category = "Processing";
  if (e.origin.empty()) e.origin = "ebMS";
  if (e.short_description.empty()) e.short_description = std::string(code);
  signal.errors.push_back(e);
  return ebms::WriteEnvelope(envelope);
}

// A stable share in [0, 1) from a MessageId, for the SystemError rate.
double StableFraction(absl::string_view id) {
  const std::string d = Sha256Digest(id);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(d[i]);
  return static_cast<double>(v >> 11) / static_cast<double>(uint64_t{1} << 53);
}

std::string Rfc3339(absl::Time t) { return ebms::FormatDateTime(t); }

}  // namespace

class Simulator::Impl {
 public:
  Impl(SimulatorConfig config, Clock* clock, wssec::Verifier verifier,
       wssec::Credential agency)
      : config_(std::move(config)),
        clock_(clock),
        verifier_(std::move(verifier)),
        agency_(std::move(agency)),
        clntcomm_(clock) {}

  ~Impl() { Shutdown(); }

  absl::Status Begin() {
    for (const std::string& dir : {config_.data_dir, Spool(), Payloads(), Responses()}) {
      ::mkdir(dir.c_str(), 0755);
    }
    if (absl::Status s = Listen(); !s.ok()) return s;
    if (config_.admin_port >= 0) {
      admin_ = std::make_unique<httplib::Server>();
      RouteAdmin(*admin_);
      admin_port_ = config_.admin_port == 0 ? admin_->bind_to_any_port(config_.host)
                                            : (admin_->bind_to_port(config_.host, config_.admin_port)
                                                   ? config_.admin_port
                                                   : -1);
      if (admin_port_ < 0) {
        return absl::UnavailableError(
            absl::StrCat("cannot listen on admin port ", config_.host, ":", config_.admin_port));
      }
      admin_thread_ = std::thread([this] { admin_->listen_after_bind(); });
    }
    for (int i = 0; i < std::max(1, config_.processing_threads); ++i) {
      workers_.emplace_back([this] { ProcessLoop(); });
    }
    return absl::OkStatus();
  }

  void Shutdown() {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    StopListener();
    if (admin_) admin_->stop();
    if (admin_thread_.joinable()) admin_thread_.join();
    for (std::thread& t : workers_) t.join();
  }

  int port() const { return port_; }
  int admin_port() const { return admin_port_; }

  void SetFaults(const FaultModes& faults) {
    bool refuse_changed;
    {
      absl::MutexLock lock(&mu_);
      refuse_changed = faults.refuse_connections != faults_.refuse_connections;
      faults_ = faults;
    }
    if (refuse_changed) {
      if (faults.refuse_connections) {
        StopListener();
      } else {
        Listen().IgnoreError();
      }
    }
  }

  FaultModes faults() const {
    absl::MutexLock lock(&mu_);
    return faults_;
  }

  SimulatorStats Stats() const {
    absl::MutexLock lock(&mu_);
    SimulatorStats out = counters_;
    for (const std::string& id : order_) out.messages.push_back(Report(messages_.at(id)));
    return out;
  }

  std::optional<MessageReport> Message(const std::string& id) const {
    absl::MutexLock lock(&mu_);
    auto it = messages_.find(id);
    if (it == messages_.end()) return std::nullopt;
    return Report(it->second);
  }

  ClntcommCorpus& clntcomm() { return clntcomm_; }

  absl::StatusOr<std::vector<SeedResult>> SeedClntcommJson(const std::string& json) {
    absl::StatusOr<std::vector<ClntcommSeed>> seeds = ParseSeedJson(json);
    if (!seeds.ok()) return seeds.status();
    std::vector<SeedResult> out;
    for (size_t i = 0; i < seeds->size(); ++i) {
      absl::StatusOr<SeedResult> r = clntcomm_.SeedClient((*seeds)[i]);
      if (!r.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("clntcomm seed [", i, "]: ", r.status().message()));
      }
      out.push_back(*std::move(r));
    }
    return out;
  }

  void WaitUntilIdle() const {
    absl::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return queue_.empty() && busy_ == 0; };
    mu_.Await(absl::Condition(&idle));
  }

 private:
  struct Stored {
    MessageReport report;
    std::string receipt_xml;
    std::string conversation_id;
    ebms::Party from;
    std::string signer_fingerprint;
    std::string payload_path;
    std::string response_path;
    std::string response_document_name;  // PartProperties of the response
    std::string response_document_type;
    std::atomic<int64_t> employees_seen{0};
  };

  std::string Spool() const { return config_.data_dir + "/spool"; }
  std::string Payloads() const { return config_.data_dir + "/payloads"; }
  std::string Responses() const { return config_.data_dir + "/responses"; }

  static MessageReport Report(const Stored& s) {
    MessageReport r = s.report;
    if (!r.processed) r.employees = s.employees_seen.load();
    return r;
  }

  absl::Status Listen() {
    std::unique_ptr<httplib::SSLServer> server;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ || server_ != nullptr) return absl::OkStatus();
    }
    server = std::make_unique<httplib::SSLServer>(config_.server_cert.c_str(),
                                                  config_.server_key.c_str(),
                                                  config_.client_ca.c_str());
    if (!server->is_valid()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot set up TLS with certificate ", config_.server_cert, ", key ",
          config_.server_key, " and client CA ", config_.client_ca));
    }
    server->set_read_timeout(std::chrono::minutes(10));
    server->set_write_timeout(std::chrono::minutes(10));
    Route(*server);
    int port;
    if (port_ > 0 || config_.port > 0) {
      port = port_ > 0 ? port_ : config_.port;
      if (!server->bind_to_port(config_.host, port)) port = -1;
    } else {
      port = server->bind_to_any_port(config_.host);
    }
    if (port < 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.host, ":",
                                                 port_ > 0 ? port_ : config_.port));
    }
    port_ = port;
    httplib::SSLServer* raw = server.get();
    absl::MutexLock lock(&mu_);
    server_ = std::move(server);
    server_thread_ = std::thread([raw] { raw->listen_after_bind(); });
    return absl::OkStatus();
  }

  void StopListener() {
    std::unique_ptr<httplib::SSLServer> server;
    std::thread thread;
    {
      absl::MutexLock lock(&mu_);
      server = std::move(server_);
      thread = std::move(server_thread_);
    }
    if (server) server->stop();
    if (thread.joinable()) thread.join();
  }

  // Fault modes that apply to every request. Returns true when handled.
  bool ApplyTransportFaults(httplib::Response& res) {
    const absl::Time hang_until = absl::Now() + config_.max_hang;
    for (;;) {
      FaultModes f = faults();
      if (f.unavailable) {
        res.status = 503;
        res.set_content("SBR2 simulator: service unavailable (fault mode)", "text/plain");
        return true;
      }
      if (!f.hang) return false;
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return false;
      }
      if (absl::Now() > hang_until) return false;
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  void WaitWhileReceiptsHeld() {
    const absl::Time until = absl::Now() + config_.max_hang;
    absl::MutexLock lock(&mu_);
    auto released = [this, until]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return stopping_ || !faults_.hold_receipts || absl::Now() > until;
    };
    while (!released()) mu_.AwaitWithTimeout(absl::Condition(&released), absl::Milliseconds(50));
  }

  // The request as a packaged message, or nullopt once it is answered with
  // the ebMS error that says why it cannot be read (EBMS:0101 for a
  // signature or trust failure).
  std::optional<ebms_package::InboundMessage> ReceiveOrRefuse(const httplib::Request& req,
                                                              const httplib::ContentReader& reader,
                                                              httplib::Response& res) {
    absl::StatusOr<ebms_package::InboundMessage> in = Receive(req, reader);
    if (in.ok()) return *std::move(in);
    const bool auth = in.status().code() == absl::StatusCode::kUnauthenticated;
    SendError(res, auth ? ebms::kErrorFailedAuthentication : ebms::kErrorInvalidHeader, "",
              in.status().message());
    return std::nullopt;
  }

  // Spools the request body to a file and reads it as a packaged message.
  absl::StatusOr<ebms_package::InboundMessage> Receive(const httplib::Request& req,
                                                       const httplib::ContentReader& reader) {
    const std::string body_path = absl::StrCat(Spool(), "/", ebms::NewUuid(), ".http");
    {
      auto sink = FileSink::Create(body_path);
      if (!sink.ok()) return sink.status();
      absl::Status write_status;
      reader([&](const char* data, size_t len) {
        write_status = (*sink)->Write(absl::string_view(data, len));
        return write_status.ok();
      });
      if (!write_status.ok()) return write_status;
      if (absl::Status s = (*sink)->Close(); !s.ok()) return s;
    }
    auto source = FileSource::Open(body_path);
    if (!source.ok()) return source.status();
    absl::StatusOr<ebms_package::InboundMessage> in = ebms_package::ReadPackagedMessage(
        req.get_header_value("Content-Type"), **source, Spool(), &verifier_,
        ebms_package::RequireSignature::kYes);
    std::remove(body_path.c_str());
    return in;
  }

  void SendError(httplib::Response& res, absl::string_view code, absl::string_view ref,
                 absl::string_view description) {
    res.status = 500;
    res.set_content(ErrorEnvelope(*clock_, code, ref, description), kSoapContentType);
  }

  void Route(httplib::SSLServer& server) {
    server.Post("/services/BulkBatch-async-push",
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { HandlePush(req, res, reader); });
    server.Post("/services/BulkBatch-async-pull",
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { HandlePull(req, res, reader); });
    server.Post("/services/Single-sync",
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) {
                  HandleSingleSync(req, res, reader);
                });
  }

  void HandlePush(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader) {
    if (ApplyTransportFaults(res)) return;
    {
      absl::MutexLock lock(&mu_);
      ++counters_.pushes;
    }
    std::optional<ebms_package::InboundMessage> in = ReceiveOrRefuse(req, reader, res);
    if (!in) {
      CountRefused();
      return;
    }
    const ebms::Messaging& m = in->envelope.messaging;
    if (m.user_messages.size() != 1) {
      ebms_package::RemoveSpooledAttachments(*in);
      CountRefused();
      SendError(res, ebms::kErrorInvalidHeader, "",
                "a push must carry exactly one eb:UserMessage");
      return;
    }
    const ebms::UserMessage& um = m.user_messages.front();
    absl::Status business = CheckPushedMessage(um, *in);
    if (!business.ok()) {
      ebms_package::RemoveSpooledAttachments(*in);
      CountRefused();
      SendError(res, business.message().substr(0, business.message().find(':')), um.message_id,
                business.message());
      return;
    }

    std::string receipt_xml;
    bool lose_receipt = false;
    bool hold_receipt = false;
    {
      absl::MutexLock lock(&mu_);
      auto it = messages_.find(um.message_id);
      if (it != messages_.end()) {
        // Duplicate elimination: the original receipt, no processing.
        ++counters_.duplicate_pushes;
        ++it->second.report.receipts_sent;
        receipt_xml = it->second.receipt_xml;
      }
    }
    if (!receipt_xml.empty()) {
      ebms_package::RemoveSpooledAttachments(*in);
      res.status = 200;
      res.set_content(receipt_xml, kSoapContentType);
      return;
    }

    const std::string payload_path = absl::StrCat(Payloads(), "/", Sha256Hex(um.message_id), ".gz");
    if (std::rename(in->attachments.front().path.c_str(), payload_path.c_str()) != 0) {
      SendError(res, ebms::kErrorOther, um.message_id, "the agency could not store the payload");
      return;
    }
    ebms::Envelope receipt_envelope;
    ebms::Receipt& receipt = receipt_envelope.messaging.receipts.emplace_back();
    receipt.message_id = ebms::NewMessageId("sbr-sim.ato.gov.au");
    receipt.timestamp = clock_->Now();
    receipt.ref_to_message_id = um.message_id;
    for (const wssec::Digest& d : in->signature->references) {
      receipt.references.push_back({d.uri, d.digest_method, d.digest_value});
    }
    receipt_xml = ebms::WriteEnvelope(receipt_envelope);
    {
      absl::MutexLock lock(&mu_);
      auto [it, inserted] = messages_.try_emplace(um.message_id);
      if (!inserted) {
        // A concurrent push of the same MessageId won the race.
        ++counters_.duplicate_pushes;
        ++it->second.report.receipts_sent;
        receipt_xml = it->second.receipt_xml;
      } else {
        Stored& s = it->second;
        s.report.message_id = um.message_id;
        s.report.service = um.service;
        s.report.action = um.action;
        s.report.from_party = um.from.id;
        s.report.received_at = receipt.timestamp;
        s.report.receipts_sent = 1;
        s.receipt_xml = receipt_xml;
        s.conversation_id = um.conversation_id;
        s.from = um.from;
        s.signer_fingerprint = in->signature->sha256_fingerprint;
        s.payload_path = payload_path;
        order_.push_back(um.message_id);
        queue_.push_back(um.message_id);
        if (faults_.lose_receipts > 0) {
          --faults_.lose_receipts;
          lose_receipt = true;
        } else if (faults_.hold_receipts) {
          hold_receipt = true;
        }
      }
    }
    if (lose_receipt) {
      res.status = 502;
      res.set_content("SBR2 simulator: receipt lost (fault mode)", "text/plain");
      return;
    }
    if (hold_receipt) WaitWhileReceiptsHeld();
    res.status = 200;
    res.set_content(receipt_xml, kSoapContentType);
  }

  // The SBR checks on a pushed user message. The error's code comes first in
  // the message, before the first ':'.
  absl::Status CheckPushedMessage(const ebms::UserMessage& um,
                                  const ebms_package::InboundMessage& in) {
    const bool payevnt =
        um.service == ebms::kServicePayevnt &&
        (um.action == ebms::kActionPayevntSubmit || um.action == ebms::kActionPayevntUpdate);
    const bool clntcomm =
        um.service == ebms::kServiceClntcomm &&
        (um.action == ebms::kActionClntcommList || um.action == ebms::kActionClntcommGet);
    if (!payevnt && !clntcomm) {
      return absl::InvalidArgumentError(absl::StrCat(
          ebms::kErrorProcessingModeMismatch, ": service ", um.service, " action ", um.action,
          " is not offered on BulkBatch-async-push"));
    }
    if (in.attachments.size() != 1 || um.parts.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CMN.ATO.GEN.UNEXPECTEDNUMPAYLOADS: a bulk push carries exactly one attachment, got ",
          in.attachments.size()));
    }
    bool has_document_type = false;
    for (const ebms::Property& p : um.parts.front().properties) {
      if (p.name == ebms::kPartPropertyDocumentType && !p.value.empty()) has_document_type = true;
    }
    if (!has_document_type) {
      return absl::InvalidArgumentError(
          "CMN.ATO.EBMS.001: PartProperties must include DocumentType");
    }
    if (um.parts.front().href != absl::StrCat("cid:", in.attachments.front().content_id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          ebms::kErrorMimeInconsistency, ": PartInfo href ", um.parts.front().href,
          " does not name the attachment cid:", in.attachments.front().content_id));
    }
    return absl::OkStatus();
  }

  void CountRefused() {
    absl::MutexLock lock(&mu_);
    ++counters_.refused_pushes;
  }

  void HandlePull(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader) {
    if (ApplyTransportFaults(res)) return;
    std::optional<ebms_package::InboundMessage> in = ReceiveOrRefuse(req, reader, res);
    if (!in) return;
    ebms_package::RemoveSpooledAttachments(*in);
    const auto& pulls = in->envelope.messaging.pull_requests;
    if (pulls.size() != 1 || pulls.front().ref_to_message_id.empty()) {
      SendError(res, ebms::kErrorInvalidHeader, "",
                "a pull must carry one eb:PullRequest naming the pushed message "
                "(eb:MessageInfo/eb:RefToMessageId)");
      return;
    }
    const ebms::PullRequest& pull = pulls.front();
    const absl::Time now = clock_->Now();
    std::string response_path;
    Stored* stored = nullptr;
    {
      absl::MutexLock lock(&mu_);
      ++counters_.pulls;
      auto it = messages_.find(pull.ref_to_message_id);
      if (it == messages_.end() ||
          it->second.signer_fingerprint != in->signature->sha256_fingerprint) {
        // Nothing of this sender's under that reference: the channel is empty.
        SendError(res, ebms::kErrorEmptyMessagePartitionChannel, pull.message_id,
                  absl::StrCat("no message ", pull.ref_to_message_id, " from this sender"));
        return;
      }
      stored = &it->second;
      MessageReport& r = stored->report;
      const int64_t employees = r.processed ? r.employees : stored->employees_seen.load();
      const poll::PollPlan plan = poll::PollPlan::ForEmployees(employees);
      std::optional<absl::Time> last;
      if (!r.pulls.empty()) last = r.pulls.back().at;
      // The polling table is STP's (seed 002); the ATO publishes none for
      // CLNTCOMM bulk responses, so only pay event pulls can be early.
      const bool stp = r.service == ebms::kServicePayevnt;
      PullRecord record{now, "",
                        stp && plan.IsEarly(r.received_at, r.pulls.size(), last, now)};
      if (record.early) ++counters_.early_pulls;
      if (r.processed && now >= r.ready_at) {
        record.result = "response";
        response_path = stored->response_path;
      } else {
        record.result = "nothing-yet";
      }
      r.pulls.push_back(record);
    }
    if (response_path.empty()) {
      SendError(res, ebms::kErrorEmptyMessagePartitionChannel, pull.message_id,
                "the response is not available yet");
      return;
    }
    SendResponse(res, *stored, response_path);
  }

  void SendResponse(httplib::Response& res, const Stored& stored,
                    const std::string& response_path) {
    const std::string gz = response_path + ".gz";
    ebms::Envelope envelope;
    ebms::UserMessage& um = envelope.messaging.user_messages.emplace_back();
    um.message_id = ebms::NewMessageId("sbr-sim.ato.gov.au");
    um.timestamp = clock_->Now();
    um.ref_to_message_id = stored.report.message_id;
    um.from = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
    um.to = stored.from;
    um.service = stored.report.service;
    um.action = stored.report.action;
    um.conversation_id = stored.conversation_id;
    const std::string cid = absl::StrCat("response-", stored.report.message_id);
    um.parts.push_back({absl::StrCat("cid:", cid),
                        {{ebms::kPartPropertyCompressionType, "application/gzip"},
                         {ebms::kPartPropertyMimeType, "text/xml"},
                         {ebms::kPartPropertyDocumentName, stored.response_document_name},
                         {ebms::kPartPropertyDocumentType, stored.response_document_type}}});
    absl::StatusOr<ebms_package::OutboundMessage> out =
        ebms_package::PackageMessage(envelope, &agency_, {{cid, "application/gzip", gz}});
    SendPackaged(res, out, stored.report.message_id);
  }

  void SendPackaged(httplib::Response& res, absl::StatusOr<ebms_package::OutboundMessage>& out,
                    absl::string_view ref) {
    if (!out.ok() || !out->content_length.has_value()) {
      SendError(res, ebms::kErrorOther, ref,
                absl::StrCat("the agency could not package the response: ", out.status().message()));
      return;
    }
    auto body = std::shared_ptr<mime::MultipartSource>(std::move(out->body));
    res.status = 200;
    res.set_content_provider(
        *out->content_length, out->content_type,
        [body](size_t, size_t length, httplib::DataSink& sink) {
          std::string buf(std::min<size_t>(length, 64 << 10), '\0');
          absl::StatusOr<size_t> n = body->Read(buf.data(), buf.size());
          if (!n.ok() || *n == 0) return false;
          return sink.write(buf.data(), *n);
        });
  }

  void ProcessLoop() {
    for (;;) {
      std::string id;
      Stored* stored;
      FaultModes faults;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return stopping_ || !queue_.empty();
        };
        mu_.Await(absl::Condition(&ready));
        if (stopping_) return;
        id = queue_.front();
        queue_.pop_front();
        ++busy_;
        stored = &messages_.at(id);
        ++stored->report.process_count;
        faults = faults_;
      }
      ProcessingOptions options;
      options.system_error = StableFraction(id) < faults.system_error_rate;
      options.employees_seen = &stored->employees_seen;
      const std::string response_path = absl::StrCat(Responses(), "/", Sha256Hex(id), ".xml");
      const bool clntcomm = stored->report.service == ebms::kServiceClntcomm;
      absl::StatusOr<ProcessingOutcome> outcome =
          clntcomm ? ProcessClntcomm(*stored, response_path, options.system_error)
                   : ProcessPayEvent(stored->payload_path, response_path, options);
      absl::Status gz_status = outcome.ok() ? Compress(response_path) : outcome.status();
      absl::MutexLock lock(&mu_);
      --busy_;
      MessageReport& r = stored->report;
      if (!gz_status.ok()) {
        std::fprintf(stderr, "sbr-sim: processing %s failed: %s\n", id.c_str(),
                     std::string(gz_status.message()).c_str());
        continue;
      }
      r.processed = true;
      r.employees = outcome->employees;
      r.maximum = outcome->maximum;
      r.rejected_document_ids = outcome->rejected_document_ids;
      stored->response_path = response_path;
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
    }
  }

  // The bulk CLNTCOMM request in `stored`'s payload, answered into
  // `response_path`. The outcome's severity says whether it was refused.
  absl::StatusOr<ProcessingOutcome> ProcessClntcomm(const Stored& stored,
                                                    const std::string& response_path,
                                                    bool system_error) {
    std::string request;
    {
      auto file = FileSource::Open(stored.payload_path);
      if (!file.ok()) return file.status();
      GunzipSource plain(**file, GunzipOptions{uint64_t{16} << 20});
      StringSink sink;
      // Not gzip, or too large: answered as a request that cannot be read.
      if (auto n = Pump(plain, sink); n.ok()) request = sink.data();
    }
    auto out = FileSink::Create(response_path);
    if (!out.ok()) return out.status();
    absl::StatusOr<ServeOutcome> served =
        ServeClntcomm(clntcomm_, stored.report.action, stored.from, request, ClntcommMode::kBulk,
                      system_error, **out);
    if (!served.ok()) return served.status();
    if (absl::Status s = (*out)->Close(); !s.ok()) return s;
    CountClntcomm(stored.report.action, /*bulk=*/true, *served);
    ProcessingOutcome outcome;
    outcome.maximum = served->refused.ok() ? event02::Severity::kInformation
                      : system_error       ? event02::Severity::kSystemError
                                           : event02::Severity::kError;
    return outcome;
  }

  void CountClntcomm(absl::string_view action, bool bulk, const ServeOutcome& served) {
    absl::MutexLock lock(&mu_);
    ++(action == ebms::kActionClntcommList ? counters_.clntcomm_lists : counters_.clntcomm_gets);
    if (bulk) ++counters_.clntcomm_bulk;
    counters_.clntcomm_documents += served.documents;
    if (!served.refused.ok()) ++counters_.clntcomm_refused;
  }

  // A single CLNTCOMM request: the request is the signed SOAP Body, the
  // response the Body of the synchronous answer (unsigned: SBR signs only
  // bulk pull responses).
  void HandleSingleSync(const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader) {
    if (ApplyTransportFaults(res)) return;
    std::optional<ebms_package::InboundMessage> in = ReceiveOrRefuse(req, reader, res);
    if (!in) return;
    ebms_package::RemoveSpooledAttachments(*in);
    const ebms::Messaging& m = in->envelope.messaging;
    if (m.user_messages.size() != 1) {
      SendError(res, ebms::kErrorInvalidHeader, "",
                "a Single-sync request carries exactly one eb:UserMessage");
      return;
    }
    const ebms::UserMessage& um = m.user_messages.front();
    if (um.service != ebms::kServiceClntcomm ||
        (um.action != ebms::kActionClntcommList && um.action != ebms::kActionClntcommGet)) {
      SendError(res, ebms::kErrorProcessingModeMismatch, um.message_id,
                absl::StrCat("service ", um.service, " action ", um.action,
                             " is not offered on Single-sync"));
      return;
    }
    if (!in->attachments.empty()) {
      SendError(res, "CMN.ATO.GEN.UNEXPECTEDNUMPAYLOADS", um.message_id,
                absl::StrCat("a Single-sync request travels in the SOAP Body, without "
                             "attachments; got ",
                             in->attachments.size()));
      return;
    }
    const bool system_error = StableFraction(um.message_id) < faults().system_error_rate;
    StringSink response;
    absl::StatusOr<ServeOutcome> served =
        ServeClntcomm(clntcomm_, um.action, um.from, in->envelope.body_xml, ClntcommMode::kSingle,
                      system_error, response);
    if (!served.ok()) {
      SendError(res, ebms::kErrorOther, um.message_id,
                absl::StrCat("the agency could not answer: ", served.status().message()));
      return;
    }
    CountClntcomm(um.action, /*bulk=*/false, *served);
    ebms::Envelope envelope;
    ebms::UserMessage& answer = envelope.messaging.user_messages.emplace_back();
    answer.message_id = ebms::NewMessageId("sbr-sim.ato.gov.au");
    answer.timestamp = clock_->Now();
    answer.ref_to_message_id = um.message_id;
    answer.from = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
    answer.to = um.from;
    answer.service = um.service;
    answer.action = um.action;
    answer.conversation_id = um.conversation_id;
    answer.parts.push_back(
        {"", {{ebms::kPartPropertyMimeType, "text/xml"},
              {ebms::kPartPropertyDocumentName, clntcomm::kClntcommDocumentName},
              {ebms::kPartPropertyDocumentType, um.action == ebms::kActionClntcommList
                                                    ? clntcomm::kClntcommListResponse
                                                    : clntcomm::kClntcommGetResponse}}});
    envelope.body_xml = response.data();
    absl::StatusOr<ebms_package::OutboundMessage> out =
        ebms_package::PackageMessage(envelope, nullptr, {});
    SendPackaged(res, out, um.message_id);
  }

  static absl::Status Compress(const std::string& path) {
    auto src = FileSource::Open(path);
    if (!src.ok()) return src.status();
    auto file = FileSink::Create(path + ".gz");
    if (!file.ok()) return file.status();
    GzipSink gz(std::unique_ptr<ByteSink>(std::move(*file)));
    if (auto n = Pump(**src, gz); !n.ok()) return n.status();
    return gz.Close();
  }

  void RouteAdmin(httplib::Server& admin) {
    admin.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain");
    });
    admin.Get("/admin/stats", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(StatsToJson(Stats()), "application/json");
    });
    admin.Get(R"(/admin/messages/(.+))", [this](const httplib::Request& req,
                                                 httplib::Response& res) {
      std::optional<MessageReport> m = Message(req.matches[1]);
      if (!m) {
        res.status = 404;
        res.set_content(absl::StrCat("{\"error\": \"no message ", std::string(req.matches[1]), "\"}"),
                        "application/json");
        return;
      }
      res.set_content(MessageToJson(*m), "application/json");
    });
    admin.Post("/admin/clntcomm/seed", [this](const httplib::Request& req,
                                              httplib::Response& res) {
      absl::StatusOr<std::vector<SeedResult>> seeded = SeedClntcommJson(req.body);
      if (!seeded.ok()) {
        res.status = 400;
        res.set_content(nlohmann::json{{"error", std::string(seeded.status().message())}}.dump(),
                        "application/json");
        return;
      }
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const SeedResult& r : *seeded) {
        list.push_back({{"client", ClientKey(r.client)}, {"name", r.name}, {"added", r.added}});
      }
      res.set_content(nlohmann::ordered_json{{"seeded", list},
                                             {"communications", clntcomm_.size()}}
                          .dump(2),
                      "application/json");
    });
    admin.Get("/admin/faults", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(FaultsToJson(faults()), "application/json");
    });
    admin.Post("/admin/faults", [this](const httplib::Request& req, httplib::Response& res) {
      FaultModes f = faults();
      if (absl::Status s = MergeFaultsJson(req.body, f); !s.ok()) {
        res.status = 400;
        res.set_content(nlohmann::json{{"error", std::string(s.message())}}.dump(),
                        "application/json");
        return;
      }
      SetFaults(f);
      res.set_content(FaultsToJson(f), "application/json");
    });
  }

  const SimulatorConfig config_;
  Clock* const clock_;
  const wssec::Verifier verifier_;
  const wssec::Credential agency_;
  ClntcommCorpus clntcomm_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  FaultModes faults_ ABSL_GUARDED_BY(mu_);
  SimulatorStats counters_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Stored> messages_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  std::unique_ptr<httplib::SSLServer> server_ ABSL_GUARDED_BY(mu_);
  std::thread server_thread_ ABSL_GUARDED_BY(mu_);

  int port_ = 0;
  int admin_port_ = -1;
  std::unique_ptr<httplib::Server> admin_;
  std::thread admin_thread_;
  std::vector<std::thread> workers_;
};

absl::StatusOr<std::unique_ptr<Simulator>> Simulator::Start(SimulatorConfig config, Clock* clock) {
  if (config.data_dir.empty()) return absl::InvalidArgumentError("simulator needs a data_dir");
  absl::StatusOr<wssec::Verifier> verifier = wssec::Verifier::Create(config.client_ca, clock);
  if (!verifier.ok()) return verifier.status();
  absl::StatusOr<wssec::Credential> agency =
      wssec::Credential::Load(config.server_cert, config.server_key);
  if (!agency.ok()) return agency.status();
  auto impl = std::make_unique<Impl>(std::move(config), clock, *std::move(verifier),
                                     *std::move(agency));
  if (absl::Status s = impl->Begin(); !s.ok()) return s;
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulator::~Simulator() = default;
int Simulator::port() const { return impl_->port(); }
int Simulator::admin_port() const { return impl_->admin_port(); }
std::string Simulator::base_url() const {
  return absl::StrCat("https://127.0.0.1:", impl_->port(), "/services");
}
void Simulator::SetFaults(const FaultModes& faults) { impl_->SetFaults(faults); }
FaultModes Simulator::faults() const { return impl_->faults(); }
SimulatorStats Simulator::Stats() const { return impl_->Stats(); }
std::optional<MessageReport> Simulator::Message(const std::string& id) const {
  return impl_->Message(id);
}
void Simulator::WaitUntilIdle() const { impl_->WaitUntilIdle(); }
ClntcommCorpus& Simulator::clntcomm() { return impl_->clntcomm(); }
absl::StatusOr<std::vector<SeedResult>> Simulator::SeedClntcommJson(const std::string& json) {
  return impl_->SeedClntcommJson(json);
}

namespace {

nlohmann::ordered_json MessageJson(const MessageReport& m) {
  nlohmann::ordered_json pulls = nlohmann::ordered_json::array();
  for (const PullRecord& p : m.pulls) {
    pulls.push_back({{"at", Rfc3339(p.at)}, {"result", p.result}, {"early", p.early}});
  }
  return {{"message_id", m.message_id},
          {"service", m.service},
          {"action", m.action},
          {"from_party", m.from_party},
          {"received_at", Rfc3339(m.received_at)},
          {"process_count", m.process_count},
          {"receipts_sent", m.receipts_sent},
          {"processed", m.processed},
          {"ready_at", m.processed ? nlohmann::ordered_json(Rfc3339(m.ready_at)) : nullptr},
          {"employees", m.employees},
          {"maximum_severity", m.maximum ? nlohmann::ordered_json(std::string(
                                               event02::SeverityCode(*m.maximum)))
                                         : nullptr},
          {"rejected_document_ids", m.rejected_document_ids},
          {"pulls", pulls}};
}

}  // namespace

std::string StatsToJson(const SimulatorStats& stats) {
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  for (const MessageReport& m : stats.messages) messages.push_back(MessageJson(m));
  return nlohmann::ordered_json{{"pushes", stats.pushes},
                                {"duplicate_pushes", stats.duplicate_pushes},
                                {"refused_pushes", stats.refused_pushes},
                                {"pulls", stats.pulls},
                                {"early_pulls", stats.early_pulls},
                                {"clntcomm_lists", stats.clntcomm_lists},
                                {"clntcomm_gets", stats.clntcomm_gets},
                                {"clntcomm_bulk", stats.clntcomm_bulk},
                                {"clntcomm_documents", stats.clntcomm_documents},
                                {"clntcomm_refused", stats.clntcomm_refused},
                                {"messages", messages}}
      .dump(2);
}

std::string MessageToJson(const MessageReport& message) { return MessageJson(message).dump(2); }

std::string FaultsToJson(const FaultModes& f) {
  return nlohmann::ordered_json{{"unavailable", f.unavailable},
                                {"refuse_connections", f.refuse_connections},
                                {"hang", f.hang},
                                {"lose_receipts", f.lose_receipts},
                                {"hold_receipts", f.hold_receipts},
                                {"slow_factor", f.slow_factor},
                                {"system_error_rate", f.system_error_rate}}
      .dump(2);
}

absl::Status MergeFaultsJson(const std::string& text, FaultModes& f) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("fault modes must be a JSON object");
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    if ((key == "unavailable" || key == "refuse_connections" || key == "hang" ||
         key == "hold_receipts") &&
        !v.is_boolean()) {
      return absl::InvalidArgumentError(absl::StrCat(key, " must be true or false"));
    }
    if (key == "unavailable") {
      f.unavailable = v.get<bool>();
    } else if (key == "refuse_connections") {
      f.refuse_connections = v.get<bool>();
    } else if (key == "hang") {
      f.hang = v.get<bool>();
    } else if (key == "lose_receipts") {
      if (!v.is_number_integer() || v.get<int>() < 0) {
        return absl::InvalidArgumentError("lose_receipts must be a whole number >= 0");
      }
      f.lose_receipts = v.get<int>();
    } else if (key == "hold_receipts") {
      f.hold_receipts = v.get<bool>();
    } else if (key == "slow_factor") {
      if (!v.is_number() || v.get<double>() <= 0) {
        return absl::InvalidArgumentError("slow_factor must be a number > 0");
      }
      f.slow_factor = v.get<double>();
    } else if (key == "system_error_rate") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
        return absl::InvalidArgumentError("system_error_rate must be between 0 and 1");
      }
      f.system_error_rate = v.get<double>();
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown fault mode '", key, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace sbrgate::sim
