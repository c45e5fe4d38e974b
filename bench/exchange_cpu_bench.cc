// exchange_cpu_bench: the CPU each step of one small lodgment's exchanges
// with SBR costs on one thread, both sides, without the network, the runners
// or the log: what e2e_throughput.sh's CPU per lodgment is made of where it
// is about ebMS messages. Per step, the mean thread CPU time over --rounds
// rounds (after a warm-up) in microseconds:
//
//   push: sign      sbrgate packages and signs the push (PackageMessage)
//   push: receive   the simulator reads and verifies it (ReadPackagedMessage)
//   process         the simulator processes the pay event (ProcessPayEvent)
//   pull: sign      sbrgate packages and signs a pull request
//   pull: receive   the simulator reads and verifies it
//   response: sign     the simulator packages and signs the business response
//   response: receive  sbrgate reads and verifies it
//
// Bodies travel through memory; attachments are spooled as scratch files.
// The credentials are a throw-away development PKI.
//
//   bazel run -c opt //bench:exchange_cpu_bench -- --employees=10 --rounds=500
//
// Reports figures; it passes or fails nothing.

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/elapsed.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/stored_bytes.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sbr/wssec/verifier.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/sim/simulator/lodgment_processor.h"
#include "pipeline/stp/payevnt/generator.h"

ABSL_FLAG(int64_t, employees, 10, "employee records in the generated pay event");
ABSL_FLAG(int, rounds, 500, "rounds measured (after as many warm-up rounds, at most 50)");
ABSL_FLAG(std::string, work_dir, "/tmp/sbrgate-exchange-cpu-bench", "scratch directory");

