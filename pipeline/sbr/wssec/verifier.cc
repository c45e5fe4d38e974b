#include "pipeline/sbr/wssec/verifier.h"

#include <openssl/pem.h>
#include <strings.h>
#include <xmlsec/crypto.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sbr/wssec/xmlsec_support.h"

namespace sbrgate::wssec {
namespace {

using internal::AttributeValue;
using internal::ChildElements;

constexpr char kX509v3[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
constexpr char kBase64Binary[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

absl::Status Refuse(absl::string_view kind, absl::string_view detail) {
  return absl::UnauthenticatedError(absl::StrCat(kind, ": ", detail));
}
absl::Status NotSigned(absl::string_view detail) { return Refuse("message is not signed", detail); }
absl::Status NotTrusted(absl::string_view detail) {
  return Refuse("certificate not trusted", detail);
}
absl::Status DoesNotVerify(absl::string_view detail) {
  return Refuse("signature does not verify", detail);
}
absl::Status DoesNotCover(absl::string_view what) {
  return absl::UnauthenticatedError(absl::StrCat("signature does not cover ", what));
}
absl::Status Ambiguous(absl::string_view detail) {
  return Refuse("signature is ambiguous", detail);
}

struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};

const char* Str(const xmlChar* s) { return s == nullptr ? "" : reinterpret_cast<const char*>(s); }

// What the signature's references point at, checked before any digest is
// computed.
struct Coverage {
  std::set<const xmlNode*> elements;
  std::set<std::string> content_ids;
};

absl::StatusOr<Coverage> CheckReferences(xmlDoc* doc, const std::vector<Digest>& refs,
                                         const std::vector<AttachmentRef>& attachments) {
  Coverage coverage;
  if (refs.empty()) return DoesNotVerify("ds:SignedInfo has no ds:Reference");
  for (const Digest& ref : refs) {
    const std::string where = absl::StrCat("reference \"", ref.uri, "\"");
    if (ref.digest_method != kSha256) {
      return DoesNotVerify(absl::StrCat(where, ": DigestMethod ", ref.digest_method,
                                        " is not accepted (only SHA-256)"));
    }
    if (absl::StartsWith(ref.uri, "#")) {
      const std::string id = ref.uri.substr(1);
      if (id.empty() || absl::StrContains(id, "(")) {
        return DoesNotVerify(absl::StrCat(where, ": only #id references are accepted"));
      }
      if (ref.transforms != std::vector<std::string>{kExcC14n}) {
        return DoesNotVerify(absl::StrCat(where, ": transforms [",
                                          absl::StrJoin(ref.transforms, ", "),
                                          "] are not accepted (exactly exclusive C14N)"));
      }
      xmlAttr* attr = xmlGetID(doc, reinterpret_cast<const xmlChar*>(id.c_str()));
      if (attr == nullptr || attr->parent == nullptr) {
        return DoesNotVerify(absl::StrCat(where, " does not resolve to an element"));
      }
      coverage.elements.insert(attr->parent);
    } else if (absl::StartsWithIgnoreCase(ref.uri, "cid:")) {
      absl::StatusOr<std::string> content_id = internal::ContentIdOf(ref.uri);
      if (!content_id.ok()) return DoesNotVerify(content_id.status().message());
      if (ref.transforms != std::vector<std::string>{kAttachmentContentTransform}) {
        return DoesNotVerify(absl::StrCat(
            where, ": transforms [", absl::StrJoin(ref.transforms, ", "),
            "] are not accepted (exactly the SwA profile's Attachment-Content-Signature-Transform)"));
      }
      bool present = false;
      for (const AttachmentRef& a : attachments) {
        present = present || internal::BareContentId(a.content_id) == *content_id;
      }
      if (!present) {
        return DoesNotVerify(absl::StrCat(where, " names no attachment of the message"));
      }
      coverage.content_ids.insert(*content_id);
    } else {
      return DoesNotVerify(
          absl::StrCat(where, ": only #id and cid: references are accepted"));
    }
  }
  return coverage;
}

// The DER bytes of the wsse:BinarySecurityToken that the signature's
// KeyInfo points at, which must sit in the same wsse:Security header.
absl::StatusOr<std::string> SigningCertificateDer(xmlDoc* doc, xmlNode* security,
                                                  xmlNode* signature) {
  const std::vector<xmlNode*> key_info = ChildElements(signature, kDsNs, "KeyInfo");
  const std::vector<xmlNode*> str =
      key_info.size() == 1 ? ChildElements(key_info.front(), kWsseNs, "SecurityTokenReference")
                           : std::vector<xmlNode*>{};
  const std::vector<xmlNode*> ref =
      str.size() == 1 ? ChildElements(str.front(), kWsseNs, "Reference") : std::vector<xmlNode*>{};
  if (ref.size() != 1) {
    return DoesNotVerify(
        "ds:KeyInfo must hold one wsse:SecurityTokenReference with one wsse:Reference");
  }
  const std::string uri = AttributeValue(ref.front(), "URI");
  xmlAttr* attr = uri.size() > 1 && uri[0] == '#'
                      ? xmlGetID(doc, reinterpret_cast<const xmlChar*>(uri.c_str() + 1))
                      : nullptr;
  xmlNode* token = attr == nullptr ? nullptr : attr->parent;
  if (token == nullptr || !internal::IsElement(token, kWsseNs, "BinarySecurityToken") ||
      token->parent != security) {
    return DoesNotVerify(absl::StrCat("KeyInfo reference \"", uri,
                                      "\" does not point at a wsse:BinarySecurityToken in the "
                                      "same wsse:Security header"));
  }
  const std::string value_type = AttributeValue(token, "ValueType");
  const std::string encoding = AttributeValue(token, "EncodingType");
  if (value_type != kX509v3 || (!encoding.empty() && encoding != kBase64Binary)) {
    return DoesNotVerify(absl::StrCat("BinarySecurityToken ", uri,
                                      " is not an X509v3 certificate in Base64Binary"));
  }
  std::string text = internal::ElementText(token);
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return absl::ascii_isspace(c); }),
             text.end());
  std::string der;
  if (!absl::Base64Unescape(text, &der) || der.empty()) {
    return DoesNotVerify(absl::StrCat("BinarySecurityToken ", uri, " is not valid base64"));
  }
  return der;
}

