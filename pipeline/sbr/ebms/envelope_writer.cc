#include "pipeline/sbr/ebms/envelope_writer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sbrgate::ebms {
namespace {

// Escapes for character data (attribute == false) or a double-quoted
// attribute value. Whitespace in attributes is written as character
// references so that attribute-value normalisation keeps it.
std::string Escaped(absl::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += attribute ? "&quot;" : "\""; break;
      case '\r': out += "&#13;"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\xEF\xBF\xBD";  // U+FFFD: XML 1.0 cannot carry this character
        } else {
          out += c;
        }
    }
  }
  return out;
}

class Writer {
 public:
  explicit Writer(SoapVersion version)
      : soap_(version == SoapVersion::kSoap12 ? "S12" : "S11"),
        must_understand_(version == SoapVersion::kSoap12 ? "true" : "1"),
        soap_ns_(version == SoapVersion::kSoap12 ? kSoap12Namespace : kSoap11Namespace) {}

  std::string Write(const Envelope& e) {
    out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    absl::StrAppend(&out_, "<", soap_, ":Envelope xmlns:", soap_, "=\"", soap_ns_, "\" xmlns:eb=\"",
                    kEbmsNamespace, "\" xmlns:wsu=\"", kWsuNamespace, "\">\n");
    Line(1, absl::StrCat("<", soap_, ":Header>"));
    Line(2, absl::StrCat("<eb:Messaging ", soap_, ":mustUnderstand=\"", must_understand_,
                         "\" wsu:Id=\"", kMessagingWsuId, "\">"));
    for (const PullRequest& p : e.messaging.pull_requests) WritePullRequest(p);
    for (const Receipt& r : e.messaging.receipts) WriteReceipt(r);
    for (const ErrorSignal& s : e.messaging.errors) WriteErrorSignal(s);
    for (const UserMessage& m : e.messaging.user_messages) WriteUserMessage(m);
    Line(2, "</eb:Messaging>");
    Line(1, absl::StrCat("</", soap_, ":Header>"));
    absl::StrAppend(&out_, "  <", soap_, ":Body wsu:Id=\"", kBodyWsuId, "\">", e.body_xml, "</",
                    soap_, ":Body>\n");
    absl::StrAppend(&out_, "</", soap_, ":Envelope>\n");
    return std::move(out_);
  }

 private:
  void Line(int depth, absl::string_view text) {
    out_.append(2 * depth, ' ');
    absl::StrAppend(&out_, text, "\n");
  }

  // <name attrs>text</name>, written only when `text` is not empty or
  // `required` is set.
  void TextElement(int depth, absl::string_view name, absl::string_view text,
                   absl::string_view attrs = "", bool required = true) {
    if (text.empty() && !required) return;
    Line(depth, absl::StrCat("<", name, attrs, ">", Escaped(text, false), "</", name, ">"));
  }

  static std::string Attr(absl::string_view name, absl::string_view value) {
    if (value.empty()) return "";
    return absl::StrCat(" ", name, "=\"", Escaped(value, true), "\"");
  }

  void MessageInfo(int depth, absl::Time timestamp, absl::string_view id, absl::string_view ref) {
    Line(depth, "<eb:MessageInfo>");
    TextElement(depth + 1, "eb:Timestamp", FormatDateTime(timestamp));
    TextElement(depth + 1, "eb:MessageId", id);
    TextElement(depth + 1, "eb:RefToMessageId", ref, "", /*required=*/false);
    Line(depth, "</eb:MessageInfo>");
  }

  void Properties(int depth, absl::string_view name, const std::vector<Property>& props) {
    if (props.empty()) return;
    Line(depth, absl::StrCat("<", name, ">"));
    for (const Property& p : props) {
      TextElement(depth + 1, "eb:Property", p.value, Attr("name", p.name));
    }
    Line(depth, absl::StrCat("</", name, ">"));
  }

  void WriteParty(int depth, absl::string_view name, const Party& party) {
    Line(depth, absl::StrCat("<", name, ">"));
    TextElement(depth + 1, "eb:PartyId", party.id, Attr("type", party.type));
    TextElement(depth + 1, "eb:Role", party.role);
    Line(depth, absl::StrCat("</", name, ">"));
  }

  void WritePullRequest(const PullRequest& p) {
    Line(3, "<eb:SignalMessage>");
    MessageInfo(4, p.timestamp, p.message_id, p.ref_to_message_id);
    Line(4, absl::StrCat("<eb:PullRequest", Attr("mpc", p.mpc), "/>"));
    Line(3, "</eb:SignalMessage>");
  }

