#include "pipeline/clntcomm/wire/wire.h"

#include <libxml/tree.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/escape.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::clntcomm {
namespace {

std::string Attr(absl::string_view name, absl::string_view value) {
  return absl::StrCat(" ", name, "=\"", xml::Escape(value), "\"");
}

std::string Open(absl::string_view root) {
  return absl::StrCat("<cc:", root, " xmlns:cc=\"", kClntcommNamespace, "\"");
}

std::string AgentXml(const v1::AgentContext& a) {
  return absl::StrCat("<cc:Agent", Attr("abn", a.agent_abn()), Attr("ran", a.ran()), "/>");
}

std::string ClientAttrs(const v1::ClientId& c) {
  return absl::StrCat(Attr("clientType", v1::ClientIdType_Name(c.type())),
                      Attr("clientValue", c.value()));
}

std::string ItemAttrs(const v1::CommunicationItem& i) {
  return absl::StrCat(
      Attr("id", i.document_id()), ClientAttrs(i.client()), Attr("clientName", i.client_name()),
      Attr("channel", v1::Channel_Name(i.channel())),
      Attr("category", v1::Category_Name(i.category())), Attr("account", i.account()),
      Attr("sentAt", ebms::FormatDateTime(absl::FromUnixSeconds(i.sent_at().seconds()))));
}

absl::StatusCode StatusFromName(absl::string_view name) {
  for (int c = 0; c <= 16; ++c) {
    if (absl::StatusCodeToString(static_cast<absl::StatusCode>(c)) == name) {
      return static_cast<absl::StatusCode>(c);
    }
  }
  return absl::StatusCode::kUnknown;
}

// The root element of `doc` if it is cc:`name`.
absl::StatusOr<xmlNode*> Root(const xml::Document& doc, absl::string_view name,
                              absl::string_view source) {
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || xml::LocalName(root) != name ||
      xml::NamespaceUri(root) != kClntcommNamespace) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the root must be cc:", name, " in ", kClntcommNamespace));
  }
  return root;
}

absl::StatusOr<v1::ClientId> ReadClient(const xmlNode* n, const char* type_attr,
                                        const char* value_attr, absl::string_view where) {
  v1::ClientId c;
  v1::ClientIdType type;
  const std::string t = xml::Attribute(n, type_attr);
  if (!v1::ClientIdType_Parse(t, &type) || type == v1::CLIENT_ID_TYPE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "/@", type_attr, ": '", t, "' is not TFN, ABN, WPN or ARN"));
  }
  c.set_type(type);
  c.set_value(xml::Attribute(n, value_attr));
  return c;
}

void ReadAgent(const xmlNode* root, v1::AgentContext* agent) {
  if (xmlNode* a = xml::FirstChild(root, "Agent")) {
    agent->set_agent_abn(xml::Attribute(a, "abn"));
    agent->set_ran(xml::Attribute(a, "ran"));
  }
}

std::string Text(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string out = c != nullptr ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  return out;
}

// The item attributes of a cc:Item, cc:Document or cc:Failure.
absl::Status ReadItem(const xmlNode* n, absl::string_view where, v1::CommunicationItem* item) {
  item->set_document_id(xml::Attribute(n, "id"));
  auto client = ReadClient(n, "clientType", "clientValue", where);
  if (!client.ok()) return client.status();
  *item->mutable_client() = *client;
  if (xml::LocalName(n) == "Failure") return absl::OkStatus();
  item->set_client_name(xml::Attribute(n, "clientName"));
  item->set_account(xml::Attribute(n, "account"));
  v1::Channel channel;
  if (!v1::Channel_Parse(xml::Attribute(n, "channel"), &channel)) {
    return absl::InvalidArgumentError(absl::StrCat(where, "/@channel: unknown channel"));
  }
  item->set_channel(channel);
  v1::Category category;
  if (!v1::Category_Parse(xml::Attribute(n, "category"), &category)) {
    return absl::InvalidArgumentError(absl::StrCat(where, "/@category: unknown category"));
  }
  item->set_category(category);
  auto sent = ebms::ParseDateTime(xml::Attribute(n, "sentAt"));
  if (!sent.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, "/@sentAt: ", sent.status().message()));
  }
  item->mutable_sent_at()->set_seconds(absl::ToUnixSeconds(*sent));
  return absl::OkStatus();
}

}  // namespace

