#include "pipeline/sim/simulator/clntcomm_corpus.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "pipeline/clntcomm/rules/request_rules.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/platform/common/dates.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/sbr/identifiers/check_digits.h"

namespace sbrgate::sim {
namespace {

using clntcomm::kEarliestDate;
using clntcomm::LinkLevel;
using clntcomm::SydneyTimeZone;

uint64_t Hash64(absl::string_view text) {
  const std::string d = Sha256Digest(text);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(d[i]);
  return v;
}

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text, absl::string_view field) {
  std::optional<absl::CivilDay> day = ParseDate(text);
  if (!day) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", std::string(text), "' is not a date (YYYY-MM-DD)"));
  }
  return *day;
}

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr const char* kGivenNames[] = {"Alex", "Sam",   "Jordan", "Priya", "Mei",
                                       "Liam", "Aroha", "Noah",   "Zara",  "Tom"};
constexpr const char* kFamilyNames[] = {"Nguyen", "Smith", "Patel", "Williams", "Chen",
                                        "Brown",  "Kelly", "Singh", "Taylor",   "Wilson"};
constexpr const char* kCompanyWords[] = {"Harbour", "Wattle",   "Southern",  "Redgum",  "Coastal",
                                         "Granite", "Eucalypt", "Bluewater", "Outback", "Banksia"};

constexpr v1::Channel kChannels[] = {v1::PAPER, v1::MYGOV,         v1::SMS,
                                     v1::EMAIL, v1::AGENT_DIGITAL, v1::ATO_ONLINE};

// Titles by account kind; none of them is a PAYG instalment title.
constexpr const char* kActivityStatementTitles[] = {
    "Activity statement", "Reminder to lodge activity statement",
    "Activity statement - Notice of amended assessment", "Statement of account",
    "Payment plan confirmation"};
constexpr const char* kIncomeTaxTitles[] = {"Notice of assessment", "Notice of amended assessment",
                                            "Tax return lodgment confirmation",
                                            "Request for information", "Tax record statement"};
constexpr const char* kOtherTitles[] = {"Statement of account", "Debt - Demand for payment",
                                        "Invitation to review details", "Reminder - Overdue amount",
                                        "Registration confirmation"};

template <typename Options>
const auto& Pick(const Options& options, std::mt19937_64& rng) {
  return options[rng() % std::size(options)];
}

std::string PdfEscape(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"(", "\\("}, {")", "\\)"}});
}

// What fits on an A4 page from 770 pt down at 14 pt a line.
constexpr size_t kPdfLinesPerPage = 50;

// A small, valid PDF holding `lines`, as many pages as they need. Objects:
// catalog, page tree, each page with its content stream, then the font (so
// a one-page document is laid out as it always was).
std::string MakePdf(const std::vector<std::string>& lines) {
  const size_t pages =
      std::max<size_t>(1, (lines.size() + kPdfLinesPerPage - 1) / kPdfLinesPerPage);
  const size_t font = 3 + 2 * pages;
  std::string kids;
  for (size_t p = 0; p < pages; ++p) absl::StrAppend(&kids, p == 0 ? "" : " ", 3 + 2 * p, " 0 R");
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      absl::StrCat("<< /Type /Pages /Kids [", kids, "] /Count ", pages, " >>"),
  };
  for (size_t p = 0; p < pages; ++p) {
    std::string stream = "BT /F1 11 Tf 72 770 Td 14 TL\n";
    for (size_t i = p * kPdfLinesPerPage; i < std::min(lines.size(), (p + 1) * kPdfLinesPerPage);
         ++i) {
      absl::StrAppend(&stream, "(", PdfEscape(lines[i]), ") '\n");
    }
    absl::StrAppend(&stream, "ET\n");
    objects.push_back(
        absl::StrCat("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ", 4 + 2 * p,
                     " 0 R /Resources << /Font << /F1 ", font, " 0 R >> >> >>"));
    objects.push_back(
        absl::StrCat("<< /Length ", stream.size(), " >>\nstream\n", stream, "endstream"));
  }
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    absl::StrAppend(&pdf, i + 1, " 0 obj\n", objects[i], "\nendobj\n");
  }
  const size_t xref = pdf.size();
  absl::StrAppend(&pdf, "xref\n0 ", objects.size() + 1, "\n0000000000 65535 f \n");
  for (size_t off : offsets) absl::StrAppend(&pdf, absl::StrFormat("%010d 00000 n \n", off));
  absl::StrAppend(&pdf, "trailer\n<< /Size ", objects.size() + 1, " /Root 1 0 R >>\nstartxref\n",
                  xref, "\n%%EOF\n");
  return pdf;
}

