#include "pipeline/sim/simulator/clntcomm_serve.h"

#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "pipeline/clntcomm/rules/request_rules.h"
#include "pipeline/clntcomm/wire/wire.h"

namespace sbrgate::sim {
namespace {

// ATO-style codes of refusals (the real CLNTCOMM codes are not public).
constexpr char kCodeNotAuthorised[] = "SBR.GEN.AUTH.006";
constexpr char kCodeBadRequest[] = "CMN.ATO.GEN.XML03";
constexpr char kCodeLimits[] = "CMN.ATO.CLNTCOMM.LIMITS";
constexpr char kCodeNotFound[] = "CMN.ATO.CLNTCOMM.NOTFOUND";
constexpr char kCodeSystemError[] = "SBR.GEN.FAULT.SYSTEMERROR";

}  // namespace

absl::Status CheckFrom(const ebms::Party& from, const v1::AgentContext& agent) {
  bool same = false;
  if (from.type == ebms::kPartyTypeAbn) {
    same = !agent.agent_abn().empty() && from.id == agent.agent_abn();
  } else if (from.type == ebms::kPartyTypeTan) {
    same = !agent.ran().empty() && from.id == agent.ran();
  }
  if (same) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("the request's agent (ABN ", agent.agent_abn(), ", RAN ", agent.ran(),
                   ") is not the sending party ", from.id, " (", from.type, ")"));
}

absl::StatusOr<ServeOutcome> ServeClntcomm(const ClntcommCorpus& corpus, absl::string_view action,
                                           const ebms::Party& from, absl::string_view request_xml,
                                           ClntcommMode mode, bool system_error, ByteSink& sink) {
  ServeOutcome outcome;
  auto refuse = [&](absl::Status status, absl::string_view code) -> absl::StatusOr<ServeOutcome> {
    outcome.refused = std::move(status);
    if (absl::Status s = clntcomm::WriteErrorResponse(outcome.refused, code, sink); !s.ok()) {
      return s;
    }
    return outcome;
  };
  if (system_error) {
    return refuse(absl::UnavailableError("the agency could not process the request (fault mode)"),
                  kCodeSystemError);
  }
  const bool list = action == ebms::kActionClntcommList;
  if (!list && action != ebms::kActionClntcommGet) {
    return refuse(absl::InvalidArgumentError(absl::StrCat("action '", std::string(action),
                                                          "' is not List.001.00 or Get.001.00")),
                  kCodeBadRequest);
  }
  v1::ListCommunicationsRequest list_request;
  v1::BulkGetRequest get_request;
  const v1::AgentContext* agent;
  if (list) {
    auto r = clntcomm::ReadListRequest(request_xml);
    if (!r.ok()) return refuse(r.status(), kCodeBadRequest);
    list_request = *std::move(r);
    agent = &list_request.agent();
  } else {
    auto r = clntcomm::ReadGetRequest(request_xml);
    if (!r.ok()) return refuse(r.status(), kCodeBadRequest);
    get_request = *std::move(r);
    agent = &get_request.agent();
  }
  if (absl::Status s = CheckFrom(from, *agent); !s.ok()) return refuse(s, kCodeNotAuthorised);
  if (absl::Status s = corpus.CheckAgent(agent->agent_abn(), agent->ran()); !s.ok()) {
    return refuse(s, kCodeNotAuthorised);
  }

  if (list) {
    if (absl::Status s = clntcomm::ValidateListRequest(list_request, corpus.Now()); !s.ok()) {
      return refuse(s, kCodeLimits);
    }
    auto page = corpus.List(agent->agent_abn(), list_request,
                            mode == ClntcommMode::kSingle ? kQuickListMax : 0);
    if (!page.ok()) return refuse(page.status(), kCodeLimits);
    if (absl::Status s = clntcomm::WriteListResponse(*page, sink); !s.ok()) return s;
    outcome.items = page->items_size();
    return outcome;
  }

  if (get_request.documents().empty() ||
      (mode == ClntcommMode::kSingle && get_request.documents_size() != 1)) {
    return refuse(absl::InvalidArgumentError(
                      absl::StrCat("a ",
                                   mode == ClntcommMode::kSingle ? "single get names exactly one"
                                                                 : "bulk get names at least one",
                                   " document, got ", get_request.documents_size())),
                  kCodeLimits);
  }
  clntcomm::GetResponseWriter response(sink);
  if (mode == ClntcommMode::kSingle) {
    const v1::GetCommunicationRequest& d = get_request.documents(0);
    auto doc = corpus.Get(agent->agent_abn(), d.client(), d.document_id());
    if (!doc.ok()) {
      return refuse(doc.status(), doc.status().code() == absl::StatusCode::kNotFound
                                      ? kCodeNotFound
                                      : kCodeNotAuthorised);
    }
    if (absl::Status s = response.AddDocument(*doc); !s.ok()) return s;
    outcome.documents = 1;
    if (absl::Status s = response.Finish(); !s.ok()) return s;
    return outcome;
  }
  std::set<std::string> seen;  // a document named twice is sent once
  for (const v1::GetCommunicationRequest& d : get_request.documents()) {
    if (!seen.insert(absl::StrCat(ClientKey(d.client()), "/", d.document_id())).second) continue;
    auto doc = corpus.Get(agent->agent_abn(), d.client(), d.document_id());
    absl::Status s;
    if (doc.ok()) {
      s = response.AddDocument(*doc);
      ++outcome.documents;
    } else {
      s = response.AddFailure(d, doc.status());
      ++outcome.failures;
    }
    if (!s.ok()) return s;
  }
  if (absl::Status s = response.Finish(); !s.ok()) return s;
  return outcome;
}

}  // namespace sbrgate::sim