absl::Status CheckAlgorithms(xmlNode* signature) {
  const std::vector<xmlNode*> signed_info = ChildElements(signature, kDsNs, "SignedInfo");
  if (signed_info.size() != 1) return DoesNotVerify("ds:Signature needs one ds:SignedInfo");
  const std::vector<xmlNode*> c14n =
      ChildElements(signed_info.front(), kDsNs, "CanonicalizationMethod");
  const std::vector<xmlNode*> method = ChildElements(signed_info.front(), kDsNs, "SignatureMethod");
  const std::string c14n_alg = c14n.size() == 1 ? AttributeValue(c14n.front(), "Algorithm") : "";
  const std::string sig_alg = method.size() == 1 ? AttributeValue(method.front(), "Algorithm") : "";
  if (c14n_alg != kExcC14n) {
    return DoesNotVerify(absl::StrCat("CanonicalizationMethod \"", c14n_alg,
                                      "\" is not accepted (only exclusive C14N)"));
  }
  if (sig_alg != kRsaSha256) {
    return DoesNotVerify(
        absl::StrCat("SignatureMethod \"", sig_alg, "\" is not accepted (only RSA-SHA256)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Verifier> Verifier::Create(const std::string& trusted_ca_file, const Clock* clock) {
  if (absl::Status s = internal::EnsureXmlSec(); !s.ok()) return s;
  absl::StatusOr<std::string> pem = ReadFileToString(trusted_ca_file);
  if (!pem.ok()) {
    return absl::Status(pem.status().code(), absl::StrCat("trusted CA file ", trusted_ca_file,
                                                          ": ", pem.status().message()));
  }
  std::shared_ptr<X509_STORE> store(X509_STORE_new(), X509_STORE_free);
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store.get(), cert) == 1) ++count;
    X509_free(cert);
  }
  BIO_free(bio);
  internal::OpenSslError();  // the read past the last certificate left an error
  if (count == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("trusted CA file ", trusted_ca_file, ": no PEM certificate in it"));
  }
  // Every listed certificate is an anchor, so an intermediate CA can be
  // trusted on its own without its root.
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  static const RealClock* real = new RealClock;
  return Verifier(std::move(store), clock != nullptr ? clock : real);
}

