#include "pipeline/clntcomm/rules/relationships.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace sbrgate::clntcomm {
namespace {

bool SameClient(const v1::ClientId& a, const v1::ClientId& b) {
  return a.type() == b.type() && a.value() == b.value() && !a.value().empty();
}

bool LinkShows(const Link& link, const v1::CommunicationItem& item, bool payg_item) {
  switch (link.level) {
    case LinkLevel::kClient:
      return true;
    case LinkLevel::kAccount:
      for (const std::string& account : link.accounts) {
        if (account.empty()) continue;
        if (account == item.account()) return true;
        if (payg_item && absl::StartsWith(account, kActivityStatementPrefix)) return true;
      }
      return false;
    case LinkLevel::kNone:
      return false;
  }
  return false;
}

}  // namespace

bool IsPaygInstalmentTitle(absl::string_view kind) {
  const absl::string_view k = absl::StripAsciiWhitespace(kind);
  for (absl::string_view title : kPaygInstalmentTitles) {
    if (absl::EqualsIgnoreCase(k, title)) return true;
  }
  return false;
}

bool CanSee(const std::vector<Link>& links, absl::string_view agent_abn,
            const v1::CommunicationItem& item, absl::string_view item_kind) {
  if (agent_abn.empty()) return false;
  const bool payg_item = IsPaygInstalmentTitle(
      item_kind.empty() ? absl::string_view(item.title()) : item_kind);
  for (const Link& link : links) {
    if (link.agent_abn != agent_abn || !SameClient(link.client, item.client())) continue;
    if (LinkShows(link, item, payg_item)) return true;
  }
  return false;
}

}  // namespace sbrgate::clntcomm