  void WriteReceipt(const Receipt& r) {
    Line(3, "<eb:SignalMessage>");
    MessageInfo(4, r.timestamp, r.message_id, r.ref_to_message_id);
    Line(4, "<eb:Receipt>");
    const std::string nri =
        absl::StrCat("<ebbp:NonRepudiationInformation xmlns:ebbp=\"", kEbbpSignalsNamespace,
                     "\" xmlns:ds=\"", kDsNamespace, "\"");
    if (r.references.empty()) {
      Line(5, absl::StrCat(nri, "/>"));
    } else {
      Line(5, absl::StrCat(nri, ">"));
      for (const NonRepudiationReference& ref : r.references) {
        Line(6, "<ebbp:MessagePartNRInformation>");
        Line(7, absl::StrCat("<ds:Reference", Attr("URI", ref.uri), ">"));
        Line(8, absl::StrCat("<ds:DigestMethod", Attr("Algorithm", ref.digest_method), "/>"));
        TextElement(8, "ds:DigestValue", ref.digest_value);
        Line(7, "</ds:Reference>");
        Line(6, "</ebbp:MessagePartNRInformation>");
      }
      Line(5, "</ebbp:NonRepudiationInformation>");
    }
    Line(4, "</eb:Receipt>");
    Line(3, "</eb:SignalMessage>");
  }

  void WriteErrorSignal(const ErrorSignal& s) {
    Line(3, "<eb:SignalMessage>");
    MessageInfo(4, s.timestamp, s.message_id, s.ref_to_message_id);
    for (const Error& e : s.errors) {
      const std::string attrs = absl::StrCat(
          Attr("category", e.category), Attr("refToMessageInError", e.ref_to_message_in_error),
          " errorCode=\"", Escaped(e.error_code, true), "\"", Attr("origin", e.origin),
          " severity=\"", Escaped(e.severity, true), "\"",
          Attr("shortDescription", e.short_description));
      if (e.description.empty() && e.detail.empty()) {
        Line(4, absl::StrCat("<eb:Error", attrs, "/>"));
        continue;
      }
      Line(4, absl::StrCat("<eb:Error", attrs, ">"));
      TextElement(5, "eb:Description", e.description, " xml:lang=\"en\"", /*required=*/false);
      TextElement(5, "eb:ErrorDetail", e.detail, "", /*required=*/false);
      Line(4, "</eb:Error>");
    }
    Line(3, "</eb:SignalMessage>");
  }

  void WriteUserMessage(const UserMessage& m) {
    Line(3, absl::StrCat("<eb:UserMessage", Attr("mpc", m.mpc), ">"));
    MessageInfo(4, m.timestamp, m.message_id, m.ref_to_message_id);
    Line(4, "<eb:PartyInfo>");
    WriteParty(5, "eb:From", m.from);
    WriteParty(5, "eb:To", m.to);
    Line(4, "</eb:PartyInfo>");
    Line(4, "<eb:CollaborationInfo>");
    TextElement(5, "eb:AgreementRef", m.agreement_ref, "", /*required=*/false);
    TextElement(5, "eb:Service", m.service, Attr("type", m.service_type));
    TextElement(5, "eb:Action", m.action);
    TextElement(5, "eb:ConversationId", m.conversation_id);
    Line(4, "</eb:CollaborationInfo>");
    Properties(4, "eb:MessageProperties", m.message_properties);
    if (!m.parts.empty()) {
      Line(4, "<eb:PayloadInfo>");
      for (const PartInfo& part : m.parts) {
        if (part.properties.empty()) {
          Line(5, absl::StrCat("<eb:PartInfo", Attr("href", part.href), "/>"));
          continue;
        }
        Line(5, absl::StrCat("<eb:PartInfo", Attr("href", part.href), ">"));
        Properties(6, "eb:PartProperties", part.properties);
        Line(5, "</eb:PartInfo>");
      }
      Line(4, "</eb:PayloadInfo>");
    }
    Line(3, "</eb:UserMessage>");
  }

  const char* soap_;
  const char* must_understand_;
  const char* soap_ns_;
  std::string out_;
};

}  // namespace

std::string WriteEnvelope(const Envelope& envelope) {
  return Writer(envelope.soap_version).Write(envelope);
}

}  // namespace sbrgate::ebms
