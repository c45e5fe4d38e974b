#include "pipeline/sbr/ebms/envelope_reader.h"

#include <libxml/tree.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/base/const_init.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/common/resources.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/schema.h"

namespace sbrgate::ebms {
namespace {

constexpr char kSchemaResource[] = "pipeline/sbr/ebms/schemas/envelope.xsd";

ABSL_CONST_INIT absl::Mutex schema_mu(absl::kConstInit);

// The compiled envelope schema, loaded on first use. A failed load is not
// cached, so a deployment fixed at run time recovers without a restart.
absl::StatusOr<std::shared_ptr<const xml::Schema>> EnvelopeSchema() {
  static std::shared_ptr<const xml::Schema>* cached = nullptr;
  absl::MutexLock lock(&schema_mu);
  if (cached != nullptr) return *cached;
  absl::StatusOr<std::string> path = ResourcePath(kSchemaResource);
  if (!path.ok()) return path.status();
  absl::StatusOr<std::shared_ptr<const xml::Schema>> schema = xml::Schema::Load(*path);
  if (!schema.ok()) return schema.status();
  cached = new std::shared_ptr<const xml::Schema>(*std::move(schema));
  return *cached;
}

struct Problem {
  long line;
  std::string text;
};

bool Is(const xmlNode* node, absl::string_view ns, absl::string_view local) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && xml::NamespaceUri(node) == ns &&
         xml::LocalName(node) == local;
}

std::vector<xmlNode*> ChildrenIn(const xmlNode* parent, absl::string_view ns,
                                 absl::string_view local) {
  std::vector<xmlNode*> out;
  for (xmlNode* c : xml::Children(parent, local)) {
    if (xml::NamespaceUri(c) == ns) out.push_back(c);
  }
  return out;
}

xmlNode* FirstIn(const xmlNode* parent, absl::string_view ns, absl::string_view local) {
  std::vector<xmlNode*> all = ChildrenIn(parent, ns, local);
  return all.empty() ? nullptr : all.front();
}

xmlNode* FirstEb(const xmlNode* parent, absl::string_view local) {
  return FirstIn(parent, kEbmsNamespace, local);
}

std::string Text(const xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* content = xmlNodeGetContent(node);
  std::string out(
      absl::StripAsciiWhitespace(content ? reinterpret_cast<const char*>(content) : ""));
  xmlFree(content);
  return out;
}

std::string Attr(const xmlNode* node, const char* name) {
  return std::string(absl::StripAsciiWhitespace(xml::Attribute(node, name)));
}

bool HasAttr(const xmlNode* node, const char* name) {
  return xmlHasNsProp(node, reinterpret_cast<const xmlChar*>(name), nullptr) != nullptr;
}

std::string WithoutWhitespace(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

// Serializes `element` on its own, declaring the namespaces it uses that
// were declared on its ancestors (libxml2's copy into a fresh document
// reconciles them onto the copy's root).
std::string SerializeStandalone(const xmlNode* element) {
  xml::Document doc(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")));
  xmlNode* copy = xmlDocCopyNode(const_cast<xmlNode*>(element), doc.get(), 1);
  if (copy == nullptr) return "";
  xmlDocSetRootElement(doc.get(), copy);
  xmlBuffer* buffer = xmlBufferCreate();
  xmlNodeDump(buffer, doc.get(), copy, 0, 0);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                  static_cast<size_t>(xmlBufferLength(buffer)));
  xmlBufferFree(buffer);
  return out;
}

// "<source>:<line>: <what>" from ParseDocument, as "line <line>: <what>".
std::string ParseProblem(absl::string_view message, absl::string_view source_name) {
  absl::string_view rest = message;
  if (absl::ConsumePrefix(&rest, source_name) && absl::ConsumePrefix(&rest, ":")) {
    const size_t colon = rest.find(':');
    int n = 0;
    if (colon != absl::string_view::npos && absl::SimpleAtoi(rest.substr(0, colon), &n)) {
      return absl::StrCat("line ", n, ": ",
                          absl::StripLeadingAsciiWhitespace(rest.substr(colon + 1)));
    }
    return std::string(absl::StripLeadingAsciiWhitespace(rest));
  }
  return std::string(message);
}

// N of a Schema::Validate message "line N: ...", 0 if it has none.
long LineOf(absl::string_view message) {
  long line = 0;
  if (absl::ConsumePrefix(&message, "line ")) {
    const size_t colon = message.find(':');
    if (colon == absl::string_view::npos || !absl::SimpleAtoi(message.substr(0, colon), &line)) {
      line = 0;
    }
  }
  return line;
}

struct MessageInfo {
  std::string message_id;
  absl::Time timestamp;
  std::string ref_to_message_id;
};

class Reader {
 public:
  explicit Reader(std::vector<Problem>* problems) : problems_(problems) {}

  void Report(const xmlNode* at, absl::string_view path, absl::string_view what) {
    const long line = at ? xmlGetLineNo(at) : 0;
    problems_->push_back({line, path.empty()
                                    ? absl::StrCat("line ", line, ": ", what)
                                    : absl::StrCat("line ", line, ": ", path, ": ", what)});
  }

  void ReadMessaging(const xmlNode* messaging, Messaging* out) {
    const std::string path = "eb:Messaging";
    const std::vector<xmlNode*> users = ChildrenIn(messaging, kEbmsNamespace, "UserMessage");
    const std::vector<xmlNode*> signals = ChildrenIn(messaging, kEbmsNamespace, "SignalMessage");
    if (users.empty() && signals.empty()) {
      Report(messaging, path,
             "holds no eb:UserMessage or eb:SignalMessage: an ebMS3 message needs at least one");
    }
    for (size_t i = 0; i < signals.size(); ++i) {
      ReadSignal(signals[i], absl::StrCat(path, "/eb:SignalMessage[", i + 1, "]"), out);
    }
    for (size_t i = 0; i < users.size(); ++i) {
      ReadUserMessage(users[i], absl::StrCat(path, "/eb:UserMessage[", i + 1, "]"),
                      &out->user_messages.emplace_back());
    }
  }

 private:
  MessageInfo ReadMessageInfo(const xmlNode* parent, const std::string& path) {
    MessageInfo info;
    const xmlNode* mi = FirstEb(parent, "MessageInfo");
    if (mi == nullptr) {
      Report(parent, path, "no eb:MessageInfo, so no MessageId or Timestamp");
      return info;
    }
    const std::string mi_path = path + "/eb:MessageInfo";
    if (const xmlNode* ts = FirstEb(mi, "Timestamp"); ts == nullptr) {
      Report(mi, mi_path, "no eb:Timestamp");
    } else if (absl::StatusOr<absl::Time> t = ParseDateTime(Text(ts)); !t.ok()) {
      Report(ts, mi_path + "/eb:Timestamp", t.status().message());
    } else {
      info.timestamp = *t;
    }
    if (const xmlNode* id = FirstEb(mi, "MessageId"); id == nullptr) {
      Report(mi, mi_path, "no eb:MessageId");
    } else {
      info.message_id = Text(id);
      if (info.message_id.empty()) Report(id, mi_path + "/eb:MessageId", "empty MessageId");
    }
    if (const xmlNode* ref = FirstEb(mi, "RefToMessageId"); ref != nullptr) {
      info.ref_to_message_id = Text(ref);
      if (info.ref_to_message_id.empty()) {
        Report(ref, mi_path + "/eb:RefToMessageId", "empty RefToMessageId");
      }
    }
    return info;
  }

  static Party ReadParty(const xmlNode* party) {
    Party out;
    if (const xmlNode* id = FirstEb(party, "PartyId")) {
      out.id = Text(id);
      out.type = Attr(id, "type");
    }
    out.role = Text(FirstEb(party, "Role"));
    return out;
  }

  static std::vector<Property> ReadProperties(const xmlNode* container) {
    std::vector<Property> out;
    for (const xmlNode* p : ChildrenIn(container, kEbmsNamespace, "Property")) {
      out.push_back({Attr(p, "name"), Text(p)});
    }
    return out;
  }

  void ReadUserMessage(const xmlNode* node, const std::string& path, UserMessage* m) {
    MessageInfo info = ReadMessageInfo(node, path);
    m->message_id = std::move(info.message_id);
    m->timestamp = info.timestamp;
    m->ref_to_message_id = std::move(info.ref_to_message_id);
    m->mpc = Attr(node, "mpc");
    if (const xmlNode* party_info = FirstEb(node, "PartyInfo")) {
      m->from = ReadParty(FirstEb(party_info, "From"));
      m->to = ReadParty(FirstEb(party_info, "To"));
    }
    if (const xmlNode* collab = FirstEb(node, "CollaborationInfo")) {
      m->agreement_ref = Text(FirstEb(collab, "AgreementRef"));
      if (const xmlNode* service = FirstEb(collab, "Service")) {
        m->service = Text(service);
        m->service_type = Attr(service, "type");
      }
      m->action = Text(FirstEb(collab, "Action"));
      m->conversation_id = Text(FirstEb(collab, "ConversationId"));
    }
    m->message_properties = ReadProperties(FirstEb(node, "MessageProperties"));
    for (const xmlNode* part :
         ChildrenIn(FirstEb(node, "PayloadInfo"), kEbmsNamespace, "PartInfo")) {
      m->parts.push_back({Attr(part, "href"), ReadProperties(FirstEb(part, "PartProperties"))});
    }
  }

  void ReadSignal(const xmlNode* node, const std::string& path, Messaging* out) {
    const MessageInfo info = ReadMessageInfo(node, path);
    const std::vector<xmlNode*> pulls = ChildrenIn(node, kEbmsNamespace, "PullRequest");
    const std::vector<xmlNode*> receipts = ChildrenIn(node, kEbmsNamespace, "Receipt");
    const std::vector<xmlNode*> errors = ChildrenIn(node, kEbmsNamespace, "Error");
    std::vector<std::string> kinds;
    if (!pulls.empty()) kinds.push_back("eb:PullRequest");
    if (!receipts.empty()) kinds.push_back("eb:Receipt");
    if (!errors.empty()) kinds.push_back("eb:Error");
    if (kinds.empty()) {
      Report(node, path, "holds no eb:Receipt, eb:PullRequest or eb:Error");
    } else if (kinds.size() > 1) {
      Report(node, path,
             absl::StrCat("mixes ", absl::StrJoin(kinds, " and "),
                          ": a signal is exactly one of a receipt, a pull request or errors"));
    }
    for (const xmlNode* p : pulls) {
      PullRequest& pull = out->pull_requests.emplace_back();
      pull.message_id = info.message_id;
      pull.timestamp = info.timestamp;
      pull.mpc = Attr(p, "mpc");
      pull.ref_to_message_id = info.ref_to_message_id;
      if (pull.ref_to_message_id.empty())
        pull.ref_to_message_id = Text(FirstEb(p, "RefToMessageId"));
    }
    for (const xmlNode* r : receipts) {
      Receipt& receipt = out->receipts.emplace_back();
      receipt.message_id = info.message_id;
      receipt.timestamp = info.timestamp;
      receipt.ref_to_message_id = info.ref_to_message_id;
      for (const xmlNode* nri : ChildrenIn(r, kEbbpSignalsNamespace, "NonRepudiationInformation")) {
        for (const xmlNode* part :
             ChildrenIn(nri, kEbbpSignalsNamespace, "MessagePartNRInformation")) {
          for (const xmlNode* ref : ChildrenIn(part, kDsNamespace, "Reference")) {
            receipt.references.push_back(
                {Attr(ref, "URI"), Attr(FirstIn(ref, kDsNamespace, "DigestMethod"), "Algorithm"),
                 WithoutWhitespace(Text(FirstIn(ref, kDsNamespace, "DigestValue")))});
          }
        }
      }
    }
    if (!errors.empty()) {
      ErrorSignal& signal = out->errors.emplace_back();
      signal.message_id = info.message_id;
      signal.timestamp = info.timestamp;
      signal.ref_to_message_id = info.ref_to_message_id;
      for (size_t i = 0; i < errors.size(); ++i) {
        const xmlNode* e = errors[i];
        Error& error = signal.errors.emplace_back();
        error.error_code = Attr(e, "errorCode");
        error.severity = Attr(e, "severity");
        error.category = Attr(e, "category");
        error.ref_to_message_in_error = Attr(e, "refToMessageInError");
        error.short_description = Attr(e, "shortDescription");
        error.origin = Attr(e, "origin");
        error.description = Text(FirstEb(e, "Description"));
        error.detail = Text(FirstEb(e, "ErrorDetail"));
        if (HasAttr(e, "refToMessageInError") && error.ref_to_message_in_error.empty()) {
          Report(e, absl::StrCat(path, "/eb:Error[", i + 1, "]"), "empty refToMessageInError");
        }
      }
    }
  }

  std::vector<Problem>* problems_;
};

// Inspects and, when `body_xml` is given, serializes the Body's elements.
// Inspects a document parsed by xml::ParseDocument.
Inspection InspectParsed(xmlDoc* doc, std::string* body_xml) {
  Inspection result;
  std::vector<Problem> problems;
  const xmlNode* root = xmlDocGetRootElement(doc);
  Reader reader(&problems);

  if (absl::StatusOr<std::shared_ptr<const xml::Schema>> schema = EnvelopeSchema(); !schema.ok()) {
    problems.push_back(
        {0, absl::StrCat("cannot check against the ebMS3 schema: ", schema.status().message())});
  } else {
    for (std::string& message : (*schema)->Validate(doc)) {
      const long line = LineOf(message);
      problems.push_back({line, std::move(message)});
    }
  }

  const absl::string_view root_ns = xml::NamespaceUri(root);
  const bool envelope = xml::LocalName(root) == "Envelope" &&
                        (root_ns == kSoap11Namespace || root_ns == kSoap12Namespace);
  if (!envelope) {
    const std::string name = Is(root, kEbmsNamespace, "Messaging")
                                 ? std::string("eb:Messaging")
                                 : absl::StrCat("{", root_ns, "}", xml::LocalName(root));
    reader.Report(root, "",
                  absl::StrCat("the root element is ", name,
                               ", not a SOAP envelope (SOAP 1.1 or 1.2 Envelope expected)"));
    if (Is(root, kEbmsNamespace, "Messaging")) reader.ReadMessaging(root, &result.messaging);
  } else {
    result.soap_version = root_ns == kSoap12Namespace ? SoapVersion::kSoap12 : SoapVersion::kSoap11;
    const std::string soap = root_ns == kSoap12Namespace ? "S12" : "S11";
    const xmlNode* header = FirstIn(root, root_ns, "Header");
    const std::vector<xmlNode*> messaging =
        header ? ChildrenIn(header, kEbmsNamespace, "Messaging") : std::vector<xmlNode*>();
    if (header == nullptr) {
      reader.Report(root, soap + ":Envelope",
                    absl::StrCat("no ", soap, ":Header, so no eb:Messaging header"));
    } else if (messaging.empty()) {
      reader.Report(header, soap + ":Envelope/" + soap + ":Header", "no eb:Messaging header");
    } else if (messaging.size() > 1) {
      reader.Report(messaging[1], soap + ":Envelope/" + soap + ":Header",
                    absl::StrCat(messaging.size(), " eb:Messaging headers, exactly one expected"));
    }
    for (const xmlNode* m : messaging) reader.ReadMessaging(m, &result.messaging);
    if (body_xml != nullptr) {
      body_xml->clear();
      for (const xmlNode* child : xml::Children(FirstIn(root, root_ns, "Body"))) {
        body_xml->append(SerializeStandalone(child));
      }
    }
  }

  std::stable_sort(problems.begin(), problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  for (Problem& p : problems) result.problems.push_back(std::move(p.text));
  result.valid = result.problems.empty();
  return result;
}

Inspection InspectDocument(absl::string_view bytes, absl::string_view source_name,
                           std::string* body_xml) {
  absl::StatusOr<xml::Document> doc = xml::ParseDocument(bytes, source_name);
  if (!doc.ok()) {
    Inspection result;
    result.problems.push_back(ParseProblem(doc.status().message(), source_name));
    return result;
  }
  return InspectParsed(doc->get(), body_xml);
}

// `envelope` (its body already read) with what `inspection` found, or the
// error listing every problem.
absl::StatusOr<Envelope> EnvelopeFrom(Inspection inspection, absl::string_view source_name,
                                      Envelope envelope) {
  if (!inspection.valid) {
    return absl::InvalidArgumentError(absl::StrCat(
        source_name, ": not a valid ebMS3 envelope: ", absl::StrJoin(inspection.problems, "; ")));
  }
  envelope.soap_version = *inspection.soap_version;
  envelope.messaging = std::move(inspection.messaging);
  return envelope;
}

}  // namespace

Inspection Inspect(absl::string_view xml, absl::string_view source_name) {
  return InspectDocument(xml, source_name, nullptr);
}

absl::StatusOr<Envelope> ReadEnvelope(absl::string_view xml, absl::string_view source_name) {
  Envelope envelope;
  Inspection inspection = InspectDocument(xml, source_name, &envelope.body_xml);
  return EnvelopeFrom(std::move(inspection), source_name, std::move(envelope));
}

absl::StatusOr<Envelope> ReadEnvelope(xmlDoc* parsed, absl::string_view source_name) {
  Envelope envelope;
  Inspection inspection = InspectParsed(parsed, &envelope.body_xml);
  return EnvelopeFrom(std::move(inspection), source_name, std::move(envelope));
}

}  // namespace sbrgate::ebms
