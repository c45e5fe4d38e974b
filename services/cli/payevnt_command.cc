// sbrgate payevnt: make and check STP pay-event lodgment files
// (format: pipeline/stp/payevnt/lodgment_reader.h).
//
//   payevnt generate --employees N [--invalid K] [--invalid-employer]
//                    [--name-mismatch M] [--seed S] [--timestamp RFC3339]
//                    [--payment-date YYYY-MM-DD] [--abn ABN | --wpn WPN]
//                    [--intermediary-abn ABN [--intermediary-tan TAN]] [--bare] -o FILE
//     writes the file and prints
//     {"file": ..., "employees": N, "invalid_document_ids": [...]}
//     (plus "name_mismatch_document_ids" when --name-mismatch is given)
//   payevnt validate FILE [--json]
//     reports every error the sender can check; exit 0 valid, 1 invalid,
//     2 usage or I/O error
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/stp/payevnt/validator.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace sbrgate::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kUsage[] =
    "usage: sbrgate payevnt generate --employees N [--invalid K] [--invalid-employer]\n"
    "                                [--name-mismatch M] [--seed S] -o FILE\n"
    "         --timestamp=RFC3339      MessageTimestampGenerationDt (default: now, UTC)\n"
    "         --payment-date=YYYY-MM-DD  (default: the timestamp's day)\n"
    "         --abn=ABN                payer ABN (default: derived from the seed)\n"
    "         --wpn=WPN                a payer with no ABN: its 9-digit withholding payer number\n"
    "         --intermediary-abn=ABN   lodged by an intermediary (Int) with this ABN\n"
    "         --intermediary-tan=TAN   ...that is a tax agent with this 8-digit TAN\n"
    "         --cancelled-employer     a payer ABN the ATO's register lists as cancelled\n"
    "         --bare                   SBR's bare Record_Delimiter sequence, no wrapper\n"
    "       sbrgate payevnt validate FILE [--json]\n";

constexpr int kExitInvalid = 1;
constexpr int kExitUsage = 2;

// Usage and I/O errors: exit 2, on stderr (as JSON with --json).
int Fail(bool json, const absl::Status& status, bool show_usage = false) {
  if (json) {
    std::cerr << Json{{"error",
                       {{"code", absl::StatusCodeToString(status.code())},
                        {"message", std::string(status.message())}}}}
                     .dump()
              << "\n";
  } else {
    std::cerr << "sbrgate payevnt: " << status.message() << "\n";
    if (show_usage) std::cerr << kUsage;
  }
  return kExitUsage;
}

int UsageError(bool json, absl::string_view message) {
  return Fail(json, absl::InvalidArgumentError(message), /*show_usage=*/true);
}

template <typename Int>
bool ParseCount(const Flags& flags, const std::string& name, Int* out) {
  return !flags.Has(name) || absl::SimpleAtoi(flags.Get(name), out);
}