std::string WriteListRequest(const v1::ListCommunicationsRequest& r) {
  std::string out = absl::StrCat(Open("ListRequest"), ">", AgentXml(r.agent()));
  for (const v1::ClientId& c : r.clients()) {
    absl::StrAppend(&out, "<cc:Client", Attr("type", v1::ClientIdType_Name(c.type())),
                    Attr("value", c.value()), "/>");
  }
  absl::StrAppend(&out, "<cc:DateRange", Attr("from", r.from_date()), Attr("to", r.to_date()),
                  "/>");
  for (int c : r.channels()) {
    absl::StrAppend(&out, "<cc:Channel>", v1::Channel_Name(static_cast<v1::Channel>(c)),
                    "</cc:Channel>");
  }
  for (int c : r.categories()) {
    absl::StrAppend(&out, "<cc:Category>", v1::Category_Name(static_cast<v1::Category>(c)),
                    "</cc:Category>");
  }
  absl::StrAppend(
      &out, "<cc:Sort", Attr("by", r.sort() == v1::SORT_CLIENT_NAME ? "CLIENT_NAME" : "SENT_DATE"),
      Attr("order", r.descending() ? "descending" : "ascending"), "/></cc:ListRequest>");
  return out;
}

absl::StatusOr<v1::ListCommunicationsRequest> ReadListRequest(absl::string_view text) {
  auto doc = xml::ParseDocument(text, "ListRequest");
  if (!doc.ok()) return doc.status();
  auto root = Root(*doc, "ListRequest", "ListRequest");
  if (!root.ok()) return root.status();
  v1::ListCommunicationsRequest r;
  ReadAgent(*root, r.mutable_agent());
  int n = 0;
  for (xmlNode* c : xml::Children(*root, "Client")) {
    auto client = ReadClient(c, "type", "value", absl::StrCat("/ListRequest/Client[", ++n, "]"));
    if (!client.ok()) return client.status();
    *r.add_clients() = *client;
  }
  if (xmlNode* d = xml::FirstChild(*root, "DateRange")) {
    r.set_from_date(xml::Attribute(d, "from"));
    r.set_to_date(xml::Attribute(d, "to"));
  }
  for (xmlNode* c : xml::Children(*root, "Channel")) {
    v1::Channel channel;
    if (!v1::Channel_Parse(Text(c), &channel)) {
      return absl::InvalidArgumentError(
          absl::StrCat("/ListRequest/Channel: unknown channel '", Text(c), "'"));
    }
    r.add_channels(channel);
  }
  for (xmlNode* c : xml::Children(*root, "Category")) {
    v1::Category category;
    if (!v1::Category_Parse(Text(c), &category)) {
      return absl::InvalidArgumentError(
          absl::StrCat("/ListRequest/Category: unknown category '", Text(c), "'"));
    }
    r.add_categories(category);
  }
  if (xmlNode* s = xml::FirstChild(*root, "Sort")) {
    const std::string by = xml::Attribute(s, "by"), order = xml::Attribute(s, "order");
    if (by == "CLIENT_NAME") {
      r.set_sort(v1::SORT_CLIENT_NAME);
    } else if (by != "SENT_DATE" && !by.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("/ListRequest/Sort/@by: '", by, "' is not SENT_DATE or CLIENT_NAME"));
    }
    if (order == "descending") {
      r.set_descending(true);
    } else if (order != "ascending" && !order.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("/ListRequest/Sort/@order: '", order, "' is not ascending or descending"));
    }
  }
  return r;
}

std::string WriteGetRequest(const v1::BulkGetRequest& r) {
  std::string out = absl::StrCat(Open("GetRequest"), ">", AgentXml(r.agent()));
  for (const v1::GetCommunicationRequest& d : r.documents()) {
    absl::StrAppend(&out, "<cc:Document", Attr("id", d.document_id()), ClientAttrs(d.client()),
                    "/>");
  }
  absl::StrAppend(&out, "</cc:GetRequest>");
  return out;
}

