#include "pipeline/stp/payevnt/sender.h"

namespace sbrgate::payevnt {
namespace {

bool Same(const ebms::Party& a, const ebms::Party& b) {
  return !a.id.empty() && a.id == b.id && a.type == b.type && a.role == b.role;
}

ebms::Party Payer(const EmployerRecord& e) {
  if (!e.abn.empty()) return {e.abn, ebms::kPartyTypeAbn, ebms::kRoleBusiness};
  return {UnpaddedWpn(e.wpn), ebms::kPartyTypeWpn, ebms::kRoleBusiness};
}

}  // namespace

ebms::Party SenderOf(const EmployerRecord& e) {
  if (!e.intermediary_tan.empty()) {
    return {e.intermediary_tan, ebms::kPartyTypeTan, ebms::kRoleRegisteredAgent};
  }
  if (!e.intermediary_abn.empty()) {
    return {e.intermediary_abn, ebms::kPartyTypeAbn, ebms::kRoleRegisteredAgent};
  }
  return Payer(e);
}

bool MaySend(const ebms::Party& from, const EmployerRecord& e) {
  if (Same(from, Payer(e))) return true;
  if (!e.intermediary_abn.empty() &&
      Same(from, {e.intermediary_abn, ebms::kPartyTypeAbn, ebms::kRoleRegisteredAgent})) {
    return true;
  }
  return !e.intermediary_tan.empty() &&
         Same(from, {e.intermediary_tan, ebms::kPartyTypeTan, ebms::kRoleRegisteredAgent});
}

}  // namespace sbrgate::payevnt
