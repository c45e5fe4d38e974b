#include "pipeline/sim/simulator/ics_single_sync.h"

#include "absl/strings/str_cat.h"
#include "pipeline/clients/ics/rules/registration_rules.h"
#include "pipeline/clients/ics/wire/wire.h"

namespace sbrgate::sim {
namespace {

using Response = v1::RegisterClientResponse;

Response Refused(absl::string_view code, std::string message) {
  Response out;
  out.set_outcome(Response::REJECTED);
  v1::RegistrationError* e = out.add_errors();
  e->set_code(std::string(code));
  e->set_message(std::move(message));
  return out;
}

bool IsSender(const ebms::Party& from, const v1::AgentContext& agent) {
  if (from.type == ebms::kPartyTypeAbn) return from.id == agent.agent_abn();
  if (from.type == ebms::kPartyTypeTan) return !agent.ran().empty() && from.id == agent.ran();
  return false;
}

}  // namespace

absl::string_view IcsSingleSync::service() const { return ics::kIcsService; }

bool IcsSingleSync::Offers(absl::string_view action) const {
  return action == ics::kIcsActionRegister;
}

absl::StatusOr<Response> IcsSingleSync::Judge(const ebms::Party& from, absl::string_view body_xml,
                                              bool system_error) {
  if (system_error) {
    return Refused(ics::kCodeSystemError, "the agency could not process the request (fault mode)");
  }
  absl::StatusOr<v1::RegisterClientRequest> request = ics::ReadRequest(body_xml);
  if (!request.ok()) return Refused(ics::kCodeBadRequest, std::string(request.status().message()));
  const v1::AgentContext& agent = request->agent();
  if (!IsSender(from, agent)) {
    return Refused(
        ics::kCodeNotAuthorised,
        absl::StrCat("the request's practice (ABN ", agent.agent_abn(), ", RAN ", agent.ran(),
                     ") is not the sending party ", from.id, " (", from.type, ")"));
  }
  absl::StatusOr<Response> judged = ics_->Register(*request);
  // The register could not record the registration: nothing happened.
  if (!judged.ok()) return absl::UnavailableError(judged.status().message());
  return judged;
}

absl::StatusOr<SingleSyncAnswer> IcsSingleSync::Answer(const ebms::UserMessage& message,
                                                       absl::string_view body_xml,
                                                       bool system_error) {
  absl::StatusOr<Response> judged = Judge(message.from, body_xml, system_error);
  if (!judged.ok()) return judged.status();
  if (absl::Status s = state_->CountIcs(judged->outcome()); !s.ok()) {
    return absl::UnavailableError(s.message());
  }
  return SingleSyncAnswer{ics::WriteResponse(*judged), ics::ResponseDocumentName(judged->outcome()),
                          ics::ResponseDocumentType(judged->outcome())};
}

}  // namespace sbrgate::sim
