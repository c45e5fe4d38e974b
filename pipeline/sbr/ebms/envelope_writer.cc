#include "pipeline/sbr/ebms/envelope_writer.h"

#include <libxml/parser.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sbrgate::ebms {
namespace {

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// `text` with the characters XML 1.0 cannot carry (C0 controls other than
// tab, CR, LF) replaced by U+FFFD; libxml2's serialiser escapes the rest.
std::string Sanitized(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

// Builds the tree with the whitespace of the text layout (one element a
// line, two spaces a level): what was on the wire before the envelope was
// built as a tree, and what people reading a captured message expect.
class Builder {
 public:
  explicit Builder(SoapVersion version)
      : must_understand_(version == SoapVersion::kSoap12 ? "true" : "1"),
        doc_(xmlNewDoc(X("1.0"))) {
    // Declared so that the serialiser writes UTF-8 as it is, in attribute
    // values too, rather than as character references.
    doc_->encoding = xmlStrdup(X("UTF-8"));
    const bool soap12 = version == SoapVersion::kSoap12;
    envelope_ = xmlNewDocNode(doc_.get(), nullptr, X("Envelope"), nullptr);
    xmlDocSetRootElement(doc_.get(), envelope_);
    soap_ = xmlNewNs(envelope_, X(soap12 ? kSoap12Namespace : kSoap11Namespace),
                     X(soap12 ? "S12" : "S11"));
    eb_ = xmlNewNs(envelope_, X(kEbmsNamespace), X("eb"));
    wsu_ = xmlNewNs(envelope_, X(kWsuNamespace), X("wsu"));
    xmlSetNs(envelope_, soap_);
  }

  absl::StatusOr<xml::Document> Build(const Envelope& e) {
    xmlNode* header = Child(envelope_, 1, soap_, "Header");
    xmlNode* messaging = Child(header, 2, eb_, "Messaging");
    xmlNewNsProp(messaging, soap_, X("mustUnderstand"), X(must_understand_));
    xmlNewNsProp(messaging, wsu_, X("Id"), X(kMessagingWsuId));
    for (const PullRequest& p : e.messaging.pull_requests) WritePullRequest(messaging, p);
    for (const Receipt& r : e.messaging.receipts) WriteReceipt(messaging, r);
    for (const ErrorSignal& s : e.messaging.errors) WriteErrorSignal(messaging, s);
    for (const UserMessage& m : e.messaging.user_messages) WriteUserMessage(messaging, m);
    Indent(messaging, 2);
    Indent(header, 1);
    xmlNode* body = Child(envelope_, 1, soap_, "Body");
    xmlNewNsProp(body, wsu_, X("Id"), X(kBodyWsuId));
    if (absl::Status s = WriteBody(body, e.body_xml); !s.ok()) return s;
    Indent(envelope_, 0);
    return std::move(doc_);
  }

 private:
  // Indentation before a child at `depth`, or before the end tag of an
  // element at `depth`.
  void Indent(xmlNode* parent, int depth) {
    static constexpr char kNewlineAndSpaces[] = "\n                ";
    // The deepest line, a receipt's ds:DigestMethod, is at depth 8.
    static_assert(sizeof kNewlineAndSpaces - 1 == 1 + 2 * 8);
    xmlAddChild(parent, xmlNewDocTextLen(doc_.get(), X(kNewlineAndSpaces), 1 + 2 * depth));
  }

  // A new element on a line of its own at `depth`, empty until given children.
  xmlNode* Child(xmlNode* parent, int depth, xmlNs* ns, const char* name) {
    Indent(parent, depth);
    return xmlNewChild(parent, ns, X(name), nullptr);
  }

  // <name>text</name> on a line of its own, written only when `text` is not
  // empty or `required` is set.
  xmlNode* TextChild(xmlNode* parent, int depth, xmlNs* ns, const char* name,
                     absl::string_view text, bool required = true) {
    if (text.empty() && !required) return nullptr;
    Indent(parent, depth);
    return xmlNewTextChild(parent, ns, X(name), X(Sanitized(text).c_str()));
  }

  // An attribute without a namespace, left out when `value` is empty.
  static void Attr(xmlNode* element, const char* name, absl::string_view value) {
    if (value.empty()) return;
    xmlNewProp(element, X(name), X(Sanitized(value).c_str()));
  }

  absl::Status WriteBody(xmlNode* body, const std::string& body_xml) {
    if (body_xml.empty()) {
      // An empty text node makes the serialiser write <Body></Body>, as the
      // text layout did, rather than <Body/>.
      xmlAddChild(body, xmlNewDocTextLen(doc_.get(), X(""), 0));
      return absl::OkStatus();
    }
    xmlNode* content = nullptr;
    const xmlParserErrors err = xmlParseInNodeContext(
        body, body_xml.data(), static_cast<int>(body_xml.size()), XML_PARSE_NONET, &content);
    if (err != XML_ERR_OK) {
      xmlFreeNodeList(content);
      return absl::InvalidArgumentError(absl::StrCat(
          "envelope: the Body content is not well-formed XML (libxml2 error ", err, ")"));
    }
    xmlAddChildList(body, content);
    return absl::OkStatus();
  }

  void MessageInfo(xmlNode* parent, int depth, absl::Time timestamp, absl::string_view id,
                   absl::string_view ref) {
    xmlNode* info = Child(parent, depth, eb_, "MessageInfo");
    TextChild(info, depth + 1, eb_, "Timestamp", FormatDateTime(timestamp));
    TextChild(info, depth + 1, eb_, "MessageId", id);
    TextChild(info, depth + 1, eb_, "RefToMessageId", ref, /*required=*/false);
    Indent(info, depth);
  }

  void Properties(xmlNode* parent, int depth, const char* name,
                  const std::vector<Property>& props) {
    if (props.empty()) return;
    xmlNode* list = Child(parent, depth, eb_, name);
    for (const Property& p : props) {
      Attr(TextChild(list, depth + 1, eb_, "Property", p.value), "name", p.name);
    }
    Indent(list, depth);
  }

  void WriteParty(xmlNode* parent, int depth, const char* name, const Party& party) {
    xmlNode* element = Child(parent, depth, eb_, name);
    Attr(TextChild(element, depth + 1, eb_, "PartyId", party.id), "type", party.type);
    TextChild(element, depth + 1, eb_, "Role", party.role);
    Indent(element, depth);
  }

  void WritePullRequest(xmlNode* messaging, const PullRequest& p) {
    xmlNode* signal = Child(messaging, 3, eb_, "SignalMessage");
    MessageInfo(signal, 4, p.timestamp, p.message_id, p.ref_to_message_id);
    Attr(Child(signal, 4, eb_, "PullRequest"), "mpc", p.mpc);
    Indent(signal, 3);
  }

  void WriteReceipt(xmlNode* messaging, const Receipt& r) {
    xmlNode* signal = Child(messaging, 3, eb_, "SignalMessage");
    MessageInfo(signal, 4, r.timestamp, r.message_id, r.ref_to_message_id);
    xmlNode* receipt = Child(signal, 4, eb_, "Receipt");
    xmlNode* nri = Child(receipt, 5, nullptr, "NonRepudiationInformation");
    xmlNs* ebbp = xmlNewNs(nri, X(kEbbpSignalsNamespace), X("ebbp"));
    xmlNs* ds = xmlNewNs(nri, X(kDsNamespace), X("ds"));
    xmlSetNs(nri, ebbp);
    for (const NonRepudiationReference& ref : r.references) {
      xmlNode* part = Child(nri, 6, ebbp, "MessagePartNRInformation");
      xmlNode* reference = Child(part, 7, ds, "Reference");
      Attr(reference, "URI", ref.uri);
      Attr(Child(reference, 8, ds, "DigestMethod"), "Algorithm", ref.digest_method);
      TextChild(reference, 8, ds, "DigestValue", ref.digest_value);
      Indent(reference, 7);
      Indent(part, 6);
    }
    if (!r.references.empty()) Indent(nri, 5);
    Indent(receipt, 4);
    Indent(signal, 3);
  }

  void WriteErrorSignal(xmlNode* messaging, const ErrorSignal& s) {
    xmlNode* signal = Child(messaging, 3, eb_, "SignalMessage");
    MessageInfo(signal, 4, s.timestamp, s.message_id, s.ref_to_message_id);
    for (const Error& e : s.errors) {
      xmlNode* error = Child(signal, 4, eb_, "Error");
      Attr(error, "category", e.category);
      Attr(error, "refToMessageInError", e.ref_to_message_in_error);
      xmlNewProp(error, X("errorCode"), X(Sanitized(e.error_code).c_str()));
      Attr(error, "origin", e.origin);
      xmlNewProp(error, X("severity"), X(Sanitized(e.severity).c_str()));
      Attr(error, "shortDescription", e.short_description);
      if (e.description.empty() && e.detail.empty()) continue;
      if (xmlNode* d = TextChild(error, 5, eb_, "Description", e.description,
                                 /*required=*/false)) {
        xmlSetNsProp(d, xmlSearchNs(doc_.get(), d, X("xml")), X("lang"), X("en"));
      }
      TextChild(error, 5, eb_, "ErrorDetail", e.detail, /*required=*/false);
      Indent(error, 4);
    }
    Indent(signal, 3);
  }

  void WriteUserMessage(xmlNode* messaging, const UserMessage& m) {
    xmlNode* um = Child(messaging, 3, eb_, "UserMessage");
    Attr(um, "mpc", m.mpc);
    MessageInfo(um, 4, m.timestamp, m.message_id, m.ref_to_message_id);
    xmlNode* party_info = Child(um, 4, eb_, "PartyInfo");
    WriteParty(party_info, 5, "From", m.from);
    WriteParty(party_info, 5, "To", m.to);
    Indent(party_info, 4);
    xmlNode* collaboration = Child(um, 4, eb_, "CollaborationInfo");
    TextChild(collaboration, 5, eb_, "AgreementRef", m.agreement_ref, /*required=*/false);
    Attr(TextChild(collaboration, 5, eb_, "Service", m.service), "type", m.service_type);
    TextChild(collaboration, 5, eb_, "Action", m.action);
    TextChild(collaboration, 5, eb_, "ConversationId", m.conversation_id);
    Indent(collaboration, 4);
    Properties(um, 4, "MessageProperties", m.message_properties);
    if (!m.parts.empty()) {
      xmlNode* payload_info = Child(um, 4, eb_, "PayloadInfo");
      for (const PartInfo& part : m.parts) {
        xmlNode* part_info = Child(payload_info, 5, eb_, "PartInfo");
        Attr(part_info, "href", part.href);
        if (part.properties.empty()) continue;
        Properties(part_info, 6, "PartProperties", part.properties);
        Indent(part_info, 5);
      }
      Indent(payload_info, 4);
    }
    Indent(um, 3);
  }

  const char* must_understand_;
  xml::Document doc_;
  xmlNode* envelope_;
  xmlNs* soap_;
  xmlNs* eb_;
  xmlNs* wsu_;
};

}  // namespace

absl::StatusOr<xml::Document> BuildEnvelope(const Envelope& envelope) {
  return Builder(envelope.soap_version).Build(envelope);
}

std::string SerializeEnvelope(xmlDoc* envelope) {
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(envelope, &mem, &size, "UTF-8");
  std::string out(reinterpret_cast<const char*>(mem), size);
  xmlFree(mem);
  return out;
}

absl::StatusOr<std::string> WriteEnvelope(const Envelope& envelope) {
  absl::StatusOr<xml::Document> doc = BuildEnvelope(envelope);
  if (!doc.ok()) return doc.status();
  return SerializeEnvelope(doc->get());
}

}  // namespace sbrgate::ebms
