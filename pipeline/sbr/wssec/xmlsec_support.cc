#include "pipeline/sbr/wssec/xmlsec_support.h"

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <strings.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmlsec.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sbrgate::wssec::internal {
namespace {

thread_local XmlSecErrors* current_errors = nullptr;
thread_local AttachmentScope* current_scope = nullptr;

const char* Str(const xmlChar* s) { return s == nullptr ? "" : reinterpret_cast<const char*>(s); }

std::string ReasonText(int reason) {
  for (xmlSecSize i = 0; xmlSecErrorsGetMsg(i) != nullptr; ++i) {
    if (xmlSecErrorsGetCode(i) == reason) return xmlSecErrorsGetMsg(i);
  }
  return absl::StrCat("error ", reason);
}

void CollectXmlSecError(const char* /*file*/, int /*line*/, const char* func,
                        const char* /*error_object*/, const char* error_subject, int reason,
                        const char* msg) {
  XmlSecErrors* sink = XmlSecErrors::Current();
  if (sink == nullptr) return;
  std::string report = absl::StrCat(func == nullptr ? "xmlsec" : func, ": ", ReasonText(reason));
  if (error_subject != nullptr && *error_subject != '\0') {
    absl::StrAppend(&report, " (", error_subject, ")");
  }
  const absl::string_view detail = absl::StripAsciiWhitespace(msg == nullptr ? "" : msg);
  if (!detail.empty()) absl::StrAppend(&report, ": ", detail);
  sink->Add(std::move(report));
}

// An attachment opened by xmlsec through a "cid:" URI. xmlsec asks for small
// pieces (about 1 KiB); the source is read kAttachmentChunk at a time.
struct CidReader {
  AttachmentScope* scope;
  std::string uri;
  std::unique_ptr<ByteSource> source;
  std::unique_ptr<char[]> buffer{new char[kAttachmentChunk]};
  size_t pos = 0;
  size_t len = 0;
  bool eof = false;
};

int MatchCid(const char* uri) { return uri != nullptr && strncasecmp(uri, "cid:", 4) == 0; }

// xmlsec 1.2.37 (xmlSecTransformInputURIOpen) hands the callbacks the URI
// already percent-decoded, so the content id is the rest of it as is.
void* OpenCid(const char* uri) {
  AttachmentScope* scope = AttachmentScope::Current();
  if (scope == nullptr) return nullptr;
  const AttachmentRef* attachment = scope->Find(uri + 4);
  if (attachment == nullptr) {
    scope->Fail(absl::NotFoundError(
        absl::StrCat("signature references ", uri, ", which is not an attachment of the message")));
    return nullptr;
  }
  if (!attachment->open) {
    scope->Fail(absl::InvalidArgumentError(absl::StrCat("attachment ", uri, " cannot be opened")));
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<ByteSource>> source = attachment->open();
  if (!source.ok() || *source == nullptr) {
    const absl::Status cause = source.ok() ? absl::InternalError("no source") : source.status();
    scope->Fail(absl::Status(cause.code(),
                             absl::StrCat("cannot open attachment ", uri, ": ", cause.message())));
    return nullptr;
  }
  auto* reader = new CidReader;
  reader->scope = scope;
  reader->uri = uri;
  reader->source = std::move(*source);
  return reader;
}

int ReadCid(void* context, char* out, int n) {
  auto* reader = static_cast<CidReader*>(context);
  if (n <= 0) return 0;
  if (reader->pos == reader->len) {
    if (reader->eof) return 0;
    absl::StatusOr<size_t> got = reader->source->Read(reader->buffer.get(), kAttachmentChunk);
    if (!got.ok()) {
      reader->scope->Fail(absl::Status(
          got.status().code(),
          absl::StrCat("cannot read attachment ", reader->uri, ": ", got.status().message())));
      return -1;
    }
    reader->pos = 0;
    reader->len = *got;
    if (*got == 0) {
      reader->eof = true;
      return 0;
    }
  }
  const size_t take = std::min(static_cast<size_t>(n), reader->len - reader->pos);
  std::memcpy(out, reader->buffer.get() + reader->pos, take);
  reader->pos += take;
  return static_cast<int>(take);
}

int CloseCid(void* context) {
  delete static_cast<CidReader*>(context);
  return 0;
}

// MIME content canonicalisation of a binary attachment is the identity, so
// the transform copies what it is given; xmlsec's digest follows it.
int ExecuteAttachmentContent(xmlSecTransformPtr transform, int last, xmlSecTransformCtxPtr) {
  if (transform->status == xmlSecTransformStatusNone) {
    transform->status = xmlSecTransformStatusWorking;
  }
  if (transform->status != xmlSecTransformStatusWorking) return 0;
  xmlSecBufferPtr in = &transform->inBuf;
  const xmlSecSize size = xmlSecBufferGetSize(in);
  if (size > 0) {
    if (xmlSecBufferAppend(&transform->outBuf, xmlSecBufferGetData(in), size) < 0 ||
        xmlSecBufferRemoveHead(in, size) < 0) {
      return -1;
    }
  }
  if (last) transform->status = xmlSecTransformStatusFinished;
  return 0;
}

xmlSecTransformKlass attachment_content_klass = {
    sizeof(xmlSecTransformKlass),
    sizeof(xmlSecTransform),
    reinterpret_cast<const xmlChar*>("attachment-content-signature-transform"),
    reinterpret_cast<const xmlChar*>(kAttachmentContentTransform),
    xmlSecTransformUsageDSigTransform,
    nullptr,  // initialize
    nullptr,  // finalize
    nullptr,  // readNode: the transform has no parameters
    nullptr,  // writeNode
    nullptr,  // setKeyReq
    nullptr,  // setKey
    nullptr,  // verify
    xmlSecTransformDefaultGetDataType,
    xmlSecTransformDefaultPushBin,
    xmlSecTransformDefaultPopBin,
    nullptr,  // pushXml
    nullptr,  // popXml
    ExecuteAttachmentContent,
    nullptr,
    nullptr,
};

absl::Status InitOnce() {
  xmlInitParser();
  if (xmlSecInit() < 0) return absl::InternalError("xmlsec initialisation failed");
  if (xmlSecCheckVersion() != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the loaded xmlsec library is not compatible with the headers of version ",
                     XMLSEC_VERSION));
  }
  if (xmlSecCryptoAppInit(nullptr) < 0) {
    return absl::InternalError("xmlsec OpenSSL backend initialisation (app) failed");
  }
  if (xmlSecCryptoInit() < 0) {
    return absl::InternalError("xmlsec OpenSSL backend initialisation failed");
  }
  xmlSecErrorsSetCallback(CollectXmlSecError);
  if (xmlSecTransformIdsRegister(AttachmentContentTransformId()) < 0) {
    return absl::InternalError("cannot register the SwA attachment transform with xmlsec");
  }
  // xmlSecInit registered libxml2's file, HTTP and FTP handlers; a signature
  // must never make us read a local file or fetch a URL, so only cid: stays.
  xmlSecIOCleanupCallbacks();
  if (xmlSecIORegisterCallbacks(MatchCid, OpenCid, ReadCid, CloseCid) < 0) {
    return absl::InternalError("cannot register the cid: IO callbacks with xmlsec");
  }
  return absl::OkStatus();
}

enum class IdKind { kNone, kWsu, kOther };

IdKind KindOf(const xmlAttr* attr) {
  const char* name = Str(attr->name);
  if (attr->ns != nullptr && std::strcmp(Str(attr->ns->href), kWsuNs) == 0 &&
      std::strcmp(name, "Id") == 0) {
    return IdKind::kWsu;
  }
  if (attr->ns != nullptr && std::strcmp(Str(attr->ns->href), Str(XML_XML_NAMESPACE)) == 0) {
    return std::strcmp(name, "id") == 0 ? IdKind::kOther : IdKind::kNone;
  }
  if (std::strcmp(name, "Id") == 0 || std::strcmp(name, "ID") == 0 ||
      std::strcmp(name, "id") == 0) {
    return IdKind::kOther;
  }
  return IdKind::kNone;
}

std::string AttrText(const xmlAttr* attr) {
  xmlChar* value = xmlNodeListGetString(attr->doc, attr->children, 1);
  std::string out = Str(value);
  xmlFree(value);
  return std::string(absl::StripAsciiWhitespace(out));
}

// Calls fn(element) for every element under (and including) `node`.
template <typename Fn>
void ForEachElement(xmlNode* node, Fn&& fn) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    fn(n);
    ForEachElement(n->children, fn);
  }
}

