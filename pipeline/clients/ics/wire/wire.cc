#include "pipeline/clients/ics/wire/wire.h"

#include <libxml/tree.h>

#include <initializer_list>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/escape.h"

namespace sbrgate::ics {
namespace {

using Outcome = v1::RegisterClientResponse::Outcome;

std::string Attr(absl::string_view name, absl::string_view value) {
  return absl::StrCat(" ", name, "=\"", xml::Escape(value), "\"");
}

std::string Element(absl::string_view name, absl::string_view text) {
  return absl::StrCat("<ics:", name, ">", xml::Escape(text), "</ics:", name, ">");
}

// Written only when there is something to say.
std::string Optional(absl::string_view name, absl::string_view text) {
  return text.empty() ? "" : Element(name, text);
}

std::string AddressXml(absl::string_view name, const v1::IcsAddress& a) {
  std::string out = absl::StrCat("<ics:", name, Attr("type", a.type()), ">");
  for (const std::string& line : a.lines()) absl::StrAppend(&out, Element("Line", line));
  absl::StrAppend(&out, Optional("Locality", a.locality()), Optional("State", a.state()),
                  Optional("Postcode", a.postcode()), Optional("Country", a.country()),
                  "</ics:", name, ">");
  return out;
}

std::string ClientXml(const v1::IcsClient& c, int cac) {
  std::string out = absl::StrCat("<ics:Client", Attr("id", c.client_id()),
                                 Attr("type", v1::IcsClient::Type_Name(c.type())),
                                 Attr("status", v1::IcsClient::Status_Name(c.status())));
  if (!c.abn().empty()) absl::StrAppend(&out, Attr("abn", c.abn()));
  if (cac > 0) absl::StrAppend(&out, Attr("cac", absl::StrCat(cac)));
  absl::StrAppend(&out, ">", Element("Name", c.name()), AddressXml("Address", c.address()),
                  "</ics:Client>");
  return out;
}

std::string Open(absl::string_view root) {
  return absl::StrCat("<ics:", root, " xmlns:ics=\"", kIcsNamespace, "\"");
}

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

// Refuses any child element of `n` not named in `allowed`.
absl::Status OnlyChildren(const xmlNode* n, std::initializer_list<absl::string_view> allowed,
                          absl::string_view where) {
  for (xmlNode* child : xml::Children(n)) {
    const absl::string_view name = xml::LocalName(child);
    bool known = xml::NamespaceUri(child) == kIcsNamespace;
    if (known) {
      known = false;
      for (absl::string_view a : allowed) known |= a == name;
    }
    if (!known) {
      return Invalid(where, absl::StrCat("unexpected element ", std::string(name), " (",
                                         std::string(xml::NamespaceUri(child)), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<xmlNode*> Root(const xml::Document& doc, absl::string_view source) {
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || xml::NamespaceUri(root) != kIcsNamespace) {
    return Invalid(source, absl::StrCat("the root must be in ", kIcsNamespace));
  }
  return root;
}

absl::StatusOr<v1::IcsAddress> ReadAddress(const xmlNode* n, absl::string_view where) {
  if (absl::Status s = OnlyChildren(n, {"Line", "Locality", "State", "Postcode", "Country"}, where);
      !s.ok()) {
    return s;
  }
  v1::IcsAddress a;
  a.set_type(xml::Attribute(n, "type"));
  for (xmlNode* line : xml::Children(n, "Line")) a.add_lines(xml::NodeText(line));
  a.set_locality(xml::ChildText(n, "Locality"));
  a.set_state(xml::ChildText(n, "State"));
  a.set_postcode(xml::ChildText(n, "Postcode"));
  a.set_country(xml::ChildText(n, "Country"));
  return a;
}

absl::StatusOr<v1::IcsClient> ReadClient(const xmlNode* n, absl::string_view where, int* cac) {
  if (absl::Status s = OnlyChildren(n, {"Name", "Address"}, where); !s.ok()) return s;
  v1::IcsClient c;
  c.set_client_id(xml::Attribute(n, "id"));
  v1::IcsClient::Type type;
  if (!v1::IcsClient::Type_Parse(xml::Attribute(n, "type"), &type)) {
    return Invalid(where,
                   absl::StrCat("type '", xml::Attribute(n, "type"), "' is not IND, ORG or ABN"));
  }
  c.set_type(type);
  v1::IcsClient::Status status;
  if (!v1::IcsClient::Status_Parse(xml::Attribute(n, "status"), &status)) {
    return Invalid(where, absl::StrCat("status '", xml::Attribute(n, "status"),
                                       "' is not ACTIVE or CANCELLED"));
  }
  c.set_status(status);
  c.set_abn(xml::Attribute(n, "abn"));
  c.set_name(xml::ChildText(n, "Name"));
  if (xmlNode* a = xml::FirstChild(n, "Address")) {
    auto address = ReadAddress(a, absl::StrCat(where, "/Address"));
    if (!address.ok()) return address.status();
    *c.mutable_address() = *std::move(address);
  }
  if (cac != nullptr) {
    const std::string text = xml::Attribute(n, "cac");
    *cac = 0;
    if (!text.empty() && (!absl::SimpleAtoi(text, cac) || *cac < 1)) {
      return Invalid(where, absl::StrCat("cac '", text, "' is not a CAC number"));
    }
  }
  return c;
}

}  // namespace

std::string WriteRequest(const v1::RegisterClientRequest& r) {
  std::string out = absl::StrCat(Open(kClreg), "><ics:Agent", Attr("abn", r.agent().agent_abn()),
                                 Attr("ran", r.agent().ran()), "/>");
  if (r.has_ccid()) {
    const v1::CcidRegistration& c = r.ccid();
    absl::StrAppend(
        &out, "<ics:Ccid", Attr("clientType", v1::IcsClient::Type_Name(c.client_type())), ">",
        Optional("FamilyName", c.family_name()), Optional("GivenNames", c.given_names()),
        Optional("OrganisationName", c.organisation_name()),
        AddressXml("BusinessAddress", c.business_address()), "</ics:Ccid>");
  }
  if (r.has_abn()) {
    absl::StrAppend(&out, "<ics:Abn", Attr("abn", r.abn().abn()));
    if (r.abn().cac() != 0) absl::StrAppend(&out, Attr("cac", absl::StrCat(r.abn().cac())));
    absl::StrAppend(&out, "/>");
  }
  absl::StrAppend(&out, "<ics:Contact", Attr("name", r.contact().name()),
                  Attr("purpose", r.contact().purpose()), ">");
  for (const std::string& e : r.contact().address()) absl::StrAppend(&out, Element("Address", e));
  absl::StrAppend(&out, "</ics:Contact>");
  for (const std::string& role : r.role_names()) absl::StrAppend(&out, Element("RoleName", role));
  absl::StrAppend(&out, "</ics:CLREG>");
  return out;
}

absl::StatusOr<v1::RegisterClientRequest> ReadRequest(absl::string_view text) {
  auto doc = xml::ParseDocument(text, kClreg);
  if (!doc.ok()) return doc.status();
  auto root = Root(*doc, kClreg);
  if (!root.ok()) return root.status();
  if (xml::LocalName(*root) != kClreg) {
    return Invalid(kClreg, absl::StrCat("the root is ics:", std::string(xml::LocalName(*root)),
                                        ", not ics:CLREG"));
  }
  if (absl::Status s =
          OnlyChildren(*root, {"Agent", "Ccid", "Abn", "Contact", "RoleName"}, "/CLREG");
      !s.ok()) {
    return s;
  }
  v1::RegisterClientRequest r;
  if (xmlNode* a = xml::FirstChild(*root, "Agent")) {
    r.mutable_agent()->set_agent_abn(xml::Attribute(a, "abn"));
    r.mutable_agent()->set_ran(xml::Attribute(a, "ran"));
  }
  if (xmlNode* c = xml::FirstChild(*root, "Ccid")) {
    if (absl::Status s = OnlyChildren(
            c, {"FamilyName", "GivenNames", "OrganisationName", "BusinessAddress"}, "/CLREG/Ccid");
        !s.ok()) {
      return s;
    }
    v1::CcidRegistration* ccid = r.mutable_ccid();
    const std::string type = xml::Attribute(c, "clientType");
    v1::IcsClient::Type parsed;
    if (type == "IND" || type == "ORG") {
      v1::IcsClient::Type_Parse(type, &parsed);
      ccid->set_client_type(parsed);
    } else {
      return Invalid("/CLREG/Ccid/@clientType", absl::StrCat("'", type, "' is not IND or ORG"));
    }
    ccid->set_family_name(xml::ChildText(c, "FamilyName"));
    ccid->set_given_names(xml::ChildText(c, "GivenNames"));
    ccid->set_organisation_name(xml::ChildText(c, "OrganisationName"));
    if (xmlNode* a = xml::FirstChild(c, "BusinessAddress")) {
      auto address = ReadAddress(a, "/CLREG/Ccid/BusinessAddress");
      if (!address.ok()) return address.status();
      *ccid->mutable_business_address() = *std::move(address);
    }
  }
  if (xmlNode* a = xml::FirstChild(*root, "Abn")) {
    r.mutable_abn()->set_abn(xml::Attribute(a, "abn"));
    const std::string cac = xml::Attribute(a, "cac");
    int number = 0;
    if (!cac.empty() && !absl::SimpleAtoi(cac, &number)) {
      return Invalid("/CLREG/Abn/@cac", absl::StrCat("'", cac, "' is not a number"));
    }
    r.mutable_abn()->set_cac(number);
  }
  if (xmlNode* c = xml::FirstChild(*root, "Contact")) {
    if (absl::Status s = OnlyChildren(c, {"Address"}, "/CLREG/Contact"); !s.ok()) return s;
    r.mutable_contact()->set_name(xml::Attribute(c, "name"));
    r.mutable_contact()->set_purpose(xml::Attribute(c, "purpose"));
    for (xmlNode* e : xml::Children(c, "Address"))
      r.mutable_contact()->add_address(xml::NodeText(e));
  }
  for (xmlNode* role : xml::Children(*root, "RoleName")) r.add_role_names(xml::NodeText(role));
  return r;
}

std::string WriteResponse(const v1::RegisterClientResponse& r) {
  if (r.outcome() == v1::RegisterClientResponse::DUPLICATE) {
    std::string out = absl::StrCat(Open(kClntdup), ">");
    for (const v1::IcsClient& c : r.duplicates()) absl::StrAppend(&out, ClientXml(c, 0));
    absl::StrAppend(&out, "</ics:CLNTDUP>");
    return out;
  }
  std::string out =
      absl::StrCat(Open(kErm), Attr("documentName", kClrregr),
                   Attr("outcome", v1::RegisterClientResponse::Outcome_Name(r.outcome())), ">");
  if (r.outcome() == v1::RegisterClientResponse::REGISTERED) {
    absl::StrAppend(&out, ClientXml(r.client(), r.cac()));
  }
  for (const v1::RegistrationError& e : r.errors()) {
    absl::StrAppend(&out, "<ics:Error", Attr("code", e.code()), Attr("field", e.field()),
                    Attr("message", e.message()), "/>");
  }
  absl::StrAppend(&out, "</ics:ERM>");
  return out;
}

absl::StatusOr<v1::RegisterClientResponse> ReadResponse(absl::string_view text) {
  auto doc = xml::ParseDocument(text, "CLREG response");
  if (!doc.ok()) return doc.status();
  auto root = Root(*doc, "CLREG response");
  if (!root.ok()) return root.status();
  v1::RegisterClientResponse r;
  const absl::string_view name = xml::LocalName(*root);
  if (name == kClntdup) {
    if (absl::Status s = OnlyChildren(*root, {"Client"}, "/CLNTDUP"); !s.ok()) return s;
    r.set_outcome(v1::RegisterClientResponse::DUPLICATE);
    int n = 0;
    for (xmlNode* c : xml::Children(*root, "Client")) {
      auto client = ReadClient(c, absl::StrCat("/CLNTDUP/Client[", ++n, "]"), nullptr);
      if (!client.ok()) return client.status();
      *r.add_duplicates() = *std::move(client);
    }
    if (n == 0) return Invalid("/CLNTDUP", "a duplicate response lists no client");
    return r;
  }
  if (name != kErm) {
    return Invalid("CLREG response",
                   absl::StrCat("the root is ics:", std::string(name), ", not ERM or CLNTDUP"));
  }
  if (absl::Status s = OnlyChildren(*root, {"Client", "Error"}, "/ERM"); !s.ok()) return s;
  const std::string outcome = xml::Attribute(*root, "outcome");
  if (outcome == "REGISTERED") {
    xmlNode* c = xml::FirstChild(*root, "Client");
    if (c == nullptr) return Invalid("/ERM", "a REGISTERED response names no client");
    int cac = 0;
    auto client = ReadClient(c, "/ERM/Client", &cac);
    if (!client.ok()) return client.status();
    r.set_outcome(v1::RegisterClientResponse::REGISTERED);
    *r.mutable_client() = *std::move(client);
    r.set_cac(cac);
  } else if (outcome == "REJECTED") {
    r.set_outcome(v1::RegisterClientResponse::REJECTED);
    if (xml::Children(*root, "Error").empty()) {
      return Invalid("/ERM", "a REJECTED response gives no error");
    }
  } else {
    return Invalid("/ERM/@outcome", absl::StrCat("'", outcome, "' is not REGISTERED or REJECTED"));
  }
  for (xmlNode* e : xml::Children(*root, "Error")) {
    v1::RegistrationError* error = r.add_errors();
    error->set_code(xml::Attribute(e, "code"));
    error->set_field(xml::Attribute(e, "field"));
    error->set_message(xml::Attribute(e, "message"));
  }
  return r;
}

const char* ResponseDocumentName(Outcome outcome) {
  return outcome == v1::RegisterClientResponse::DUPLICATE ? kClntdup : kClrregr;
}

const char* ResponseDocumentType(Outcome outcome) {
  return outcome == v1::RegisterClientResponse::DUPLICATE ? kClntdup : kErm;
}

}  // namespace sbrgate::ics
