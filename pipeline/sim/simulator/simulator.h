// Simulator: an SBR2 stand-in that speaks ebMS3 over HTTPS, for tests, the
// demo and DSPs' own conformance work. It behaves as the ATO documents
// (seed 002 and shared/reference/sbr-profile.md):
//
//   - mutual TLS: only clients with a certificate from the trusted CA connect;
//   - every message must be WS-Security signed by a trusted credential;
//     unsigned, tampered or untrusted messages get EBMS:0101 and are dropped;
//   - push (BulkBatch-async-push): a synchronous Receipt whose
//     NonRepudiationInformation echoes the digests of what arrived; the same
//     MessageId again gets the original receipt and is never processed twice;
//   - processing after a delay that grows with the lodgment's size (see
//     lodgment_processor.h for the rules), then an event.02 response;
//   - TFN matching failures (a valid payee record whose TFN the ATO holds
//     under another name) are no rejections: as seed 002 has it, they are
//     posted against the employer, as one communication per lodgment in the
//     CLNTCOMM corpus for the payer's ABN (or WPN) client, titled "Payroll
//     event: TFN matching failures", listing each record with its TFN masked
//     and the MessageId (MatchingFailureNotice). Only agents linked to the
//     employer at client level see it;
//   - pull (BulkBatch-async-pull) by reference: EBMS:0006 until the response
//     exists, then the response, signed by the agency. Every pull is
//     recorded, and pulls earlier than the STP schedule allows are counted;
//   - fault modes switchable at run time: unavailable (503), refused
//     connections, hanging requests, receipts lost or held after processing,
//     slow processing, a SystemError rate.
//   - client communications (CLNTCOMM, seed 000) from a seeded corpus
//     (clntcomm_corpus.h), served as clntcomm_serve.h and
//     pipeline/clntcomm/wire/wire.h describe: single list and get
//     on Single-sync (request and response in the SOAP Body), bulk list and
//     get through the same push and pull as PAYEVNT (Service
//     http://sbr.gov.au/ato/clntcomm/2020 on BulkBatch-async-push; the
//     response is ready processing_base after the push).
//   - ICS client registration (CLREG, seed 004) on Single-sync, against the
//     agency's ICS register (ics_register.h): a CCID created or an ABN
//     registered, answered with a CLRREGR (in an ERM) or a CLNTDUP, as
//     pipeline/clients/ics/wire/wire.h describes.
//   - client relationships (CUREL) and demographics (CUDEMOGR, seed 001) on
//     Single-sync, against the CLNTCOMM corpus's clients and relationships
//     (curel_single_sync.h; demographics_register.h: one Single-sync service
//     per CUDEMOGR Service, pipeline/clients/demographics/catalog.h).
//
// What the agency received survives a restart on the same data_dir (kept in
// <data_dir>/state, see sim_state_store.h, and saved before the request that
// changed it is answered): every pushed message with its receipt, report,
// pulls and response, the counters, the CLNTCOMM corpus with the
// correspondence posted into it, the ICS register and the demographics
// agents changed. So after a restart a pull gets its response, a duplicate
// push its original receipt, and messages that were queued or being
// processed are processed. The fault modes are not kept: a simulator starts
// without any.
//
// An admin endpoint (plain HTTP, loopback) reports and switches all of this:
//   GET  /admin/stats            counters and every message, as JSON
//   GET  /admin/messages/ID      one message
//   GET  /admin/faults, POST /admin/faults  {"unavailable": true, ...}
//   POST /admin/clntcomm/seed    seeds communications (JSON: one object or an
//                                array, see clntcomm_corpus.h), e.g.
//     {"agent_abn": "51824753556", "ran": "12345678",
//      "client": {"type": "TFN", "value": "123456782"}, "name": "Alex Citizen",
//      "count": 150, "level": "account", "accounts": ["AS:001"], "seed": 7}
//     answers {"seeded": [{"client": "TFN:123456782", "name": ..., "added": 150}],
//              "communications": <corpus size>}
//   POST /admin/ics/seed         seeds the ICS register (JSON, see ics_register.h)
//                                and answers the records it added or replaced
//   GET  /admin/ics              the ICS register: abns, clients, registrants
//
//   auto sim = Simulator::Start(config, &clock);
//   sbr_client config: base_url = (*sim)->base_url();
//   (*sim)->SetFaults({.unavailable = true});
//   (*sim)->clntcomm().SeedClient(seed);   // or SeedClntcommJson(json)
//   (*sim)->SeedIcsJson(json);              // or ics().Seed(seed)
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/sbr/event02/event02.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"
#include "pipeline/sim/simulator/ics_register.h"