// `item`'s document: posted correspondence's `lines` under a heading, or
// one generated from the item.
clntcomm::Document MakeDocument(const v1::CommunicationItem& item,
                                const std::vector<std::string>& lines) {
  clntcomm::Document doc;
  doc.item = item;
  const std::string sent = absl::FormatTime(
      "%d %B %Y", absl::FromUnixSeconds(item.sent_at().seconds()), SydneyTimeZone());
  const std::string client =
      absl::StrCat(item.client_name(), " (", v1::ClientIdType_Name(item.client().type()), " ",
                   item.client().value(), ")");
  if (!lines.empty()) {
    std::vector<std::string> text = {"Australian Taxation Office",
                                     item.title(),
                                     absl::StrCat("To: ", client),
                                     absl::StrCat("Date: ", sent),
                                     absl::StrCat("Document ID: ", item.document_id()),
                                     ""};
    text.insert(text.end(), lines.begin(), lines.end());
    doc.mime_type = "application/pdf";
    doc.content = MakePdf(text);
    return doc;
  }
  if (item.channel() == v1::SMS) {
    doc.mime_type = "text/plain";
    doc.content = absl::StrCat("ATO: ", item.title(), " for ", client, ". Ref ", item.document_id(),
                               ", sent ", sent, ".\n");
    return doc;
  }
  doc.mime_type = "application/pdf";
  std::mt19937_64 rng(Hash64(item.document_id()));
  const std::string amount = absl::StrFormat("$%d.%02d", rng() % 50000, rng() % 100);
  doc.content = MakePdf({"Australian Taxation Office", item.title(), absl::StrCat("To: ", client),
                         absl::StrCat("Account: ", item.account()), absl::StrCat("Date: ", sent),
                         absl::StrCat("Channel: ", v1::Channel_Name(item.channel())),
                         absl::StrCat("Amount: ", amount),
                         absl::StrCat("Document ID: ", item.document_id())});
  return doc;
}

std::string GeneratedName(const v1::ClientId& client, uint64_t seed) {
  std::mt19937_64 rng(Hash64(absl::StrCat("name|", ClientKey(client), "|", seed)));
  if (client.type() == v1::TFN) {
    return absl::StrCat(Pick(kGivenNames, rng), " ", Pick(kFamilyNames, rng));
  }
  return absl::StrCat(Pick(kCompanyWords, rng), " ", Pick(kCompanyWords, rng), " Pty Ltd");
}

}  // namespace

std::string ClientKey(const v1::ClientId& client) {
  return absl::StrCat(v1::ClientIdType_Name(client.type()), ":", client.value());
}

ClntcommCorpus::ClntcommCorpus(const Clock* clock) : clock_(clock) {}

absl::Time ClntcommCorpus::Now() const { return clock_->Now(); }

absl::CivilDay ClntcommCorpus::Today() const {
  return absl::ToCivilDay(clock_->Now(), SydneyTimeZone());
}

ClntcommCorpus::Client& ClntcommCorpus::ClientFor(const v1::ClientId& id, const std::string& name,
                                                  uint64_t seed) {
  Client& c = clients_[ClientKey(id)];
  if (c.name.empty()) {
    c.id = id;
    c.name = name.empty() ? GeneratedName(id, seed) : name;
  }
  return c;
}

namespace {

bool SameRelationship(const v1::Relationship& a, const v1::Relationship& b) {
  return a.level() == b.level() && a.account() == b.account() && a.role() == b.role();
}

}  // namespace