namespace sbrgate {
namespace {

int Fail(const absl::Status& s, const char* what) {
  std::fprintf(stderr, "exchange_cpu_bench: %s: %s\n", what, std::string(s.message()).c_str());
  return 1;
}

// The body of `out` as the transport would send it.
absl::StatusOr<std::string> BodyOf(ebms_package::OutboundMessage& out) {
  StringSink sink;
  if (absl::StatusOr<uint64_t> n = Pump(*out.body, sink); !n.ok()) return n.status();
  return std::move(sink.mutable_data());
}

absl::StatusOr<ebms_package::InboundMessage> Receive(ebms_package::OutboundMessage& out,
                                                     const std::string& spool,
                                                     const wssec::Verifier& verifier) {
  absl::StatusOr<std::string> body = BodyOf(out);
  if (!body.ok()) return body.status();
  StringSource source(*std::move(body));
  return ebms_package::ReadPackagedMessage(
      out.content_type, source, spool, &verifier, ebms_package::RequireSignature::kYes,
      ebms_package::AttachmentSpooling{FileDurability::kScratch});
}

ebms::Envelope PushEnvelope(const std::string& message_id, const std::string& content_id) {
  ebms::Envelope envelope;
  ebms::UserMessage& m = envelope.messaging.user_messages.emplace_back();
  m.message_id = message_id;
  m.timestamp = absl::Now();
  m.from = {"51824753556", ebms::kPartyTypeAbn, ebms::kRoleBusiness};
  m.to = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
  m.service = ebms::kServicePayevnt;
  m.action = ebms::kActionPayevntSubmit;
  m.conversation_id = message_id;
  m.message_properties = {{ebms::kPropertyProductId, "bench"},
                          {ebms::kPropertyBmsVendor, "bench"},
                          {ebms::kPropertyBmsName, "bench"},
                          {ebms::kPropertyBmsVersion, "1"}};
  m.parts.push_back({absl::StrCat("cid:", content_id),
                     {{ebms::kPartPropertyCompressionType, "application/gzip"},
                      {ebms::kPartPropertyMimeType, "text/xml"},
                      {ebms::kPartPropertyDocumentName, "PAYEVNT"},
                      {ebms::kPartPropertyDocumentType, "PARENT"}}});
  return envelope;
}

struct Step {
  const char* name;
  double total_micros = 0;
};

int Run() {
  const std::string dir = absl::GetFlag(FLAGS_work_dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/spool");
  absl::StatusOr<pki::DevPki> dev_pki = pki::MakeDevPki(dir + "/pki");
  if (!dev_pki.ok()) return Fail(dev_pki.status(), "dev PKI");
  absl::StatusOr<wssec::Credential> dsp =
      wssec::Credential::Load(dev_pki->client_cert, dev_pki->client_key);
  if (!dsp.ok()) return Fail(dsp.status(), "DSP credential");
  absl::StatusOr<wssec::Credential> agency =
      wssec::Credential::Load(dev_pki->server_cert, dev_pki->server_key);
  if (!agency.ok()) return Fail(agency.status(), "agency credential");
  absl::StatusOr<wssec::Verifier> verifier = wssec::Verifier::Create(dev_pki->ca_cert);
  if (!verifier.ok()) return Fail(verifier.status(), "verifier");

  const std::string payload = dir + "/payload.xml.gz";
  {
    payevnt::GeneratorOptions g;
    g.employees = absl::GetFlag(FLAGS_employees);
    g.message_timestamp = absl::Now();
    g.payer_abn = "51824753556";
    absl::StatusOr<std::unique_ptr<FileSink>> file = FileSink::Create(payload);
    if (!file.ok()) return Fail(file.status(), "payload");
    GzipSink gz(*std::move(file));
    if (auto made = payevnt::GenerateLodgment(g, gz); !made.ok()) {
      return Fail(made.status(), "generate");
    }
    if (absl::Status s = gz.Close(); !s.ok()) return Fail(s, "payload");
  }
  const std::string response = dir + "/response.xml.gz";

  std::vector<Step> steps = {{"push: sign"},       {"push: receive"}, {"process"},
                             {"pull: sign"},       {"pull: receive"}, {"response: sign"},
                             {"response: receive"}};
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int warm_up = std::min(rounds, 50);
  for (int round = 0; round < warm_up + rounds; ++round) {
    const bool measured = round >= warm_up;
    size_t step = 0;
    double t = bench::ThreadCpuMicros();
    auto lap = [&] {
      const double now = bench::ThreadCpuMicros();
      if (measured) steps[step].total_micros += now - t;
      ++step;
      t = bench::ThreadCpuMicros();
    };
    const std::string message_id = absl::StrCat("bench-", round, "@sbrgate.local");
    const std::string content_id = absl::StrCat("payload-", message_id);

    absl::StatusOr<ebms_package::OutboundMessage> push = ebms_package::PackageMessage(
        PushEnvelope(message_id, content_id), &*dsp,
        {{content_id, "application/gzip", StoredBytes::File(payload)}});
    if (!push.ok()) return Fail(push.status(), "push: sign");
    lap();
    absl::StatusOr<ebms_package::InboundMessage> pushed = Receive(*push, dir + "/spool", *verifier);
    if (!pushed.ok()) return Fail(pushed.status(), "push: receive");
    lap();

    {
      absl::StatusOr<std::unique_ptr<FileSink>> file =
          FileSink::Create(response, FileDurability::kScratch);
      if (!file.ok()) return Fail(file.status(), "response file");
      GzipSink gz(*std::move(file));
      sim::ProcessingOptions options;
      options.sender = pushed->envelope.messaging.user_messages.front().from;
      absl::StatusOr<sim::ProcessingOutcome> outcome =
          sim::ProcessPayEvent(pushed->attachments.front().content, gz, dir + "/items", options);
      if (!outcome.ok()) return Fail(outcome.status(), "process");
      if (outcome->maximum != event02::Severity::kInformation) {
        return Fail(absl::InternalError("the generated pay event was not accepted"), "process");
      }
      if (absl::Status s = gz.Close(); !s.ok()) return Fail(s, "response file");
    }
    ebms_package::RemoveSpooledAttachments(*pushed);
    lap();

    ebms::Envelope pull_envelope;
    pull_envelope.messaging.pull_requests.push_back(
        {absl::StrCat("pull-", message_id), absl::Now(), "", message_id});
    absl::StatusOr<ebms_package::OutboundMessage> pull =
        ebms_package::PackageMessage(pull_envelope, &*dsp, {});
    if (!pull.ok()) return Fail(pull.status(), "pull: sign");
    lap();
    absl::StatusOr<ebms_package::InboundMessage> pulled = Receive(*pull, dir + "/spool", *verifier);
    if (!pulled.ok()) return Fail(pulled.status(), "pull: receive");
    lap();

    ebms::Envelope answer;
    ebms::UserMessage& um = answer.messaging.user_messages.emplace_back();
    um.message_id = absl::StrCat("answer-", message_id);
    um.timestamp = absl::Now();
    um.ref_to_message_id = message_id;
    um.from = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
    um.to = {"51824753556", ebms::kPartyTypeAbn, ebms::kRoleBusiness};
    um.service = ebms::kServicePayevnt;
    um.action = ebms::kActionPayevntSubmit;
    um.conversation_id = message_id;
    const std::string answer_cid = absl::StrCat("response-", message_id);
    um.parts.push_back({absl::StrCat("cid:", answer_cid),
                        {{ebms::kPartPropertyCompressionType, "application/gzip"},
                         {ebms::kPartPropertyMimeType, "text/xml"},
                         {ebms::kPartPropertyDocumentName, "event.02"},
                         {ebms::kPartPropertyDocumentType, "Response"}}});
    absl::StatusOr<ebms_package::OutboundMessage> answered = ebms_package::PackageMessage(
        answer, &*agency, {{answer_cid, "application/gzip", StoredBytes::File(response)}});
    if (!answered.ok()) return Fail(answered.status(), "response: sign");
    lap();
    absl::StatusOr<ebms_package::InboundMessage> received =
        Receive(*answered, dir + "/spool", *verifier);
    if (!received.ok()) return Fail(received.status(), "response: receive");
    ebms_package::RemoveSpooledAttachments(*received);
    lap();
  }
  double total = 0;
  std::printf("%d rounds, %lld employees; thread CPU per step (us):\n", rounds,
              static_cast<long long>(absl::GetFlag(FLAGS_employees)));
  for (const Step& s : steps) {
    std::printf("  %-18s %8.1f\n", s.name, s.total_micros / rounds);
    total += s.total_micros / rounds;
  }
  std::printf("  %-18s %8.1f\n", "all", total);
  return 0;
}

}  // namespace
}  // namespace sbrgate

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return sbrgate::Run();
}
