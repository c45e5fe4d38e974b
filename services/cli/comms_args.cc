// Flag values of `sbrgate comms` into requests; see comms_args.h.
#include "services/cli/comms_args.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace sbrgate::cli {
namespace {

constexpr char kChannelNames[] = "paper, mygov, sms, email, agent-digital, ato-online";

// "agent-digital" -> "AGENT_DIGITAL", as the proto spells its enum values.
std::string EnumText(absl::string_view text) {
  return absl::AsciiStrToUpper(absl::StrReplaceAll(text, {{"-", "_"}}));
}

// TYPE of TYPE:VALUE; `flag` and `text` name the value in the error.
absl::StatusOr<v1::ClientIdType> ParseClientType(absl::string_view type, absl::string_view flag,
                                                 absl::string_view text) {
  v1::ClientIdType parsed;
  if (!v1::ClientIdType_Parse(EnumText(type), &parsed) ||
      parsed == v1::CLIENT_ID_TYPE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, " '", text, "': the client identifier type is TFN, ABN, WPN or ARN"));
  }
  return parsed;
}

}  // namespace

absl::StatusOr<v1::ClientId> ParseClientId(absl::string_view text) {
  const std::pair<absl::string_view, absl::string_view> named =
      absl::StrSplit(text, absl::MaxSplits('=', 1));
  const std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(named.first, absl::MaxSplits(':', 1));
  if (parts.second.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--client '", text, "' is not TYPE:VALUE[=REFERENCE], e.g. TFN:123456782=SMITH01"));
  }
  absl::StatusOr<v1::ClientIdType> type = ParseClientType(parts.first, "client", text);
  if (!type.ok()) return type.status();
  v1::ClientId id;
  id.set_type(*type);
  id.set_value(std::string(parts.second));
  id.set_reference(std::string(named.second));
  return id;
}

absl::StatusOr<v1::GetCommunicationRequest> ParseDocumentRef(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits(':', 2));
  if (parts.size() != 3 || parts[1].empty() || parts[2].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--document '", text, "' is not CLIENTTYPE:VALUE:ID, e.g. TFN:123456782:DOC-1"));
  }
  absl::StatusOr<v1::ClientIdType> type = ParseClientType(parts[0], "document", text);
  if (!type.ok()) return type.status();
  v1::GetCommunicationRequest request;
  request.mutable_client()->set_type(*type);
  request.mutable_client()->set_value(std::string(parts[1]));
  request.set_document_id(std::string(parts[2]));
  return request;
}

absl::StatusOr<std::vector<v1::Channel>> ParseChannels(const std::vector<std::string>& values) {
  std::vector<v1::Channel> channels;
  for (const std::string& value : values) {
    for (absl::string_view name : absl::StrSplit(value, ',')) {
      v1::Channel channel;
      if (!v1::Channel_Parse(EnumText(name), &channel) || channel == v1::CHANNEL_UNSPECIFIED) {
        return absl::InvalidArgumentError(
            absl::StrCat("--channel '", name, "' is not one of ", kChannelNames));
      }
      channels.push_back(channel);
    }
  }
  return channels;
}

absl::StatusOr<v1::Category> ParseCategory(absl::string_view text) {
  if (absl::AsciiStrToLower(text) == "all") return v1::CATEGORY_ALL;
  v1::Category category;
  if (!v1::Category_Parse(EnumText(text), &category)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--category '", text,
                     "' is not a category (e.g. notify, reminder, tax-record-statement, all)"));
  }
  return category;
}

absl::StatusOr<v1::SortField> ParseSort(absl::string_view text) {
  if (text == "sent-date") return v1::SORT_SENT_DATE;
  if (text == "client-name") return v1::SORT_CLIENT_NAME;
  return absl::InvalidArgumentError(
      absl::StrCat("--sort is sent-date or client-name, not '", text, "'"));
}

absl::StatusOr<v1::AgentContext> AgentFromFlags(const Flags& flags, const char* default_user) {
  v1::AgentContext agent;
  agent.set_agent_abn(flags.Get("abn"));
  agent.set_ran(flags.Get("ran"));
  agent.set_user_id(flags.Get("user", default_user != nullptr ? default_user : ""));
  if (agent.agent_abn().empty()) {
    return absl::InvalidArgumentError("--abn=ABN is required: the agent practice's ABN");
  }
  if (agent.ran().empty()) {
    return absl::InvalidArgumentError("--ran=RAN is required: the registered agent number");
  }
  if (agent.user_id().empty()) {
    return absl::InvalidArgumentError("--user=USER_ID is required ($USER is not set)");
  }
  return agent;
}

absl::StatusOr<v1::ListCommunicationsRequest> ListRequestFromFlags(const Flags& flags,
                                                                   const char* default_user) {
  v1::ListCommunicationsRequest request;
  absl::StatusOr<v1::AgentContext> agent = AgentFromFlags(flags, default_user);
  if (!agent.ok()) return agent.status();
  *request.mutable_agent() = *std::move(agent);
  for (const std::string& text : flags.GetAll("client")) {
    absl::StatusOr<v1::ClientId> client = ParseClientId(text);
    if (!client.ok()) return client.status();
    *request.add_clients() = *std::move(client);
  }
  for (const char* name : {"from", "to"}) {
    if (flags.Get(name).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, "=YYYY-MM-DD is required"));
    }
  }
  request.set_from_date(flags.Get("from"));
  request.set_to_date(flags.Get("to"));
  absl::StatusOr<std::vector<v1::Channel>> channels = ParseChannels(flags.GetAll("channel"));
  if (!channels.ok()) return channels.status();
  if (channels->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--channel is required: ", kChannelNames));
  }
  for (v1::Channel channel : *channels) request.add_channels(channel);
  for (const std::string& text : flags.GetAll("category")) {
    absl::StatusOr<v1::Category> category = ParseCategory(text);
    if (!category.ok()) return category.status();
    request.add_categories(*category);
  }
  if (flags.Has("sort")) {
    absl::StatusOr<v1::SortField> sort = ParseSort(flags.Get("sort"));
    if (!sort.ok()) return sort.status();
    request.set_sort(*sort);
  }
  request.set_descending(flags.Has("desc"));
  return request;
}

}  // namespace sbrgate::cli
