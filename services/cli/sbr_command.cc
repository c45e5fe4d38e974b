// sbrgate sbr: talk to an SBR2 endpoint (or the simulator) directly, one
// message at a time, without the pipeline. For conformance work, the
// foundation demo, and operators checking connectivity.
//
//   sbr push FILE      gzip the lodgment, push it, print the receipt
//   sbr pull ID        pull once for the response to message ID
//   sbr lodge FILE     push, then poll on the STP schedule until the response
//                      arrives, printing each step and the triaged result
#include <cstdio>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/transient.h"
#include "pipeline/platform/common/uuid.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/event02/event02.h"
#include "pipeline/stp/payevnt/sender.h"
#include "pipeline/stp/payevnt/validator.h"
#include "pipeline/stp/poll_schedule/schedule.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace sbrgate::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kUsage[] =
    "usage: sbrgate sbr push FILE | pull MESSAGE_ID | lodge FILE\n"
    "  --endpoint=URL       SBR2 base URL, e.g. https://127.0.0.1:8443/services\n"
    "  --cert=PEM --key=PEM machine credential (TLS client and WS-Security signer)\n"
    "  --ca=PEM             CA trusted for the endpoint and the agency's signatures\n"
    "  --abn=ABN            send as this business ABN (default: as sbrgate would: the\n"
    "                       intermediary the file names, else its payer)\n"
    "  --message-id=ID      reuse a MessageId (a resend)\n"
    "  --spool=DIR          working directory (default /tmp)\n"
    "  --time-scale=N --clock-epoch=UNIX  share the simulator's accelerated clock\n"
    "  --json               machine-readable output\n";

struct Context {
  Flags flags{{"json"},
              {"endpoint", "cert", "key", "ca", "abn", "message-id", "spool", "time-scale",
               "clock-epoch"}};
  std::unique_ptr<Clock> clock;
  std::unique_ptr<sbr_client::SbrClient> client;
  bool json = false;
};

int Fail(const Context& c, absl::string_view code, absl::string_view message) {
  if (c.json) {
    std::cout << Json{{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}}.dump()
              << "\n";
  } else {
    std::cerr << "sbrgate sbr: " << message << "\n";
  }
  return code == "INVALID_ARGUMENT" ? 2 : 1;
}

int FailStatus(const Context& c, const absl::Status& s) {
  return Fail(c, absl::StatusCodeToString(s.code()), s.message());
}

absl::Status Setup(const Args& args, Context& c) {
  if (absl::Status s = c.flags.Parse(args); !s.ok()) return s;
  c.json = c.flags.Has("json");
  double scale = 1;
  int64_t epoch = 0;
  if (!absl::SimpleAtod(c.flags.Get("time-scale", "1"), &scale) || scale < 1) {
    return absl::InvalidArgumentError("--time-scale must be a number >= 1");
  }
  if (!absl::SimpleAtoi(c.flags.Get("clock-epoch", "0"), &epoch)) {
    return absl::InvalidArgumentError("--clock-epoch must be unix seconds");
  }
  c.clock = std::make_unique<ScaledClock>(scale, epoch > 0 ? absl::FromUnixSeconds(epoch)
                                                           : absl::Now());
  for (const char* required : {"endpoint", "cert", "key", "ca"}) {
    if (!c.flags.Has(required)) {
      return absl::InvalidArgumentError(absl::StrCat("--", required, " is required\n", kUsage));
    }
  }
  sbr_client::ClientConfig config;
  config.base_url = c.flags.Get("endpoint");
  config.tls = {c.flags.Get("ca"), c.flags.Get("cert"), c.flags.Get("key")};
  config.credential_cert = c.flags.Get("cert");
  config.credential_key = c.flags.Get("key");
  config.agency_ca_file = c.flags.Get("ca");
  config.spool_dir = c.flags.Get("spool", "/tmp");
  auto client = sbr_client::SbrClient::Create(config, c.clock.get());
  if (!client.ok()) return client.status();
  c.client = *std::move(client);
  return absl::OkStatus();
}

std::string Time(absl::Time t) { return ebms::FormatDateTime(t); }

// The lodgment, gzip-compressed into the spool, plus what the file says.
struct PreparedLodgment {
  std::string gzip_path;
  payevnt::ValidationReport report;
};

absl::StatusOr<PreparedLodgment> Prepare(const Context& c, const std::string& file) {
  PreparedLodgment p;
  auto source = FileSource::Open(file);
  if (!source.ok()) return source.status();
  auto report = payevnt::ValidateLodgment(std::unique_ptr<ByteSource>(std::move(*source)), file);
  if (!report.ok()) return report.status();
  p.report = *std::move(report);
  p.gzip_path = absl::StrCat(c.flags.Get("spool", "/tmp"), "/", NewUuid(), ".xml.gz");
  auto in = FileSource::Open(file);
  if (!in.ok()) return in.status();
  auto out = FileSink::Create(p.gzip_path);
  if (!out.ok()) return out.status();
  GzipSink gz(std::unique_ptr<ByteSink>(std::move(*out)));
  if (auto n = Pump(**in, gz); !n.ok()) return n.status();
  if (absl::Status s = gz.Close(); !s.ok()) return s;
  return p;
}

