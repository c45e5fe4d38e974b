#include "pipeline/clients/relationships/wire.h"

#include <libxml/tree.h>

#include "absl/strings/str_cat.h"
#include "pipeline/clients/vocabulary/vocabulary.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/escape.h"

namespace sbrgate::relationships {
namespace {

std::string Attr(absl::string_view name, absl::string_view value) {
  return absl::StrCat(" ", name, "=\"", xml::Escape(value), "\"");
}

constexpr clients::Vocabulary kVocabulary{kCurelNamespace, "cr", "CUREL"};

std::string Open(absl::string_view root) { return kVocabulary.Open(root); }

std::string AgentXml(const v1::AgentContext& a) {
  return absl::StrCat("<cr:Agent", Attr("abn", a.agent_abn()), Attr("ran", a.ran()), "/>");
}

std::string ClientXml(const v1::ClientId& c) {
  return absl::StrCat("<cr:Client", Attr("type", v1::ClientIdType_Name(c.type())),
                      Attr("value", c.value()), "/>");
}

std::string RelationshipXml(const v1::Relationship& r) {
  return absl::StrCat(
      "<cr:Relationship", Attr("clientType", v1::ClientIdType_Name(r.client().type())),
      Attr("clientValue", r.client().value()), Attr("level", v1::RelationshipLevel_Name(r.level())),
      Attr("account", r.account()), Attr("role", r.role()), Attr("clientName", r.client_name()),
      "/>");
}

v1::AgentContext ReadAgent(const xmlNode* root) {
  v1::AgentContext agent;
  if (const xmlNode* a = xml::FirstChild(root, "Agent")) {
    agent.set_agent_abn(xml::Attribute(a, "abn"));
    agent.set_ran(xml::Attribute(a, "ran"));
  }
  return agent;
}

absl::StatusOr<v1::ClientId> ReadClient(const xmlNode* n, const char* type_attr,
                                        const char* value_attr, absl::string_view where) {
  v1::ClientIdType type;
  const std::string t = xml::Attribute(n, type_attr);
  if (!v1::ClientIdType_Parse(t, &type) || type == v1::CLIENT_ID_TYPE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "/@", type_attr, ": '", t, "' is not TFN, ABN, WPN or ARN"));
  }
  v1::ClientId c;
  c.set_type(type);
  c.set_value(xml::Attribute(n, value_attr));
  return c;
}

absl::StatusOr<v1::Relationship> ReadRelationship(const xmlNode* n, absl::string_view where) {
  if (n == nullptr) return absl::InvalidArgumentError(absl::StrCat(where, ": no cr:Relationship"));
  v1::Relationship r;
  absl::StatusOr<v1::ClientId> client = ReadClient(n, "clientType", "clientValue", where);
  if (!client.ok()) return client.status();
  *r.mutable_client() = *client;
  v1::RelationshipLevel level;
  if (!v1::RelationshipLevel_Parse(xml::Attribute(n, "level"), &level)) {
    return absl::InvalidArgumentError(absl::StrCat(where, "/@level: '", xml::Attribute(n, "level"),
                                                   "' is not CLIENT, ACCOUNT or ROLE"));
  }
  r.set_level(level);
  r.set_account(xml::Attribute(n, "account"));
  r.set_role(xml::Attribute(n, "role"));
  r.set_client_name(xml::Attribute(n, "clientName"));
  return r;
}

}  // namespace

std::string WriteSearchRequest(const v1::SearchClientRequest& r) {
  return absl::StrCat(Open("SearchRequest"), ">", AgentXml(r.agent()), ClientXml(r.client()),
                      "</cr:SearchRequest>");
}

absl::StatusOr<v1::SearchClientRequest> ReadSearchRequest(absl::string_view text) {
  absl::StatusOr<clients::Body> p = kVocabulary.Read(text, "SearchRequest", false);
  if (!p.ok()) return p.status();
  v1::SearchClientRequest r;
  *r.mutable_agent() = ReadAgent(p->root);
  const xmlNode* c = xml::FirstChild(p->root, "Client");
  if (c == nullptr) return absl::InvalidArgumentError("cr:SearchRequest: no cr:Client");
  absl::StatusOr<v1::ClientId> client =
      ReadClient(c, "type", "value", "cr:SearchRequest/cr:Client");
  if (!client.ok()) return client.status();
  *r.mutable_client() = *client;
  return r;
}

std::string WriteRelationshipRequest(const v1::RelationshipRequest& r) {
  return absl::StrCat(Open("RelationshipRequest"), ">", AgentXml(r.agent()),
                      RelationshipXml(r.relationship()), "</cr:RelationshipRequest>");
}

