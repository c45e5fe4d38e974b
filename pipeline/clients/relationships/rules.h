// The rules of a CUREL request (seed 001: Client Update Relationship) that
// both sides check: sbrgate before sending, the simulator on receipt.
//
//   std::vector<FieldViolation> v = RelationshipRequestViolations(request);
//   if (!v.empty()) return clntcomm::ViolationsToStatus(v);   // INVALID_ARGUMENT
//
//   agent         ABN (11 digits, check digit) and RAN, as for CLNTCOMM
//   client        a TFN, ABN, WPN or ARN of its type's shape and check digit
//   level CLIENT  no account, no role: every account and role of the client
//   level ACCOUNT an account ("IT", or "AS:" and its number), no role
//   level ROLE    an account and one of kRoles on it
//
// The account and role vocabularies are our reading (the CUREL package is
// not public): income tax "IT" and activity statement "AS:<number>"
// accounts, as the CLNTCOMM corpus files communications under.
#ifndef SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_RULES_H_
#define SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_RULES_H_

#include <array>
#include <vector>

#include "absl/strings/string_view.h"
#include "pipeline/platform/common/field_violation.h"
#include "proto/relationships.pb.h"

namespace sbrgate::relationships {

// The roles an agent may hold on an account.
inline constexpr std::array<absl::string_view, 3> kRoles = {"TAX_AGENT", "BAS_AGENT",
                                                            "PAYROLL_PROVIDER"};

// Whether `account` is an account a link may name ("IT", "AS:001").
bool IsAccount(absl::string_view account);

std::vector<FieldViolation> SearchRequestViolations(const v1::SearchClientRequest& r);
std::vector<FieldViolation> RelationshipRequestViolations(const v1::RelationshipRequest& r);
std::vector<FieldViolation> ListRequestViolations(const v1::ListRelationshipsRequest& r);

}  // namespace sbrgate::relationships

#endif  // SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_RULES_H_
