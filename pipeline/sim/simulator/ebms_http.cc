#include "pipeline/sim/simulator/ebms_http.h"

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/spill_buffer.h"
#include "pipeline/sbr/ebms/envelope_writer.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::sim {
namespace {

// Request bodies up to this size (every pull, most pushes) are read from
// memory; larger ones from a scratch file.
constexpr size_t kBodyInMemoryBytes = 1 << 20;

// The agency's answers that are not business responses.
absl::StatusOr<std::string> ErrorEnvelope(const Clock& clock, absl::string_view code,
                                          absl::string_view ref_to_message_id,
                                          absl::string_view description) {
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

}  // namespace

EbmsHttp::EbmsHttp(const SimulatorConfig& config, const Clock* clock, wssec::Verifier verifier,
                   AgencyState* state)
    : config_(config), clock_(clock), verifier_(std::move(verifier)), state_(state) {}

bool EbmsHttp::ApplyTransportFaults(httplib::Response& res) {
  // Hanging is bounded in real time: the simulated clock may run faster.
  const absl::Time hang_until = absl::Now() + config_.max_hang;
  for (;;) {
    FaultModes f = state_->Faults();
    if (f.unavailable) {
      res.status = 503;
      res.set_content("SBR2 simulator: service unavailable (fault mode)", "text/plain");
      return true;
    }
    if (!f.hang) return false;
    if (state_->Stopping()) return false;
    if (absl::Now() > hang_until) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

std::optional<ebms_package::InboundMessage> EbmsHttp::ReceiveOrRefuse(
    const httplib::Request& req, const httplib::ContentReader& reader, httplib::Response& res) {
  absl::StatusOr<ebms_package::InboundMessage> in = Receive(req, reader);
  if (in.ok()) return *std::move(in);
  const bool auth = in.status().code() == absl::StatusCode::kUnauthenticated;
  SendError(res, auth ? ebms::kErrorFailedAuthentication : ebms::kErrorInvalidHeader, "",
            in.status().message());
  return std::nullopt;
}

absl::StatusOr<ebms_package::InboundMessage> EbmsHttp::Receive(
    const httplib::Request& req, const httplib::ContentReader& reader) {
  // A working copy: what the agency keeps of a push (its attachment) is
  // kept in memory for the message's record when small, else spooled
  // durably, by ReadPackagedMessage.
  SpillBuffer body(SpillBuffer::UniqueFileIn(SpoolDir(config_), ".http"), kBodyInMemoryBytes);
  absl::Status write_status;
  reader([&](const char* data, size_t len) {
    write_status = body.Write(absl::string_view(data, len));
    return write_status.ok();
  });
  if (!write_status.ok()) return write_status;
  if (absl::Status s = body.Close(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<ByteSource>> source = body.Reader();
  if (!source.ok()) return source.status();
  return ebms_package::ReadPackagedMessage(
      req.get_header_value("Content-Type"), **source, SpoolDir(config_), &verifier_,
      ebms_package::RequireSignature::kYes, {FileDurability::kDurable, kInRecordBytes});
}

void EbmsHttp::SendNotRecorded(httplib::Response& res, const absl::Status& status) {
  res.status = 503;
  res.set_content(absl::StrCat("SBR2 simulator: the agency could not record the request: ",
                               status.message()),
                  "text/plain");
}

void EbmsHttp::SendError(httplib::Response& res, absl::string_view code, absl::string_view ref,
                         absl::string_view description) {
  res.status = 500;
  absl::StatusOr<std::string> xml = ErrorEnvelope(*clock_, code, ref, description);
  if (!xml.ok()) {
    res.set_content(absl::StrCat("SBR2 simulator: cannot write the ebMS error ", code, ": ",
                                 xml.status().message()),
                    "text/plain");
    return;
  }
  res.set_content(*std::move(xml), kSoapContentType);
}

void EbmsHttp::SendPackaged(httplib::Response& res,
                            absl::StatusOr<ebms_package::OutboundMessage>& out,
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

}  // namespace sbrgate::sim
