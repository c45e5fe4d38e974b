#include "services/cli/ebms_command.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/sbr/ebms/envelope_reader.h"
#include "services/cli/commands.h"
#include "services/cli/ebms_json.h"

namespace sbrgate::cli {
namespace {

// Envelopes are small; anything this large is not one (and ParseDocument
// refuses documents over 64 MiB anyway).
constexpr uint64_t kMaxEnvelopeBytes = 64ull << 20;

constexpr char kUsage[] = "usage: sbrgate ebms inspect FILE [--json]\n";

int Fail(std::ostream& err, bool json, const char* code, const std::string& message, int status) {
  if (json) {
    nlohmann::ordered_json error;
    error["error"]["code"] = code;
    error["error"]["message"] = message;
    err << error.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    err << "sbrgate ebms: " << message << (absl::EndsWith(message, "\n") ? "" : "\n");
  }
  return status;
}

std::string OrNone(const std::string& value) { return value.empty() ? "(none)" : value; }

void PrintSummary(std::ostream& out, const std::string& path, const ebms::Inspection& i) {
  std::string version = "not a SOAP envelope";
  if (i.soap_version.has_value()) {
    version = *i.soap_version == ebms::SoapVersion::kSoap12 ? "SOAP 1.2" : "SOAP 1.1";
  }
  out << path << ": " << (i.valid ? "valid" : "INVALID") << " ebMS3 message (" << version << ")\n";
  const ebms::Messaging& m = i.messaging;
  for (const ebms::UserMessage& u : m.user_messages) {
    out << "user message " << OrNone(u.message_id) << "\n"
        << "  ref to:  " << OrNone(u.ref_to_message_id) << "\n"
        << "  from:    " << OrNone(u.from.id) << " (" << OrNone(u.from.role) << ")\n"
        << "  to:      " << OrNone(u.to.id) << " (" << OrNone(u.to.role) << ")\n"
        << "  service: " << OrNone(u.service) << "\n"
        << "  action:  " << OrNone(u.action) << "\n"
        << "  parts:   " << u.parts.size() << "\n";
    for (const ebms::PartInfo& p : u.parts) {
      out << "    " << (p.href.empty() ? "(SOAP Body)" : p.href) << "\n";
    }
  }
  for (const ebms::Receipt& r : m.receipts) {
    out << "receipt " << OrNone(r.message_id) << " for " << OrNone(r.ref_to_message_id) << ", "
        << r.references.size() << " digest reference(s)\n";
  }
  for (const ebms::ErrorSignal& s : m.errors) {
    out << "error signal " << OrNone(s.message_id) << "\n";
    for (const ebms::Error& e : s.errors) {
      out << "  " << OrNone(e.error_code) << " " << OrNone(e.severity);
      if (!e.short_description.empty()) out << " " << e.short_description;
      out << ", for " << OrNone(e.ref_to_message_in_error);
      if (!e.description.empty()) out << ": " << e.description;
      out << "\n";
    }
  }
  for (const ebms::PullRequest& p : m.pull_requests) {
    out << "pull request " << OrNone(p.message_id) << " on mpc "
        << (p.mpc.empty() ? "(default)" : p.mpc);
    if (!p.ref_to_message_id.empty()) out << ", for " << p.ref_to_message_id;
    out << "\n";
  }
  if (!i.problems.empty()) {
    out << i.problems.size() << " problem(s):\n";
    for (const std::string& p : i.problems) out << "  " << p << "\n";
  }
}

}  // namespace

int RunEbmsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  // Known first, so that every error honours it.
  const bool json = std::find(args.begin(), args.end(), "--json") != args.end();
  std::vector<std::string> operands;
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      out << kUsage;
      return 0;
    }
    if (a == "--json") continue;
    if (a.size() > 1 && a[0] == '-') {
      return Fail(err, json, "usage", absl::StrCat("unknown option '", a, "'\n", kUsage), 2);
    }
    operands.push_back(a);
  }
  if (operands.empty())
    return Fail(err, json, "usage", absl::StrCat("missing command\n", kUsage), 2);
  if (operands[0] != "inspect") {
    return Fail(err, json, "usage", absl::StrCat("unknown command '", operands[0], "'\n", kUsage),
                2);
  }
  if (operands.size() > 2) {
    return Fail(err, json, "usage",
                absl::StrCat("unexpected argument '", operands[2], "'\n", kUsage), 2);
  }
  const std::string path = operands.size() == 2 ? operands[1] : "";
  if (path.empty()) return Fail(err, json, "usage", absl::StrCat("missing FILE\n", kUsage), 2);

  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(err, json, "not_found", absl::StrCat(path, ": ", std::strerror(errno)), 2);
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(err, json, "not_a_file", absl::StrCat(path, ": not a regular file"), 2);
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxEnvelopeBytes) {
    return Fail(err, json, "too_large",
                absl::StrCat(path, ": ", st.st_size,
                             " bytes is over the 64 MiB limit for an ebMS3 "
                             "envelope (refused without reading)"),
                2);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    return Fail(err, json, "io", absl::StrCat(path, ": cannot open: ", std::strerror(errno)), 2);
  }
  std::stringstream bytes;
  if (st.st_size > 0 && !(bytes << in.rdbuf())) {
    return Fail(err, json, "io", absl::StrCat(path, ": cannot read"), 2);
  }

  const ebms::Inspection inspection = ebms::Inspect(bytes.str(), path);
  if (json) {
    out << InspectionToJson(inspection) << "\n";
  } else {
    PrintSummary(out, path, inspection);
  }
  return inspection.valid ? 0 : 1;
}

int RunEbms(const Args& args) { return RunEbmsCommand(args, std::cout, std::cerr); }

}  // namespace sbrgate::cli
