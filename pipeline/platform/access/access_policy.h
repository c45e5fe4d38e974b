// AccessPolicy: who may do what through sbrgate's gRPC API, read from the
// access file (`--access=FILE`): one `identity,role,scope` line per caller,
// `#` comments and blank lines ignored.
//
//   payroll-a,payroll,51824753556 64999990004   lodges and reads lodgments
//                                               of these payers (ABN or WPN)
//   dsp-services,payroll,*                      ... of every payer
//   alice,practice,51824753556:12345678         acts for this agent practice
//                                               (agent ABN : RAN) in CLNTCOMM
//   ops,operator,*                              lists across tenants,
//                                               replays, redrives
//
//   absl::StatusOr<AccessPolicy> policy = AccessPolicy::Load("/etc/sbrgate/access");
//   if (const Grant* g = policy->Find(identity)) ...
//
// An identity is a caller's certificate name (authenticator.h), never a
// field of a request.
#ifndef SBRGATE_PIPELINE_PLATFORM_ACCESS_ACCESS_POLICY_H_
#define SBRGATE_PIPELINE_PLATFORM_ACCESS_ACCESS_POLICY_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"

namespace sbrgate::access {

enum class Role { kPayroll, kPractice, kOperator };

// "payroll", "practice" or "operator".
const char* RoleName(Role role);

struct Grant {
  std::string identity;
  Role role = Role::kPayroll;
  // kPayroll: the payers (ABNs, WPNs) it acts for, or every payer.
  bool every_payer = false;
  std::set<std::string> payers;
  // kPractice: the agent practice it acts for.
  std::string agent_abn;
  std::string ran;
};

class AccessPolicy {
 public:
  // InvalidArgument naming `source`:LINE and what is wrong with the line.
  static absl::StatusOr<AccessPolicy> Parse(const std::string& text, const std::string& source);
  static absl::StatusOr<AccessPolicy> Load(const std::string& path);

  // The grant of `identity`, or null: a caller the file does not name may
  // do nothing.
  const Grant* Find(const std::string& identity) const;
  size_t size() const { return grants_.size(); }

 private:
  std::map<std::string, Grant> grants_;  // by identity
};

}  // namespace sbrgate::access

#endif  // SBRGATE_PIPELINE_PLATFORM_ACCESS_ACCESS_POLICY_H_
