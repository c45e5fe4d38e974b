// sbrgate clients details|addresses|associates|contacts|banking: a client of
// the gateway's gRPC DemographicsService (proto/demographics.proto) at
// --gateway=HOST:PORT, through which an agent practice, or an operator naming
// one, reads and keeps up a client's demographic information in ATO systems
// (CUDEMOGR, seed 001). One path for the five services: the command word
// names the service (pipeline/clients/demographics/catalog.h), the next
// word the operation, and a submit's or validate's record comes from flags
// named after its fields in proto/demographics.proto ('_' as '-'; a
// repeated field's flag is singular and may be given again, e.g. --line;
// enum values case-insensitive with '-' for '_'; booleans are flags alone):
//
//   clients addresses list [--account=IT|AS:NNN] [--history]
//   clients addresses submit|validate [--account=...] --usage=postal --line=LINE...
//           --locality=L [--state=S --postcode=P] [--country=CC] [--start-date=D]
//   clients associates list [--history]
//   clients contacts submit|validate [--account=...] --name=N --role=R [--phone=P] [--email=E]
//   clients details get
//   clients details submit|validate --entity=individual|non-individual ...
//   clients banking list [--history]
//   clients banking submit|validate --purpose=income-tax-refund --bsb=NNNNNN
//           --account-number=N --account-name=NAME [--start-date=D]
//   each: --client=TYPE:VALUE [--abn=ABN --ran=RAN] [--user=USER_ID] [--json]
//
// A submit or validate carries one record. An operation the service does
// not offer is a usage error here; the gateway checks the rest (rules.h),
// naming each field it refuses. Exit status 0; 1 when the gateway or the
// ATO refused (PERMISSION_DENIED: no relationship with the client at that
// level; NOT_FOUND: no such client); 2 for bad arguments.
#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "pipeline/clients/demographics/catalog.h"
#include "proto/demographics.grpc.pb.h"
#include "services/cli/clients_command.h"
#include "services/cli/comms_args.h"
#include "services/cli/rpc_output.h"

namespace sbrgate::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kUsage[] =
    "usage: sbrgate [--gateway=HOST:PORT] clients SERVICE OPERATION --client=TYPE:VALUE ...\n"
    "  clients addresses list [--account=IT|AS:NNN] [--history]\n"
    "  clients addresses submit|validate [--account=IT|AS:NNN]\n"
    "          --usage=postal|business|residential|registered-office --line=LINE...\n"
    "          --locality=LOCALITY [--state=STATE --postcode=NNNN] [--country=CC]\n"
    "          [--start-date=YYYY-MM-DD]\n"
    "  clients associates list [--history]\n"
    "  clients contacts submit|validate [--account=IT|AS:NNN] --name=NAME --role=ROLE\n"
    "          [--phone=PHONE] [--email=EMAIL]\n"
    "  clients details get\n"
    "  clients details submit|validate --entity=individual --family-name=NAME\n"
    "          [--given-name=NAME] [--other-given-names=NAMES] --date-of-birth=YYYY-MM-DD\n"
    "  clients details submit|validate --entity=non-individual --organisation-name=NAME\n"
    "          [--not-for-profit] [--super-fund] [--self-managed-super-fund]\n"
    "  clients banking list [--history]\n"
    "  clients banking submit|validate\n"
    "          --purpose=income-tax-refund|activity-statement-refund|superannuation\n"
    "          --bsb=NNNNNN --account-number=N --account-name=NAME [--start-date=YYYY-MM-DD]\n"
    "  each: --client=TYPE:VALUE [--abn=ABN --ran=RAN] [--user=USER_ID] [--json]\n"
    "  TYPE is TFN, ABN, WPN or ARN. A submit changes the ATO's records; a validate only\n"
    "  says whether it would.\n"
    "Exit status: 0 done; 1 refused; 2 bad arguments.\n";

const std::set<std::string> kCommonValued = {"gateway", "tls-cert", "tls-key", "tls-ca", "abn",
                                             "ran",     "user",     "client",  "account"};
const std::set<std::string> kCommonBooleans = {"json", "history"};

const demographics::ServiceSpec* ServiceNamed(absl::string_view word) {
  for (const demographics::ServiceSpec& spec : demographics::Services()) {
    if (spec.name == word) return &spec;
  }
  return nullptr;
}