std::string Describe(const xmlNode* element) {
  std::string prefix =
      element->ns != nullptr && element->ns->prefix != nullptr
          ? absl::StrCat(Str(element->ns->prefix), ":")
          : "";
  return absl::StrCat("<", prefix, Str(element->name), "> (line ", xmlGetLineNo(element), ")");
}

std::unordered_set<std::string> UsedIds(xmlDoc* doc) {
  std::unordered_set<std::string> used;
  ForEachElement(xmlDocGetRootElement(doc), [&](xmlNode* element) {
    for (xmlAttr* a = element->properties; a != nullptr; a = a->next) {
      if (KindOf(a) != IdKind::kNone) used.insert(AttrText(a));
    }
  });
  return used;
}

bool IsUnreservedInCid(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::strchr("-._~!$&'()*+,;=:@/", c) != nullptr;
}

}  // namespace

xmlSecTransformId AttachmentContentTransformId() { return &attachment_content_klass; }

absl::Status EnsureXmlSec() {
  static std::once_flag once;
  static absl::Status* status = nullptr;
  std::call_once(once, [] { status = new absl::Status(InitOnce()); });
  return *status;
}

XmlSecErrors::XmlSecErrors() : previous_(current_errors) { current_errors = this; }
XmlSecErrors::~XmlSecErrors() { current_errors = previous_; }
XmlSecErrors* XmlSecErrors::Current() { return current_errors; }

