// ClntcommCorpus: the simulator's ATO side of client communications
// (CLNTCOMM.0001.2020, seed 000): registered agents (ABN and RAN), their
// clients, the communications the ATO issued to those clients and the
// agent-client relationships that decide who sees what.
//
// Most of it is generated, deterministically, from seeds: the same
// ClntcommSeed gives the same clients, document ids, titles, dates and
// document bytes, and seeding twice adds nothing the second time. The rest
// is correspondence the agency posts itself (Post), such as a pay event's
// TFN matching failures sent to the employer (seed 002): whole documents
// under ids their poster derives, so posting one twice adds nothing either.
// So the seeds and the posts are all a corpus needs to be kept:
// RecordSeedsWith and RecordPostsWith hand each one taken (a seed with its
// dates resolved) to whoever keeps them, and taking those again in the same
// order rebuilds the corpus.
//
//   ClntcommCorpus corpus(&clock);
//   ClntcommSeed s;
//   s.agent_abn = "51824753556"; s.ran = "12345678";
//   s.client.set_type(v1::TFN); s.client.set_value("123456782");
//   s.count = 150; s.seed = 7;
//   s.level = clntcomm::LinkLevel::kAccount; s.accounts = {"AS:001"};
//   corpus.SeedClient(s);
//   absl::StatusOr<v1::ListCommunicationsResponse> page =
//       corpus.List("51824753556", request, kQuickListMax);
//   absl::StatusOr<clntcomm::Document> doc = corpus.Get("51824753556", client, id);
//   corpus.RecordSeedsWith([&](const ClntcommSeed& s) { return Keep(s); });
//   corpus.RecordPostsWith([&](const Correspondence& c) { return Keep(c); });
//   absl::StatusOr<bool> posted = corpus.Post(correspondence);  // false: posted before
//
// Visibility is the ATO's rule as pipeline/clntcomm/rules/relationships.h states
// it (clntcomm::CanSee): a client-level link sees every communication of the
// client; an account-level link sees those of its accounts and, with an
// activity statement account ("AS:..."), the client's PAYG instalment
// communications, picked by title (clntcomm::kPaygInstalmentTitles); no
// link, nothing. The corpus files PAYG instalment communications under "IT"
// so that only that rule shows them to an activity statement link. Posted
// correspondence is filed under no account (it is about the client as a
// whole, "posted against the employer record"), so only a client-level link
// shows it.
//
// Seeding from JSON (POST /admin/clntcomm/seed, sbr-sim --seed-clntcomm=FILE):
// one object or an array of objects, each
//   {"agent_abn": "51824753556", "ran": "12345678",
//    "client": {"type": "TFN", "value": "123456782"},   // absent: generated
//    "name": "Alex Citizen",                            // absent: generated
//    "count": 150, "seed": 7,
//    "level": "client" | "account",                     // default "client"
//    "accounts": ["AS:001"],        // the linked accounts (level "account")
//    "item_accounts": ["IT", "AS:001"],  // accounts the items are spread over
//                                         // (default: IT, AS:001 and `accounts`)
//    "from": "2008-07-01", "to": "2024-06-30"}          // sent dates; default
//                                                       // 2008-07-01 to today
// Days are calendar days in Australia/Sydney.
#ifndef SBRGATE_PIPELINE_SIM_CLNTCOMM_CORPUS_H_
#define SBRGATE_PIPELINE_SIM_CLNTCOMM_CORPUS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pipeline/clntcomm/rules/relationships.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/clock.h"
#include "proto/communications.pb.h"
#include "proto/relationships.pb.h"