void ClntcommCorpus::AddRelationship(const std::string& agent_abn,
                                     const v1::Relationship& relationship) {
  std::vector<v1::Relationship>& held =
      relationships_[{agent_abn, ClientKey(relationship.client())}];
  for (const v1::Relationship& r : held) {
    if (SameRelationship(r, relationship)) return;
  }
  held.push_back(relationship);
}

void ClntcommCorpus::SyncLink(const std::string& agent_abn, const v1::ClientId& client) {
  const std::string key = ClientKey(client);
  std::vector<clntcomm::Link>& client_links = links_[key];
  client_links.erase(std::remove_if(client_links.begin(), client_links.end(),
                                    [&](const clntcomm::Link& l) {
                                      return l.agent_abn == agent_abn;
                                    }),
                     client_links.end());
  auto held = relationships_.find({agent_abn, key});
  if (held == relationships_.end() || held->second.empty()) return;
  clntcomm::Link link{agent_abn, client, LinkLevel::kAccount, {}};
  for (const v1::Relationship& r : held->second) {
    if (r.level() == v1::CLIENT) {
      link.level = LinkLevel::kClient;
      link.accounts.clear();
      break;
    }
    if (std::find(link.accounts.begin(), link.accounts.end(), r.account()) == link.accounts.end()) {
      link.accounts.push_back(r.account());
    }
  }
  client_links.push_back(std::move(link));
}

absl::StatusOr<v1::SearchClientResponse> ClntcommCorpus::SearchClient(
    absl::string_view agent_abn, const v1::ClientId& client) const {
  absl::MutexLock lock(&mu_);
  auto c = clients_.find(ClientKey(client));
  if (c == clients_.end()) {
    return absl::NotFoundError(absl::StrCat("no client ", ClientKey(client)));
  }
  v1::SearchClientResponse found;
  *found.mutable_client() = c->second.id;
  found.set_name(c->second.name);
  for (const std::string& a : c->second.accounts) found.add_accounts(a);
  auto held = relationships_.find({std::string(agent_abn), c->first});
  found.set_linked(held != relationships_.end() && !held->second.empty());
  return found;
}

absl::StatusOr<v1::Relationship> ClntcommCorpus::ChangeRelationship(
    absl::string_view agent_abn, const v1::Relationship& relationship, bool remove,
    bool validate_only) {
  absl::MutexLock lock(&mu_);
  const std::string key = ClientKey(relationship.client());
  auto c = clients_.find(key);
  if (c == clients_.end()) return absl::NotFoundError(absl::StrCat("no client ", key));
  v1::Relationship named = relationship;
  named.set_client_name(c->second.name);
  const std::string agent(agent_abn);
  std::vector<v1::Relationship>& held = relationships_[{agent, key}];
  auto standing = std::find_if(held.begin(), held.end(), [&](const v1::Relationship& r) {
    return SameRelationship(r, relationship);
  });
  const std::string what =
      absl::StrCat(v1::RelationshipLevel_Name(relationship.level()), " relationship of agent ",
                   agent, " with ", key,
                   relationship.account().empty() ? "" : absl::StrCat(" account ", relationship.account()),
                   relationship.role().empty() ? "" : absl::StrCat(" role ", relationship.role()));
  if (remove && standing == held.end()) {
    return absl::NotFoundError(absl::StrCat("there is no ", what));
  }
  if (!remove && standing != held.end()) {
    return absl::AlreadyExistsError(absl::StrCat("the ", what, " stands already"));
  }
  if (!remove && !relationship.account().empty() &&
      c->second.accounts.count(relationship.account()) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(relationship.account(),
                                                      " is not an account of client ", key));
  }
  if (validate_only) return named;
  if (record_relationship_) {
    if (absl::Status s = record_relationship_(agent_abn, relationship, remove); !s.ok()) return s;
  }
  if (remove) {
    held.erase(standing);
  } else {
    held.push_back(relationship);
  }
  SyncLink(agent, relationship.client());
  return named;
}

