#include "services/cli/ebms_json.h"

#include <nlohmann/json.hpp>

namespace sbrgate::cli {
namespace {

using Json = nlohmann::ordered_json;

Json OrNull(const std::string& value) { return value.empty() ? Json(nullptr) : Json(value); }

}  // namespace

std::string InspectionToJson(const ebms::Inspection& inspection) {
  Json out;
  out["valid"] = inspection.valid;
  if (inspection.soap_version.has_value()) {
    out["soap_version"] = *inspection.soap_version == ebms::SoapVersion::kSoap12 ? "1.2" : "1.1";
  } else {
    out["soap_version"] = nullptr;
  }
  const ebms::Messaging& m = inspection.messaging;
  out["user_messages"] = Json::array();
  for (const ebms::UserMessage& u : m.user_messages) {
    out["user_messages"].push_back({{"message_id", u.message_id},
                                    {"ref_to_message_id", OrNull(u.ref_to_message_id)},
                                    {"service", u.service},
                                    {"action", u.action},
                                    {"parts", u.parts.size()}});
  }
  out["receipts"] = Json::array();
  for (const ebms::Receipt& r : m.receipts) {
    out["receipts"].push_back(
        {{"message_id", r.message_id}, {"ref_to_message_id", OrNull(r.ref_to_message_id)}});
  }
  out["errors"] = Json::array();
  for (const ebms::ErrorSignal& s : m.errors) {
    for (const ebms::Error& e : s.errors) {
      out["errors"].push_back({{"code", e.error_code},
                               {"severity", e.severity},
                               {"ref_to_message_in_error", OrNull(e.ref_to_message_in_error)}});
    }
  }
  out["pull_requests"] = Json::array();
  for (const ebms::PullRequest& p : m.pull_requests) {
    out["pull_requests"].push_back({{"message_id", p.message_id}, {"mpc", OrNull(p.mpc)}});
  }
  out["problems"] = inspection.problems;
  // Replace invalid UTF-8 rather than throw: problems quote outside input.
  return out.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sbrgate::cli
