#include "pipeline/sim/simulator/demographics_register.h"

#include <algorithm>
#include <iterator>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "pipeline/platform/common/digest.h"

namespace sbrgate::sim {
namespace {

using Records = v1::DemographicRecords;

struct Place {
  const char* locality;
  const char* state;
  const char* postcode;
};
constexpr Place kPlaces[] = {
    {"Sydney", "NSW", "2000"},  {"Parramatta", "NSW", "2150"}, {"Melbourne", "VIC", "3000"},
    {"Geelong", "VIC", "3220"}, {"Brisbane", "QLD", "4000"},   {"Townsville", "QLD", "4810"},
    {"Adelaide", "SA", "5000"}, {"Perth", "WA", "6000"},       {"Hobart", "TAS", "7000"},
    {"Darwin", "NT", "0800"},   {"Canberra", "ACT", "2600"},   {"Newcastle", "NSW", "2300"}};
constexpr const char* kStreets[] = {"Wharf St",  "George St",  "Wattle Ave",   "Banksia Rd",
                                    "Ocean Pde", "Station St", "Redgum Cres",  "Harbour Rd",
                                    "Pitt St",   "Queen St",   "Eucalypt Way", "Mill Lane"};
constexpr const char* kGivenNames[] = {"Alex", "Sam",   "Jordan", "Priya", "Mei",
                                       "Liam", "Aroha", "Noah",   "Zara",  "Tom"};
constexpr const char* kFamilyNames[] = {"Nguyen", "Smith", "Patel", "Williams", "Chen",
                                        "Brown",  "Kelly", "Singh", "Taylor",   "Wilson"};

template <typename Options>
const auto& Pick(const Options& options, std::mt19937_64& rng) {
  return options[rng() % std::size(options)];
}

uint64_t Seed(absl::string_view text) {
  const std::string d = Sha256Digest(text);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(d[i]);
  return v;
}

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

v1::ClientAddress MakeAddress(v1::ClientAddress::Usage usage, std::mt19937_64& rng,
                              absl::CivilDay start) {
  v1::ClientAddress a;
  a.set_usage(usage);
  if (usage == v1::ClientAddress::POSTAL && rng() % 2 == 0) {
    a.add_lines(absl::StrCat("PO Box ", 1 + rng() % 999));
  } else {
    a.add_lines(absl::StrCat(1 + rng() % 250, " ", Pick(kStreets, rng)));
  }
  const Place& p = Pick(kPlaces, rng);
  a.set_locality(p.locality);
  a.set_state(p.state);
  a.set_postcode(p.postcode);
  a.set_country("AU");
  a.set_start_date(Day(start));
  return a;
}

std::string PersonName(std::mt19937_64& rng) {
  return absl::StrCat(Pick(kGivenNames, rng), " ", Pick(kFamilyNames, rng));
}

// The records of `held`'s level `account`, added empty if it has none.
Records& Level(state::ClientDemographics& held, const std::string& account) {
  for (state::DemographicsLevel& l : *held.mutable_levels()) {
    if (l.account() == account) return *l.mutable_records();
  }
  state::DemographicsLevel* l = held.add_levels();
  l->set_account(account);
  return *l->mutable_records();
}

// The records of `held`'s level `account`; empty if it has none.
const Records& LevelOf(const state::ClientDemographics& held, const std::string& account) {
  for (const state::DemographicsLevel& l : held.levels()) {
    if (l.account() == account) return l.records();
  }
  return Records::default_instance();
}

// Drops the superseded (those with an end date).
template <typename Record>
void KeepCurrent(google::protobuf::RepeatedPtrField<Record>& records) {
  records.erase(std::remove_if(records.begin(), records.end(),
                               [](const Record& r) { return !r.end_date().empty(); }),
                records.end());
}

// Each of `submitted`, started `today` unless it says, supersedes the
// current record of `held` with the same `key`; `submitted` gets the start
// dates.
template <typename Record, typename Key>
void Supersede(google::protobuf::RepeatedPtrField<Record>& submitted,
               google::protobuf::RepeatedPtrField<Record>& held, Key key, absl::CivilDay today) {
  for (Record& s : submitted) {
    if (s.start_date().empty()) s.set_start_date(Day(today));
    for (Record& h : held) {
      if (h.end_date().empty() && key(h) == key(s)) h.set_end_date(s.start_date());
    }
    *held.Add() = s;
  }
}

bool HasClientLevel(const v1::ListRelationshipsResponse& links) {
  return std::any_of(links.relationships().begin(), links.relationships().end(),
                     [](const v1::Relationship& r) { return r.level() == v1::CLIENT; });
}

// PERMISSION_DENIED unless `agent_abn`'s relationships with the client let
// it at `account` (empty: the client as a whole).
absl::Status CheckRelationship(const v1::ListRelationshipsResponse& links,
                               absl::string_view agent_abn, const std::string& client_key,
                               const std::string& account) {
  if (HasClientLevel(links)) return absl::OkStatus();
  std::set<std::string> accounts;
  for (const v1::Relationship& r : links.relationships()) accounts.insert(r.account());
  if (accounts.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "agent ", std::string(agent_abn), " has no relationship with client ", client_key));
  }
  if (!account.empty() && accounts.count(account) > 0) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "agent ", std::string(agent_abn), "'s relationship with client ", client_key,
      " is for account", accounts.size() > 1 ? "s " : " ", absl::StrJoin(accounts, ", "),
      account.empty() ? " only, not the client as a whole" : absl::StrCat(" only, not ", account)));
}

}  // namespace