v1::ListRelationshipsResponse ClntcommCorpus::ListRelationships(absl::string_view agent_abn,
                                                                const v1::ClientId* client) const {
  absl::MutexLock lock(&mu_);
  v1::ListRelationshipsResponse out;
  for (const auto& [agent_and_client, held] : relationships_) {
    if (agent_and_client.first != agent_abn) continue;
    if (client != nullptr && agent_and_client.second != ClientKey(*client)) continue;
    const std::string& name = clients_.at(agent_and_client.second).name;
    for (v1::Relationship r : held) {
      r.set_client_name(name);
      *out.add_relationships() = std::move(r);
    }
  }
  return out;
}

void ClntcommCorpus::RecordRelationshipsWith(RelationshipRecorder record) {
  absl::MutexLock lock(&mu_);
  record_relationship_ = std::move(record);
}

bool ClntcommCorpus::CanSee(absl::string_view agent_abn, const Item& item) const {
  auto links = links_.find(item.client_key);
  return links != links_.end() &&
         clntcomm::CanSee(links->second, agent_abn, item.item, item.item.title());
}

absl::StatusOr<SeedResult> ClntcommCorpus::SeedClient(const ClntcommSeed& s) {
  if (!identifiers::IsValidAbn(s.agent_abn)) {
    return absl::InvalidArgumentError(
        absl::StrCat("agent_abn: '", s.agent_abn, "' is not a valid ABN"));
  }
  if (!AllDigits(s.ran)) {
    return absl::InvalidArgumentError(absl::StrCat("ran: '", s.ran, "' is not a RAN (digits)"));
  }
  if (s.count < 0) return absl::InvalidArgumentError("count: must be >= 0");
  if (s.level == LinkLevel::kNone) {
    return absl::InvalidArgumentError("level: a seed links at client or account level");
  }
  if (s.level == LinkLevel::kAccount && s.accounts.empty()) {
    return absl::InvalidArgumentError("accounts: an account-level link names at least one account");
  }
  const absl::CivilDay to = s.to.value_or(Today());
  if (s.from < kEarliestDate || s.from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("from/to: sent dates ", absl::FormatCivilTime(s.from), " to ",
                     absl::FormatCivilTime(to), " must lie within 2008-07-01 and today"));
  }
  v1::ClientId client = s.client;
  if (client.type() == v1::CLIENT_ID_TYPE_UNSPECIFIED) client.set_type(v1::TFN);
  if (client.value().empty()) {
    if (client.type() == v1::TFN) {
      client.set_value(identifiers::MakeValidTfn(s.seed));
    } else if (client.type() == v1::ABN) {
      client.set_value(identifiers::MakeValidAbn(s.seed));
    } else {
      return absl::InvalidArgumentError("client.value: needed for WPN and ARN clients");
    }
  }
  const std::string key = ClientKey(client);
  if (!clntcomm::IsValidIdentifier(client)) {
    return absl::InvalidArgumentError(absl::StrCat("client: ", key, " is not a valid identifier"));
  }

  std::vector<std::string> item_accounts = s.item_accounts;
  if (item_accounts.empty()) {
    item_accounts = {"IT", "AS:001"};
    for (const std::string& a : s.accounts) {
      if (std::find(item_accounts.begin(), item_accounts.end(), a) == item_accounts.end()) {
        item_accounts.push_back(a);
      }
    }
  }

  absl::MutexLock lock(&mu_);
  auto agent = agents_.find(s.agent_abn);
  if (agent != agents_.end() && agent->second != s.ran) {
    return absl::InvalidArgumentError(
        absl::StrCat("ran: agent ", s.agent_abn, " is registered with RAN ", agent->second));
  }
  if (record_seed_) {
    ClntcommSeed resolved = s;
    resolved.client = client;
    resolved.to = to;
    if (absl::Status recorded = record_seed_(resolved); !recorded.ok()) return recorded;
  }
  agents_[s.agent_abn] = s.ran;
  Client& c = ClientFor(client, s.name, s.seed);
  c.accounts.insert(item_accounts.begin(), item_accounts.end());
  // The seed's relationships join the agent's others: a client-level link
  // is never narrowed by a later account-level seed.
  v1::Relationship relationship;
  *relationship.mutable_client() = client;
  if (s.level == LinkLevel::kClient) {
    relationship.set_level(v1::CLIENT);
    AddRelationship(s.agent_abn, relationship);
  }
  for (const std::string& a : s.level == LinkLevel::kAccount ? s.accounts
                                                             : std::vector<std::string>()) {
    relationship.set_level(v1::ACCOUNT);
    relationship.set_account(a);
    AddRelationship(s.agent_abn, relationship);
  }
  SyncLink(s.agent_abn, client);

  SeedResult result{client, c.name, 0};
  std::mt19937_64 rng(Hash64(absl::StrCat("items|", key, "|", s.seed)));
  const absl::TimeZone& tz = SydneyTimeZone();
  const int64_t days = to - s.from + 1;
  for (int i = 0; i < s.count; ++i) {
    const std::string id = absl::StrCat(
        "CC",
        absl::AsciiStrToUpper(Sha256Hex(absl::StrCat(key, "|", s.seed, "|", i)).substr(0, 16)));
    // Draw every value even for an item seeded before, so that the sequence
    // does not depend on what exists already.
    const absl::CivilDay day = s.from + static_cast<int64_t>(rng() % days);
    const absl::CivilSecond at(day.year(), day.month(), day.day(), 8 + rng() % 12, rng() % 60,
                               rng() % 60);
    const v1::Channel channel = Pick(kChannels, rng);
    const v1::Category category = static_cast<v1::Category>(1 + rng() % 13);
    const bool payg = rng() % 8 == 0;
    const std::string account = payg ? "IT" : item_accounts[rng() % item_accounts.size()];
    std::string title;
    if (payg) {
      title = std::string(Pick(clntcomm::kPaygInstalmentTitles, rng));
    } else if (absl::StartsWith(account, "AS:")) {
      title = Pick(kActivityStatementTitles, rng);
    } else if (account == "IT") {
      title = Pick(kIncomeTaxTitles, rng);
    } else {
      title = Pick(kOtherTitles, rng);
    }
    if (items_.count(id) > 0) continue;
    Item& item = items_[id];
    item.day = day;
    item.client_key = key;
    v1::CommunicationItem& ci = item.item;
    ci.set_document_id(id);
    *ci.mutable_client() = client;
    ci.set_client_name(c.name);
    ci.set_channel(channel);
    ci.set_category(category);
    ci.set_title(title);
    ci.mutable_sent_at()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(at, tz)));
    ci.set_account(account);
    c.document_ids.push_back(id);
    ++result.added;
  }
  return result;
}

