#include "pipeline/clntcomm/rules/request_rules.h"

#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/platform/common/dates.h"
#include "pipeline/sbr/identifiers/check_digits.h"

namespace sbrgate::clntcomm {
namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

// Why `id` is not a valid identifier, or nullopt when it is. `field` names
// the ClientId ("clients[2]", "client").
// Printable, so that it shows as typed wherever the client is named.
constexpr size_t kMaxClientReference = 64;

std::optional<FieldViolation> ReferenceProblem(const v1::ClientId& id, const std::string& field) {
  const std::string& r = id.reference();
  if (r.size() > kMaxClientReference) {
    return FieldViolation{field + ".reference",
                          absl::StrCat("at most ", kMaxClientReference, " characters, got ",
                                       r.size())};
  }
  for (unsigned char c : r) {
    if (c < 0x20 || c == 0x7f) {
      return FieldViolation{field + ".reference", "control characters are not allowed"};
    }
  }
  return std::nullopt;
}


std::optional<absl::CivilDay> CheckDate(const std::string& field, const std::string& value,
                                        absl::CivilDay today, std::vector<FieldViolation>& out) {
  if (value.empty()) {
    out.push_back({field, "required (YYYY-MM-DD)"});
    return std::nullopt;
  }
  std::optional<absl::CivilDay> day = ParseDate(value);
  if (!day) {
    out.push_back({field, absl::StrCat("\"", value, "\" is not a date in YYYY-MM-DD form")});
    return std::nullopt;
  }
  if (*day < kEarliestDate) {
    out.push_back({field, absl::StrCat(value, " is before ", absl::FormatCivilTime(kEarliestDate),
                                       ", the earliest date communications are held for")});
  }
  if (*day > today) {
    out.push_back({field, absl::StrCat(value, " is after today (", absl::FormatCivilTime(today),
                                       " in Australia/Sydney)")});
  }
  return day;
}

}  // namespace

std::optional<FieldViolation> IdentifierProblem(const v1::ClientId& id,
                                                const std::string& field) {
  if (auto problem = ReferenceProblem(id, field)) return problem;
  const std::string& v = id.value();
  const std::string value_field = field + ".value";
  switch (id.type()) {
    case v1::TFN:
      if (!AllDigits(v) || (v.size() != 8 && v.size() != 9))
        return FieldViolation{value_field, "a TFN is 8 or 9 digits"};
      if (!identifiers::IsValidTfn(v)) return FieldViolation{value_field, "TFN check digit is wrong"};
      return std::nullopt;
    case v1::ABN:
      if (!AllDigits(v) || v.size() != 11)
        return FieldViolation{value_field, "an ABN is 11 digits"};
      if (!identifiers::IsValidAbn(v)) return FieldViolation{value_field, "ABN check digit is wrong"};
      return std::nullopt;
    case v1::WPN:
      if (!AllDigits(v) || v.size() != 9)
        return FieldViolation{value_field, "a WPN is 9 digits"};
      if (!identifiers::IsValidTfn(v)) return FieldViolation{value_field, "WPN check digit is wrong"};
      return std::nullopt;
    case v1::ARN:
      if (!AllDigits(v) || v.size() > 11)
        return FieldViolation{value_field, "an ARN is 1 to 11 digits"};
      return std::nullopt;
    default:
      return FieldViolation{field + ".type", "must be TFN, ABN, WPN or ARN"};
  }
}

void CheckAgent(const v1::AgentContext& agent, bool has_agent,
                std::vector<FieldViolation>& out) {
  if (!has_agent) {
    out.push_back({"agent", "required: the agent's ABN and RAN"});
    return;
  }
  const std::string& abn = agent.agent_abn();
  if (abn.empty()) {
    out.push_back({"agent.agent_abn", "required"});
  } else if (!AllDigits(abn) || abn.size() != 11) {
    out.push_back({"agent.agent_abn", "an ABN is 11 digits"});
  } else if (!identifiers::IsValidAbn(abn)) {
    out.push_back({"agent.agent_abn", "ABN check digit is wrong"});
  }
  if (absl::StripAsciiWhitespace(agent.ran()).empty()) {
    out.push_back({"agent.ran", "required: the registered agent number"});
  }
}

bool IsValidIdentifier(const v1::ClientId& id) {
  return !IdentifierProblem(id, "client").has_value();
}

