#include "pipeline/clients/demographics/wire.h"

#include <libxml/tree.h>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "pipeline/clients/vocabulary/vocabulary.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/escape.h"

namespace sbrgate::demographics {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Attr(absl::string_view name, absl::string_view value) {
  return value.empty() ? "" : absl::StrCat(" ", name, "=\"", xml::Escape(value), "\"");
}

constexpr clients::Vocabulary kVocabulary{kCudemogrNamespace, "cd", "CUDEMOGR"};

std::string Open(absl::string_view root) { return kVocabulary.Open(root); }

// The record `m` as its element (see wire.h).
void AppendRecord(const Message& m, std::string& out) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  std::string attributes, children;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        absl::StrAppend(&children, "<cd:", f->json_name(), ">",
                        xml::Escape(r->GetRepeatedString(m, f, j)), "</cd:", f->json_name(), ">");
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      absl::StrAppend(&attributes, Attr(f->json_name(), r->GetBool(m, f) ? "true" : ""));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      if (r->GetEnumValue(m, f) != 0) {
        absl::StrAppend(&attributes, Attr(f->json_name(), r->GetEnum(m, f)->name()));
      }
    } else {
      absl::StrAppend(&attributes, Attr(f->json_name(), r->GetString(m, f)));
    }
  }
  absl::StrAppend(&out, "<cd:", d->name(), attributes);
  if (children.empty()) {
    absl::StrAppend(&out, "/>");
  } else {
    absl::StrAppend(&out, ">", children, "</cd:", d->name(), ">");
  }
}

void AppendRecords(const v1::DemographicRecords& records, std::string& out) {
  const Descriptor* d = records.GetDescriptor();
  const Reflection* r = records.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(records, f); ++j) {
        AppendRecord(r->GetRepeatedMessage(records, f, j), out);
      }
    } else if (r->HasField(records, f)) {
      AppendRecord(r->GetMessage(records, f), out);
    }
  }
}

const FieldDescriptor* FieldByJsonName(const Descriptor* d, absl::string_view name) {
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->json_name() == name) return d->field(i);
  }
  return nullptr;
}

// Reads the record element `n` into `m` (of its message type).
absl::Status ReadRecord(const xmlNode* n, Message& m, absl::string_view where) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    const std::string name = reinterpret_cast<const char*>(a->name);
    const std::string value = xml::Attribute(n, name.c_str());
    const FieldDescriptor* f = FieldByJsonName(d, name);
    if (f == nullptr || f->is_repeated()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": cd:", d->name(), " has no attribute '", name, "'"));
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      if (value != "true" && value != "false") {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "/@", name, ": '", value, "' is not true or false"));
      }
      r->SetBool(&m, f, value == "true");
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      const google::protobuf::EnumValueDescriptor* e = f->enum_type()->FindValueByName(value);
      if (e == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "/@", name, ": '", value, "' is not a ", f->enum_type()->name()));
      }
      r->SetEnum(&m, f, e);
    } else {
      r->SetString(&m, f, value);
    }
  }
  for (const xmlNode* c : xml::Children(n)) {
    const FieldDescriptor* f = FieldByJsonName(d, xml::LocalName(c));
    if (f == nullptr || !f->is_repeated() || xml::NamespaceUri(c) != kCudemogrNamespace) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": cd:", d->name(), " has no element '", xml::LocalName(c), "'"));
    }
    r->AddString(&m, f, xml::NodeText(c));
  }
  return absl::OkStatus();
}

// The record elements among `root`'s children (any but cd:Agent and
// cd:Client) into `records`.
absl::Status ReadRecords(const xmlNode* root, v1::DemographicRecords& records,
                         absl::string_view where) {
  const Descriptor* d = records.GetDescriptor();
  const Reflection* r = records.GetReflection();
  for (const xmlNode* n : xml::Children(root)) {
    const absl::string_view name = xml::LocalName(n);
    if (name == "Agent" || name == "Client") continue;
    const FieldDescriptor* f = nullptr;
    for (int i = 0; i < d->field_count() && f == nullptr; ++i) {
      if (d->field(i)->message_type()->name() == name) f = d->field(i);
    }
    if (f == nullptr || xml::NamespaceUri(n) != kCudemogrNamespace) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": '", name, "' is not a record"));
    }
    if (!f->is_repeated() && r->HasField(records, f)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": cd:", name, " twice"));
    }
    Message* m = f->is_repeated() ? r->AddMessage(&records, f) : r->MutableMessage(&records, f);
    if (absl::Status s = ReadRecord(n, *m, absl::StrCat(where, "/cd:", name)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The enum value named by `root`'s attribute `attribute`.
template <typename Enum, typename Parse>
absl::StatusOr<Enum> ReadEnum(const xmlNode* root, const char* attribute, Parse parse,
                              absl::string_view where) {
  Enum value;
  const std::string text = xml::Attribute(root, attribute);
  if (!parse(text, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "/@", attribute, ": '", text, "' is not known"));
  }
  return value;
}

absl::StatusOr<v1::ClientId> ReadClient(const xmlNode* n, const char* type_attr,
                                        const char* value_attr, absl::string_view where) {
  absl::StatusOr<v1::ClientIdType> type =
      ReadEnum<v1::ClientIdType>(n, type_attr, v1::ClientIdType_Parse, where);
  if (!type.ok()) return type.status();
  v1::ClientId c;
  c.set_type(*type);
  c.set_value(xml::Attribute(n, value_attr));
  return c;
}

}  // namespace