// The field of v1::DemographicRecords `spec`'s records go in.
const FieldDescriptor* RecordsField(const demographics::ServiceSpec& spec) {
  return v1::DemographicRecords::descriptor()->FindFieldByName(std::string(spec.records_field));
}

// --family-name for family_name; --line for the repeated lines.
std::string FlagName(const FieldDescriptor* f) {
  std::string name = absl::StrReplaceAll(f->name(), {{"_", "-"}});
  if (f->is_repeated() && absl::EndsWith(name, "s")) name.pop_back();
  return name;
}

// Every record field's flag, by whether it is boolean.
void RecordFlags(const Descriptor* record, std::set<std::string>& booleans,
                 std::set<std::string>& valued) {
  for (int i = 0; i < record->field_count(); ++i) {
    const FieldDescriptor* f = record->field(i);
    (f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL ? booleans : valued).insert(FlagName(f));
  }
}

// The flags of every command: the common ones and every record field's.
void EveryFlag(std::set<std::string>& booleans, std::set<std::string>& valued) {
  booleans = kCommonBooleans;
  valued = kCommonValued;
  for (const demographics::ServiceSpec& spec : demographics::Services()) {
    RecordFlags(RecordsField(spec)->message_type(), booleans, valued);
  }
}

// The record of type `record` the flags describe; InvalidArgument naming a
// flag whose value is not one of its enum's.
absl::Status RecordFromFlags(const Flags& flags, Message& record) {
  const Descriptor* d = record.GetDescriptor();
  const Reflection* r = record.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string flag = FlagName(f);
    if (f->is_repeated()) {
      for (const std::string& v : flags.GetAll(flag)) r->AddString(&record, f, v);
    } else if (!flags.Has(flag)) {
      continue;
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      r->SetBool(&record, f, true);
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      const std::string text = flags.Get(flag);
      const google::protobuf::EnumValueDescriptor* value = f->enum_type()->FindValueByName(
          absl::AsciiStrToUpper(absl::StrReplaceAll(text, {{"-", "_"}})));
      if (value == nullptr || value->number() == 0) {
        std::vector<std::string> names;
        for (int v = 1; v < f->enum_type()->value_count(); ++v) {
          names.push_back(absl::StrReplaceAll(
              absl::AsciiStrToLower(f->enum_type()->value(v)->name()), {{"_", "-"}}));
        }
        return absl::InvalidArgumentError(
            absl::StrCat("--", flag, " '", text, "' is not one of ", absl::StrJoin(names, ", ")));
      }
      r->SetEnum(&record, f, value);
    } else {
      r->SetString(&record, f, flags.Get(flag));
    }
  }
  return absl::OkStatus();
}

// One line for a record: its kind and every set field.
std::string RecordText(const Message& record) {
  const Descriptor* d = record.GetDescriptor();
  const Reflection* r = record.GetReflection();
  std::vector<std::string> parts = {d->name()};
  auto value = [](const std::string& v) {
    return absl::StrContains(v, ' ') ? absl::StrCat("\"", v, "\"") : v;
  };
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(record, f); ++j) {
        parts.push_back(absl::StrCat(FlagName(f), "=", value(r->GetRepeatedString(record, f, j))));
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      if (r->GetBool(record, f)) parts.push_back(FlagName(f));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      if (r->GetEnumValue(record, f) != 0) {
        parts.push_back(absl::StrCat(FlagName(f), "=", r->GetEnum(record, f)->name()));
      }
    } else if (!r->GetString(record, f).empty()) {
      parts.push_back(absl::StrCat(FlagName(f), "=", value(r->GetString(record, f))));
    }
  }
  return absl::StrCat("  ", absl::StrJoin(parts, "  "), "\n");
}

std::string ResponseText(const v1::DemographicsResponse& r) {
  std::string text;
  if (r.operation() == v1::SUBMIT || r.operation() == v1::VALIDATE) {
    text = r.changed() ? "submitted: " : "valid, nothing changed: ";
  }
  absl::StrAppend(&text, v1::ClientIdType_Name(r.client().type()), ":", r.client().value(), "  ",
                  r.client_name(),
                  r.account().empty() ? "" : absl::StrCat("  account ", r.account()), "\n");
  const Descriptor* d = r.records().GetDescriptor();
  const Reflection* reflection = r.records().GetReflection();
  size_t records = 0;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) {
      for (int j = 0; j < reflection->FieldSize(r.records(), f); ++j, ++records) {
        absl::StrAppend(&text, RecordText(reflection->GetRepeatedMessage(r.records(), f, j)));
      }
    } else if (reflection->HasField(r.records(), f)) {
      absl::StrAppend(&text, RecordText(reflection->GetMessage(r.records(), f)));
      ++records;
    }
  }
  if (records == 0) absl::StrAppend(&text, "  none\n");
  return text;
}

}  // namespace