std::vector<FieldViolation> ListRequestViolations(const v1::ListCommunicationsRequest& r,
                                                  absl::Time now) {
  std::vector<FieldViolation> out;
  CheckAgent(r.agent(), r.has_agent(), out);

  const bool whole_of_practice = r.clients().empty();
  if (r.clients_size() > kMaxClients) {
    out.push_back({"clients", absl::StrCat("at most ", kMaxClients,
                                           " client identifiers, got ", r.clients_size())});
  }
  std::set<std::pair<int, std::string>> seen_clients;
  for (int i = 0; i < r.clients_size(); ++i) {
    const v1::ClientId& id = r.clients(i);
    const std::string field = absl::StrCat("clients[", i, "]");
    if (auto problem = IdentifierProblem(id, field)) {
      out.push_back(*std::move(problem));
    } else if (!seen_clients.insert({id.type(), id.value()}).second) {
      out.push_back({field, absl::StrCat(v1::ClientIdType_Name(id.type()), " ", id.value(),
                                         " is given more than once")});
    }
  }

  const absl::CivilDay today = absl::ToCivilDay(now, SydneyTimeZone());
  const std::optional<absl::CivilDay> from = CheckDate("from_date", r.from_date(), today, out);
  const std::optional<absl::CivilDay> to = CheckDate("to_date", r.to_date(), today, out);
  if (from && to) {
    if (*from > *to) {
      out.push_back({"from_date", absl::StrCat(r.from_date(), " is after to_date ", r.to_date())});
    } else if (whole_of_practice) {
      const int64_t days = (*to - *from) + 1;
      if (days > kWholeOfPracticeMaxDays) {
        out.push_back({"to_date", absl::StrCat("a whole-of-practice request (no clients) covers "
                                               "at most ", kWholeOfPracticeMaxDays,
                                               " days, got ", days, " (", r.from_date(), " to ",
                                               r.to_date(), " inclusive)")});
      }
    } else {
      // The last day of a 10-year range: the day before the same date 10
      // years on (CivilDay normalises 29 February + 10 years to 1 March).
      const absl::CivilDay last =
          absl::CivilDay(from->year() + kSpecifiedClientsMaxYears, from->month(), from->day()) -
          1;
      if (*to > last) {
        out.push_back({"to_date", absl::StrCat("a request for specified clients covers at most ",
                                               kSpecifiedClientsMaxYears, " years; from ",
                                               r.from_date(), " the latest to_date is ",
                                               absl::FormatCivilTime(last))});
      }
    }
  }

  if (r.channels().empty()) {
    out.push_back({"channels", "at least one channel is required"});
  }
  std::set<int> seen_channels;
  for (int i = 0; i < r.channels_size(); ++i) {
    const int c = r.channels(i);
    const std::string field = absl::StrCat("channels[", i, "]");
    if (c == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(c)) {
      out.push_back({field, absl::StrCat("must be PAPER, MYGOV, SMS, EMAIL, AGENT_DIGITAL or "
                                         "ATO_ONLINE, got ", c)});
    } else if (!seen_channels.insert(c).second) {
      out.push_back({field, absl::StrCat(v1::Channel_Name(static_cast<v1::Channel>(c)),
                                         " is given more than once")});
    }
  }

  if (r.categories_size() > 1) {
    out.push_back({"categories", absl::StrCat("at most one category (none means all), got ",
                                              r.categories_size())});
  }
  for (int i = 0; i < r.categories_size(); ++i) {
    if (!v1::Category_IsValid(r.categories(i))) {
      out.push_back({absl::StrCat("categories[", i, "]"),
                     absl::StrCat("unknown category ", r.categories(i))});
    }
  }
  if (!v1::SortField_IsValid(r.sort())) {
    out.push_back({"sort", absl::StrCat("unknown sort field ", r.sort())});
  }
  return out;
}

absl::Status ViolationsToStatus(const std::vector<FieldViolation>& violations) {
  if (violations.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrJoin(violations, "; ", [](std::string* s, const FieldViolation& v) {
        absl::StrAppend(s, v.field, ": ", v.description);
      }));
}

absl::Status ValidateListRequest(const v1::ListCommunicationsRequest& r, absl::Time now) {
  return ViolationsToStatus(ListRequestViolations(r, now));
}

namespace {

// A document to get: its client and its id, fields under `prefix`.
void CheckDocument(const v1::GetCommunicationRequest& r, const std::string& prefix,
                   std::vector<FieldViolation>& out) {
  if (!r.has_client()) {
    out.push_back({prefix + "client", "required: the client the document belongs to"});
  } else if (auto problem = IdentifierProblem(r.client(), prefix + "client")) {
    out.push_back(*std::move(problem));
  }
  if (absl::StripAsciiWhitespace(r.document_id()).empty()) {
    out.push_back({prefix + "document_id", "required: the id from a list response"});
  }
}

}  // namespace

std::vector<FieldViolation> GetRequestViolations(const v1::GetCommunicationRequest& r) {
  std::vector<FieldViolation> out;
  CheckAgent(r.agent(), r.has_agent(), out);
  CheckDocument(r, "", out);
  return out;
}

std::vector<FieldViolation> BulkGetRequestViolations(const v1::BulkGetRequest& r) {
  std::vector<FieldViolation> out;
  CheckAgent(r.agent(), r.has_agent(), out);
  if (r.documents().empty()) {
    out.push_back({"documents", "name at least one document (ids come from a list)"});
  }
  for (int i = 0; i < r.documents_size(); ++i) {
    CheckDocument(r.documents(i), absl::StrCat("documents[", i, "]."), out);
  }
  return out;
}

std::vector<FieldViolation> DailySyncRequestViolations(const v1::DailySyncRequest& r) {
  std::vector<FieldViolation> out;
  CheckAgent(r.agent(), r.has_agent(), out);
  for (int i = 0; i < r.channels_size(); ++i) {
    if (r.channels(i) == v1::CHANNEL_UNSPECIFIED) {
      out.push_back({absl::StrCat("channels[", i, "]"), "CHANNEL_UNSPECIFIED is not a channel"});
    }
  }
  return out;
}

absl::Status ValidateGetRequest(const v1::GetCommunicationRequest& r) {
  return ViolationsToStatus(GetRequestViolations(r));
}

}  // namespace sbrgate::clntcomm
