// The CLNTCOMM.0001.2020 request limits (seed 000, Appendices A and B),
// checked before anything is sent to the ATO so that a request the ATO would
// refuse never costs a round trip or a reasonable-use strike.
//
//   absl::Status s = ValidateListRequest(request, clock.Now());
//   if (!s.ok()) return s;  // INVALID_ARGUMENT listing every violation
//   // For google.rpc.BadRequest:
//   for (const FieldViolation& v : ListRequestViolations(request, now)) ...
//
// List rules (quick and bulk list share them):
//   agent.agent_abn  11 digits with a valid ABN check digit
//   agent.ran        present
//   clients          none: whole of practice, at most 7 days in the range;
//                    otherwise 1 to 20 identifiers, mixed types allowed, at
//                    most 10 years in the range, no identifier twice
//   from_date/to_date YYYY-MM-DD, from <= to, neither before 2008-07-01 nor
//                    after today in Australia/Sydney
//   channels         at least one, no CHANNEL_UNSPECIFIED, none twice
//   categories       at most one (none, or CATEGORY_ALL alone, means all)
//   sort/descending  any known sort field, either direction
//
// Range lengths count calendar days inclusively, as a person reads "7 days":
// 2024-01-01..2024-01-07 is 7 days (allowed), ..2024-01-08 is 8 (refused).
// "10 years" likewise: 2014-01-01..2023-12-31 is 10 years (allowed),
// ..2024-01-01 is 10 years and a day (refused). A range starting 29 February
// ends its 10 years on 28 February.
//
// Duplicates (a channel or a client given twice) are refused rather than
// collapsed: a repeated identifier still counts towards the 20, and
// silently rewriting a request would make the ATO's answer differ from what
// the user believes they asked.
//
// Identifiers and their checks:
//   TFN  8 or 9 digits, TFN check digit (identifiers::IsValidTfn)
//   ABN  11 digits, ABN check digit (identifiers::IsValidAbn)
//   WPN  9 digits with the TFN check digit: the ATO allocates withholding
//        payer numbers from the TFN number space, so the same weights apply
//        (identifiers::MakeValidTfn makes a valid one for tests)
//   ARN  1 to 11 digits; the ATO publishes no check-digit rule for it, so
//        only the shape is checked
#ifndef SBRGATE_PIPELINE_CLNTCOMM_REQUEST_RULES_H_
#define SBRGATE_PIPELINE_CLNTCOMM_REQUEST_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/field_violation.h"
#include "proto/communications.pb.h"

namespace sbrgate::clntcomm {

inline constexpr int kMaxClients = 20;
inline constexpr int kWholeOfPracticeMaxDays = 7;
inline constexpr int kSpecifiedClientsMaxYears = 10;
// The earliest date the ATO holds communications for.
inline constexpr absl::CivilDay kEarliestDate{2008, 7, 1};

// Every violation of the list rules, in field order; empty when valid.
// `now` is converted to Sydney time for "today".
std::vector<FieldViolation> ListRequestViolations(const v1::ListCommunicationsRequest& r,
                                                  absl::Time now);

// OK, or INVALID_ARGUMENT whose message joins every violation as
// "field: description; field: description".
absl::Status ValidateListRequest(const v1::ListCommunicationsRequest& r, absl::Time now);

// Get single: the agent (as for list), a valid client identifier, and a
// non-empty document_id.
std::vector<FieldViolation> GetRequestViolations(const v1::GetCommunicationRequest& r);
absl::Status ValidateGetRequest(const v1::GetCommunicationRequest& r);

// Get bulk: the agent, at least one document, and each document as for get
// single (fields "documents[i].client.value", ...); each document's own
// agent field is not read (the request's agent asks for all of them).
std::vector<FieldViolation> BulkGetRequestViolations(const v1::BulkGetRequest& r);

// The daily sync: the agent, and channels (none: every channel) that are
// real channels.
std::vector<FieldViolation> DailySyncRequestViolations(const v1::DailySyncRequest& r);

// Whether `id` has a known type and a value of that type's shape and check
// digit (see the table above).
bool IsValidIdentifier(const v1::ClientId& id);
// What is wrong with `id`, named as field `field` ("clients[2]"); nullopt
// when nothing is.
std::optional<FieldViolation> IdentifierProblem(const v1::ClientId& id, const std::string& field);
// The agent's broken rules (ABN and RAN required; ABN shape and check
// digit) into `out`; `has_agent`: the request set it at all.
void CheckAgent(const v1::AgentContext& agent, bool has_agent, std::vector<FieldViolation>& out);

// Joins violations as ValidateListRequest does; OK when there are none.
absl::Status ViolationsToStatus(const std::vector<FieldViolation>& violations);

}  // namespace sbrgate::clntcomm

#endif  // SBRGATE_PIPELINE_CLNTCOMM_REQUEST_RULES_H_
