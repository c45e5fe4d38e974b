#include "pipeline/sim/simulator/admin_handlers.h"

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::sim {
namespace {

std::string Rfc3339(absl::Time t) { return ebms::FormatDateTime(t); }

nlohmann::ordered_json MessageJson(const MessageReport& m) {
  nlohmann::ordered_json pulls = nlohmann::ordered_json::array();
  for (const PullRecord& p : m.pulls) {
    pulls.push_back({{"at", Rfc3339(p.at)}, {"result", p.result}, {"early", p.early}});
  }
  return {{"message_id", m.message_id},
          {"service", m.service},
          {"action", m.action},
          {"from_party", m.from_party},
          {"from_party_type", m.from_party_type},
          {"received_at", Rfc3339(m.received_at)},
          {"process_count", m.process_count},
          {"interrupted_count", m.interrupted_count},
          {"receipts_sent", m.receipts_sent},
          {"processed", m.processed},
          {"ready_at", m.processed ? nlohmann::ordered_json(Rfc3339(m.ready_at)) : nullptr},
          {"employees", m.employees},
          {"maximum_severity", m.maximum ? nlohmann::ordered_json(std::string(
                                               event02::SeverityCode(*m.maximum)))
                                         : nullptr},
          {"rejected_document_ids", m.rejected_document_ids},
          {"pulls", pulls}};
}

void SendJsonError(httplib::Response& res, int status, absl::string_view message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", std::string(message)}}.dump(), "application/json");
}

}  // namespace

void RouteAdmin(Simulator& sim, httplib::Server& admin) {
  admin.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  admin.Get("/admin/stats", [&sim](const httplib::Request&, httplib::Response& res) {
    res.set_content(StatsToJson(sim.Stats()), "application/json");
  });
  admin.Get(R"(/admin/messages/(.+))", [&sim](const httplib::Request& req,
                                               httplib::Response& res) {
    std::optional<MessageReport> m = sim.Message(req.matches[1]);
    if (!m) {
      res.status = 404;
      res.set_content(absl::StrCat("{\"error\": \"no message ", std::string(req.matches[1]), "\"}"),
                      "application/json");
      return;
    }
    res.set_content(MessageToJson(*m), "application/json");
  });
  admin.Post("/admin/clntcomm/seed", [&sim](const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<std::vector<SeedResult>> seeded = sim.SeedClntcommJson(req.body);
    if (!seeded.ok()) {
      SendJsonError(res, 400, seeded.status().message());
      return;
    }
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const SeedResult& r : *seeded) {
      list.push_back({{"client", ClientKey(r.client)}, {"name", r.name}, {"added", r.added}});
    }
    res.set_content(nlohmann::ordered_json{{"seeded", list},
                                           {"communications", sim.clntcomm().size()}}
                        .dump(2),
                    "application/json");
  });
  admin.Post("/admin/ics/seed", [&sim](const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<state::IcsChange> seeded = sim.SeedIcsJson(req.body);
    if (!seeded.ok()) {
      SendJsonError(res, seeded.status().code() == absl::StatusCode::kInvalidArgument ? 400 : 503,
                    seeded.status().message());
      return;
    }
    res.set_content(IcsChangeJson(*seeded), "application/json");
  });
  admin.Get("/admin/ics", [&sim](const httplib::Request&, httplib::Response& res) {
    state::IcsChange all;
    for (state::IcsAbn& a : sim.ics().Abns()) *all.add_abns() = std::move(a);
    for (v1::IcsClient& c : sim.ics().Clients()) *all.add_clients() = std::move(c);
    for (state::IcsRegistrant& r : sim.ics().Registrants()) *all.add_registrants() = std::move(r);
    res.set_content(IcsChangeJson(all), "application/json");
  });
  admin.Get("/admin/faults", [&sim](const httplib::Request&, httplib::Response& res) {
    res.set_content(FaultsToJson(sim.faults()), "application/json");
  });
  admin.Post("/admin/faults", [&sim](const httplib::Request& req, httplib::Response& res) {
    FaultModes f = sim.faults();
    if (absl::Status s = MergeFaultsJson(req.body, f); !s.ok()) {
      SendJsonError(res, 400, s.message());
      return;
    }
    sim.SetFaults(f);
    res.set_content(FaultsToJson(f), "application/json");
  });
}

