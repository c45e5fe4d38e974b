// Which client communications an agent may see, by how the agent is linked
// to the client in ATO systems (seed 000, "Availability of client
// communications"). The ATO enforces this; sbrgate's simulator applies the
// same rule so lists and gets behave as they will in production.
//
//   std::vector<Link> links = {
//       {"51824753556", tfn_client, LinkLevel::kClient, {}},
//       {"51824753556", abn_client, LinkLevel::kAccount, {"AS:001"}},
//   };
//   bool visible = CanSee(links, "51824753556", item, item.title());
//
//   client level   every communication issued for the client, including
//                  those sent to other agents
//   account level  communications filed under one of the linked accounts;
//                  with an activity statement account ("AS:" prefix) also
//                  the PAYG instalment communications in
//                  kPaygInstalmentTitles, whatever account they are filed
//                  under
//   none           nothing
//
// Links and items match a client by identifier type and value exactly: the
// ATO links a relationship to one identifier, and sbrgate does not know that
// a TFN and an ABN are the same entity. Any one matching link is enough.
#ifndef SBRGATE_PIPELINE_CLNTCOMM_RELATIONSHIPS_H_
#define SBRGATE_PIPELINE_CLNTCOMM_RELATIONSHIPS_H_

#include <array>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "proto/communications.pb.h"

namespace sbrgate::clntcomm {

enum class LinkLevel { kNone, kClient, kAccount };

struct Link {
  std::string agent_abn;
  v1::ClientId client;
  LinkLevel level = LinkLevel::kNone;
  // For kAccount: the linked accounts, e.g. "AS:001" (an activity statement
  // account), "IT" (income tax). Ignored for other levels.
  std::vector<std::string> accounts;
};

// The account prefix of an activity statement account.
inline constexpr absl::string_view kActivityStatementPrefix = "AS:";

// The PAYG instalment communications an activity-statement link also sees,
// as the seed names them.
inline constexpr std::array<absl::string_view, 6> kPaygInstalmentTitles = {
    "PAYG instalment - Entitlement advice",
    "New PAYG instalment - Individual / Consolidated group member",
    "New PAYG instalment - Introduction",
    "New PAYG instalment - Payment options",
    "Registration update - PAYG instalments disallowed",
    "Registration confirmation/update - PAYG instalments consolidated group allowed",
};

// Whether `kind` names one of kPaygInstalmentTitles (case and surrounding
// spaces ignored).
bool IsPaygInstalmentTitle(absl::string_view kind);

// Whether agent `agent_abn` may see `item` through `links`. `item_kind` is
// the kind of communication, compared with kPaygInstalmentTitles; the
// simulator's items use their title, so pass item.title() unless the kind is
// held separately. An empty item_kind falls back to item.title().
bool CanSee(const std::vector<Link>& links, absl::string_view agent_abn,
            const v1::CommunicationItem& item, absl::string_view item_kind);

}  // namespace sbrgate::clntcomm

#endif  // SBRGATE_PIPELINE_CLNTCOMM_RELATIONSHIPS_H_