absl::StatusOr<v1::RelationshipRequest> ReadRelationshipRequest(absl::string_view text) {
  absl::StatusOr<clients::Body> p = kVocabulary.Read(text, "RelationshipRequest", false);
  if (!p.ok()) return p.status();
  v1::RelationshipRequest r;
  *r.mutable_agent() = ReadAgent(p->root);
  absl::StatusOr<v1::Relationship> rel =
      ReadRelationship(xml::FirstChild(p->root, "Relationship"), "cr:RelationshipRequest");
  if (!rel.ok()) return rel.status();
  *r.mutable_relationship() = *std::move(rel);
  return r;
}

std::string WriteListRequest(const v1::ListRelationshipsRequest& r) {
  return absl::StrCat(Open("ListRequest"), ">", AgentXml(r.agent()),
                      r.has_client() ? ClientXml(r.client()) : "", "</cr:ListRequest>");
}

absl::StatusOr<v1::ListRelationshipsRequest> ReadListRequest(absl::string_view text) {
  absl::StatusOr<clients::Body> p = kVocabulary.Read(text, "ListRequest", false);
  if (!p.ok()) return p.status();
  v1::ListRelationshipsRequest r;
  *r.mutable_agent() = ReadAgent(p->root);
  if (const xmlNode* c = xml::FirstChild(p->root, "Client")) {
    absl::StatusOr<v1::ClientId> client =
        ReadClient(c, "type", "value", "cr:ListRequest/cr:Client");
    if (!client.ok()) return client.status();
    *r.mutable_client() = *client;
  }
  return r;
}

std::string WriteSearchResponse(const v1::SearchClientResponse& r) {
  std::string out = absl::StrCat(Open("SearchResponse"),
                                 Attr("clientType", v1::ClientIdType_Name(r.client().type())),
                                 Attr("clientValue", r.client().value()), Attr("name", r.name()),
                                 Attr("linked", r.linked() ? "true" : "false"), ">");
  for (const std::string& a : r.accounts())
    absl::StrAppend(&out, "<cr:Account", Attr("id", a), "/>");
  return absl::StrCat(out, "</cr:SearchResponse>");
}

absl::StatusOr<v1::SearchClientResponse> ReadSearchResponse(absl::string_view text) {
  absl::StatusOr<clients::Body> p = kVocabulary.Read(text, "SearchResponse", true);
  if (!p.ok()) return p.status();
  v1::SearchClientResponse r;
  absl::StatusOr<v1::ClientId> client =
      ReadClient(p->root, "clientType", "clientValue", "cr:SearchResponse");
  if (!client.ok()) return client.status();
  *r.mutable_client() = *client;
  r.set_name(xml::Attribute(p->root, "name"));
  r.set_linked(xml::Attribute(p->root, "linked") == "true");
  for (const xmlNode* a : xml::Children(p->root, "Account")) {
    r.add_accounts(xml::Attribute(a, "id"));
  }
  return r;
}

std::string WriteRelationshipResponse(const v1::RelationshipResponse& r) {
  return absl::StrCat(Open("RelationshipResponse"), Attr("changed", r.changed() ? "true" : "false"),
                      ">", RelationshipXml(r.relationship()), "</cr:RelationshipResponse>");
}

absl::StatusOr<v1::RelationshipResponse> ReadRelationshipResponse(absl::string_view text) {
  absl::StatusOr<clients::Body> p = kVocabulary.Read(text, "RelationshipResponse", true);
  if (!p.ok()) return p.status();
  v1::RelationshipResponse r;
  r.set_changed(xml::Attribute(p->root, "changed") == "true");
  absl::StatusOr<v1::Relationship> rel =
      ReadRelationship(xml::FirstChild(p->root, "Relationship"), "cr:RelationshipResponse");
  if (!rel.ok()) return rel.status();
  *r.mutable_relationship() = *std::move(rel);
  return r;
}

std::string WriteListResponse(const v1::ListRelationshipsResponse& r) {
  std::string out = absl::StrCat(Open("ListResponse"), ">");
  for (const v1::Relationship& rel : r.relationships()) absl::StrAppend(&out, RelationshipXml(rel));
  return absl::StrCat(out, "</cr:ListResponse>");
}

absl::StatusOr<v1::ListRelationshipsResponse> ReadListResponse(absl::string_view text) {
  absl::StatusOr<clients::Body> p = kVocabulary.Read(text, "ListResponse", true);
  if (!p.ok()) return p.status();
  v1::ListRelationshipsResponse r;
  for (const xmlNode* n : xml::Children(p->root, "Relationship")) {
    absl::StatusOr<v1::Relationship> rel = ReadRelationship(n, "cr:ListResponse/cr:Relationship");
    if (!rel.ok()) return rel.status();
    *r.add_relationships() = *std::move(rel);
  }
  return r;
}

std::string WriteErrorResponse(const absl::Status& status, absl::string_view code) {
  return kVocabulary.Error(status, code);
}

}  // namespace sbrgate::relationships
