#include "pipeline/sim/simulator/ics_register.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "pipeline/clients/ics/rules/registration_rules.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/sbr/identifiers/check_digits.h"

namespace sbrgate::sim {
namespace {

using Response = v1::RegisterClientResponse;

// Upper case, single spaces, no spaces at either end.
std::string Normalized(absl::string_view text) {
  return absl::AsciiStrToUpper(
      absl::StrJoin(absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty()), " "));
}

void AddError(Response& out, absl::string_view code, std::string field, std::string message) {
  v1::RegistrationError* e = out.add_errors();
  e->set_code(std::string(code));
  e->set_field(std::move(field));
  e->set_message(std::move(message));
}

Response Rejected(std::vector<v1::RegistrationError> errors) {
  Response out;
  out.set_outcome(Response::REJECTED);
  for (v1::RegistrationError& e : errors) *out.add_errors() = std::move(e);
  return out;
}

uint64_t Hash64(absl::string_view text) {
  const std::string d = Sha256Digest(text);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(d[i]);
  return v;
}

template <typename Options>
const auto& Pick(const Options& options, std::mt19937_64& rng) {
  return options[rng() % std::size(options)];
}

constexpr const char* kNameWords[] = {"Harbour", "Wattle",   "Southern",  "Redgum",  "Coastal",
                                      "Granite", "Eucalypt", "Bluewater", "Outback", "Banksia"};
constexpr const char* kStreets[] = {"Wharf", "Quay", "Dock", "Cargo", "Pier", "Customs", "Anchor"};
struct Place {
  const char* locality;
  const char* state;
  const char* postcode;
};
constexpr Place kPlaces[] = {{"Sydney", "NSW", "2000"},   {"Melbourne", "VIC", "3000"},
                             {"Brisbane", "QLD", "4000"}, {"Fremantle", "WA", "6160"},
                             {"Adelaide", "SA", "5000"},  {"Hobart", "TAS", "7000"}};

// ABN `i` of those `seed` generates (see ics_register.h).
state::IcsAbn GeneratedAbn(uint64_t seed, int i) {
  std::mt19937_64 rng(Hash64(absl::StrCat("ics-abn|", seed, "|", i)));
  state::IcsAbn a;
  a.set_abn(identifiers::MakeValidAbn(rng()));
  a.set_name(absl::StrCat(Pick(kNameWords, rng), " ", Pick(kNameWords, rng), " Pty Ltd"));
  a.set_cancelled(i % 5 == 4);
  for (int n = 1; n <= 1 + i % 3; ++n) {
    state::IcsCac* cac = a.add_cacs();
    cac->set_number(n);
    cac->set_valid(!(n == 1 && i % 2 == 1));
    v1::IcsAddress* address = cac->mutable_address();
    const Place& place = Pick(kPlaces, rng);
    address->set_type("BUSINESS");
    address->add_lines(absl::StrCat(1 + rng() % 200, " ", Pick(kStreets, rng), " St"));
    address->set_locality(place.locality);
    address->set_state(place.state);
    address->set_postcode(place.postcode);
    address->set_country("AU");
  }
  return a;
}

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::Status CheckAbnRecord(const state::IcsAbn& a, absl::string_view where) {
  if (!identifiers::IsValidAbn(a.abn())) {
    return Invalid(absl::StrCat(where, ".abn"), absl::StrCat("'", a.abn(), "' is not a valid ABN"));
  }
  if (ics::IsBlank(a.name())) return Invalid(absl::StrCat(where, ".name"), "required");
  std::set<int> numbers;
  for (int i = 0; i < a.cacs_size(); ++i) {
    const int n = a.cacs(i).number();
    if (n < 1 || !numbers.insert(n).second) {
      return Invalid(absl::StrCat(where, ".cacs[", i, "].number"),
                     absl::StrCat(n, " is not a new CAC number (1 or more, once each)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool SameName(absl::string_view a, absl::string_view b) { return Normalized(a) == Normalized(b); }

bool SameAddress(const v1::IcsAddress& a, const v1::IcsAddress& b) {
  auto lines = [](const v1::IcsAddress& x) {
    std::vector<std::string> out;
    for (const std::string& l : x.lines()) {
      if (!ics::IsBlank(l)) out.push_back(Normalized(l));
    }
    return out;
  };
  return lines(a) == lines(b) && SameName(a.locality(), b.locality()) &&
         SameName(a.state(), b.state()) && SameName(a.postcode(), b.postcode()) &&
         SameName(a.country(), b.country());
}

std::string CcidName(const v1::CcidRegistration& ccid) {
  if (ccid.client_type() == v1::IcsClient::ORG) return ccid.organisation_name();
  return std::string(
      absl::StripAsciiWhitespace(absl::StrCat(ccid.given_names(), " ", ccid.family_name())));
}

absl::StatusOr<state::IcsCac> BusinessAddressCac(const state::IcsAbn& abn, int cac) {
  const state::IcsCac* chosen = nullptr;
  std::vector<int> numbers;
  for (const state::IcsCac& c : abn.cacs()) {
    numbers.push_back(c.number());
    if (cac > 0) {
      if (c.number() == cac) chosen = &c;
    } else if (c.valid() && (chosen == nullptr || c.number() < chosen->number())) {
      chosen = &c;
    }
  }
  std::sort(numbers.begin(), numbers.end());
  if (cac > 0 && chosen == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("CAC ", cac, " is not one of ABN ", abn.abn(),
                                                      "'s CACs (", absl::StrJoin(numbers, ", "),
                                                      ")"));
  }
  if (cac > 0 && !chosen->valid()) {
    return absl::FailedPreconditionError(
        absl::StrCat("CAC ", cac, " of ABN ", abn.abn(), " is not valid"));
  }
  if (chosen == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("ABN ", abn.abn(), " has no valid CAC to take its business address from"));
  }
  return *chosen;
}

void IcsRegister::RecordChangesWith(Recorder record) {
  absl::MutexLock lock(&mu_);
  record_ = std::move(record);
}

absl::Status IcsRegister::Restore(const state::IcsChange& saved) {
  absl::MutexLock lock(&mu_);
  Apply(saved);
  return absl::OkStatus();
}

absl::Status IcsRegister::Commit(const state::IcsChange& change) {
  if (record_) {
    if (absl::Status s = record_(change); !s.ok()) return s;
  }
  Apply(change);
  return absl::OkStatus();
}

void IcsRegister::Apply(const state::IcsChange& change) {
  for (const state::IcsAbn& a : change.abns()) abns_[a.abn()] = a;
  for (const v1::IcsClient& c : change.clients()) clients_[c.client_id()] = c;
  for (const state::IcsRegistrant& r : change.registrants()) registrants_[r.agent_abn()] = r;
  if (change.next_ccid() > 0) next_ccid_ = change.next_ccid();
}

v1::IcsClient IcsRegister::WithStatus(v1::IcsClient client) const {
  client.set_status(v1::IcsClient::ACTIVE);
  if (client.type() == v1::IcsClient::ABN) {
    auto abn = abns_.find(client.abn());
    if (abn != abns_.end() && abn->second.cancelled()) client.set_status(v1::IcsClient::CANCELLED);
  }
  return client;
}

absl::StatusOr<state::IcsChange> IcsRegister::Seed(const state::IcsSeed& seed) {
  state::IcsChange change;
  for (int i = 0; i < seed.registrants_size(); ++i) {
    const state::IcsRegistrant& r = seed.registrants(i);
    const std::string where = absl::StrCat("registrants[", i, "]");
    if (!identifiers::IsValidAbn(r.agent_abn())) {
      return Invalid(absl::StrCat(where, ".agent_abn"),
                     absl::StrCat("'", r.agent_abn(), "' is not a valid ABN"));
    }
    for (int j = 0; j < r.role_names_size(); ++j) {
      if (!ics::IsKnownRoleName(r.role_names(j))) {
        return Invalid(absl::StrCat(where, ".role_names[", j, "]"),
                       absl::StrCat("'", r.role_names(j), "' is not one of ",
                                    absl::StrJoin(ics::KnownRoleNames(), ", ")));
      }
    }
    *change.add_registrants() = r;
  }
  for (int i = 0; i < seed.abns_size(); ++i) {
    if (absl::Status s = CheckAbnRecord(seed.abns(i), absl::StrCat("abns[", i, "]")); !s.ok()) {
      return s;
    }
    *change.add_abns() = seed.abns(i);
  }
  const int generate = seed.generate_abns().count();
  if (generate < 0 || generate > 10000) {
    return Invalid("generate_abns.count", absl::StrCat(generate, " is not within 0 to 10000"));
  }
  for (int i = 0; i < generate; ++i)
    *change.add_abns() = GeneratedAbn(seed.generate_abns().seed(), i);

  absl::MutexLock lock(&mu_);
  std::map<std::string, state::IcsAbn> abns = abns_;
  for (const state::IcsAbn& a : change.abns()) abns[a.abn()] = a;
  int64_t next = next_ccid_;
  std::vector<v1::IcsClient> added;  // IND and ORG clients of this seed
  for (int i = 0; i < seed.clients_size(); ++i) {
    v1::IcsClient c = seed.clients(i);
    const std::string where = absl::StrCat("clients[", i, "]");
    if (c.type() == v1::IcsClient::ABN) {
      auto abn = abns.find(c.abn());
      if (abn == abns.end()) {
        return Invalid(absl::StrCat(where, ".abn"),
                       absl::StrCat("'", c.abn(), "' is not an ABN on the list"));
      }
      if (!c.client_id().empty() && c.client_id() != c.abn()) {
        return Invalid(absl::StrCat(where, ".client_id"), "an ABN client's id is its ABN");
      }
      c.set_client_id(c.abn());
      if (c.name().empty()) c.set_name(abn->second.name());
      if (!c.has_address()) {
        absl::StatusOr<state::IcsCac> cac = BusinessAddressCac(abn->second, 0);
        if (!cac.ok()) return Invalid(absl::StrCat(where, ".address"), cac.status().message());
        *c.mutable_address() = cac->address();
      }
    } else if (c.type() == v1::IcsClient::IND || c.type() == v1::IcsClient::ORG) {
      if (!c.client_id().empty()) {
        return Invalid(absl::StrCat(where, ".client_id"), "the register numbers CCID clients");
      }
      if (ics::IsBlank(c.name())) return Invalid(absl::StrCat(where, ".name"), "required");
      auto same = [&c](const v1::IcsClient& held) {
        return held.type() == c.type() && SameName(held.name(), c.name()) &&
               SameAddress(held.address(), c.address());
      };
      auto held = std::find_if(clients_.begin(), clients_.end(),
                               [&](const auto& entry) { return same(entry.second); });
      auto earlier = std::find_if(added.begin(), added.end(), same);
      if (held != clients_.end()) {
        c = held->second;
      } else if (earlier != added.end()) {
        c = *earlier;
      } else {
        c.set_client_id(absl::StrFormat("CC%09d", next++));
        added.push_back(c);
      }
    } else {
      return Invalid(absl::StrCat(where, ".type"), "IND, ORG or ABN");
    }
    c.set_status(v1::IcsClient::ACTIVE);
    *change.add_clients() = c;
  }
  if (next != next_ccid_) change.set_next_ccid(next);
  if (absl::Status s = Commit(change); !s.ok()) return s;
  for (v1::IcsClient& c : *change.mutable_clients()) c = WithStatus(c);
  return change;
}

absl::StatusOr<Response> IcsRegister::Register(const v1::RegisterClientRequest& request) {
  if (std::vector<v1::RegistrationError> errors = ics::RegistrationErrors(request);
      !errors.empty()) {
    return Rejected(std::move(errors));
  }
  absl::MutexLock lock(&mu_);
  state::IcsChange change;
  Response out = Judge(request, change);
  if (out.outcome() != Response::REGISTERED) return out;
  if (absl::Status s = Commit(change); !s.ok()) return s;
  *out.mutable_client() = WithStatus(out.client());
  return out;
}

Response IcsRegister::Judge(const v1::RegisterClientRequest& request,
                            state::IcsChange& change) const {
  const std::string& practice = request.agent().agent_abn();
  const char* what = request.has_abn() ? "ABN" : "CCID";
  auto registrant = registrants_.find(practice);
  if (registrant == registrants_.end()) {
    Response out;
    out.set_outcome(Response::REJECTED);
    AddError(out, ics::kCodeNoValidRole, "agent.agent_abn",
             absl::StrCat("User does not contain a valid role to create/register this ", what,
                          ": practice ", practice, " may not register clients"));
    return out;
  }
  Response roles;
  const auto& held = registrant->second.role_names();
  for (int i = 0; i < request.role_names_size(); ++i) {
    const std::string& role = request.role_names(i);
    if (std::find(held.begin(), held.end(), role) == held.end()) {
      AddError(roles, ics::kCodeNoValidRole, absl::StrCat("role_names[", i, "]"),
               absl::StrCat("User does not contain a valid role to create/register this ", what,
                            ": practice ", practice, " may not give role ", role));
    }
  }
  if (roles.errors_size() > 0) {
    roles.set_outcome(Response::REJECTED);
    return roles;
  }
  return request.has_abn() ? JudgeAbn(request.abn(), change) : JudgeCcid(request.ccid(), change);
}

Response IcsRegister::JudgeAbn(const v1::AbnRegistration& registration,
                               state::IcsChange& change) const {
  Response out;
  out.set_outcome(Response::REJECTED);
  const std::string& number = registration.abn();
  auto abn = abns_.find(number);
  if (abn == abns_.end()) {
    AddError(out, ics::kCodeInvalidAbn, "abn.abn",
             absl::StrCat("Invalid ABN: ", number, " is not on the Australian Business Register"));
    return out;
  }
  auto registered = clients_.find(number);
  if (registered != clients_.end() && registered->second.type() == v1::IcsClient::ABN) {
    AddError(out, ics::kCodeAbnRegistered, "abn.abn",
             absl::StrCat("ABN already registered: ", number));
  }
  if (abn->second.cancelled()) {
    AddError(out, ics::kCodeAbnCancelled, "abn.abn", absl::StrCat("ABN ", number, " is cancelled"));
  }
  absl::StatusOr<state::IcsCac> cac = BusinessAddressCac(abn->second, registration.cac());
  if (!cac.ok()) AddError(out, ics::kCodeCac, "abn.cac", std::string(cac.status().message()));
  if (out.errors_size() > 0) return out;

  v1::IcsClient* client = change.add_clients();
  client->set_client_id(number);
  client->set_type(v1::IcsClient::ABN);
  client->set_abn(number);
  client->set_name(abn->second.name());
  *client->mutable_address() = cac->address();
  client->set_status(v1::IcsClient::ACTIVE);
  out.set_outcome(Response::REGISTERED);
  *out.mutable_client() = *client;
  out.set_cac(cac->number());
  return out;
}

Response IcsRegister::JudgeCcid(const v1::CcidRegistration& ccid, state::IcsChange& change) const {
  const std::string name = CcidName(ccid);
  Response out;
  for (const auto& [id, held] : clients_) {
    const v1::IcsClient client = WithStatus(held);
    // A cancelled ABN's client never blocks a CCID (seed 004).
    if (client.type() == v1::IcsClient::ABN && client.status() == v1::IcsClient::CANCELLED) {
      continue;
    }
    if (SameName(client.name(), name) && SameAddress(client.address(), ccid.business_address())) {
      *out.add_duplicates() = client;
    }
  }
  if (out.duplicates_size() > 0) {
    out.set_outcome(Response::DUPLICATE);
    return out;
  }
  v1::IcsClient* client = change.add_clients();
  client->set_client_id(absl::StrFormat("CC%09d", next_ccid_));
  client->set_type(ccid.client_type());
  client->set_name(name);
  *client->mutable_address() = ccid.business_address();
  client->set_status(v1::IcsClient::ACTIVE);
  change.set_next_ccid(next_ccid_ + 1);
  out.set_outcome(Response::REGISTERED);
  *out.mutable_client() = *client;
  return out;
}

std::vector<v1::IcsClient> IcsRegister::Clients() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::IcsClient> out;
  for (const auto& [id, c] : clients_) out.push_back(WithStatus(c));
  return out;
}

std::vector<state::IcsAbn> IcsRegister::Abns() const {
  absl::MutexLock lock(&mu_);
  std::vector<state::IcsAbn> out;
  for (const auto& [abn, a] : abns_) out.push_back(a);
  return out;
}

std::vector<state::IcsRegistrant> IcsRegister::Registrants() const {
  absl::MutexLock lock(&mu_);
  std::vector<state::IcsRegistrant> out;
  for (const auto& [abn, r] : registrants_) out.push_back(r);
  return out;
}

absl::StatusOr<state::IcsSeed> ParseIcsSeedJson(absl::string_view json) {
  state::IcsSeed seed;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &seed);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ICS seed: ", std::string(parsed.message().data(), parsed.message().size())));
  }
  return seed;
}

std::string IcsChangeJson(const state::IcsChange& change) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  std::string out;
  // Printing a message of known types cannot fail.
  (void)google::protobuf::util::MessageToJsonString(change, &out, options);
  return out;
}

}  // namespace sbrgate::sim