namespace sbrgate::sim {

struct SimulatorConfig {
  std::string host = "127.0.0.1";
  int port = 0;        // 0: any free port
  int admin_port = 0;  // plain HTTP on `host`; 0: any free port; -1: none
  std::string server_cert;  // TLS server certificate, also signs pull responses
  std::string server_key;
  std::string client_ca;  // trusted for mTLS and WS-Security
  // Spooled requests, payloads, responses and the saved state; a simulator
  // started on the data_dir of an earlier one goes on where it stopped.
  std::string data_dir;
  // Processing takes base + per_employee * employees (times the slow factor).
  absl::Duration processing_base = absl::Seconds(45);
  absl::Duration processing_per_employee = absl::Milliseconds(20);
  int processing_threads = 8;  // 0: pushes are received and queued, never processed
  // How long a request may hang in the "hang" fault mode, in real time.
  absl::Duration max_hang = absl::Minutes(10);
  // HTTPS worker threads. cpp-httplib holds a thread for each connection
  // while it is open, kept alive or not, so this is how many connections
  // clients may have open at once (sbrgate's transport keeps up to 64 idle
  // ones); a further connection waits until one closes.
  int https_threads = 64;
  // Requests one connection may carry before the simulator closes it.
  int keep_alive_requests = 10000;
  // How long an idle connection stays open (whole seconds). Stopping the
  // listener (a stop, or refuse_connections) waits up to this long for the
  // connections clients keep idle.
  absl::Duration keep_alive_timeout = absl::Seconds(5);
};

struct FaultModes {
  bool unavailable = false;      // every request: HTTP 503
  bool refuse_connections = false;  // the listener is closed
  bool hang = false;             // requests block until the mode is cleared
  int lose_receipts = 0;         // the next N pushes are processed, but answered 502
  // Pushes are processed, but their receipts wait until this is cleared (or
  // max_hang passes): a sender that dies meanwhile never records the receipt.
  bool hold_receipts = false;
  // The same for pushes whose payload is over this many bytes (0: none),
  // until it is cleared or raised past theirs: a large upload that takes
  // long, while smaller ones go through.
  int64_t hold_receipts_over_bytes = 0;
  double slow_factor = 1.0;      // multiplies the processing delay
  double system_error_rate = 0;  // share of lodgments answered SystemError
};

struct PullRecord {
  absl::Time at;
  std::string result;  // "nothing-yet", "response", "refused"
  bool early = false;
};

struct MessageReport {
  std::string message_id;
  std::string service;
  std::string action;
  std::string from_party;
  std::string from_party_type;  // e.g. http://ato.gov.au/PartyIdType/WPN
  absl::Time received_at;
  int process_count = 0;  // how often processing started: 1 proves duplicate elimination
  // Of those starts, the ones that never finished because the simulator
  // stopped first (it processes the message again when it starts), so
  // process_count - interrupted_count == 1 proves it with restarts too.
  int interrupted_count = 0;
  int receipts_sent = 0;
  bool processed = false;
  absl::Time ready_at = absl::InfiniteFuture();
  int64_t employees = 0;
  std::optional<event02::Severity> maximum;
  std::vector<std::string> rejected_document_ids;
  std::vector<PullRecord> pulls;
};

struct SimulatorStats {
  int64_t pushes = 0;             // push requests that reached the handler
  int64_t duplicate_pushes = 0;   // answered with an earlier receipt
  int64_t refused_pushes = 0;     // answered with an ebMS error
  int64_t pulls = 0;
  int64_t early_pulls = 0;        // pay event pulls the STP polling schedule does not allow yet
  // CLNTCOMM requests that reached the agency, single (Single-sync) and bulk
  // (counted when processed); a client that serves a repeat from its own
  // store leaves them unchanged.
  int64_t clntcomm_lists = 0;
  int64_t clntcomm_gets = 0;
  int64_t clntcomm_bulk = 0;       // of those, bulk requests
  int64_t clntcomm_documents = 0;  // documents sent, single and bulk
  int64_t clntcomm_refused = 0;    // answered with a cc:Error
  // ICS client registrations answered (Single-sync), by outcome.
  int64_t ics_requests = 0;
  int64_t ics_registered = 0;
  int64_t ics_rejected = 0;
  int64_t ics_duplicates = 0;
  // Client demographics (CUDEMOGR) and client relationship (CUREL)
  // requests answered (Single-sync), and of those refused (an Error answer,
  // fault mode included).
  int64_t demographics_requests = 0;
  int64_t demographics_refused = 0;
  int64_t relationships_requests = 0;
  int64_t relationships_refused = 0;
  std::vector<MessageReport> messages;  // in arrival order
};

class Simulator {
 public:
  static absl::StatusOr<std::unique_ptr<Simulator>> Start(SimulatorConfig config, Clock* clock);
  ~Simulator();

  int port() const;
  int admin_port() const;
  std::string base_url() const;  // https://host:port/services

  void SetFaults(const FaultModes& faults);
  FaultModes faults() const;
  SimulatorStats Stats() const;
  std::optional<MessageReport> Message(const std::string& message_id) const;

  // The client communications the agency holds; seed it directly or with
  // SeedClntcommJson (the admin endpoint's and --seed-clntcomm's format).
  ClntcommCorpus& clntcomm();
  absl::StatusOr<std::vector<SeedResult>> SeedClntcommJson(const std::string& json);

  // The ICS client register; seed it directly or with SeedIcsJson (the
  // admin endpoint's format), which returns the records added or replaced.
  IcsRegister& ics();
  absl::StatusOr<state::IcsChange> SeedIcsJson(const std::string& json);

  // Seed files, as a program's flags name them (an empty path: none).
  struct SeedFiles {
    std::string clntcomm;  // SeedClntcommJson's format
    std::string ics;       // SeedIcsJson's format
  };
  // Seeds the agency from `files`, at a start: an error names the file's
  // flag (`flag_prefix` followed by "clntcomm" or "ics", e.g. --seed-ics),
  // the file and what is wrong in it.
  absl::Status SeedFromFiles(const SeedFiles& files, absl::string_view flag_prefix);

  // Blocks until every received lodgment has been processed (tests; never
  // returns with queued lodgments and no processing_threads).
  void WaitUntilIdle() const;

  class Impl;

 private:
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The JSON the admin endpoint serves.
std::string StatsToJson(const SimulatorStats& stats);
std::string MessageToJson(const MessageReport& message);
// Applies the fields present in `json` to `faults`.
absl::Status MergeFaultsJson(const std::string& json, FaultModes& faults);
std::string FaultsToJson(const FaultModes& faults);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_H_