void ClntcommCorpus::RecordSeedsWith(SeedRecorder record) {
  absl::MutexLock lock(&mu_);
  record_seed_ = std::move(record);
}

absl::StatusOr<bool> ClntcommCorpus::Post(const Correspondence& c) {
  if (c.document_id.empty() || c.title.empty() || c.client.value().empty() ||
      c.client.type() == v1::CLIENT_ID_TYPE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "posted correspondence needs a document id, a title and a client");
  }
  absl::MutexLock lock(&mu_);
  if (items_.count(c.document_id) > 0) return false;
  if (record_post_) {
    if (absl::Status recorded = record_post_(c); !recorded.ok()) return recorded;
  }
  Client& client = ClientFor(c.client, c.client_name, 0);
  Item& item = items_[c.document_id];
  item.day = absl::ToCivilDay(c.sent_at, SydneyTimeZone());
  item.client_key = ClientKey(c.client);
  item.lines = c.lines;
  v1::CommunicationItem& ci = item.item;
  ci.set_document_id(c.document_id);
  ci.mutable_client()->set_type(c.client.type());
  ci.mutable_client()->set_value(c.client.value());
  ci.set_client_name(client.name);
  ci.set_channel(c.channel);
  ci.set_category(c.category);
  ci.set_title(c.title);
  ci.mutable_sent_at()->set_seconds(absl::ToUnixSeconds(c.sent_at));
  client.document_ids.push_back(c.document_id);
  return true;
}