absl::StatusOr<v1::BulkGetRequest> ReadGetRequest(absl::string_view text) {
  auto doc = xml::ParseDocument(text, "GetRequest");
  if (!doc.ok()) return doc.status();
  auto root = Root(*doc, "GetRequest", "GetRequest");
  if (!root.ok()) return root.status();
  v1::BulkGetRequest r;
  ReadAgent(*root, r.mutable_agent());
  int n = 0;
  for (xmlNode* d : xml::Children(*root, "Document")) {
    const std::string where = absl::StrCat("/GetRequest/Document[", ++n, "]");
    auto client = ReadClient(d, "clientType", "clientValue", where);
    if (!client.ok()) return client.status();
    v1::GetCommunicationRequest* g = r.add_documents();
    *g->mutable_client() = *client;
    g->set_document_id(xml::Attribute(d, "id"));
    if (g->document_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "/@id: missing"));
    }
  }
  return r;
}

absl::StatusOr<std::unique_ptr<ResponseReader>> ResponseReader::Open(
    std::unique_ptr<ByteSource> source, absl::string_view source_name) {
  auto records = xml::RecordReader::Open(std::move(source), source_name);
  if (!records.ok()) return records.status();
  std::unique_ptr<ResponseReader> r(new ResponseReader);
  r->reader_ = *std::move(records);
  r->source_name_ = std::string(source_name);
  auto e = r->reader_->Next();
  if (!e.ok()) return e.status();
  if (*e != xml::RecordReader::Event::kRootStart ||
      r->reader_->namespace_uri() != kClntcommNamespace) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": not a CLNTCOMM response"));
  }
  const std::string root(r->reader_->local_name());
  std::string v;
  if (root == "Error") {
    std::string status, code, message;
    r->reader_->attribute("status", &status);
    r->reader_->attribute("code", &code);
    r->reader_->attribute("message", &message);
    return absl::Status(StatusFromName(status), absl::StrCat(code, ": ", message));
  }
  if (root == "ListResponse") {
    r->is_list_ = true;
    r->more_results_ = r->reader_->attribute("moreResults", &v) && v == "true";
  } else if (root != "GetResponse") {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": unexpected root cc:", root));
  }
  return r;
}

absl::StatusOr<std::optional<ResponseEntry>> ResponseReader::Next() {
  for (;;) {
    auto e = reader_->Next();
    if (!e.ok()) return e.status();
    switch (*e) {
      case xml::RecordReader::Event::kEnd:
        return std::nullopt;
      case xml::RecordReader::Event::kText:
        return absl::InvalidArgumentError(
            absl::StrCat(source_name_, ":", reader_->line(), ": text between entries"));
      case xml::RecordReader::Event::kRecordEnd:
        break;
      default:
        continue;
    }
    xml::RecordReader::Record rec = reader_->TakeRecord();
    const xmlNode* n = rec.node.get();
    const std::string where = absl::StrCat(source_name_, ":", rec.line);
    const absl::string_view name = xml::LocalName(n);
    if (name != (is_list_ ? "Item" : "Document") && (is_list_ || name != "Failure")) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": unexpected cc:", std::string(name)));
    }
    ResponseEntry entry;
    v1::CommunicationItem& item = entry.document.item;
    if (absl::Status s = ReadItem(n, where, &item); !s.ok()) return s;
    if (name == "Item") {
      item.set_title(Text(n));
    } else if (name == "Failure") {
      entry.status =
          absl::Status(StatusFromName(xml::Attribute(n, "status")), xml::Attribute(n, "message"));
      if (entry.status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": cc:Failure without a status"));
      }
    } else {
      item.set_title(xml::Attribute(n, "title"));
      entry.document.mime_type = xml::Attribute(n, "mimeType");
      entry.sha256 = xml::Attribute(n, "sha256");
      auto bytes = Base64Decode(Text(n));
      if (!bytes.ok())
        return absl::InvalidArgumentError(absl::StrCat(where, ": ", bytes.status().message()));
      uint64_t size = 0;
      if (!absl::SimpleAtoi(xml::Attribute(n, "size"), &size) || size != bytes->size() ||
          Sha256Hex(*bytes) != entry.sha256) {
        return absl::DataLossError(absl::StrCat(where, ": document ", item.document_id(),
                                                " does not match its size or sha256"));
      }
      entry.document.content = *std::move(bytes);
    }
    return entry;
  }
}