state::ClientDemographics GeneratedDemographics(const v1::ClientId& client,
                                                const std::string& name) {
  std::mt19937_64 rng(Seed(absl::StrCat("demographics|", ClientKey(client))));
  const bool individual = client.type() == v1::TFN;
  state::ClientDemographics held;
  *held.mutable_client() = client;
  Records& r = Level(held, "");

  const absl::CivilDay moved(2016 + rng() % 8, 1 + rng() % 12, 1 + rng() % 28);
  const absl::CivilDay first(2008 + rng() % 6, 1 + rng() % 12, 1 + rng() % 28);
  v1::ClientAddress old = MakeAddress(v1::ClientAddress::POSTAL, rng, first);
  old.set_end_date(Day(moved));
  *r.add_addresses() = old;
  *r.add_addresses() = MakeAddress(
      individual ? v1::ClientAddress::RESIDENTIAL : v1::ClientAddress::BUSINESS, rng, moved);
  *r.add_addresses() = MakeAddress(v1::ClientAddress::POSTAL, rng, moved);

  v1::ClientDetails* d = r.mutable_details();
  if (individual) {
    d->set_entity(v1::ClientDetails::INDIVIDUAL);
    const size_t space = name.rfind(' ');
    d->set_given_name(space == std::string::npos ? "" : name.substr(0, space));
    d->set_family_name(space == std::string::npos ? name : name.substr(space + 1));
    d->set_date_of_birth(Day(absl::CivilDay(1950, 1, 1) + static_cast<int>(rng() % 18000)));
  } else {
    d->set_entity(v1::ClientDetails::NON_INDIVIDUAL);
    d->set_organisation_name(name);
    d->set_not_for_profit(rng() % 6 == 0);
    const std::string officer = PersonName(rng);
    for (int i = 0; i < 2; ++i) {
      v1::Associate* director = r.add_associates();
      director->set_name(PersonName(rng));
      director->set_relationship(v1::Associate::DIRECTOR);
      director->set_start_date(Day(first));
    }
    v1::Associate* public_officer = r.add_associates();
    public_officer->set_name(officer);
    public_officer->set_relationship(v1::Associate::PUBLIC_OFFICER);
    public_officer->set_start_date(Day(moved));
    v1::AuthorisedContact* contact = r.add_authorised_contacts();
    contact->set_name(officer);
    contact->set_role("Public officer");
    contact->set_phone(absl::StrFormat("02 9%03d %04d", rng() % 1000, rng() % 10000));
    contact->set_email(absl::StrCat(absl::AsciiStrToLower(officer.substr(0, officer.find(' '))),
                                    "@", absl::AsciiStrToLower(client.value()), ".example.com.au"));
  }
  v1::FinancialInstitutionAccount* fi = r.add_financial_institution_accounts();
  fi->set_purpose(v1::FinancialInstitutionAccount::INCOME_TAX_REFUND);
  fi->set_bsb(absl::StrFormat("%06d", rng() % 1000000));
  fi->set_account_number(absl::StrFormat("%08d", rng() % 100000000));
  fi->set_account_name(name.substr(0, 32));
  fi->set_start_date(Day(first));
  return held;
}