int Generate(const Args& args) {
  // -o is the one short option; Flags knows only --long ones.
  Args rewritten;
  for (const std::string& a : args) rewritten.push_back(a == "-o" ? "--output" : a);
  Flags flags({"invalid-employer", "cancelled-employer", "bare"}, {"employees", "invalid", "name-mismatch", "seed",
                                             "output", "timestamp", "payment-date", "abn", "wpn",
                                             "intermediary-abn", "intermediary-tan"});
  if (absl::Status s = flags.Parse(rewritten); !s.ok()) return UsageError(false, s.message());
  if (!flags.positional().empty()) {
    return UsageError(false, absl::StrCat("unexpected argument '", flags.positional()[0], "'"));
  }
  if (!flags.Has("employees")) return UsageError(false, "--employees N is required");
  if (!flags.Has("output")) return UsageError(false, "-o FILE is required");

  payevnt::GeneratorOptions options;
  if (!ParseCount(flags, "employees", &options.employees) ||
      !ParseCount(flags, "invalid", &options.invalid_tfns) ||
      !ParseCount(flags, "name-mismatch", &options.name_mismatches) ||
      !ParseCount(flags, "seed", &options.seed)) {
    return UsageError(false,
                      "--employees, --invalid, --name-mismatch and --seed take whole numbers");
  }
  options.invalid_employer = flags.Has("invalid-employer");
  options.cancelled_employer = flags.Has("cancelled-employer");
  options.bare_sequence = flags.Has("bare");
  options.payer_abn = flags.Get("abn");
  options.payer_wpn = flags.Get("wpn");
  options.intermediary_abn = flags.Get("intermediary-abn");
  options.intermediary_tan = flags.Get("intermediary-tan");
  if (flags.Has("timestamp")) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, flags.Get("timestamp"), &options.message_timestamp,
                         &error)) {
      return UsageError(false, absl::StrCat("--timestamp '", flags.Get("timestamp"),
                                            "' is not an RFC 3339 time: ", error));
    }
  } else {
    RealClock clock;
    options.message_timestamp = absl::FromUnixSeconds(absl::ToUnixSeconds(clock.Now()));
  }
  if (flags.Has("payment-date")) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(flags.Get("payment-date"), &day)) {
      return UsageError(false, absl::StrCat("--payment-date '", flags.Get("payment-date"),
                                            "' is not a YYYY-MM-DD date"));
    }
    options.payment_date = day;
  }

  const std::string path = flags.Get("output");
  absl::StatusOr<std::unique_ptr<FileSink>> sink = FileSink::Create(path);
  if (!sink.ok()) return Fail(false, sink.status());
  absl::StatusOr<payevnt::GeneratedLodgment> generated = payevnt::GenerateLodgment(options, **sink);
  if (!generated.ok()) return Fail(false, generated.status());
  if (absl::Status s = (*sink)->Close(); !s.ok()) return Fail(false, s);

  Json out;
  out["file"] = path;
  out["employees"] = generated->employees;
  out["invalid_document_ids"] = generated->invalid_document_ids;
  if (flags.Has("name-mismatch")) {
    out["name_mismatch_document_ids"] = generated->name_mismatch_document_ids;
  }
  std::cout << out.dump() << "\n";
  return 0;
}

void PrintText(const std::string& path, const payevnt::ValidationReport& r) {
  if (r.valid) {
    std::cout << path << ": valid, " << r.employees << " employee records\n";
    return;
  }
  std::cout << path << ": INVALID: " << r.errors.size() << " error"
            << (r.errors.size() == 1 ? "" : "s") << ", " << r.invalid_employees << " of "
            << r.employees << " employee records in error"
            << (r.fatal.has_value() ? ", reading stopped at a structural error" : "") << "\n";
  for (const payevnt::FieldError& e : r.errors) std::cout << "  " << payevnt::ToString(e) << "\n";
  if (!r.invalid_document_ids.empty()) {
    std::cout << "invalid DocumentIDs: " << absl::StrJoin(r.invalid_document_ids, ", ") << "\n";
  }
}

int Validate(const Args& args) {
  Flags flags({"json"}, {});
  const absl::Status parsed = flags.Parse(args);
  const bool json = flags.Has("json");
  if (!parsed.ok()) return UsageError(json, parsed.message());
  if (flags.positional().size() != 1) return UsageError(json, "validate takes one FILE");
  const std::string path = flags.positional()[0];

  absl::StatusOr<std::unique_ptr<FileSource>> source = FileSource::Open(path);
  if (!source.ok()) return Fail(json, source.status());
  absl::StatusOr<payevnt::ValidationReport> report =
      payevnt::ValidateLodgment(*std::move(source), path);
  if (!report.ok()) return Fail(json, report.status());

  if (json) {
    Json errors = Json::array();
    for (const payevnt::FieldError& e : report->errors) {
      errors.push_back({{"code", e.code},
                        {"severity", e.severity},
                        {"document_id", e.document_id},
                        {"path", e.path},
                        {"description", payevnt::Substitute(e)}});
    }
    Json out;
    out["valid"] = report->valid;
    out["employees"] = report->employees;
    out["errors"] = std::move(errors);
    out["invalid_document_ids"] = report->invalid_document_ids;
    std::cout << out.dump() << "\n";
  } else {
    PrintText(path, *report);
  }
  return report->valid ? 0 : kExitInvalid;
}

}  // namespace

int RunPayevnt(const Args& args) {
  if (args.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "generate") return Generate(rest);
  if (args[0] == "validate") return Validate(rest);
  if (args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return 0;
  }
  return UsageError(false, absl::StrCat("unknown payevnt command '", args[0], "'"));
}

}  // namespace sbrgate::cli
