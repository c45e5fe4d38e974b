#include "pipeline/sbr/wssec/signer.h"

#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <cstring>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pipeline/sbr/wssec/xmlsec_support.h"

namespace sbrgate::wssec {
namespace {

using internal::ChildElements;

constexpr char kX509v3[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
constexpr char kBase64Binary[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* X(const std::string& s) { return X(s.c_str()); }

struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};

absl::Status CheckAttachments(const std::vector<AttachmentRef>& attachments) {
  std::set<std::string> seen;
  for (const AttachmentRef& a : attachments) {
    const std::string id = internal::BareContentId(a.content_id);
    if (id.empty()) return absl::InvalidArgumentError("an attachment has an empty content id");
    if (!seen.insert(id).second) {
      return absl::InvalidArgumentError(absl::StrCat("two attachments have content id ", id));
    }
    if (!a.open) return absl::InvalidArgumentError(absl::StrCat("attachment ", id, " has no open"));
  }
  return absl::OkStatus();
}

// The namespace to put SOAP attributes (mustUnderstand) in from `element`:
// the Header's own declaration unless that is a default namespace, which
// attributes cannot use.
xmlNs* SoapAttributeNs(const internal::SoapParts& parts, xmlNode* element) {
  xmlNs* ns = parts.header->ns;
  if (ns != nullptr && ns->prefix != nullptr) return ns;
  return xmlNewNs(element, X(parts.soap_ns), X("soapenv"));
}

xmlNs* WsuNs(xmlNode* element) {
  xmlNs* ns = xmlSearchNsByHref(element->doc, element, X(kWsuNs));
  return ns != nullptr ? ns : xmlNewNs(element, X(kWsuNs), X("wsu"));
}

// Builds the wsse:Security header with the token and an unsigned ds:Signature
// template; returns the Signature node.
absl::StatusOr<xmlNode*> AddSecurityTemplate(const internal::SoapParts& parts,
                                             const Credential& credential,
                                             const std::string& messaging_id,
                                             const std::string& body_id,
                                             const std::vector<AttachmentRef>& attachments,
                                             xmlNode** security_out) {
  xmlDoc* doc = parts.envelope->doc;
  const std::string token_id = internal::UnusedId(doc, "x509-token");

  xmlNode* security = xmlNewDocNode(doc, nullptr, X("Security"), nullptr);
  xmlAddChild(parts.header, security);
  *security_out = security;
  xmlNs* wsse = xmlNewNs(security, X(kWsseNs), X("wsse"));
  xmlSetNs(security, wsse);
  xmlNewNsProp(security, SoapAttributeNs(parts, security), X("mustUnderstand"),
               X(std::strcmp(parts.soap_ns, kSoap12Ns) == 0 ? "true" : "1"));

  xmlNode* token = xmlNewTextChild(security, wsse, X("BinarySecurityToken"),
                                   X(absl::Base64Escape(credential.cert_der)));
  xmlNewProp(token, X("EncodingType"), X(kBase64Binary));
  xmlNewProp(token, X("ValueType"), X(kX509v3));
  xmlAttr* token_attr = xmlNewNsProp(token, WsuNs(security), X("Id"), X(token_id));
  if (xmlAddID(nullptr, doc, X(token_id), token_attr) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot register token ID ", token_id));
  }

  xmlNode* signature = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId,
                                                       xmlSecTransformRsaSha256Id, nullptr, X("ds"));
  if (signature == nullptr) return absl::InternalError("cannot create the ds:Signature template");
  xmlAddChild(security, signature);
  for (const std::string& id : {messaging_id, body_id}) {
    xmlNode* ref = xmlSecTmplSignatureAddReference(signature, xmlSecTransformSha256Id, nullptr,
                                                   X("#" + id), nullptr);
    if (ref == nullptr || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == nullptr) {
      return absl::InternalError(absl::StrCat("cannot add the ds:Reference to #", id));
    }
  }
  for (const AttachmentRef& a : attachments) {
    const std::string uri = internal::CidUri(a.content_id);
    xmlNode* ref = xmlSecTmplSignatureAddReference(signature, xmlSecTransformSha256Id, nullptr,
                                                   X(uri), nullptr);
    if (ref == nullptr ||
        xmlSecTmplReferenceAddTransform(ref, internal::AttachmentContentTransformId()) == nullptr) {
      return absl::InternalError(absl::StrCat("cannot add the ds:Reference to ", uri));
    }
  }
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
  if (key_info == nullptr) return absl::InternalError("cannot add ds:KeyInfo");
  xmlNode* str = xmlNewChild(key_info, wsse, X("SecurityTokenReference"), nullptr);
  xmlNode* ref = xmlNewChild(str, wsse, X("Reference"), nullptr);
  xmlNewProp(ref, X("URI"), X("#" + token_id));
  xmlNewProp(ref, X("ValueType"), X(kX509v3));
  return signature;
}

}  // namespace

absl::Status SignEnvelope(xmlDoc* envelope, const Credential& credential,
                          const std::vector<AttachmentRef>& attachments) {
  if (absl::Status s = internal::EnsureXmlSec(); !s.ok()) return s;
  if (credential.private_key == nullptr || credential.cert_der.empty()) {
    return absl::InvalidArgumentError("the signing credential is not loaded");
  }
  if (absl::Status s = CheckAttachments(attachments); !s.ok()) return s;
  absl::StatusOr<internal::SoapParts> parts = internal::FindSoapParts(envelope);
  if (!parts.ok()) return parts.status();
  if (parts->header == nullptr || parts->messaging == nullptr) {
    return absl::InvalidArgumentError("envelope: no eb:Messaging in a SOAP Header to sign");
  }
  if (!internal::SecurityHeaders(*parts).empty()) {
    return absl::FailedPreconditionError("envelope: already has a wsse:Security header");
  }
  if (absl::Status s = internal::IndexIds(envelope); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("envelope: ", s.message()));
  }
  absl::StatusOr<std::string> messaging_id = internal::EnsureWsuId(parts->messaging, "messaging");
  if (!messaging_id.ok()) return messaging_id.status();
  absl::StatusOr<std::string> body_id = internal::EnsureWsuId(parts->body, "body");
  if (!body_id.ok()) return body_id.status();