void DemographicsRegister::RecordChangesWith(Recorder record) {
  absl::MutexLock lock(&mu_);
  record_ = std::move(record);
}

void DemographicsRegister::Restore(const std::vector<state::ClientDemographics>& saved) {
  absl::MutexLock lock(&mu_);
  for (const state::ClientDemographics& c : saved) clients_[ClientKey(c.client())] = c;
}

state::ClientDemographics& DemographicsRegister::Held(const v1::ClientId& client,
                                                      const std::string& name) {
  const std::string key = ClientKey(client);
  auto it = clients_.find(key);
  if (it == clients_.end()) it = clients_.emplace(key, GeneratedDemographics(client, name)).first;
  return it->second;
}

absl::StatusOr<v1::DemographicsResponse> DemographicsRegister::Serve(
    const v1::DemographicsRequest& request) {
  const std::string& agent = request.agent().agent_abn();
  absl::StatusOr<v1::SearchClientResponse> found = corpus_->SearchClient(agent, request.client());
  if (!found.ok()) return found.status();
  const std::string key = ClientKey(request.client());
  const std::string& account = request.account();
  if (absl::Status s = CheckRelationship(corpus_->ListRelationships(agent, &request.client()),
                                         agent, key, account);
      !s.ok()) {
    return s;
  }
  if (!account.empty() && std::find(found->accounts().begin(), found->accounts().end(), account) ==
                              found->accounts().end()) {
    return absl::FailedPreconditionError(
        absl::StrCat(account, " is not an account of client ", key));
  }
  v1::DemographicsResponse response;
  response.set_service(request.service());
  response.set_operation(request.operation());
  *response.mutable_client() = request.client();
  response.set_client_name(found->name());
  response.set_account(account);

  absl::MutexLock lock(&mu_);
  state::ClientDemographics& held = Held(request.client(), found->name());
  Records& out = *response.mutable_records();
  if (request.operation() == v1::LIST || request.operation() == v1::GET) {
    const Records& level = LevelOf(held, account);
    switch (request.service()) {
      case v1::ADDRESSES:
        *out.mutable_addresses() = level.addresses();
        *out.mutable_authorised_contacts() = level.authorised_contacts();
        break;
      case v1::ASSOCIATES:
        *out.mutable_associates() = level.associates();
        break;
      case v1::DETAILS:
        *out.mutable_details() = level.details();
        break;
      default:  // FINANCIAL_INSTITUTIONS (AUTHORISED_CONTACTS offers no read)
        *out.mutable_financial_institution_accounts() = level.financial_institution_accounts();
    }
    if (!request.include_history()) {
      KeepCurrent(*out.mutable_addresses());
      KeepCurrent(*out.mutable_associates());
      KeepCurrent(*out.mutable_financial_institution_accounts());
    }
    return response;
  }

  const absl::CivilDay today = corpus_->Today();
  state::ClientDemographics changed = held;
  Records& level = Level(changed, account);
  out = request.records();
  switch (request.service()) {
    case v1::ADDRESSES:
      Supersede(
          *out.mutable_addresses(), *level.mutable_addresses(),
          [](const v1::ClientAddress& a) { return a.usage(); }, today);
      break;
    case v1::AUTHORISED_CONTACTS:
      *level.mutable_authorised_contacts() = out.authorised_contacts();
      break;
    case v1::DETAILS:
      if (out.details().entity() != level.details().entity()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "client ", key, " is ",
            level.details().entity() == v1::ClientDetails::INDIVIDUAL ? "an individual"
                                                                      : "a non-individual",
            ": its details are ", v1::ClientDetails::Entity_Name(level.details().entity()),
            " details"));
      }
      *level.mutable_details() = out.details();
      break;
    default:  // FINANCIAL_INSTITUTIONS (ASSOCIATES offers no change)
      Supersede(
          *out.mutable_financial_institution_accounts(),
          *level.mutable_financial_institution_accounts(),
          [](const v1::FinancialInstitutionAccount& a) { return a.purpose(); }, today);
  }
  if (request.operation() == v1::VALIDATE) return response;
  if (record_) {
    if (absl::Status s = record_(changed); !s.ok()) return s;
  }
  held = std::move(changed);
  response.set_changed(true);
  return response;
}

}  // namespace sbrgate::sim