std::shared_ptr<const Verifier::CertificateCache::Decoded> Verifier::CertificateCache::Decode(
    const std::string& der) {
  absl::MutexLock lock(&mu_);
  if (auto it = by_der_.find(der); it != by_der_.end()) return it->second.decoded;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::shared_ptr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  if (cert == nullptr) return nullptr;
  auto decoded = std::make_shared<Decoded>();
  decoded->subject = internal::NameString(X509_get_subject_name(cert.get()));
  decoded->issuer = internal::NameString(X509_get_issuer_name(cert.get()));
  decoded->sha256_fingerprint = internal::Sha256Hex(der);
  decoded->cert = std::move(cert);
  if (by_der_.size() >= kMaxEntries) by_der_.clear();
  by_der_.emplace(der, Entry{decoded, std::nullopt});
  return decoded;
}

bool Verifier::CertificateCache::TrustedAt(const std::string& der, absl::Time t) {
  absl::MutexLock lock(&mu_);
  auto it = by_der_.find(der);
  return it != by_der_.end() && it->second.trusted.has_value() && it->second.trusted->from <= t &&
         t <= it->second.trusted->until;
}

void Verifier::CertificateCache::RememberTrusted(const std::string& der, TrustWindow window) {
  absl::MutexLock lock(&mu_);
  if (auto it = by_der_.find(der); it != by_der_.end()) it->second.trusted = window;
}

std::optional<Verifier::CertificateCache::TrustWindow> Verifier::CertificateCache::ChainValidity(
    X509_STORE_CTX* verified) {
  TrustWindow window{absl::InfinitePast(), absl::InfiniteFuture()};
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(verified);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    X509* c = sk_X509_value(chain, i);
    struct tm not_before, not_after;
    if (ASN1_TIME_to_tm(X509_get0_notBefore(c), &not_before) != 1 ||
        ASN1_TIME_to_tm(X509_get0_notAfter(c), &not_after) != 1) {
      return std::nullopt;
    }
    window.from = std::max(window.from, absl::FromTimeT(timegm(&not_before)));
    window.until = std::min(window.until, absl::FromTimeT(timegm(&not_after)));
  }
  return window;
}