absl::StatusOr<v1::ListCommunicationsResponse> ReadListResponse(absl::string_view xml) {
  auto reader =
      ResponseReader::Open(std::make_unique<StringSource>(std::string(xml)), "ListResponse");
  if (!reader.ok()) return reader.status();
  if (!(*reader)->is_list()) return absl::InvalidArgumentError("ListResponse: got a GetResponse");
  v1::ListCommunicationsResponse out;
  out.set_more_results((*reader)->more_results());
  for (;;) {
    auto e = (*reader)->Next();
    if (!e.ok()) return e.status();
    if (!e->has_value()) return out;
    *out.add_items() = std::move((*e)->document.item);
  }
}

absl::StatusOr<std::vector<ResponseEntry>> ReadGetResponse(absl::string_view xml) {
  auto reader =
      ResponseReader::Open(std::make_unique<StringSource>(std::string(xml)), "GetResponse");
  if (!reader.ok()) return reader.status();
  if ((*reader)->is_list()) return absl::InvalidArgumentError("GetResponse: got a ListResponse");
  std::vector<ResponseEntry> out;
  for (;;) {
    auto e = (*reader)->Next();
    if (!e.ok()) return e.status();
    if (!e->has_value()) return out;
    out.push_back(**std::move(e));
  }
}

absl::Status WriteListResponse(const v1::ListCommunicationsResponse& page, ByteSink& sink) {
  if (absl::Status s = sink.Write(absl::StrCat(
          Open("ListResponse"), Attr("moreResults", page.more_results() ? "true" : "false"),
          Attr("count", absl::StrCat(page.items_size())), ">\n"));
      !s.ok()) {
    return s;
  }
  for (const v1::CommunicationItem& i : page.items()) {
    if (absl::Status s = sink.Write(
            absl::StrCat("  <cc:Item", ItemAttrs(i), ">", xml::Escape(i.title()), "</cc:Item>\n"));
        !s.ok()) {
      return s;
    }
  }
  return sink.Write("</cc:ListResponse>\n");
}

absl::Status GetResponseWriter::Start() {
  if (started_) return absl::OkStatus();
  started_ = true;
  return sink_.Write(absl::StrCat(Open("GetResponse"), ">\n"));
}

absl::Status GetResponseWriter::AddDocument(const Document& d) {
  if (absl::Status s = Start(); !s.ok()) return s;
  return sink_.Write(absl::StrCat(
      "  <cc:Document", ItemAttrs(d.item), Attr("title", d.item.title()),
      Attr("mimeType", d.mime_type), Attr("size", absl::StrCat(d.content.size())),
      Attr("sha256", Sha256Hex(d.content)), ">", Base64Encode(d.content), "</cc:Document>\n"));
}

absl::Status GetResponseWriter::AddFailure(const v1::GetCommunicationRequest& r,
                                           const absl::Status& status) {
  if (absl::Status s = Start(); !s.ok()) return s;
  return sink_.Write(absl::StrCat("  <cc:Failure", Attr("id", r.document_id()),
                                  ClientAttrs(r.client()),
                                  Attr("status", absl::StatusCodeToString(status.code())),
                                  Attr("message", status.message()), "/>\n"));
}

absl::Status GetResponseWriter::Finish() {
  if (absl::Status s = Start(); !s.ok()) return s;
  return sink_.Write("</cc:GetResponse>\n");
}

absl::Status WriteErrorResponse(const absl::Status& status, absl::string_view code,
                                ByteSink& sink) {
  return sink.Write(absl::StrCat(Open("Error"),
                                 Attr("status", absl::StatusCodeToString(status.code())),
                                 Attr("code", code), Attr("message", status.message()), "/>\n"));
}

}  // namespace sbrgate::clntcomm
