// seed_corpus: writes the fuzz targets' seed corpora from the project's own
// generators and writers, so they start from what sbrgate and SBR really
// exchange and never go stale when a format changes:
//
//   seed_corpus OUT_DIR PKI_DIR
//
// writes OUT_DIR/<target>/<name> for each target of fuzz/BUILD.bazel, and
// signs the simulator's seeds with the development PKI in PKI_DIR (made
// there if missing; sim_request_fuzz trusts the same one). bench/fuzz.sh
// runs it before fuzzing and adds the ebMS3 interop fixtures
// (third_party/testdata/ebms3) to the envelope reader's corpus.
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "fuzz/http_input.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/mime/multipart.h"
#include "pipeline/sbr/ebms/envelope_writer.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/event02/event02.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/stp/payevnt/generator.h"

namespace sbrgate::fuzz {
namespace {

// Fixed, so the same build writes the same seeds (message ids and
// signatures aside).
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2024, 7, 1, 3, 12, 9), absl::UTCTimeZone());
constexpr char kAgentAbn[] = "51824753556";
constexpr char kRan[] = "12345678";

class SeedWriter {
 public:
  explicit SeedWriter(std::string out_dir) : out_dir_(std::move(out_dir)) {}

  void Write(const std::string& target, const std::string& name, absl::string_view bytes) {
    const std::string dir = absl::StrCat(out_dir_, "/", target);
    std::filesystem::create_directories(dir);
    Check(WriteFileDurably(absl::StrCat(dir, "/", name), bytes));
  }

  void Check(const absl::Status& status) {
    if (status.ok()) return;
    std::fprintf(stderr, "seed_corpus: %s\n", std::string(status.message()).c_str());
    failed_ = true;
  }
  bool failed() const { return failed_; }

 private:
  std::string out_dir_;
  bool failed_ = false;
};

void PayEvents(SeedWriter& out) {
  struct Variant {
    const char* name;
    payevnt::GeneratorOptions options;
  };
  std::vector<Variant> variants(4);
  variants[0].name = "wrapped-2";
  variants[0].options.employees = 2;
  variants[1].name = "bare-sequence-3";
  variants[1].options.employees = 3;
  variants[1].options.bare_sequence = true;
  variants[2].name = "invalid-tfn";
  variants[2].options.employees = 2;
  variants[2].options.invalid_tfns = 1;
  variants[3].name = "invalid-employer";
  variants[3].options.invalid_employer = true;
  for (Variant& v : variants) {
    v.options.message_timestamp = kNow;
    v.options.seed = 7;
    StringSink sink;
    absl::StatusOr<payevnt::GeneratedLodgment> g = payevnt::GenerateLodgment(v.options, sink);
    out.Check(g.status());
    out.Write("payevnt_reader_fuzz", v.name, sink.data());
  }
}

ebms::UserMessage UserMessageFor(const std::string& service, const std::string& action) {
  ebms::UserMessage m;
  m.message_id = "seed-1@sbrgate.dev";
  m.timestamp = kNow;
  m.from = {kAgentAbn, ebms::kPartyTypeAbn, ebms::kRoleRegisteredAgent};
  m.to = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
  m.service = service;
  m.action = action;
  m.conversation_id = "seed-conversation";
  m.message_properties.push_back({ebms::kPropertyProductId, "sbrgate"});
  return m;
}

ebms::Envelope PushEnvelope() {
  ebms::Envelope e;
  ebms::UserMessage m = UserMessageFor(ebms::kServicePayevnt, ebms::kActionPayevntSubmit);
  m.from.role = ebms::kRoleBusiness;
  m.parts.push_back({"cid:payload@sbrgate.dev",
                     {{ebms::kPartPropertyDocumentType, "PAYEVNT"},
                      {ebms::kPartPropertyCompressionType, "application/gzip"}}});
  e.messaging.user_messages.push_back(std::move(m));
  return e;
}

ebms::Envelope PullEnvelope() {
  ebms::Envelope e;
  ebms::PullRequest& p = e.messaging.pull_requests.emplace_back();
  p.message_id = "seed-pull@sbrgate.dev";
  p.timestamp = kNow;
  p.ref_to_message_id = "seed-1@sbrgate.dev";
  return e;
}

v1::ListCommunicationsRequest ListRequest() {
  v1::ListCommunicationsRequest r;
  r.mutable_agent()->set_agent_abn(kAgentAbn);
  r.mutable_agent()->set_ran(kRan);
  v1::ClientId* client = r.add_clients();
  client->set_type(v1::TFN);
  client->set_value("123456782");
  r.set_from_date("2024-07-01");
  r.set_to_date("2024-07-07");
  r.add_channels(v1::PAPER);
  r.add_channels(v1::SMS);
  r.add_categories(v1::NOTIFY);
  return r;
}

