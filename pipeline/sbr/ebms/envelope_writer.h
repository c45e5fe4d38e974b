// Writes an ebMS3 SOAP envelope (SOAP 1.2 by default, or 1.1) from the model
// of message.h: the eb:Messaging header with every signal and user message,
// and the Body. The output validates against schemas/envelope.xsd when the
// model's required values are filled (MessageId, From/To PartyId and Role,
// Service, Action, ConversationId, property values, error code/severity).
// The envelope is built as a libxml2 tree, which the WS-Security signer
// signs in place without the envelope being written out and parsed back;
// the text is that tree serialised.
//
//   ebms::Envelope envelope;
//   envelope.messaging.pull_requests.push_back(
//       {ebms::NewMessageId("sbrgate.example.com.au"), clock.Now(), mpc, pushed_id});
//   absl::StatusOr<std::string> xml = ebms::WriteEnvelope(envelope);
//   // or, to sign it first:
//   absl::StatusOr<xml::Document> doc = ebms::BuildEnvelope(envelope);
//   wssec::SignEnvelope(doc->get(), credential, attachments);
//   std::string signed_xml = ebms::SerializeEnvelope(doc->get());
//
// What the writer decides, and why:
//   - eb:Messaging carries S12:mustUnderstand="true" (S11:mustUnderstand="1"
//     for SOAP 1.1) and wsu:Id="messaging"; the Body carries wsu:Id="body".
//     The WS-Security signer references these and inserts wsse:Security into
//     the Header itself; the writer leaves wsse:Security out.
//   - Signals come before user messages (the schema's order): pull requests,
//     then receipts, then error signals, in model order.
//   - Timestamps are xsd:dateTime in UTC with milliseconds and "Z".
//   - A pull request's ref_to_message_id is written as the signal's
//     eb:MessageInfo/eb:RefToMessageId. An eb:RefToMessageId child of
//     eb:PullRequest (what SBR's profile seems to describe) fails strict
//     validation, since PullRequest content must come from another namespace;
//     folding the id into the mpc would change the partition channel the
//     agency matches on. MessageInfo/RefToMessageId is where every ebMS3
//     signal names the message it is about, and the schema accepts it.
//   - A receipt's references go into ebbp:NonRepudiationInformation, one
//     ebbp:MessagePartNRInformation holding a ds:Reference each. A receipt
//     without references still carries an empty ebbp:NonRepudiationInformation,
//     because eb:Receipt must contain an element.
//   - One element a line, indented two spaces a level, as people reading a
//     captured message expect.
//   - Optional values left empty are omitted; text and attributes are
//     escaped, and characters XML 1.0 cannot carry (C0 controls other than
//     tab, CR, LF) become U+FFFD. Strings are expected in UTF-8.
//   - body_xml is parsed into the Body (in the envelope's namespace
//     context): it must be well-formed XML (the caller's own document, not
//     outside input), or the envelope is refused with InvalidArgument.
#ifndef SBRGATE_PIPELINE_EBMS_ENVELOPE_WRITER_H_
#define SBRGATE_PIPELINE_EBMS_ENVELOPE_WRITER_H_

#include <libxml/tree.h>

#include <string>

#include "absl/status/statusor.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::ebms {

// The envelope as a document.
absl::StatusOr<xml::Document> BuildEnvelope(const Envelope& envelope);

// An envelope document as UTF-8 text, exactly as it is (never reformatted,
// so that a signature over it still verifies).
std::string SerializeEnvelope(xmlDoc* envelope);

// The envelope as text: BuildEnvelope's document serialised.
absl::StatusOr<std::string> WriteEnvelope(const Envelope& envelope);

}  // namespace sbrgate::ebms

#endif  // SBRGATE_PIPELINE_EBMS_ENVELOPE_WRITER_H_
