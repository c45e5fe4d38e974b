// SbrClient: the ebMS3 conversation with SBR2 for one message at a time:
// push a lodgment and check its technical receipt, pull for its business
// response. Stateless between calls, so the pipeline's stages own retries,
// schedules and state.
//
//   auto client = SbrClient::Create(config, &clock);
//   absl::StatusOr<PushOutcome> pushed = (*client)->Push(lodgment);
//   if (IsTransient(pushed.status())) -> resend later, same MessageId (transient.h)
//   else if (pushed->receipt) -> receipted: start the poll schedule
//   else -> pushed->errors: an ebMS error (never resend blindly)
//
//   absl::StatusOr<PullOutcome> pulled = (*client)->Pull(message_id);
//   switch (pulled->kind) { kNothingYet: poll again later; kResponse: triage
//   pulled->response (event.02 XML); kError: pulled->errors }
//
// A receipt counts only if it names our MessageId and its
// NonRepudiationInformation echoes every digest we signed: anything else
// means SBR did not get what we sent, reported as DataLoss (resend).
//
// A pull response counts only if its signature verifies against the agency
// trust anchor (ClientConfig::agency_ca_file, required: an unsigned or
// otherwise signed response is Unauthenticated), it answers the MessageId
// pulled for (DataLoss naming both otherwise), and its document decompresses
// to at most ClientConfig::max_response_bytes (ResourceExhausted otherwise,
// and nothing of it is kept).
#ifndef SBRGATE_PIPELINE_SBR_CLIENT_SBR_CLIENT_H_
#define SBRGATE_PIPELINE_SBR_CLIENT_SBR_CLIENT_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/stored_bytes.h"
#include "pipeline/sbr/client/https_transport.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sbr/wssec/reference.h"
#include "pipeline/sbr/wssec/verifier.h"

namespace sbrgate::sbr_client {

// What the software registration with the ATO says (MessageProperties).
struct SoftwareIdentity {
  std::string product_id = "sbrgate";
  std::string vendor = "sbrgate";
  std::string name = "sbrgate";
  std::string version = "1.0";
};

struct ClientConfig {
  // The SBR2 base URL; the interaction-pattern paths are appended
  // ("/BulkBatch-async-push", "/BulkBatch-async-pull", "/Single-sync").
  std::string base_url;
  TlsConfig tls;
  std::string credential_cert;  // machine credential that signs messages
  std::string credential_key;
  // CA that signs the agency's pull responses (required: every response
  // carrying a business document is verified against it).
  std::string agency_ca_file;
  std::string message_id_domain = "sbrgate.local";
  SoftwareIdentity software;
  std::string spool_dir;  // responses land here
  absl::Duration connect_timeout = absl::Seconds(30);
  absl::Duration push_timeout = absl::Hours(12);  // a 2.5 GB upload can take hours
  absl::Duration pull_timeout = absl::Minutes(30);
  absl::Duration single_timeout = absl::Minutes(2);
  // The most a pull response's document may decompress to: a decompression
  // bomb fails here instead of filling the disk.
  uint64_t max_response_bytes = kMaxBusinessDocumentBytes;
};

struct LodgmentPush {
  std::string message_id;  // stable across resends
  // The MessageInfo timestamp, also stable across resends: a resend is the
  // same message, so its signed digests, which SBR's receipt for the first
  // delivery echoes, come out the same. Unset: the clock's now.
  absl::Time timestamp = absl::InfinitePast();
  std::string conversation_id;
  ebms::Party from;
  std::string service = ebms::kServicePayevnt;
  std::string action = ebms::kActionPayevntSubmit;
  StoredBytes payload_gzip;  // the gzip-compressed business document
  std::string document_name = "PAYEVNT";
  std::string document_type = "PAYEVNT";
  // Not owned; when set and it turns true, the push in progress ends,
  // Unavailable (HttpRequest::given_up): its caller gave it up.
  const std::atomic<bool>* given_up = nullptr;
};

struct PushOutcome {
  int http_status = 0;
  std::optional<ebms::Receipt> receipt;  // set: receipted
  std::vector<ebms::Error> errors;       // set: SBR refused the message
  std::vector<wssec::Digest> sent_digests;
};

struct PullOutcome {
  enum class Kind { kNothingYet, kResponse, kError };
  Kind kind = Kind::kError;
  int http_status = 0;
  std::vector<ebms::Error> errors;
  ebms::UserMessage response_message;
  // The event.02 document, decompressed: in memory up to 1 MiB, else a
  // working file in ClientConfig::spool_dir for the caller to move or remove.
  StoredBytes response;
};

// A Single-sync request (the single request processor): the business
// request travels in the signed SOAP Body and the agency answers at once,
// its response in the Body (CLNTCOMM quick list and single get).
struct SingleRequest {
  std::string message_id;
  ebms::Party from;
  std::string service;
  std::string action;
  std::string conversation_id;
  std::string body_xml;
};

struct SingleOutcome {
  int http_status = 0;
  std::vector<ebms::Error> errors;  // set: SBR refused the message
  ebms::UserMessage response_message;
  std::string body_xml;  // the business response (errors empty)
};

// What the pipeline's stages need of SBR; SbrClient is the real one, and
// stage unit tests use fakes of it.
class SbrApi {
 public:
  virtual ~SbrApi() = default;
  virtual absl::StatusOr<PushOutcome> Push(const LodgmentPush& lodgment) const = 0;
  virtual absl::StatusOr<PullOutcome> Pull(const std::string& ref_to_message_id) const = 0;
  // For a process that is stopping: exchanges in progress end within about
  // a second, and later ones at once, Unavailable (HttpsTransport::CancelAll).
  virtual void CancelExchanges() const = 0;
};

// The single request processor; SbrClient is the real one.
class SingleSyncApi {
 public:
  virtual ~SingleSyncApi() = default;
  // Transport failures are errors (Unavailable, DeadlineExceeded: send again
  // later); an ebMS refusal is an outcome with `errors`. A response that does
  // not answer `request.message_id` is DataLoss.
  virtual absl::StatusOr<SingleOutcome> Exchange(const SingleRequest& request) const = 0;
};

class SbrClient : public SbrApi, public SingleSyncApi {
 public:
  static absl::StatusOr<std::unique_ptr<SbrClient>> Create(ClientConfig config,
                                                           const Clock* clock);