std::string XmlSecErrors::Summary() const {
  if (reports_.empty()) return "no details";
  const size_t n = std::min<size_t>(reports_.size(), 3);
  return absl::StrJoin(reports_.begin(), reports_.begin() + n, "; ");
}

AttachmentScope::AttachmentScope(const std::vector<AttachmentRef>& attachments)
    : attachments_(attachments), previous_(current_scope) {
  current_scope = this;
}
AttachmentScope::~AttachmentScope() { current_scope = previous_; }
AttachmentScope* AttachmentScope::Current() { return current_scope; }

const AttachmentRef* AttachmentScope::Find(absl::string_view content_id) const {
  for (const AttachmentRef& a : attachments_) {
    if (BareContentId(a.content_id) == content_id) return &a;
  }
  return nullptr;
}

bool IsElement(const xmlNode* node, const char* ns, const char* local_name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         std::strcmp(Str(node->name), local_name) == 0 && std::strcmp(Str(node->ns->href), ns) == 0;
}

std::vector<xmlNode*> ChildElements(const xmlNode* parent, const char* ns,
                                    const char* local_name) {
  std::vector<xmlNode*> out;
  if (parent == nullptr) return out;
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsElement(c, ns, local_name)) out.push_back(c);
  }
  return out;
}

std::string AttributeValue(const xmlNode* element, const char* name, const char* ns) {
  xmlChar* v = ns == nullptr
                   ? xmlGetNoNsProp(element, reinterpret_cast<const xmlChar*>(name))
                   : xmlGetNsProp(element, reinterpret_cast<const xmlChar*>(name),
                                  reinterpret_cast<const xmlChar*>(ns));
  std::string out = Str(v);
  xmlFree(v);
  return out;
}

std::string ElementText(const xmlNode* element) {
  xmlChar* v = xmlNodeGetContent(element);
  std::string out = Str(v);
  xmlFree(v);
  return out;
}