namespace sbrgate::sim {

// The single (quick) list returns at most this many items (seed 000,
// Appendix A).
inline constexpr size_t kQuickListMax = 100;

struct ClntcommSeed {
  std::string agent_abn;
  std::string ran;
  v1::ClientId client;  // value empty: a valid TFN or ABN generated from `seed`
  std::string name;     // empty: generated
  int count = 0;        // communications to add
  uint64_t seed = 1;
  // kClient or kAccount: a seed links the agent to the client.
  clntcomm::LinkLevel level = clntcomm::LinkLevel::kClient;
  std::vector<std::string> accounts;       // linked accounts (kAccount)
  std::vector<std::string> item_accounts;  // empty: IT, AS:001 and `accounts`
  absl::CivilDay from = absl::CivilDay(2008, 7, 1);
  std::optional<absl::CivilDay> to;  // unset: today
};

struct SeedResult {
  v1::ClientId client;
  std::string name;
  int added = 0;  // new communications (0 when seeded before)
};

// A communication the agency issues itself rather than generates from a
// seed. Its document is a PDF: a heading from the item (title, client, date,
// document id), then `lines`.
struct Correspondence {
  std::string document_id;  // derived by the poster, so that a repeat is seen
  v1::ClientId client;
  // The client's name if the corpus does not know the client yet.
  std::string client_name;
  v1::Channel channel = v1::PAPER;
  v1::Category category = v1::NOTIFY;
  std::string title;
  absl::Time sent_at;
  std::vector<std::string> lines;
};

class ClntcommCorpus {
 public:
  explicit ClntcommCorpus(const Clock* clock);

  absl::StatusOr<SeedResult> SeedClient(const ClntcommSeed& seed) ABSL_LOCKS_EXCLUDED(mu_);

  // From now on SeedClient hands every seed it takes to `record`, with `to`
  // and the client resolved, before the corpus changes; an error from
  // `record` refuses the seed.
  using SeedRecorder = std::function<absl::Status(const ClntcommSeed& seed)>;
  void RecordSeedsWith(SeedRecorder record) ABSL_LOCKS_EXCLUDED(mu_);

  // Files `correspondence` under its client (known from then on, linked to
  // no agent until a seed links one). True when it is new; false, and
  // nothing changes, when its document id is in the corpus already.
  // InvalidArgument without a document id, title or client.
  absl::StatusOr<bool> Post(const Correspondence& correspondence) ABSL_LOCKS_EXCLUDED(mu_);

  // From now on Post hands every new correspondence to `record` before the
  // corpus changes; an error from `record` refuses it.
  using PostRecorder = std::function<absl::Status(const Correspondence& correspondence)>;
  void RecordPostsWith(PostRecorder record) ABSL_LOCKS_EXCLUDED(mu_);