sbr_client::LodgmentPush MakePush(const Context& c, const PreparedLodgment& p) {
  sbr_client::LodgmentPush push;
  push.message_id = c.flags.Get("message-id", ebms::NewMessageId("sbrgate.local"));
  push.conversation_id = NewUuid();
  // As sbrgate would send it (the intermediary, else the payer), unless
  // --abn names a business to send as.
  push.from = c.flags.Has("abn")
                  ? ebms::Party{c.flags.Get("abn"), ebms::kPartyTypeAbn, ebms::kRoleBusiness}
                  : payevnt::SenderOf(p.report.employer);
  push.payload_gzip = StoredBytes::File(p.gzip_path);
  return push;
}

Json ReceiptJson(const ebms::Receipt& r) {
  Json refs = Json::array();
  for (const auto& ref : r.references) refs.push_back({{"uri", ref.uri}, {"digest", ref.digest_value}});
  return {{"message_id", r.message_id},
          {"ref_to_message_id", r.ref_to_message_id},
          {"received_at", Time(r.timestamp)},
          {"digests", refs}};
}

// Reads the event.02 response into JSON and, unless --json, prints it.
absl::StatusOr<Json> Triage(const Context& c, const StoredBytes& response) {
  auto source = response.Open();
  if (!source.ok()) return source.status();
  auto reader = event02::ResponseReader::Open(*std::move(source), "the event.02 response");
  if (!reader.ok()) return reader.status();
  std::map<std::string, Json> by_record;
  std::vector<std::string> order;
  for (;;) {
    auto item = (*reader)->Next();
    if (!item.ok()) return item.status();
    if (!item->has_value()) break;
    const event02::EventItem& e = **item;
    for (const event02::Location& l : e.locations) {
      if (by_record.count(l.instance_identifier) == 0) order.push_back(l.instance_identifier);
      by_record[l.instance_identifier].push_back(
          {{"code", e.error_code},
           {"path", l.path},
           {"description", event02::SubstituteParameters(e.detailed_description, e.parameters)}});
    }
  }
  Json records = Json::array();
  for (const std::string& id : order) records.push_back({{"document_id", id}, {"errors", by_record[id]}});
  const std::string severity =
      (*reader)->maximum_severity() ? std::string(event02::SeverityCode(*(*reader)->maximum_severity()))
                                    : "unknown";
  if (!c.json) {
    std::cout << "  MaximumSeverity.Code: " << severity << "\n";
    for (const Json& r : records) {
      for (const Json& e : r["errors"]) {
        std::cout << "    record " << r["document_id"].get<std::string>() << ": "
                  << e["code"].get<std::string>() << " at " << e["path"].get<std::string>()
                  << "\n      " << e["description"].get<std::string>() << "\n";
      }
    }
  }
  return Json{{"maximum_severity", severity}, {"records", records}};
}

int Push(Context& c) {
  if (c.flags.positional().size() != 1) return Fail(c, "INVALID_ARGUMENT", kUsage);
  auto prepared = Prepare(c, c.flags.positional()[0]);
  if (!prepared.ok()) return FailStatus(c, prepared.status());
  const sbr_client::LodgmentPush push = MakePush(c, *prepared);
  auto outcome = c.client->Push(push);
  std::remove(prepared->gzip_path.c_str());
  if (!outcome.ok()) return FailStatus(c, outcome.status());
  Json errors = Json::array();
  for (const auto& e : outcome->errors) {
    errors.push_back({{"code", e.error_code}, {"severity", e.severity}, {"description", e.description}});
  }
  Json out{{"message_id", push.message_id},
           {"http_status", outcome->http_status},
           {"receipt", outcome->receipt ? ReceiptJson(*outcome->receipt) : Json(nullptr)},
           {"errors", errors}};
  if (c.json) {
    std::cout << out.dump() << "\n";
  } else if (outcome->receipt) {
    std::cout << "pushed " << push.message_id << ": receipt " << outcome->receipt->message_id
              << " at " << Time(outcome->receipt->timestamp) << "\n";
  } else {
    std::cout << "pushed " << push.message_id << ": refused\n" << errors.dump(2) << "\n";
  }
  return outcome->receipt ? 0 : 1;
}

int Pull(Context& c) {
  if (c.flags.positional().size() != 1) return Fail(c, "INVALID_ARGUMENT", kUsage);
  auto outcome = c.client->Pull(c.flags.positional()[0]);
  if (!outcome.ok()) return FailStatus(c, outcome.status());
  if (outcome->kind != sbr_client::PullOutcome::Kind::kResponse) {
    const std::string what = outcome->kind == sbr_client::PullOutcome::Kind::kNothingYet
                                 ? "nothing-yet"
                                 : "error";
    if (c.json) {
      Json errors = Json::array();
      for (const auto& e : outcome->errors) errors.push_back({{"code", e.error_code}, {"description", e.description}});
      std::cout << Json{{"result", what}, {"errors", errors}}.dump() << "\n";
    } else {
      std::cout << what << ": "
                << (outcome->errors.empty() ? "" : outcome->errors[0].error_code + " " +
                                                       outcome->errors[0].description)
                << "\n";
    }
    return outcome->kind == sbr_client::PullOutcome::Kind::kNothingYet ? 0 : 1;
  }
  auto triaged = Triage(c, outcome->response);
  if (!triaged.ok()) return FailStatus(c, triaged.status());
  if (c.json) std::cout << Json{{"result", "response"}, {"response", *triaged}}.dump() << "\n";
  return 0;
}