absl::StatusOr<SoapParts> FindSoapParts(xmlDoc* doc) {
  SoapParts parts;
  xmlNode* root = doc == nullptr ? nullptr : xmlDocGetRootElement(doc);
  if (root == nullptr) return absl::InvalidArgumentError("envelope: the document is empty");
  if (IsElement(root, kSoap12Ns, "Envelope")) {
    parts.soap_ns = kSoap12Ns;
  } else if (IsElement(root, kSoap11Ns, "Envelope")) {
    parts.soap_ns = kSoap11Ns;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "envelope: the root element is {", root->ns ? Str(root->ns->href) : "", "}",
        Str(root->name), ", not a SOAP 1.1 or 1.2 Envelope"));
  }
  parts.envelope = root;
  const std::vector<xmlNode*> headers = ChildElements(root, parts.soap_ns, "Header");
  const std::vector<xmlNode*> bodies = ChildElements(root, parts.soap_ns, "Body");
  if (headers.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("envelope: ", headers.size(), " SOAP Header elements, at most one allowed"));
  }
  if (bodies.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("envelope: ", bodies.size(), " SOAP Body elements, exactly one required"));
  }
  parts.body = bodies.front();
  if (!headers.empty()) {
    parts.header = headers.front();
    const std::vector<xmlNode*> messaging = ChildElements(parts.header, kEbmsNs, "Messaging");
    if (messaging.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "envelope: ", messaging.size(), " eb:Messaging elements in the SOAP Header"));
    }
    if (!messaging.empty()) parts.messaging = messaging.front();
  }
  return parts;
}

std::vector<xmlNode*> SecurityHeaders(const SoapParts& parts) {
  return ChildElements(parts.header, kWsseNs, "Security");
}

absl::Status IndexIds(xmlDoc* doc) {
  std::unordered_map<std::string, xmlNode*> owner;
  absl::Status status;
  ForEachElement(xmlDocGetRootElement(doc), [&](xmlNode* element) {
    for (xmlAttr* a = element->properties; a != nullptr && status.ok(); a = a->next) {
      if (KindOf(a) == IdKind::kNone) continue;
      const std::string value = AttrText(a);
      auto [it, inserted] = owner.emplace(value, element);
      if (!inserted && it->second != element) {
        status = absl::InvalidArgumentError(absl::StrCat("ID \"", value, "\" is not unique: on ",
                                                         Describe(it->second), " and ",
                                                         Describe(element)));
      }
    }
  });
  if (!status.ok()) return status;
  ForEachElement(xmlDocGetRootElement(doc), [&](xmlNode* element) {
    for (xmlAttr* a = element->properties; a != nullptr && status.ok(); a = a->next) {
      if (KindOf(a) != IdKind::kWsu) continue;
      const std::string value = AttrText(a);
      const auto* id = reinterpret_cast<const xmlChar*>(value.c_str());
      xmlAttr* registered = xmlGetID(doc, id);
      if (registered == nullptr) {
        if (xmlAddID(nullptr, doc, id, a) == nullptr) {
          status = absl::InternalError(absl::StrCat("cannot register ID \"", value, "\""));
        }
      } else if (registered->parent != element) {
        status = absl::InvalidArgumentError(absl::StrCat(
            "ID \"", value, "\" is registered for another element than ", Describe(element)));
      }
    }
  });
  return status;
}

std::string WsuId(const xmlNode* element) { return AttributeValue(element, "Id", kWsuNs); }

std::string UnusedId(xmlDoc* doc, absl::string_view preferred) {
  const std::unordered_set<std::string> used = UsedIds(doc);
  std::string candidate(preferred);
  for (int n = 2; used.count(candidate) != 0 ||
                  xmlGetID(doc, reinterpret_cast<const xmlChar*>(candidate.c_str())) != nullptr;
       ++n) {
    candidate = absl::StrCat(preferred, "-", n);
  }
  return candidate;
}

absl::StatusOr<std::string> EnsureWsuId(xmlNode* element, absl::string_view preferred) {
  std::string id = WsuId(element);
  if (!id.empty()) return id;
  id = UnusedId(element->doc, preferred);
  xmlNs* ns = xmlSearchNsByHref(element->doc, element, reinterpret_cast<const xmlChar*>(kWsuNs));
  for (int n = 1; ns == nullptr && n < 100; ++n) {
    const std::string prefix = n == 1 ? "wsu" : absl::StrCat("wsu", n);
    ns = xmlNewNs(element, reinterpret_cast<const xmlChar*>(kWsuNs),
                  reinterpret_cast<const xmlChar*>(prefix.c_str()));
  }
  if (ns == nullptr) return absl::InternalError("cannot declare the wsu namespace");
  xmlAttr* attr = xmlNewNsProp(element, ns, reinterpret_cast<const xmlChar*>("Id"),
                               reinterpret_cast<const xmlChar*>(id.c_str()));
  if (attr == nullptr ||
      xmlAddID(nullptr, element->doc, reinterpret_cast<const xmlChar*>(id.c_str()), attr) ==
          nullptr) {
    return absl::InternalError(absl::StrCat("cannot add wsu:Id=\"", id, "\" to ",
                                            Describe(element)));
  }
  return id;
}

