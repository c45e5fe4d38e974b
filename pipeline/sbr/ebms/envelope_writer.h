// Writes an ebMS3 SOAP envelope (SOAP 1.2 by default, or 1.1) from the model
// of message.h: the eb:Messaging header with every signal and user message,
// and the Body. The output validates against schemas/envelope.xsd when the
// model's required values are filled (MessageId, From/To PartyId and Role,
// Service, Action, ConversationId, property values, error code/severity).
//
//   ebms::Envelope envelope;
//   envelope.messaging.pull_requests.push_back(
//       {ebms::NewMessageId("sbrgate.example.com.au"), clock.Now(), mpc, pushed_id});
//   std::string xml = ebms::WriteEnvelope(envelope);
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
//   - Optional values left empty are omitted; text and attributes are
//     escaped, and characters XML 1.0 cannot carry (C0 controls other than
//     tab, CR, LF) become U+FFFD. Strings are expected in UTF-8.
//   - body_xml is inserted into the Body as it is: it must be well-formed XML
//     (the caller's own document, not outside input).
#ifndef SBRGATE_PIPELINE_EBMS_ENVELOPE_WRITER_H_
#define SBRGATE_PIPELINE_EBMS_ENVELOPE_WRITER_H_

#include <string>

#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::ebms {

std::string WriteEnvelope(const Envelope& envelope);

}  // namespace sbrgate::ebms

#endif  // SBRGATE_PIPELINE_EBMS_ENVELOPE_WRITER_H_
