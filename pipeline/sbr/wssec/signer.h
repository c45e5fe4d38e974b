// Signs an ebMS3 SOAP envelope with WS-Security the way SBR2 expects: an
// X.509 BinarySecurityToken and an XML-DSig signature over eb:Messaging, the
// SOAP Body and every MIME attachment, all done by xmlsec (OpenSSL backend).
//
//   absl::StatusOr<xml::Document> envelope = xml::ParseDocument(text, "envelope");
//   absl::Status s = wssec::SignEnvelope(envelope->get(), credential, attachments);
//   absl::StatusOr<std::vector<wssec::Digest>> sent = wssec::ReferenceDigests(envelope->get());
//   // Serialise with xmlDocDumpMemory (never a formatting/indenting dump: it
//   // would change the signed content).
//
// What SignEnvelope adds, in place:
//   - wsu:Id on eb:Messaging and on the SOAP Body when they have none
//     ("messaging" and "body", or "messaging-2"... if those are taken);
//   - as the last child of the SOAP Header:
//     <wsse:Security S:mustUnderstand="true">             ("1" for SOAP 1.1)
//       <wsse:BinarySecurityToken wsu:Id="x509-token" ValueType="...#X509v3"
//           EncodingType="...#Base64Binary">certificate</wsse:BinarySecurityToken>
//       <ds:Signature>  exclusive C14N, RSA-SHA256, one SHA-256 reference each to
//         #<messaging id> and #<body id> (transform: exclusive C14N) and to
//         cid:<content id> per attachment (transform: the SwA profile's
//         Attachment-Content-Signature-Transform; the digest is over the
//         attachment's raw octets, streamed through xmlsec's IO callbacks);
//         KeyInfo: wsse:SecurityTokenReference/wsse:Reference URI="#x509-token"
//       </ds:Signature>
//     </wsse:Security>
//
// The cid: references carry the WSS SwA profile 1.1's
// Attachment-Content-Signature-Transform, as AS4 and its implementations
// (WSS4J, phase4, Holodeck B2B, Domibus) sign attachments. xmlsec does not
// ship it, so xmlsec_support registers it: for a non-text attachment (the
// gzip payload) its output is the raw content octets.
//
// Thread-safe: concurrent calls on different documents are fine.
#ifndef SBRGATE_PIPELINE_WSSEC_SIGNER_H_
#define SBRGATE_PIPELINE_WSSEC_SIGNER_H_

#include <libxml/tree.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pipeline/sbr/wssec/credential.h"
#include "pipeline/sbr/wssec/reference.h"

namespace sbrgate::wssec {

// Signs `envelope` (a SOAP 1.2 or 1.1 Envelope whose Header holds one
// eb:Messaging) in place. Refuses an envelope that already has a
// wsse:Security header or duplicate IDs. On error the envelope may carry the
// added wsu:Ids but no wsse:Security header.
absl::Status SignEnvelope(xmlDoc* envelope, const Credential& credential,
                          const std::vector<AttachmentRef>& attachments);

// The ds:References of the envelope's signature (in its wsse:Security
// header) as written: URI, transforms, DigestMethod and DigestValue. Does not
// verify anything (see Verifier).
absl::StatusOr<std::vector<Digest>> ReferenceDigests(xmlDoc* signed_envelope);

}  // namespace sbrgate::wssec

#endif  // SBRGATE_PIPELINE_WSSEC_SIGNER_H_