v1::BulkGetRequest GetRequest() {
  v1::BulkGetRequest r;
  r.mutable_agent()->set_agent_abn(kAgentAbn);
  r.mutable_agent()->set_ran(kRan);
  for (const char* id : {"CC0123456789ABCDEF", "CC00000000000000AA"}) {
    v1::GetCommunicationRequest* d = r.add_documents();
    d->set_document_id(id);
    d->mutable_client()->set_type(v1::TFN);
    d->mutable_client()->set_value("123456782");
  }
  return r;
}

// The envelope as text; a failure to write it is recorded in `out`.
std::string EnvelopeText(SeedWriter& out, const ebms::Envelope& envelope) {
  absl::StatusOr<std::string> xml = ebms::WriteEnvelope(envelope);
  out.Check(xml.status());
  return xml.ok() ? *std::move(xml) : "";
}

void Envelopes(SeedWriter& out) {
  out.Write("envelope_reader_fuzz", "push", EnvelopeText(out, PushEnvelope()));
  out.Write("envelope_reader_fuzz", "pull", EnvelopeText(out, PullEnvelope()));

  ebms::Envelope receipt;
  ebms::Receipt& r = receipt.messaging.receipts.emplace_back();
  r.message_id = "seed-receipt@ato.gov.au";
  r.timestamp = kNow;
  r.ref_to_message_id = "seed-1@sbrgate.dev";
  r.references.push_back({"cid:payload@sbrgate.dev", "http://www.w3.org/2001/04/xmlenc#sha256",
                          "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="});
  out.Write("envelope_reader_fuzz", "receipt", EnvelopeText(out, receipt));

  ebms::Envelope error;
  error.soap_version = ebms::SoapVersion::kSoap11;
  ebms::ErrorSignal& signal = error.messaging.errors.emplace_back();
  signal.message_id = "seed-error@ato.gov.au";
  signal.timestamp = kNow;
  signal.ref_to_message_id = "seed-pull@sbrgate.dev";
  signal.errors.push_back(ebms::MakeError(ebms::kErrorEmptyMessagePartitionChannel,
                                          "seed-pull@sbrgate.dev", "nothing to pull yet"));
  out.Write("envelope_reader_fuzz", "error-soap11", EnvelopeText(out, error));

  ebms::Envelope single;
  single.messaging.user_messages.push_back(
      UserMessageFor(ebms::kServiceClntcomm, ebms::kActionClntcommList));
  single.body_xml = clntcomm::WriteListRequest(ListRequest());
  out.Write("envelope_reader_fuzz", "single-sync-list", EnvelopeText(out, single));
}

void Multiparts(SeedWriter& out, const std::string& scratch) {
  const std::string attachment_path = scratch + "/attachment";
  out.Check(WriteFileDurably(attachment_path, "a small attachment\r\n--not-the-boundary\r\n"));
  absl::StatusOr<mime::Attachment> attachment =
      mime::Attachment::FromFile("payload@sbrgate.dev", "application/gzip", attachment_path);
  out.Check(attachment.status());
  if (!attachment.ok()) return;
  std::vector<mime::Attachment> attachments;
  attachments.push_back(*std::move(attachment));
  mime::MultipartWriter writer({"soap@sbrgate.dev", EnvelopeText(out, PushEnvelope())},
                               std::move(attachments), {.boundary = "seed-boundary"});
  StringSink body;
  out.Check(writer.WriteTo(body).status());
  out.Write("multipart_reader_fuzz", "push",
            JoinHttpInput(writer.content_type_header(), body.data()));
  out.Write(
      "multipart_reader_fuzz", "plain-soap",
      JoinHttpInput("application/soap+xml; charset=UTF-8", EnvelopeText(out, PullEnvelope())));
}

void BusinessResponses(SeedWriter& out) {
  StringSink sink;
  event02::ResponseWriter w(sink);
  out.Check(w.Begin(event02::Severity::kPartial));
  event02::EventItem item;
  item.error_code = "CMN.ATO.PAYEVNTEMP.EM92";
  item.short_description = "Payee TFN is invalid";
  item.detailed_description = "The TFN {TFN} of payee {Name} fails the check digit";
  item.parameters = {{"TFN", "123456789"}, {"Name", "O'Brien-Núñez"}};
  item.locations = {{"1.3", "/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId"}};
  out.Check(w.Add(item));
  event02::EventItem warning;
  warning.error_code = "CMN.ATO.GEN.W001";
  warning.severity = "Warning";
  warning.short_description = "Check the pay period";
  out.Check(w.Add(warning));
  out.Check(w.Finish());
  out.Write("event02_reader_fuzz", "partial", sink.data());

  StringSink accepted;
  event02::ResponseWriter a(accepted);
  out.Check(a.Begin(event02::Severity::kInformation));
  out.Check(a.Finish());
  out.Write("event02_reader_fuzz", "information", accepted.data());
}