void ClntcommCorpus::RecordPostsWith(PostRecorder record) {
  absl::MutexLock lock(&mu_);
  record_post_ = std::move(record);
}

absl::Status ClntcommCorpus::CheckAgent(absl::string_view agent_abn, absl::string_view ran) const {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(std::string(agent_abn));
  if (it == agents_.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("agent ", std::string(agent_abn), " is not a registered agent"));
  }
  if (!ran.empty() && it->second != ran) {
    return absl::PermissionDeniedError(
        absl::StrCat("RAN ", std::string(ran), " is not agent ", std::string(agent_abn), "'s"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ListCommunicationsResponse> ClntcommCorpus::List(
    absl::string_view agent_abn, const v1::ListCommunicationsRequest& request,
    size_t max_items) const {
  absl::CivilDay from = kEarliestDate;
  absl::CivilDay to = Today();
  if (!request.from_date().empty()) {
    auto d = ParseDay(request.from_date(), "from_date");
    if (!d.ok()) return d.status();
    from = *d;
  }
  if (!request.to_date().empty()) {
    auto d = ParseDay(request.to_date(), "to_date");
    if (!d.ok()) return d.status();
    to = *d;
  }
  std::set<int> channels(request.channels().begin(), request.channels().end());
  const int category = request.categories().empty() ? v1::CATEGORY_ALL : request.categories(0);

  std::vector<const Item*> matches;
  {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> keys;
    if (request.clients().empty()) {
      for (const auto& [key, client] : clients_) keys.push_back(key);
    } else {
      for (const v1::ClientId& c : request.clients()) keys.push_back(ClientKey(c));
    }
    for (const std::string& key : keys) {
      auto client = clients_.find(key);
      if (client == clients_.end()) continue;
      for (const std::string& id : client->second.document_ids) {
        const Item& it = items_.at(id);
        if (it.day < from || it.day > to) continue;
        if (!channels.empty() && channels.count(it.item.channel()) == 0) continue;
        if (category != v1::CATEGORY_ALL && it.item.category() != category) continue;
        if (!CanSee(agent_abn, it)) continue;
        matches.push_back(&it);
      }
    }
    // Items are never removed, so the pointers stay valid after the lock.
  }
  const bool by_name = request.sort() == v1::SORT_CLIENT_NAME;
  auto sent = [](const Item* i) { return i->item.sent_at().seconds(); };
  std::sort(matches.begin(), matches.end(), [&](const Item* a, const Item* b) {
    if (by_name && a->item.client_name() != b->item.client_name()) {
      return a->item.client_name() < b->item.client_name();
    }
    if (sent(a) != sent(b)) return sent(a) < sent(b);
    return a->item.document_id() < b->item.document_id();
  });
  if (request.descending()) std::reverse(matches.begin(), matches.end());
  v1::ListCommunicationsResponse out;
  for (const Item* i : matches) {
    if (max_items > 0 && static_cast<size_t>(out.items_size()) == max_items) {
      out.set_more_results(true);
      break;
    }
    *out.add_items() = i->item;
  }
  return out;
}

absl::StatusOr<clntcomm::Document> ClntcommCorpus::Get(absl::string_view agent_abn,
                                                       const v1::ClientId& client,
                                                       absl::string_view document_id) const {
  const std::string key = ClientKey(client);
  v1::CommunicationItem item;
  std::vector<std::string> lines;
  {
    absl::MutexLock lock(&mu_);
    auto it = items_.find(std::string(document_id));
    if (it == items_.end() || it->second.client_key != key) {
      return absl::NotFoundError(
          absl::StrCat("no communication ", std::string(document_id), " for client ", key));
    }
    if (!CanSee(agent_abn, it->second)) {
      return absl::PermissionDeniedError(
          absl::StrCat("agent ", std::string(agent_abn), " may not see communication ",
                       std::string(document_id), " of client ", key));
    }
    item = it->second.item;
    lines = it->second.lines;
  }
  return MakeDocument(item, lines);
}

size_t ClntcommCorpus::size() const {
  absl::MutexLock lock(&mu_);
  return items_.size();
}

absl::StatusOr<std::vector<ClntcommSeed>> ParseSeedJson(absl::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return absl::InvalidArgumentError("clntcomm seed: not JSON");
  if (j.is_object()) j = nlohmann::json::array({j});
  if (!j.is_array())
    return absl::InvalidArgumentError("clntcomm seed: an object or an array of objects");
  std::vector<ClntcommSeed> out;
  for (size_t n = 0; n < j.size(); ++n) {
    const nlohmann::json& o = j[n];
    const std::string where = absl::StrCat("clntcomm seed [", n, "]");
    auto fail = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
    };
    if (!o.is_object()) return fail("not an object");
    auto str = [&](const char* key, std::string* v) -> absl::Status {
      if (!o.contains(key)) return absl::OkStatus();
      if (!o[key].is_string()) return fail(absl::StrCat(key, " must be a string"));
      *v = o[key].get<std::string>();
      return absl::OkStatus();
    };
    auto strings = [&](const char* key, std::vector<std::string>* v) -> absl::Status {
      if (!o.contains(key)) return absl::OkStatus();
      if (!o[key].is_array()) return fail(absl::StrCat(key, " must be an array of strings"));
      for (const auto& e : o[key]) {
        if (!e.is_string()) return fail(absl::StrCat(key, " must be an array of strings"));
        v->push_back(e.get<std::string>());
      }
      return absl::OkStatus();
    };
    static const std::set<std::string> kKeys = {"agent_abn",     "ran",  "client", "name",
                                                "count",         "seed", "level",  "accounts",
                                                "item_accounts", "from", "to"};
    for (auto it = o.begin(); it != o.end(); ++it) {
      if (kKeys.count(it.key()) == 0) return fail(absl::StrCat("unknown field '", it.key(), "'"));
    }
    ClntcommSeed s;
    std::string level = "client", from, to;
    for (absl::Status st :
         {str("agent_abn", &s.agent_abn), str("ran", &s.ran), str("name", &s.name),
          str("level", &level), str("from", &from), str("to", &to),
          strings("accounts", &s.accounts), strings("item_accounts", &s.item_accounts)}) {
      if (!st.ok()) return st;
    }
    if (s.agent_abn.empty() || s.ran.empty()) return fail("agent_abn and ran are required");
    if (!o.contains("count") || !o["count"].is_number_integer() || o["count"].get<int64_t>() < 0) {
      return fail("count must be a whole number >= 0");
    }
    s.count = o["count"].get<int>();
    if (o.contains("seed")) {
      if (!o["seed"].is_number_unsigned()) return fail("seed must be a whole number >= 0");
      s.seed = o["seed"].get<uint64_t>();
    }
    if (level == "client") {
      s.level = LinkLevel::kClient;
    } else if (level == "account") {
      s.level = LinkLevel::kAccount;
    } else {
      return fail("level must be \"client\" or \"account\"");
    }
    if (o.contains("client")) {
      const nlohmann::json& c = o["client"];
      if (!c.is_object() || !c.value("type", nlohmann::json()).is_string()) {
        return fail(
            "client must be {\"type\": \"TFN\"|\"ABN\"|\"WPN\"|\"ARN\", \"value\": \"...\"}");
      }
      v1::ClientIdType type;
      if (!v1::ClientIdType_Parse(c["type"].get<std::string>(), &type) ||
          type == v1::CLIENT_ID_TYPE_UNSPECIFIED) {
        return fail(absl::StrCat("client.type '", c["type"].get<std::string>(),
                                 "' is not TFN, ABN, WPN or ARN"));
      }
      s.client.set_type(type);
      if (c.contains("value")) {
        if (!c["value"].is_string()) return fail("client.value must be a string");
        s.client.set_value(c["value"].get<std::string>());
      }
    }
    if (!from.empty()) {
      auto d = ParseDay(from, absl::StrCat(where, ": from"));
      if (!d.ok()) return d.status();
      s.from = *d;
    }
    if (!to.empty()) {
      auto d = ParseDay(to, absl::StrCat(where, ": to"));
      if (!d.ok()) return d.status();
      s.to = *d;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace sbrgate::sim