  // CUREL (seed 001): the agents' relationships with clients, which decide
  // visibility. A seed adds its own (client level, or one per linked
  // account); these change them one at a time. An agent's link with a
  // client is client level while any CLIENT relationship stands, else
  // account level over the accounts of its ACCOUNT and ROLE relationships,
  // and gone with the last one.
  //
  // The client as `agent_abn` may find it before linking: NotFound when the
  // corpus has no such client.
  absl::StatusOr<v1::SearchClientResponse> SearchClient(absl::string_view agent_abn,
                                                        const v1::ClientId& client) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Adds (or, `remove`, removes) one relationship, as given (client name
  // filled in); `validate_only` checks it as for the change and changes
  // nothing. NotFound: no such client, or no such relationship to remove;
  // AlreadyExists: the relationship stands already; FailedPrecondition: the
  // account is not one of the client's. The request must have passed
  // relationships::RelationshipRequestViolations.
  absl::StatusOr<v1::Relationship> ChangeRelationship(absl::string_view agent_abn,
                                                      const v1::Relationship& relationship,
                                                      bool remove, bool validate_only)
      ABSL_LOCKS_EXCLUDED(mu_);
  // `agent_abn`'s relationships, with `client` only when given, by client.
  v1::ListRelationshipsResponse ListRelationships(absl::string_view agent_abn,
                                                  const v1::ClientId* client) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // From now on ChangeRelationship hands every change it makes to `record`
  // before the corpus changes; an error from `record` refuses it.
  using RelationshipRecorder = std::function<absl::Status(
      absl::string_view agent_abn, const v1::Relationship& relationship, bool removed)>;
  void RecordRelationshipsWith(RelationshipRecorder record) ABSL_LOCKS_EXCLUDED(mu_);

  // The ATO-side checks on who asks: `agent_abn` is a registered agent and
  // `ran` (when not empty) is its RAN. PermissionDenied otherwise.
  absl::Status CheckAgent(absl::string_view agent_abn, absl::string_view ran) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // The communications `agent_abn` may see that match `request`'s clients
  // (none: every linked client), dates, channels and category, sorted as it
  // asks; at most `max_items` of them (0: all) and more_results when there
  // were more. `request` must have passed clntcomm::ValidateListRequest.
  absl::StatusOr<v1::ListCommunicationsResponse> List(absl::string_view agent_abn,
                                                      const v1::ListCommunicationsRequest& request,
                                                      size_t max_items) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // One communication: NotFound when `document_id` is not one of `client`'s,
  // PermissionDenied when the agent may not see it.
  absl::StatusOr<clntcomm::Document> Get(absl::string_view agent_abn, const v1::ClientId& client,
                                         absl::string_view document_id) const
      ABSL_LOCKS_EXCLUDED(mu_);

  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

  // The corpus's clock: requests are judged as of it.
  absl::Time Now() const;
  // Today in Australia/Sydney, by the corpus's clock.
  absl::CivilDay Today() const;

 private:
  struct Client {
    v1::ClientId id;
    std::string name;
    std::vector<std::string> document_ids;
    std::set<std::string> accounts;  // what a link may name: the seeds' item accounts
  };
  struct Item {
    v1::CommunicationItem item;
    absl::CivilDay day;
    std::string client_key;
    std::vector<std::string> lines;  // posted correspondence's text; empty: generated
  };

  // `id`'s client, created with `name` (empty: generated from `seed`) if new.
  Client& ClientFor(const v1::ClientId& id, const std::string& name, uint64_t seed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Adds `relationship` to `agent_abn`'s with its client, unless it stands.
  void AddRelationship(const std::string& agent_abn, const v1::Relationship& relationship)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes the agent's link with the client what its relationships say.
  void SyncLink(const std::string& agent_abn, const v1::ClientId& client)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Whether `agent_abn` may see `item`, by the item's client's links.
  bool CanSee(absl::string_view agent_abn, const Item& item) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const Clock* const clock_;
  mutable absl::Mutex mu_;
  SeedRecorder record_seed_ ABSL_GUARDED_BY(mu_);  // empty: seeds are not kept
  PostRecorder record_post_ ABSL_GUARDED_BY(mu_);  // empty: posts are not kept
  RelationshipRecorder record_relationship_ ABSL_GUARDED_BY(mu_);  // empty: not kept
  std::map<std::string, std::string> agents_ ABSL_GUARDED_BY(mu_);  // ABN -> RAN
  std::map<std::string, Client> clients_ ABSL_GUARDED_BY(mu_);      // "TFN:123..." -> client
  std::map<std::string, Item> items_ ABSL_GUARDED_BY(mu_);          // document id -> item
  // client key -> every agent's link to that client (one per agent)
  std::map<std::string, std::vector<clntcomm::Link>> links_ ABSL_GUARDED_BY(mu_);
  // (agent ABN, client key) -> the agent's relationships with the client
  std::map<std::pair<std::string, std::string>, std::vector<v1::Relationship>> relationships_
      ABSL_GUARDED_BY(mu_);
};

// "TFN:123456782": how a client is named in keys and messages.
std::string ClientKey(const v1::ClientId& client);

// Seeds from the JSON described at the top (one object or an array).
absl::StatusOr<std::vector<ClntcommSeed>> ParseSeedJson(absl::string_view json);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_CLNTCOMM_CORPUS_H_