bool IsDemographicsCommand(const Args& args) {
  std::set<std::string> booleans, valued;
  EveryFlag(booleans, valued);
  // The first positional argument, skipping each flag and the value of a
  // valued one given apart ("--abn 51824753556").
  for (size_t i = 0; i < args.size(); ++i) {
    if (!absl::StartsWith(args[i], "--")) return ServiceNamed(args[i]) != nullptr;
    if (!absl::StrContains(args[i], '=') && booleans.count(args[i].substr(2)) == 0) ++i;
  }
  return false;
}

int RunClientDemographics(const Args& args) {
  const bool json = std::find(args.begin(), args.end(), "--json") != args.end();
  // The service and operation first, to know the record's flags.
  std::set<std::string> booleans, valued;
  EveryFlag(booleans, valued);
  Flags any(booleans, valued);
  if (absl::Status parsed = any.Parse(args); !parsed.ok()) {
    return UsageError(json, parsed.message(), kUsage);
  }
  const demographics::ServiceSpec& spec = *ServiceNamed(any.positional()[0]);
  const std::string offered = absl::AsciiStrToLower(
      absl::StrReplaceAll(demographics::OfferedText(spec), {{", ", "|"}, {" or ", "|"}}));
  if (any.positional().size() != 2) {
    return UsageError(json, absl::StrCat("clients ", spec.name, " needs one operation: ", offered),
                      kUsage);
  }
  v1::CudemogrOperation op;
  const std::string op_word = any.positional()[1];
  if (!v1::CudemogrOperation_Parse(absl::AsciiStrToUpper(op_word), &op) ||
      !demographics::Offers(spec, op)) {
    return UsageError(json,
                      absl::StrCat("clients ", spec.name, " (", spec.code, ") offers ", offered,
                                   ", not '", op_word, "'"),
                      kUsage);
  }
  const bool change = op == v1::SUBMIT || op == v1::VALIDATE;
  const FieldDescriptor* records_field = RecordsField(spec);
  booleans = kCommonBooleans;
  valued = kCommonValued;
  if (change) RecordFlags(records_field->message_type(), booleans, valued);
  Flags flags(booleans, valued);
  if (absl::Status parsed = flags.Parse(args); !parsed.ok()) {
    return UsageError(
        json, absl::StrCat("clients ", spec.name, " ", op_word, ": ", parsed.message()), kUsage);
  }
  if (!flags.Has("client")) {
    return UsageError(json, absl::StrCat("clients ", spec.name, " needs --client=TYPE:VALUE"),
                      kUsage);
  }
  absl::StatusOr<v1::ClientId> client = ParseClientId(flags.Get("client"));
  if (!client.ok()) return UsageError(json, client.status().message(), kUsage);

  v1::DemographicsRequest request;
  *request.mutable_agent() = ClientsAgent(flags);
  request.set_service(spec.service);
  request.set_operation(op);
  *request.mutable_client() = *std::move(client);
  request.set_account(flags.Get("account"));
  request.set_include_history(flags.Has("history"));
  if (change) {
    v1::DemographicRecords* records = request.mutable_records();
    const Reflection* r = records->GetReflection();
    Message* record = records_field->is_repeated() ? r->AddMessage(records, records_field)
                                                   : r->MutableMessage(records, records_field);
    if (absl::Status s = RecordFromFlags(flags, *record); !s.ok()) {
      return UsageError(json, s.message(), kUsage);
    }
  }
  auto service = v1::DemographicsService::NewStub(GatewayChannelOrExit(flags));
  grpc::ClientContext context;
  SetClientsDeadline(context);
  v1::DemographicsResponse response;
  const grpc::Status status = service->Call(&context, request, &response);
  if (!status.ok()) return RpcError(json, status);
  return PrintAnswer(json, response, ResponseText(response));
}

}  // namespace sbrgate::cli
