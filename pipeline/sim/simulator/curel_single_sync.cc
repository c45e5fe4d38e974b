#include "pipeline/sim/simulator/curel_single_sync.h"

#include "absl/strings/str_cat.h"
#include "pipeline/clients/relationships/rules.h"
#include "pipeline/clients/relationships/wire.h"
#include "pipeline/clntcomm/rules/request_rules.h"
#include "pipeline/sim/simulator/clntcomm_serve.h"

namespace sbrgate::sim {
namespace {

namespace rel = relationships;

// ATO-style codes (the real CUREL codes are not public).
constexpr char kCodeNotAuthorised[] = "SBR.GEN.AUTH.006";
constexpr char kCodeBadRequest[] = "CMN.ATO.GEN.XML03";
constexpr char kCodeNoClient[] = "CMN.ATO.CUREL.NOCLIENT";
constexpr char kCodeExists[] = "CMN.ATO.CUREL.EXISTS";
constexpr char kCodeAccount[] = "CMN.ATO.CUREL.ACCOUNT";
constexpr char kCodeSystemError[] = "SBR.GEN.FAULT.SYSTEMERROR";

// The Error answer refusing a request, noted in *refused.
std::string Refuse(const absl::Status& status, bool* refused) {
  *refused = true;
  switch (status.code()) {
    case absl::StatusCode::kPermissionDenied:
      return rel::WriteErrorResponse(status, kCodeNotAuthorised);
    case absl::StatusCode::kNotFound:
      return rel::WriteErrorResponse(status, kCodeNoClient);
    case absl::StatusCode::kAlreadyExists:
      return rel::WriteErrorResponse(status, kCodeExists);
    case absl::StatusCode::kFailedPrecondition:
      return rel::WriteErrorResponse(status, kCodeAccount);
    default:
      return rel::WriteErrorResponse(status, kCodeBadRequest);
  }
}

// Who may ask: the sender is the request's agent, a registered agent.
absl::Status CheckAsker(const ClntcommCorpus& corpus, const ebms::Party& from,
                        const v1::AgentContext& agent) {
  if (absl::Status s = CheckFrom(from, agent); !s.ok()) return s;
  return corpus.CheckAgent(agent.agent_abn(), agent.ran());
}

// The answer's body, with *refused set when it is an Error answer;
// Unavailable when a change could not be saved.
absl::StatusOr<std::string> Serve(ClntcommCorpus& corpus, absl::string_view action,
                                  const ebms::Party& from, absl::string_view request_xml,
                                  bool* refused) {
  if (action == rel::kActionSearch) {
    absl::StatusOr<v1::SearchClientRequest> r = rel::ReadSearchRequest(request_xml);
    if (!r.ok()) return Refuse(r.status(), refused);
    if (absl::Status s = clntcomm::ViolationsToStatus(rel::SearchRequestViolations(*r)); !s.ok()) {
      return Refuse(s, refused);
    }
    if (absl::Status s = CheckAsker(corpus, from, r->agent()); !s.ok()) return Refuse(s, refused);
    absl::StatusOr<v1::SearchClientResponse> found =
        corpus.SearchClient(r->agent().agent_abn(), r->client());
    return found.ok() ? rel::WriteSearchResponse(*found) : Refuse(found.status(), refused);
  }
  if (action == rel::kActionList) {
    absl::StatusOr<v1::ListRelationshipsRequest> r = rel::ReadListRequest(request_xml);
    if (!r.ok()) return Refuse(r.status(), refused);
    if (absl::Status s = clntcomm::ViolationsToStatus(rel::ListRequestViolations(*r)); !s.ok()) {
      return Refuse(s, refused);
    }
    if (absl::Status s = CheckAsker(corpus, from, r->agent()); !s.ok()) return Refuse(s, refused);
    return rel::WriteListResponse(
        corpus.ListRelationships(r->agent().agent_abn(), r->has_client() ? &r->client() : nullptr));
  }
  const bool remove = action == rel::kActionRemove || action == rel::kActionValidateRemove;
  const bool validate_only = action == rel::kActionValidate || action == rel::kActionValidateRemove;
  if (!remove && !validate_only && action != rel::kActionSubmit) {
    return Refuse(
        absl::InvalidArgumentError(absl::StrCat("action '", action, "' is not a CUREL action")),
        refused);
  }
  absl::StatusOr<v1::RelationshipRequest> r = rel::ReadRelationshipRequest(request_xml);
  if (!r.ok()) return Refuse(r.status(), refused);
  if (absl::Status s = clntcomm::ViolationsToStatus(rel::RelationshipRequestViolations(*r));
      !s.ok()) {
    return Refuse(s, refused);
  }
  if (absl::Status s = CheckAsker(corpus, from, r->agent()); !s.ok()) return Refuse(s, refused);
  absl::StatusOr<v1::Relationship> changed =
      corpus.ChangeRelationship(r->agent().agent_abn(), r->relationship(), remove, validate_only);
  if (absl::IsUnavailable(changed.status())) return changed.status();
  if (!changed.ok()) return Refuse(changed.status(), refused);
  v1::RelationshipResponse response;
  *response.mutable_relationship() = *std::move(changed);
  response.set_changed(!validate_only);
  return rel::WriteRelationshipResponse(response);
}

}  // namespace

absl::string_view CurelSingleSync::service() const { return rel::kServiceCurel; }

bool CurelSingleSync::Offers(absl::string_view action) const {
  for (absl::string_view a : {rel::kActionSearch, rel::kActionSubmit, rel::kActionValidate,
                              rel::kActionRemove, rel::kActionValidateRemove, rel::kActionList}) {
    if (action == a) return true;
  }
  return false;
}

absl::StatusOr<SingleSyncAnswer> CurelSingleSync::Answer(const ebms::UserMessage& message,
                                                         absl::string_view body_xml,
                                                         bool system_error) {
  bool refused = system_error;
  absl::StatusOr<std::string> body =
      system_error
          ? rel::WriteErrorResponse(
                absl::UnavailableError("the agency could not process the request (fault mode)"),
                kCodeSystemError)
          : Serve(*corpus_, message.action, message.from, body_xml, &refused);
  if (!body.ok()) return body.status();
  if (absl::Status s =
          state_->CountClientService(AgencyState::ClientService::kRelationships, refused);
      !s.ok()) {
    return absl::UnavailableError(s.message());
  }
  return SingleSyncAnswer{*std::move(body), rel::kCurelDocumentName,
                          absl::StrCat(message.action, "Response")};
}

}  // namespace sbrgate::sim
