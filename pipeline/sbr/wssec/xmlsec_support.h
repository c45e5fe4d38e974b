// Internals shared by the WS-Security signer and verifier (not for use
// outside pipeline/sbr/wssec): one-time xmlsec set-up, the "cid:" IO callbacks
// that stream attachments into xmlsec, capture of xmlsec's error reports,
// and locating the parts of a SOAP envelope by namespace and position.
//
//   if (absl::Status s = internal::EnsureXmlSec(); !s.ok()) return s;
//   internal::XmlSecErrors errors;                 // this thread's reports
//   internal::AttachmentScope scope(attachments);  // cid: resolves to these
//   xmlSecDSigCtxVerify(ctx, signature);
//   ... errors.Summary(), scope.error()
//
// Process-wide state: xmlsec is initialised once (std::call_once); its IO
// callback list is replaced once by the "cid:" callbacks alone, so xmlsec
// can open neither files nor network URLs. Per-call state (the attachments
// of the current call, the error reports) is thread-local, so concurrent
// calls on different threads do not see each other's.
#ifndef SBRGATE_PIPELINE_WSSEC_XMLSEC_SUPPORT_H_
#define SBRGATE_PIPELINE_WSSEC_XMLSEC_SUPPORT_H_

#include <libxml/tree.h>
#include <openssl/x509.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pipeline/sbr/wssec/reference.h"

namespace sbrgate::wssec::internal {

// The SwA Attachment-Content-Signature-Transform (reference.h), registered
// with xmlsec by EnsureXmlSec: it passes an attachment's octets through
// unchanged.
xmlSecTransformId AttachmentContentTransformId();

// The xmlSecDSigCtx flags of both the signer and the verifier. Manifests
// are not followed. A "#id" reference resolves straight to the element whose
// registered ID it names (IndexIds, xmlGetID), as the verifier's coverage
// check resolves it, rather than through an XPointer id() evaluation, which
// builds a new XPath context for every reference; the node set digested is
// the same (the element's subtree without comments). xmlsec named the flag
// after the Visa 3-D Secure messages that first needed it; "#xpointer(...)"
// references are resolved as before.
inline constexpr unsigned int kDSigFlags =
    XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS | XMLSEC_DSIG_FLAGS_USE_VISA3D_HACK;

// Attachments are read from their ByteSource in chunks of this size.
inline constexpr size_t kAttachmentChunk = 64 << 10;

// Initialises libxml2, xmlsec and its OpenSSL backend once per process and
// installs the cid: IO callbacks and the error collector.
absl::Status EnsureXmlSec();

// While alive, collects the xmlsec error reports raised on this thread.
class XmlSecErrors {
 public:
  XmlSecErrors();
  ~XmlSecErrors();
  XmlSecErrors(const XmlSecErrors&) = delete;
  XmlSecErrors& operator=(const XmlSecErrors&) = delete;
  // The first (innermost, most specific) reports, or "no details".
  std::string Summary() const;

  // The collector of the calling thread, or null.
  static XmlSecErrors* Current();
  void Add(std::string report) { reports_.push_back(std::move(report)); }

 private:
  std::vector<std::string> reports_;
  XmlSecErrors* previous_;
};

// While alive, "cid:<id>" URIs that xmlsec opens on this thread resolve to
// these attachments (the vector must outlive the scope).
class AttachmentScope {
 public:
  explicit AttachmentScope(const std::vector<AttachmentRef>& attachments);
  ~AttachmentScope();
  AttachmentScope(const AttachmentScope&) = delete;
  AttachmentScope& operator=(const AttachmentScope&) = delete;
  // The first failure to find, open or read an attachment (OK if none).
  const absl::Status& error() const { return error_; }

  // The scope of the calling thread, or null.
  static AttachmentScope* Current();
  // The attachment with this content id, or null.
  const AttachmentRef* Find(absl::string_view content_id) const;
  void Fail(absl::Status status) {
    if (error_.ok()) error_ = std::move(status);
  }

 private:
  const std::vector<AttachmentRef>& attachments_;
  absl::Status error_;
  AttachmentScope* previous_;
};

// The parts of a SOAP 1.1 or 1.2 envelope that the signature is about.
// header and messaging are null when absent; every other irregularity
// (not an Envelope, two Bodies, two eb:Messaging, ...) is an error.
struct SoapParts {
  xmlNode* envelope = nullptr;
  xmlNode* header = nullptr;     // the Envelope's Header child
  xmlNode* body = nullptr;       // the Envelope's Body child
  xmlNode* messaging = nullptr;  // the Header's eb:Messaging child
  const char* soap_ns = nullptr;
};
absl::StatusOr<SoapParts> FindSoapParts(xmlDoc* doc);

// The Header's wsse:Security children.
std::vector<xmlNode*> SecurityHeaders(const SoapParts& parts);

// Checks that no two elements carry the same ID value (wsu:Id, xml:id, or
// any attribute named Id/ID/id), then registers every wsu:Id as a DOM ID so
// that "#value" references resolve (xmlsec resolves them with XPointer id()).
absl::Status IndexIds(xmlDoc* doc);

// The element's wsu:Id, or "".
std::string WsuId(const xmlNode* element);

// Gives `element` a wsu:Id if it has none: `preferred`, or `preferred-N`
// when that is taken. Registers it and returns the element's wsu:Id.
absl::StatusOr<std::string> EnsureWsuId(xmlNode* element, absl::string_view preferred);

// A fresh ID value not used in the document, based on `preferred`.
std::string UnusedId(xmlDoc* doc, absl::string_view preferred);

bool IsElement(const xmlNode* node, const char* ns, const char* local_name);
std::vector<xmlNode*> ChildElements(const xmlNode* parent, const char* ns, const char* local_name);
std::string AttributeValue(const xmlNode* element, const char* name, const char* ns = nullptr);
std::string ElementText(const xmlNode* element);

// "cid:" + content id, percent-encoded as RFC 2392 requires.
std::string CidUri(absl::string_view content_id);
// The content id named by a "cid:" URI (percent-decoded), or an error.
absl::StatusOr<std::string> ContentIdOf(absl::string_view cid_uri);
// A content id without surrounding angle brackets.
std::string BareContentId(absl::string_view content_id);

// The ds:Reference children of the signature's ds:SignedInfo.
absl::StatusOr<std::vector<Digest>> ReadReferences(const xmlNode* signature);

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

// An xmlsec key holding `key` (which gains a reference), or null. The
// caller owns the result (xmlSecDSigCtx destroys its signKey).
xmlSecKeyPtr NewXmlSecKey(EVP_PKEY* key);

// An X.509 name in RFC 2253 form ("CN=...,O=...").
std::string NameString(const X509_NAME* name);
// An ASN.1 time as absl::Time (InfinitePast if unparseable).
absl::Time ToTime(const ASN1_TIME* time);
// The certificate, DER-encoded.
std::string CertDer(X509* cert);
// The text of OpenSSL's most recent error on this thread, clearing the queue.
std::string OpenSslError();

}  // namespace sbrgate::wssec::internal

#endif  // SBRGATE_PIPELINE_WSSEC_XMLSEC_SUPPORT_H_
