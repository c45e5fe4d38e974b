#include "pipeline/clntcomm/rules/permissions.h"

#include <fstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pipeline/sbr/identifiers/check_digits.h"

namespace sbrgate::clntcomm {

PermissionStore::PermissionStore(PermissionStore&& other) {
  absl::MutexLock lock(&other.mu_);
  grants_ = std::move(other.grants_);
}

PermissionStore& PermissionStore::operator=(PermissionStore&& other) {
  if (this == &other) return *this;
  std::set<Key> moved;
  {
    absl::MutexLock lock(&other.mu_);
    moved = std::move(other.grants_);
  }
  absl::MutexLock lock(&mu_);
  grants_ = std::move(moved);
  return *this;
}

absl::StatusOr<PermissionStore> PermissionStore::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open permission file"));
  PermissionStore store;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(text, ',');
    const std::string where = absl::StrCat(path, ":", line_no, ": ");
    if (fields.size() != 3) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "expected agent_abn,user_id,permission, got ", fields.size(), " fields"));
    }
    for (absl::string_view& f : fields) f = absl::StripAsciiWhitespace(f);
    if (fields[0].empty() || fields[1].empty() || fields[2].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "empty field"));
    }
    if (!identifiers::IsValidAbn(fields[0])) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "agent_abn \"", fields[0], "\" is not a valid ABN"));
    }
    store.Grant(fields[0], fields[1], fields[2]);
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read failed"));
  return store;
}

void PermissionStore::Grant(absl::string_view agent_abn, absl::string_view user_id,
                            absl::string_view permission) {
  absl::MutexLock lock(&mu_);
  grants_.emplace(std::string(agent_abn), std::string(user_id), std::string(permission));
}

void PermissionStore::Revoke(absl::string_view agent_abn, absl::string_view user_id,
                             absl::string_view permission) {
  absl::MutexLock lock(&mu_);
  grants_.erase(Key(std::string(agent_abn), std::string(user_id), std::string(permission)));
}

bool PermissionStore::Has(absl::string_view agent_abn, absl::string_view user_id,
                          absl::string_view permission) const {
  absl::MutexLock lock(&mu_);
  return grants_.count(Key(std::string(agent_abn), std::string(user_id),
                           std::string(permission))) > 0;
}

absl::Status CheckCorroView(const PermissionStore& store, const v1::AgentContext& agent) {
  if (agent.user_id().empty() ||
      !store.Has(agent.agent_abn(), agent.user_id(), kClientCorroView)) {
    const std::string user = agent.user_id().empty() ? "(no user_id)" : agent.user_id();
    return absl::PermissionDeniedError(absl::StrCat("user ", user, " of practice ABN ",
                                                    agent.agent_abn(), " lacks ",
                                                    kClientCorroView));
  }
  return absl::OkStatus();
}

}  // namespace sbrgate::clntcomm