std::string StatsToJson(const SimulatorStats& stats) {
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  for (const MessageReport& m : stats.messages) messages.push_back(MessageJson(m));
  return nlohmann::ordered_json{{"pushes", stats.pushes},
                                {"duplicate_pushes", stats.duplicate_pushes},
                                {"refused_pushes", stats.refused_pushes},
                                {"pulls", stats.pulls},
                                {"early_pulls", stats.early_pulls},
                                {"clntcomm_lists", stats.clntcomm_lists},
                                {"clntcomm_gets", stats.clntcomm_gets},
                                {"clntcomm_bulk", stats.clntcomm_bulk},
                                {"clntcomm_documents", stats.clntcomm_documents},
                                {"clntcomm_refused", stats.clntcomm_refused},
                                {"ics_requests", stats.ics_requests},
                                {"ics_registered", stats.ics_registered},
                                {"ics_rejected", stats.ics_rejected},
                                {"ics_duplicates", stats.ics_duplicates},
                                {"demographics_requests", stats.demographics_requests},
                                {"demographics_refused", stats.demographics_refused},
                                {"relationships_requests", stats.relationships_requests},
                                {"relationships_refused", stats.relationships_refused},
                                {"messages", messages}}
      .dump(2);
}

std::string MessageToJson(const MessageReport& message) { return MessageJson(message).dump(2); }

std::string FaultsToJson(const FaultModes& f) {
  return nlohmann::ordered_json{{"unavailable", f.unavailable},
                                {"refuse_connections", f.refuse_connections},
                                {"hang", f.hang},
                                {"lose_receipts", f.lose_receipts},
                                {"hold_receipts", f.hold_receipts},
                                {"hold_receipts_over_bytes", f.hold_receipts_over_bytes},
                                {"slow_factor", f.slow_factor},
                                {"system_error_rate", f.system_error_rate}}
      .dump(2);
}

absl::Status MergeFaultsJson(const std::string& text, FaultModes& f) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("fault modes must be a JSON object");
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    if ((key == "unavailable" || key == "refuse_connections" || key == "hang" ||
         key == "hold_receipts") &&
        !v.is_boolean()) {
      return absl::InvalidArgumentError(absl::StrCat(key, " must be true or false"));
    }
    if (key == "unavailable") {
      f.unavailable = v.get<bool>();
    } else if (key == "refuse_connections") {
      f.refuse_connections = v.get<bool>();
    } else if (key == "hang") {
      f.hang = v.get<bool>();
    } else if (key == "lose_receipts") {
      if (!v.is_number_integer() || v.get<int>() < 0) {
        return absl::InvalidArgumentError("lose_receipts must be a whole number >= 0");
      }
      f.lose_receipts = v.get<int>();
    } else if (key == "hold_receipts") {
      f.hold_receipts = v.get<bool>();
    } else if (key == "hold_receipts_over_bytes") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0) {
        return absl::InvalidArgumentError("hold_receipts_over_bytes must be a whole number >= 0");
      }
      f.hold_receipts_over_bytes = v.get<int64_t>();
    } else if (key == "slow_factor") {
      if (!v.is_number() || v.get<double>() <= 0) {
        return absl::InvalidArgumentError("slow_factor must be a number > 0");
      }
      f.slow_factor = v.get<double>();
    } else if (key == "system_error_rate") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
        return absl::InvalidArgumentError("system_error_rate must be between 0 and 1");
      }
      f.system_error_rate = v.get<double>();
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown fault mode '", key, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace sbrgate::sim