std::string WriteRequest(const v1::DemographicsRequest& r) {
  std::string out = absl::StrCat(
      Open("Request"), Attr("service", v1::CudemogrService_Name(r.service())),
      Attr("operation", v1::CudemogrOperation_Name(r.operation())), Attr("account", r.account()),
      Attr("includeHistory", r.include_history() ? "true" : ""), ">", "<cd:Agent",
      Attr("abn", r.agent().agent_abn()), Attr("ran", r.agent().ran()), "/>", "<cd:Client",
      Attr("type", v1::ClientIdType_Name(r.client().type())), Attr("value", r.client().value()),
      "/>");
  AppendRecords(r.records(), out);
  return absl::StrCat(out, "</cd:Request>");
}

absl::StatusOr<v1::DemographicsRequest> ReadRequest(absl::string_view text) {
  absl::StatusOr<clients::Body> p = kVocabulary.Read(text, "Request", false);
  if (!p.ok()) return p.status();
  v1::DemographicsRequest r;
  absl::StatusOr<v1::CudemogrService> service =
      ReadEnum<v1::CudemogrService>(p->root, "service", v1::CudemogrService_Parse, "cd:Request");
  if (!service.ok()) return service.status();
  r.set_service(*service);
  absl::StatusOr<v1::CudemogrOperation> op = ReadEnum<v1::CudemogrOperation>(
      p->root, "operation", v1::CudemogrOperation_Parse, "cd:Request");
  if (!op.ok()) return op.status();
  r.set_operation(*op);
  r.set_account(xml::Attribute(p->root, "account"));
  r.set_include_history(xml::Attribute(p->root, "includeHistory") == "true");
  if (const xmlNode* a = xml::FirstChild(p->root, "Agent")) {
    r.mutable_agent()->set_agent_abn(xml::Attribute(a, "abn"));
    r.mutable_agent()->set_ran(xml::Attribute(a, "ran"));
  }
  const xmlNode* c = xml::FirstChild(p->root, "Client");
  if (c == nullptr) return absl::InvalidArgumentError("cd:Request: no cd:Client");
  absl::StatusOr<v1::ClientId> client = ReadClient(c, "type", "value", "cd:Request/cd:Client");
  if (!client.ok()) return client.status();
  *r.mutable_client() = *std::move(client);
  if (absl::Status s = ReadRecords(p->root, *r.mutable_records(), "cd:Request"); !s.ok()) return s;
  return r;
}

std::string WriteResponse(const v1::DemographicsResponse& r) {
  std::string out =
      absl::StrCat(Open("Response"), Attr("service", v1::CudemogrService_Name(r.service())),
                   Attr("operation", v1::CudemogrOperation_Name(r.operation())),
                   Attr("clientType", v1::ClientIdType_Name(r.client().type())),
                   Attr("clientValue", r.client().value()), Attr("clientName", r.client_name()),
                   Attr("account", r.account()), Attr("changed", r.changed() ? "true" : ""), ">");
  AppendRecords(r.records(), out);
  return absl::StrCat(out, "</cd:Response>");
}

absl::StatusOr<v1::DemographicsResponse> ReadResponse(absl::string_view text) {
  absl::StatusOr<clients::Body> p = kVocabulary.Read(text, "Response", true);
  if (!p.ok()) return p.status();
  v1::DemographicsResponse r;
  absl::StatusOr<v1::CudemogrService> service =
      ReadEnum<v1::CudemogrService>(p->root, "service", v1::CudemogrService_Parse, "cd:Response");
  if (!service.ok()) return service.status();
  r.set_service(*service);
  absl::StatusOr<v1::CudemogrOperation> op = ReadEnum<v1::CudemogrOperation>(
      p->root, "operation", v1::CudemogrOperation_Parse, "cd:Response");
  if (!op.ok()) return op.status();
  r.set_operation(*op);
  absl::StatusOr<v1::ClientId> client =
      ReadClient(p->root, "clientType", "clientValue", "cd:Response");
  if (!client.ok()) return client.status();
  *r.mutable_client() = *std::move(client);
  r.set_client_name(xml::Attribute(p->root, "clientName"));
  r.set_account(xml::Attribute(p->root, "account"));
  r.set_changed(xml::Attribute(p->root, "changed") == "true");
  if (absl::Status s = ReadRecords(p->root, *r.mutable_records(), "cd:Response"); !s.ok()) {
    return s;
  }
  return r;
}

std::string WriteErrorResponse(const absl::Status& status, absl::string_view code) {
  return kVocabulary.Error(status, code);
}

}  // namespace sbrgate::demographics
