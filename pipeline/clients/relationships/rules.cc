#include "pipeline/clients/relationships/rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/clntcomm/rules/request_rules.h"

namespace sbrgate::relationships {

bool IsAccount(absl::string_view account) {
  if (account == "IT") return true;
  if (!absl::StartsWith(account, "AS:")) return false;
  const absl::string_view number = account.substr(3);
  return !number.empty() && number.size() <= 10 &&
         std::all_of(number.begin(), number.end(),
                     [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); });
}

std::vector<FieldViolation> SearchRequestViolations(const v1::SearchClientRequest& r) {
  std::vector<FieldViolation> out;
  clntcomm::CheckAgent(r.agent(), r.has_agent(), out);
  if (!r.has_client()) {
    out.push_back({"client", "required: the client to search for"});
  } else if (auto problem = clntcomm::IdentifierProblem(r.client(), "client")) {
    out.push_back(*std::move(problem));
  }
  return out;
}

std::vector<FieldViolation> RelationshipRequestViolations(const v1::RelationshipRequest& r) {
  std::vector<FieldViolation> out;
  clntcomm::CheckAgent(r.agent(), r.has_agent(), out);
  if (!r.has_relationship()) {
    out.push_back({"relationship", "required: the client and the level of the link"});
    return out;
  }
  const v1::Relationship& rel = r.relationship();
  if (!rel.has_client()) {
    out.push_back({"relationship.client", "required"});
  } else if (auto problem = clntcomm::IdentifierProblem(rel.client(), "relationship.client")) {
    out.push_back(*std::move(problem));
  }
  const bool wants_account = rel.level() == v1::ACCOUNT || rel.level() == v1::ROLE;
  switch (rel.level()) {
    case v1::CLIENT:
    case v1::ACCOUNT:
    case v1::ROLE:
      break;
    default:
      out.push_back({"relationship.level", "must be CLIENT, ACCOUNT or ROLE"});
      return out;
  }
  if (!wants_account && !rel.account().empty()) {
    out.push_back({"relationship.account", "a client-level link names no account"});
  } else if (wants_account && !IsAccount(rel.account())) {
    out.push_back({"relationship.account",
                   rel.account().empty()
                       ? "required at ACCOUNT and ROLE level (\"IT\" or \"AS:<number>\")"
                       : absl::StrCat("'", rel.account(), "' is not \"IT\" or \"AS:<number>\"")});
  }
  if (rel.level() != v1::ROLE && !rel.role().empty()) {
    out.push_back({"relationship.role", "only a ROLE-level link names a role"});
  } else if (rel.level() == v1::ROLE &&
             std::find(kRoles.begin(), kRoles.end(), rel.role()) == kRoles.end()) {
    out.push_back(
        {"relationship.role",
         absl::StrCat(rel.role().empty() ? "required" : absl::StrCat("'", rel.role(), "'"),
                      ": one of ", absl::StrJoin(kRoles, ", "))});
  }
  return out;
}

std::vector<FieldViolation> ListRequestViolations(const v1::ListRelationshipsRequest& r) {
  std::vector<FieldViolation> out;
  clntcomm::CheckAgent(r.agent(), r.has_agent(), out);
  if (r.has_client()) {
    if (auto problem = clntcomm::IdentifierProblem(r.client(), "client")) {
      out.push_back(*std::move(problem));
    }
  }
  return out;
}

}  // namespace sbrgate::relationships