  xmlNode* security = nullptr;
  absl::StatusOr<xmlNode*> signature = AddSecurityTemplate(*parts, credential, *messaging_id,
                                                           *body_id, attachments, &security);
  absl::Status status = signature.status();
  if (status.ok()) {
    std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    if (ctx == nullptr) return absl::InternalError("cannot create an xmlsec signature context");
    ctx->signKey = internal::NewXmlSecKey(credential.private_key.get());
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument | xmlSecTransformUriTypeRemote;
    ctx->flags |= internal::kDSigFlags;
    internal::XmlSecErrors errors;
    internal::AttachmentScope scope(attachments);
    if (ctx->signKey == nullptr) {
      status = absl::InternalError("cannot hand the private key to xmlsec: " + errors.Summary());
    } else if (xmlSecDSigCtxSign(ctx.get(), *signature) < 0 ||
               ctx->status != xmlSecDSigStatusSucceeded) {
      status = !scope.error().ok()
                   ? scope.error()
                   : absl::InternalError("cannot sign the envelope: " + errors.Summary());
    }
  }
  if (!status.ok() && security != nullptr) {
    xmlUnlinkNode(security);
    xmlFreeNode(security);
  }
  return status;
}

absl::StatusOr<std::vector<Digest>> ReferenceDigests(xmlDoc* signed_envelope) {
  absl::StatusOr<internal::SoapParts> parts = internal::FindSoapParts(signed_envelope);
  if (!parts.ok()) return parts.status();
  const std::vector<xmlNode*> security = internal::SecurityHeaders(*parts);
  if (security.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("envelope: ", security.size(), " wsse:Security headers, expected one"));
  }
  const std::vector<xmlNode*> signature = ChildElements(security.front(), kDsNs, "Signature");
  if (signature.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("envelope: ", signature.size(), " ds:Signature in wsse:Security, expected one"));
  }
  return internal::ReadReferences(signature.front());
}

}  // namespace sbrgate::wssec