std::string CidUri(absl::string_view content_id) {
  std::string out = "cid:";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : BareContentId(content_id)) {
    if (IsUnreservedInCid(c)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  return out;
}

absl::StatusOr<std::string> ContentIdOf(absl::string_view cid_uri) {
  if (!absl::StartsWithIgnoreCase(cid_uri, "cid:") || cid_uri.size() == 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", std::string(cid_uri), "\" is not a cid: URI of an attachment"));
  }
  std::string out;
  for (size_t i = 4; i < cid_uri.size(); ++i) {
    if (cid_uri[i] != '%') {
      out.push_back(cid_uri[i]);
      continue;
    }
    int value = 0;
    for (size_t k = 1; k <= 2; ++k) {
      const char h = i + k < cid_uri.size() ? cid_uri[i + k] : '\0';
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(h))) {
        return absl::InvalidArgumentError(absl::StrCat(
            "\"", std::string(cid_uri), "\": bad percent-encoding at offset ", i));
      }
      value = value * 16 + (absl::ascii_isdigit(static_cast<unsigned char>(h))
                                ? h - '0'
                                : absl::ascii_tolower(static_cast<unsigned char>(h)) - 'a' + 10);
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

std::string BareContentId(absl::string_view content_id) {
  if (content_id.size() >= 2 && content_id.front() == '<' && content_id.back() == '>') {
    content_id = content_id.substr(1, content_id.size() - 2);
  }
  return std::string(content_id);
}

absl::StatusOr<std::vector<Digest>> ReadReferences(const xmlNode* signature) {
  const std::vector<xmlNode*> signed_info = ChildElements(signature, kDsNs, "SignedInfo");
  if (signed_info.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ds:Signature has ", signed_info.size(), " ds:SignedInfo elements"));
  }
  std::vector<Digest> digests;
  for (xmlNode* ref : ChildElements(signed_info.front(), kDsNs, "Reference")) {
    Digest d;
    d.uri = AttributeValue(ref, "URI");
    for (xmlNode* transforms : ChildElements(ref, kDsNs, "Transforms")) {
      for (xmlNode* t : ChildElements(transforms, kDsNs, "Transform")) {
        d.transforms.push_back(AttributeValue(t, "Algorithm"));
      }
    }
    const std::vector<xmlNode*> method = ChildElements(ref, kDsNs, "DigestMethod");
    const std::vector<xmlNode*> value = ChildElements(ref, kDsNs, "DigestValue");
    if (method.size() != 1 || value.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ds:Reference URI=\"", d.uri, "\" needs one ds:DigestMethod and one ds:DigestValue"));
    }
    d.digest_method = AttributeValue(method.front(), "Algorithm");
    d.digest_value = ElementText(value.front());
    d.digest_value.erase(std::remove_if(d.digest_value.begin(), d.digest_value.end(),
                                        [](char c) { return absl::ascii_isspace(c); }),
                         d.digest_value.end());
    digests.push_back(std::move(d));
  }
  return digests;
}

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

xmlSecKeyPtr NewXmlSecKey(EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_up_ref(key) != 1) return nullptr;
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(key);
  if (data == nullptr) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  xmlSecKeyPtr out = xmlSecKeyCreate();
  if (out == nullptr || xmlSecKeySetValue(out, data) < 0) {
    xmlSecKeyDataDestroy(data);
    if (out != nullptr) xmlSecKeyDestroy(out);
    return nullptr;
  }
  return out;
}

std::string NameString(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, len > 0 ? static_cast<size_t>(len) : 0);
  BIO_free(bio);
  return out;
}

absl::Time ToTime(const ASN1_TIME* time) {
  struct tm tm {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return absl::InfinitePast();
  return absl::FromTimeT(timegm(&tm));
}

std::string CertDer(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string OpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  char text[256] = "unknown OpenSSL error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

}  // namespace sbrgate::wssec::internal