int Lodge(Context& c) {
  if (c.flags.positional().size() != 1) return Fail(c, "INVALID_ARGUMENT", kUsage);
  auto prepared = Prepare(c, c.flags.positional()[0]);
  if (!prepared.ok()) return FailStatus(c, prepared.status());
  const int64_t employees = prepared->report.employees;
  const sbr_client::LodgmentPush push = MakePush(c, *prepared);
  if (!c.json) {
    std::cout << "1. push " << c.flags.positional()[0] << " (" << employees
              << " employees) as " << push.message_id << "\n";
  }
  // Transport failures: resend with the same MessageId after a backoff.
  absl::StatusOr<sbr_client::PushOutcome> pushed;
  absl::Duration backoff = absl::Seconds(1);
  for (int attempt = 1;; ++attempt) {
    pushed = c.client->Push(push);
    if (pushed.ok() || !IsTransient(pushed.status()) || attempt == 5) break;
    if (!c.json) std::cout << "   delivery failed (" << pushed.status().message() << "); resending\n";
    absl::SleepFor(backoff);
    backoff *= 2;
  }
  std::remove(prepared->gzip_path.c_str());
  if (!pushed.ok()) return FailStatus(c, pushed.status());
  if (!pushed->receipt) {
    return Fail(c, "FAILED_PRECONDITION",
                absl::StrCat("SBR refused the message: ",
                             pushed->errors.empty() ? "" : pushed->errors[0].error_code + " " +
                                                               pushed->errors[0].description));
  }
  const ebms::Receipt receipt = *pushed->receipt;
  if (!c.json) {
    std::cout << "2. technical receipt " << receipt.message_id << " at " << Time(receipt.timestamp)
              << "; it acknowledges " << receipt.references.size()
              << " signed digests, all matching what was sent\n";
  }
  const poll::PollPlan plan = poll::PollPlan::ForEmployees(employees);
  Json polls = Json::array();
  std::optional<absl::Time> last;
  for (int i = 0;; ++i) {
    std::optional<absl::Time> next = plan.NextPoll(receipt.timestamp, i, last);
    if (!next) {
      return Fail(c, "DEADLINE_EXCEEDED",
                  "no response within 72 hours of the receipt: contact the ATO");
    }
    c.clock->SleepUntil(*next);
    last = c.clock->Now();
    auto pulled = c.client->Pull(push.message_id);
    if (!pulled.ok()) {
      polls.push_back({{"at", Time(*last)}, {"result", std::string(pulled.status().message())}});
      if (!c.json) std::cout << "3. poll " << i + 1 << " failed: " << pulled.status().message() << "\n";
      continue;
    }
    const absl::Duration after = *last - receipt.timestamp;
    if (pulled->kind == sbr_client::PullOutcome::Kind::kNothingYet) {
      polls.push_back({{"at", Time(*last)}, {"result", "nothing-yet"}});
      if (!c.json) {
        std::cout << "3. poll " << i + 1 << " at receipt + " << absl::FormatDuration(after)
                  << ": nothing yet (" << pulled->errors[0].error_code << ")\n";
      }
      continue;
    }
    if (pulled->kind == sbr_client::PullOutcome::Kind::kError) {
      return Fail(c, "ABORTED",
                  absl::StrCat("pull refused: ", pulled->errors.empty() ? "" : pulled->errors[0].error_code));
    }
    polls.push_back({{"at", Time(*last)}, {"result", "response"}});
    if (!c.json) {
      std::cout << "4. poll " << i + 1 << " at receipt + " << absl::FormatDuration(after)
                << ": business response\n";
    }
    auto triaged = Triage(c, pulled->response);
    if (!triaged.ok()) return FailStatus(c, triaged.status());
    if (c.json) {
      std::cout << Json{{"message_id", push.message_id},
                        {"employees", employees},
                        {"receipt", ReceiptJson(receipt)},
                        {"polls", polls},
                        {"response", *triaged}}
                       .dump()
                << "\n";
    }
    return 0;
  }
}

}  // namespace

int RunSbr(const Args& args) {
  Context c;
  if (args.empty() || args[0] == "--help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string verb = args[0];
  if (absl::Status s = Setup(Args(args.begin() + 1, args.end()), c); !s.ok()) {
    return FailStatus(c, s);
  }
  if (verb == "push") return Push(c);
  if (verb == "pull") return Pull(c);
  if (verb == "lodge") return Lodge(c);
  return Fail(c, "INVALID_ARGUMENT", absl::StrCat("unknown sbr command '", verb, "'\n", kUsage));
}

}  // namespace sbrgate::cli
