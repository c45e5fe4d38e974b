// The vocabulary shared by the WS-Security signer and verifier: what a
// signature refers to besides the SOAP envelope (the MIME attachments) and
// what it records about each part it covers (a ds:Reference digest).
//
//   std::vector<wssec::AttachmentRef> attachments = {{
//       "payload-1@sbrgate.example",                 // Content-ID without "cid:"
//       [] { return absl::StatusOr<std::unique_ptr<ByteSource>>(
//                FileSource::Open("/spool/lodgment.xml.gz")); }}};
//   wssec::SignEnvelope(envelope, credential, attachments);
//
// An attachment is opened only while its digest is computed and is read in
// chunks, so it may be gigabytes long.
#ifndef SBRGATE_PIPELINE_WSSEC_REFERENCE_H_
#define SBRGATE_PIPELINE_WSSEC_REFERENCE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::wssec {

// Namespaces of the WS-Security profile (WSS 1.1 SOAP Message Security).
inline constexpr char kWsseNs[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr char kWsuNs[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
inline constexpr char kDsNs[] = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr char kSoap12Ns[] = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr char kSoap11Ns[] = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr char kEbmsNs[] = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/";

// Algorithms this profile signs with and accepts.
inline constexpr char kExcC14n[] = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr char kRsaSha256[] = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
inline constexpr char kSha256[] = "http://www.w3.org/2001/04/xmlenc#sha256";
// WS-Security SwA profile 1.1: an attachment's content as the digest input,
// after MIME content canonicalisation, which changes nothing for the binary
// (application/gzip) attachments this profile carries. AS4 signs
// attachments with it, and a strict receiver refuses a reference without it.
inline constexpr char kAttachmentContentTransform[] =
    "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Signature-Transform";

// One MIME attachment of the message. The signature's reference to it is
// "cid:" + content_id (percent-encoded where RFC 2392 requires) with exactly
// the kAttachmentContentTransform: the digest covers the attachment's raw
// octets exactly as `open` delivers them (after any
// Content-Transfer-Encoding is undone, before any decompression).
struct AttachmentRef {
  std::string content_id;  // without "cid:" and without angle brackets
  std::function<absl::StatusOr<std::unique_ptr<ByteSource>>()> open;
};

// One ds:Reference of a signature, as the receipt's
// ebbp:NonRepudiationInformation copies it.
struct Digest {
  std::string uri;                      // "#messaging", "cid:payload-1@sbrgate.example"
  std::vector<std::string> transforms;  // Transform Algorithm URIs, in order
  std::string digest_method;            // DigestMethod Algorithm URI
  std::string digest_value;             // DigestValue text (base64), whitespace removed
};

}  // namespace sbrgate::wssec

#endif  // SBRGATE_PIPELINE_WSSEC_REFERENCE_H_
