#include "pipeline/platform/access/access_policy.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sbrgate::access {
namespace {

bool AllDigits(const std::string& s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// An ABN is 11 digits, a WPN (withholding payer number) 9.
bool IsPayer(const std::string& s) { return AllDigits(s, 11, 11) || AllDigits(s, 9, 9); }

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kPayroll:
      return "payroll";
    case Role::kPractice:
      return "practice";
    case Role::kOperator:
      return "operator";
  }
  return "?";
}

absl::StatusOr<AccessPolicy> AccessPolicy::Parse(const std::string& text,
                                                 const std::string& source) {
  AccessPolicy policy;
  int number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    const std::string where = absl::StrCat(source, ":", number, ": ");
    std::string line(absl::StripAsciiWhitespace(raw));
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits(',', 2));
    if (fields.size() != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "expected identity,role,scope, not '", line, "'"));
    }
    for (std::string& f : fields) f = std::string(absl::StripAsciiWhitespace(f));
    Grant g;
    g.identity = fields[0];
    const std::string& role = fields[1];
    const std::string& scope = fields[2];
    if (g.identity.empty()) return absl::InvalidArgumentError(where + "the identity is empty");
    if (role == "payroll") {
      g.role = Role::kPayroll;
      if (scope == "*") {
        g.every_payer = true;
      } else {
        for (absl::string_view p : absl::StrSplit(scope, ' ', absl::SkipWhitespace())) {
          const std::string payer(p);
          if (!IsPayer(payer)) {
            return absl::InvalidArgumentError(absl::StrCat(
                where, "payer '", payer, "' is neither an ABN (11 digits) nor a WPN (9 digits)"));
          }
          g.payers.insert(payer);
        }
        if (g.payers.empty()) {
          return absl::InvalidArgumentError(
              where + "a payroll scope lists payers (ABNs or WPNs, space separated) or is *");
        }
      }
    } else if (role == "practice") {
      g.role = Role::kPractice;
      std::vector<std::string> practice = absl::StrSplit(scope, ':');
      if (practice.size() != 2 || !AllDigits(practice[0], 11, 11) ||
          !AllDigits(practice[1], 1, 12)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "a practice scope is AGENT_ABN:RAN (11 digits : digits), not '",
                         scope, "'"));
      }
      g.agent_abn = practice[0];
      g.ran = practice[1];
    } else if (role == "operator") {
      g.role = Role::kOperator;
      if (scope != "*") {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "an operator's scope is *, not '", scope, "'"));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "role '", role, "' is not payroll, practice or operator"));
    }
    if (!policy.grants_.emplace(g.identity, g).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "identity '", g.identity, "' is named twice"));
    }
  }
  return policy;
}

absl::StatusOr<AccessPolicy> AccessPolicy::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("access file ", path, ": cannot open it"));
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

const Grant* AccessPolicy::Find(const std::string& identity) const {
  auto it = grants_.find(identity);
  return it == grants_.end() ? nullptr : &it->second;
}

}  // namespace sbrgate::access