clntcomm::Document SampleDocument() {
  clntcomm::Document d;
  v1::CommunicationItem& i = d.item;
  i.set_document_id("CC0123456789ABCDEF");
  i.mutable_client()->set_type(v1::TFN);
  i.mutable_client()->set_value("123456782");
  i.set_client_name("Alex & \"Sam\" Citizen");
  i.set_channel(v1::SMS);
  i.set_category(v1::NOTIFY);
  i.set_title("Notice of assessment");
  i.set_account("AS:001");
  i.mutable_sent_at()->set_seconds(absl::ToUnixSeconds(kNow));
  d.mime_type = "text/plain";
  d.content = "Your notice of assessment is ready.";
  return d;
}

void ClntcommWire(SeedWriter& out) {
  const char* target = "clntcomm_wire_fuzz";
  out.Write(target, "list-request", clntcomm::WriteListRequest(ListRequest()));
  out.Write(target, "get-request", clntcomm::WriteGetRequest(GetRequest()));

  v1::ListCommunicationsResponse page;
  *page.add_items() = SampleDocument().item;
  page.set_more_results(true);
  StringSink list;
  out.Check(clntcomm::WriteListResponse(page, list));
  out.Write(target, "list-response", list.data());

  StringSink get;
  clntcomm::GetResponseWriter writer(get);
  out.Check(writer.AddDocument(SampleDocument()));
  out.Check(writer.AddFailure(GetRequest().documents(1),
                              absl::NotFoundError("no such communication")));
  out.Check(writer.Finish());
  out.Write(target, "get-response", get.data());

  StringSink error;
  out.Check(clntcomm::WriteErrorResponse(absl::PermissionDeniedError("not the agent's client"),
                                         "SBR.GEN.AUTH.006", error));
  out.Write(target, "error-response", error.data());
}

// Packaged as the SBR client sends them to the simulator.
void SimulatorRequests(SeedWriter& out, const std::string& scratch, const std::string& pki_dir) {
  absl::StatusOr<pki::DevPki> pki = pki::OpenOrMakeDevPki(pki_dir);
  out.Check(pki.status());
  if (!pki.ok()) return;
  absl::StatusOr<wssec::Credential> credential =
      wssec::Credential::Load(pki->client_cert, pki->client_key);
  out.Check(credential.status());
  if (!credential.ok()) return;

  const std::string payload = scratch + "/payload.xml.gz";
  out.Check(WriteFileDurably(payload, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x03\x00"
                                      "\x00\x00\x00\x00\x00\x00\x00\x00"));
  ebms::Envelope single_sync;
  single_sync.messaging.user_messages.push_back(
      UserMessageFor(ebms::kServiceClntcomm, ebms::kActionClntcommGet));
  single_sync.body_xml = clntcomm::WriteGetRequest(GetRequest());
  struct Request {
    const char* name;
    ebms::Envelope envelope;
    const wssec::Credential* credential;
    std::vector<ebms_package::Attachment> attachments;
  };
  const std::vector<ebms_package::Attachment> payload_part = {
      {"payload@sbrgate.dev", "application/gzip", StoredBytes::File(payload)}};
  const std::vector<Request> requests = {
      {"push-signed", PushEnvelope(), &*credential, payload_part},
      {"push-unsigned", PushEnvelope(), nullptr, payload_part},
      {"pull-signed", PullEnvelope(), &*credential, {}},
      {"single-sync-get-signed", single_sync, &*credential, {}},
  };
  for (const Request& r : requests) {
    absl::StatusOr<ebms_package::OutboundMessage> message =
        ebms_package::PackageMessage(r.envelope, r.credential, r.attachments);
    out.Check(message.status());
    if (!message.ok()) continue;
    StringSink body;
    out.Check(Pump(*message->body, body).status());
    out.Write("sim_request_fuzz", r.name, JoinHttpInput(message->content_type, body.data()));
  }
}

}  // namespace
}  // namespace sbrgate::fuzz

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: seed_corpus OUT_DIR PKI_DIR\n");
    return 2;
  }
  const std::string out_dir = argv[1];
  const std::string scratch = out_dir + "/.scratch";
  std::filesystem::create_directories(scratch);
  sbrgate::fuzz::SeedWriter out(out_dir);
  sbrgate::fuzz::PayEvents(out);
  sbrgate::fuzz::Envelopes(out);
  sbrgate::fuzz::Multiparts(out, scratch);
  sbrgate::fuzz::BusinessResponses(out);
  sbrgate::fuzz::ClntcommWire(out);
  sbrgate::fuzz::SimulatorRequests(out, scratch, argv[2]);
  std::filesystem::remove_all(scratch);
  return out.failed() ? 1 : 0;
}