absl::StatusOr<VerifiedSignature> Verifier::Verify(
    xmlDoc* envelope, const std::vector<AttachmentRef>& attachments) const {
  if (absl::Status s = internal::EnsureXmlSec(); !s.ok()) return s;
  absl::StatusOr<internal::SoapParts> parts = internal::FindSoapParts(envelope);
  if (!parts.ok()) return parts.status();
  if (parts->header == nullptr) return NotSigned("the envelope has no SOAP Header");
  const std::vector<xmlNode*> security = internal::SecurityHeaders(*parts);
  if (security.empty()) return NotSigned("no wsse:Security header");
  if (security.size() > 1) {
    return Ambiguous(absl::StrCat(security.size(), " wsse:Security headers"));
  }
  const std::vector<xmlNode*> signatures = ChildElements(security.front(), kDsNs, "Signature");
  if (signatures.empty()) return NotSigned("wsse:Security holds no ds:Signature");
  if (signatures.size() > 1) {
    return Ambiguous(absl::StrCat(signatures.size(), " ds:Signature elements in wsse:Security"));
  }
  xmlNode* signature = signatures.front();
  if (parts->messaging == nullptr) {
    return absl::InvalidArgumentError("envelope: no eb:Messaging in the SOAP Header");
  }
  if (absl::Status s = internal::IndexIds(envelope); !s.ok()) return Ambiguous(s.message());
  std::set<std::string> content_ids;
  for (const AttachmentRef& a : attachments) {
    if (!content_ids.insert(internal::BareContentId(a.content_id)).second) {
      return Ambiguous(absl::StrCat("two attachments have content id ", a.content_id));
    }
  }
  if (absl::Status s = CheckAlgorithms(signature); !s.ok()) return s;
  absl::StatusOr<std::vector<Digest>> refs = internal::ReadReferences(signature);
  if (!refs.ok()) return DoesNotVerify(refs.status().message());
  absl::StatusOr<Coverage> coverage = CheckReferences(envelope, *refs, attachments);
  if (!coverage.ok()) return coverage.status();
  if (coverage->elements.count(parts->messaging) == 0) {
    return DoesNotCover("eb:Messaging (no reference resolves to the SOAP Header's eb:Messaging)");
  }
  if (coverage->elements.count(parts->body) == 0) {
    return DoesNotCover("the SOAP Body (no reference resolves to the Envelope's Body)");
  }
  for (const AttachmentRef& a : attachments) {
    const std::string id = internal::BareContentId(a.content_id);
    if (coverage->content_ids.count(id) == 0) {
      return DoesNotCover(absl::StrCat("attachment ", internal::CidUri(id)));
    }
  }

  absl::StatusOr<std::string> der = SigningCertificateDer(envelope, security.front(), signature);
  if (!der.ok()) return der.status();
  const std::shared_ptr<const CertificateCache::Decoded> decoded = certificates_->Decode(*der);
  if (decoded == nullptr) {
    internal::OpenSslError();
    return DoesNotVerify("the BinarySecurityToken is not an X.509 certificate");
  }
  X509* cert = decoded->cert.get();
  VerifiedSignature result;
  result.signer_subject = decoded->subject;
  result.signer_issuer = decoded->issuer;
  result.cert_der = *std::move(der);
  result.sha256_fingerprint = decoded->sha256_fingerprint;
  // Judged at the clock's time, to the second as OpenSSL does.
  const absl::Time now = absl::FromTimeT(absl::ToTimeT(clock_->Now()));
  if (!certificates_->TrustedAt(result.cert_der, now)) {
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
    if (ctx == nullptr || X509_STORE_CTX_init(ctx.get(), store_.get(), cert, nullptr) != 1) {
      return absl::InternalError("cannot set up certificate verification: " +
                                 internal::OpenSslError());
    }
    X509_STORE_CTX_set_time(ctx.get(), 0, absl::ToTimeT(now));
    if (X509_verify_cert(ctx.get()) != 1) {
      const int err = X509_STORE_CTX_get_error(ctx.get());
      internal::OpenSslError();
      return NotTrusted(absl::StrCat(X509_verify_cert_error_string(err), " (subject ",
                                     result.signer_subject, ", issuer ", result.signer_issuer,
                                     ")"));
    }
    if (std::optional<CertificateCache::TrustWindow> window =
            CertificateCache::ChainValidity(ctx.get())) {
      certificates_->RememberTrusted(result.cert_der, *window);
    }
  }
  EVP_PKEY* public_key = X509_get0_pubkey(cert);
  if (public_key == nullptr || EVP_PKEY_base_id(public_key) != EVP_PKEY_RSA) {
    return DoesNotVerify("the signing certificate does not hold an RSA key");
  }

  std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
  if (ctx == nullptr) return absl::InternalError("cannot create an xmlsec signature context");
  internal::XmlSecErrors errors;
  ctx->signKey = internal::NewXmlSecKey(public_key);
  if (ctx->signKey == nullptr) {
    return absl::InternalError("cannot hand the public key to xmlsec: " + errors.Summary());
  }
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument | xmlSecTransformUriTypeRemote;
  ctx->flags |= internal::kDSigFlags;
  if (xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformExclC14NId) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformSha256Id) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), internal::AttachmentContentTransformId()) <
          0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformExclC14NId) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformRsaSha256Id) < 0) {
    return absl::InternalError("cannot restrict xmlsec's transforms: " + errors.Summary());
  }
  internal::AttachmentScope scope(attachments);
  if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0) {
    if (!scope.error().ok()) return scope.error();
    return DoesNotVerify(errors.Summary());
  }
  const xmlSecSize processed = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
  if (ctx->status != xmlSecDSigStatusSucceeded) {
    for (xmlSecSize i = 0; i < processed; ++i) {
      auto* ref = static_cast<xmlSecDSigReferenceCtx*>(
          xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
      if (ref != nullptr && ref->status != xmlSecDSigStatusSucceeded) {
        return DoesNotVerify(absl::StrCat("reference ", Str(ref->uri), " digest mismatch"));
      }
    }
    return DoesNotVerify("SignatureValue does not match SignedInfo");
  }
  if (processed != refs->size()) {
    return DoesNotVerify(absl::StrCat("xmlsec checked ", processed, " of ", refs->size(),
                                      " references"));
  }
  result.references = std::move(*refs);
  result.messaging = parts->messaging;
  result.body = parts->body;
  return result;
}

}  // namespace sbrgate::wssec