  absl::StatusOr<PushOutcome> Push(const LodgmentPush& lodgment) const override;
  // The signed message Push sends for `lodgment`, its body unread: what
  // packaging costs apart from the network (bench/package_bench).
  absl::StatusOr<ebms_package::OutboundMessage> PackagePush(const LodgmentPush& lodgment) const;
  absl::StatusOr<PullOutcome> Pull(const std::string& ref_to_message_id) const override;
  absl::StatusOr<SingleOutcome> Exchange(const SingleRequest& request) const override;
  void CancelExchanges() const override { transport_.CancelAll(); }

 private:
  // The exchanges themselves; the public calls add their metrics.
  absl::StatusOr<PushOutcome> PushOnce(const LodgmentPush& lodgment) const;
  absl::StatusOr<PullOutcome> PullOnce(const std::string& ref_to_message_id) const;
  absl::StatusOr<SingleOutcome> ExchangeOnce(const SingleRequest& request) const;

  SbrClient(ClientConfig config, const Clock* clock, wssec::Credential credential,
            wssec::Verifier agency_verifier)
      : config_(std::move(config)),
        clock_(clock),
        transport_(config_.tls),
        credential_(std::move(credential)),
        agency_verifier_(std::move(agency_verifier)) {}

  ClientConfig config_;
  const Clock* clock_;
  HttpsTransport transport_;
  wssec::Credential credential_;
  wssec::Verifier agency_verifier_;
};

// Checks that `receipt` acknowledges `message_id` and echoes every digest in
// `sent`; DataLoss naming the first difference otherwise.
absl::Status CheckReceipt(const ebms::Receipt& receipt, const std::string& message_id,
                          const std::vector<wssec::Digest>& sent);

}  // namespace sbrgate::sbr_client

#endif  // SBRGATE_PIPELINE_SBR_CLIENT_SBR_CLIENT_H_
