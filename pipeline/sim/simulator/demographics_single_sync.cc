#include "pipeline/sim/simulator/demographics_single_sync.h"

#include "absl/strings/str_cat.h"
#include "pipeline/clients/demographics/rules.h"
#include "pipeline/clients/demographics/wire.h"
#include "pipeline/clntcomm/rules/request_rules.h"
#include "pipeline/sim/simulator/clntcomm_serve.h"

namespace sbrgate::sim {

namespace dem = demographics;

std::vector<std::unique_ptr<DemographicsSingleSync>> DemographicsSingleSync::ForEveryService(
    AgencyState* state, ClntcommCorpus* corpus, DemographicsRegister* demographics) {
  std::vector<std::unique_ptr<DemographicsSingleSync>> out;
  for (const dem::ServiceSpec& spec : dem::Services()) {
    out.push_back(std::make_unique<DemographicsSingleSync>(&spec, state, corpus, demographics));
  }
  return out;
}

absl::string_view DemographicsSingleSync::service() const { return spec_->ebms_service; }

bool DemographicsSingleSync::Offers(absl::string_view action) const {
  return dem::OperationOf(*spec_, action).has_value();
}

absl::StatusOr<std::string> DemographicsSingleSync::Serve(const ebms::UserMessage& message,
                                                          absl::string_view body_xml,
                                                          bool* refused) {
  // ATO-style codes (the real CUDEMOGR codes are not public).
  auto refuse = [this, refused](const absl::Status& status) {
    *refused = true;
    switch (status.code()) {
      case absl::StatusCode::kPermissionDenied:
        return dem::WriteErrorResponse(status, "SBR.GEN.AUTH.006");
      case absl::StatusCode::kNotFound:
        return dem::WriteErrorResponse(status, absl::StrCat("CMN.ATO.", spec_->code, ".NOCLIENT"));
      case absl::StatusCode::kFailedPrecondition:
        return dem::WriteErrorResponse(status, absl::StrCat("CMN.ATO.", spec_->code, ".REJECTED"));
      default:
        return dem::WriteErrorResponse(status, "CMN.ATO.GEN.XML03");
    }
  };
  absl::StatusOr<v1::DemographicsRequest> r = dem::ReadRequest(body_xml);
  if (!r.ok()) return refuse(r.status());
  if (r->service() != spec_->service ||
      dem::OperationOf(*spec_, message.action) != r->operation()) {
    return refuse(absl::InvalidArgumentError(
        absl::StrCat("a ", v1::CudemogrService_Name(r->service()), " ",
                     v1::CudemogrOperation_Name(r->operation()), " request sent as ",
                     message.service, " ", message.action)));
  }
  if (absl::Status s = clntcomm::ViolationsToStatus(dem::RequestViolations(*r, corpus_->Today()));
      !s.ok()) {
    return refuse(s);
  }
  if (absl::Status s = CheckFrom(message.from, r->agent()); !s.ok()) return refuse(s);
  if (absl::Status s = corpus_->CheckAgent(r->agent().agent_abn(), r->agent().ran()); !s.ok()) {
    return refuse(s);
  }
  absl::StatusOr<v1::DemographicsResponse> answer = demographics_->Serve(*r);
  if (absl::IsUnavailable(answer.status())) return answer.status();
  return answer.ok() ? dem::WriteResponse(*answer) : refuse(answer.status());
}

absl::StatusOr<SingleSyncAnswer> DemographicsSingleSync::Answer(const ebms::UserMessage& message,
                                                                absl::string_view body_xml,
                                                                bool system_error) {
  bool refused = system_error;
  absl::StatusOr<std::string> body =
      system_error
          ? dem::WriteErrorResponse(
                absl::UnavailableError("the agency could not process the request (fault mode)"),
                "SBR.GEN.FAULT.SYSTEMERROR")
          : Serve(message, body_xml, &refused);
  if (!body.ok()) return body.status();
  if (absl::Status s =
          state_->CountClientService(AgencyState::ClientService::kDemographics, refused);
      !s.ok()) {
    return absl::UnavailableError(s.message());
  }
  return SingleSyncAnswer{*std::move(body), std::string(spec_->code),
                          absl::StrCat(message.action, "Response")};
}

}  // namespace sbrgate::sim
